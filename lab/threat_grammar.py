"""Generated threat data: a grammar of threats and of the posts most like them, es/en/fr.

The grammar lives in data files beside this module (``data/threat_grammar/``):
``templates.csv`` holds one row per template with its *family* (a form of threat, or a
kind of harmless post built from the same words: negation, counter-speech, reporting,
hyperbole idioms, group words in kind sentences…), and ``slots.csv`` the fillers
(targets of every kind, groups protected or not alike, violent verbs, places, times).
Every target is used by threats and by harmless posts alike, so a model cannot learn a
group's name as the signal.

Families, not sentences, are the unit of validation: :func:`family_folds` assigns each
family to a fold, and a model is measured on families it never saw
(``python -m lab.threat_families``). Generation is seeded: the same rows on every machine.

Template syntax: ``{SLOT}`` draws a filler; ``{KV_SUBJ}`` and the like pick another form
of a verb (``slots.csv`` keeps a verb's forms separated by ``|``); ``[o/a]`` agrees with
the gender of the template's first person or group.
"""
from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent / "data" / "threat_grammar"
GENERATED = HERE / "generated.csv"
PER_TEMPLATE = 14
# Which form of a multi-form slot each derived slot name takes (index into value.split("|")).
FORMS = {"KV_3SG": ("KV", 1), "KV_PAST": ("KV", 2), "KV_SUBJ": ("KV", 1), "KV_1SG_COND": ("KV", 2),
         "KV_PAST_1SG": ("KV", 3)}
_SLOT = re.compile(r"\{([A-Z_0-9]+)\}")
_AGREE = re.compile(r"\[([^/\]]*)/([^/\]]*)\]")
_PRONOUNS = {"him", "her"}


def load_slots(path: Path = HERE / "slots.csv") -> dict:
    slots: dict = defaultdict(list)
    for r in csv.DictReader(path.open(encoding="utf-8")):
        slots[(r["lang"], r["slot"])].append((r["value"], r["gender"] or "m"))
    return slots


def load_templates(path: Path = HERE / "templates.csv") -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def _choices(slots: dict, lang: str, name: str) -> list[tuple[str, str]]:
    if name in FORMS:
        base, k = FORMS[name]
        return [(v.split("|")[min(k, len(v.split("|")) - 1)], g) for v, g in slots[(lang, base)]]
    if name in ("PO", "PN"):  # a person as object (pronouns too) or as subject (nouns only)
        people = slots[(lang, "P")]
        return people if name == "PO" else [(v, g) for v, g in people if v not in _PRONOUNS]
    if name in ("G_BARE", "G_DE"):  # a group without its article: "two refugees", "beaucoup de réfugiés"
        bare = []
        for v, g in slots[(lang, "G")]:
            if re.match(r"(these|those|esos|esas|ces)\b", v):
                continue
            v = re.sub(r"^(the|los|las|les)\s+", "", v)
            if name == "G_DE":
                v = ("d'" if v[0] in "aeiouéèêh" else "de ") + v
            bare.append((v, g))
        return bare
    got = slots.get((lang, name))
    if not got:
        raise ValueError(f"slot {name} must be in slots.csv for {lang}, got no rows")
    return [(v.split("|")[0], g) for v, g in got]


def _contract(text: str, lang: str) -> str:
    if lang == "es":
        text = re.sub(r"\b([aA]) el\b", r"\1l", text)
        text = re.sub(r"\b([dD]e) el\b", r"\1l", text)
    elif lang == "fr":
        text = re.sub(r"\bà le\b", "au", text)
        text = re.sub(r"\bà les\b", "aux", text)
        text = re.sub(r"\bde le\b", "du", text)
        text = re.sub(r"\bde les\b", "des", text)
        text = re.sub(r"\b(de|que|je|ne|le|la) (?=[aeiouyéèêàâîôûh])", lambda m: m.group(1)[0] + m.group(1)[1:-1] + "'",
                      text)
    return re.sub(r"\s+", " ", text).strip()


def render(template: str, lang: str, slots: dict, rng: random.Random) -> str:
    gender = None

    def fill(m):
        nonlocal gender
        value, g = rng.choice(_choices(slots, lang, m.group(1)))
        if gender is None and m.group(1) in ("G", "P", "PO", "PN", "G_BARE", "G_DE"):
            gender = g
        return value

    text = _SLOT.sub(fill, template)
    g = gender or rng.choice("mf")
    text = _AGREE.sub(lambda m: m.group(1) if g == "m" else m.group(2), text)
    return _contract(text, lang)


_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}


def perturb(text: str, rng: random.Random) -> str:
    """How people write: no accents, no capitals, a typo, leetspeak, a stretched letter, a
    handle in front, all capitals. Both classes get the same treatment."""
    kind = rng.randrange(8)
    words = text.split()
    if kind == 0:
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    elif kind == 1 and len(words) > 2:
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rng.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        text = " ".join(words)
    elif kind == 2:
        i = max(range(len(words)), key=lambda k: len(words[k]))
        words[i] = "".join(_LEET.get(c, c) if rng.random() < 0.5 else c for c in words[i])
        text = " ".join(words)
    elif kind == 3:
        i = rng.randrange(len(words))
        w = words[i]
        vowels = [k for k, c in enumerate(w) if c in "aeiou"]
        if vowels:
            k = rng.choice(vowels)
            words[i] = w[:k] + w[k] * 4 + w[k + 1:]
        text = " ".join(words)
    elif kind == 4:
        text = rng.choice(["@user ", "@USUARIO ", "@user @user ", "RT @user: "]) + text
    elif kind == 5:
        text = text.upper()
    elif kind == 6:
        text = text + rng.choice([" #elecciones", " !!!", " ...", " #debate", " 😡", " 🙏"])
    return text


def generate(seed: int = 7, per_template: int = PER_TEMPLATE) -> list[dict]:
    slots = load_slots()
    rng = random.Random(seed)
    rows, seen = [], set()
    for n, t in enumerate(load_templates()):
        kept = 0
        for _ in range(per_template * 4):  # draws until per_template distinct texts, or gives up
            text = render(t["template"], t["lang"], slots, rng)
            if rng.random() < 0.3:
                text = perturb(text, rng)
            elif rng.random() < 0.5:
                text = text[0].upper() + text[1:]
            if text in seen:
                continue
            seen.add(text)
            rows.append({"text": text, "label": t["label"], "lang": t["lang"], "family": t["family"],
                         "form": t["form"], "template_id": f"{t['family']}.{t['lang']}.{n}"})
            kept += 1
            if kept == per_template:
                break
    return rows


def group_variants(label: str = "threat"):
    """(template text, [the same text naming each group]) for every ``label`` template that
    names a group: rendered once per group of its language and gender, everything else drawn
    the same. The decision must not depend on which group a post names (issue #26)."""
    slots = load_slots()
    for t in load_templates():
        if t["label"] != label or "{G}" not in t["template"]:
            continue
        for gender in ("m", "f"):
            groups = [v for v, g in slots[(t["lang"], "G")] if g == gender]
            if groups:
                text = render(t["template"], t["lang"], {**slots, (t["lang"], "G"): [("GRUPOX", gender)]},
                              random.Random(0))
                yield text, [text.replace("GRUPOX", g) for g in groups]


def family_folds(families, k: int = 5) -> dict[str, int]:
    """Each family's fold, fixed by its name (stable as families are added)."""
    from lab.training import family_fold

    return {f: family_fold(f, k) for f in sorted(set(families))}


def write(path: Path = GENERATED, seed: int = 7) -> int:
    rows = generate(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["text", "label", "lang", "family", "form", "template_id"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return len(rows)


def read(path: Path = GENERATED) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


if __name__ == "__main__":
    print(f"{write()} rows written to {GENERATED}")
