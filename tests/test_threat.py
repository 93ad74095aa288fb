import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.threat import match, normalise
from lab.threat_grammar import group_variants, load_slots


@pytest.mark.parametrize("text", [
    "el sábado va a haber sangre en la catedral",
    "Voy a balacear la casilla el domingo",
    "I'm going to shoot up the cathedral",
    "Je vais faire sauter le bureau de vote",
    "v4m0s a m4t4r a los consejeros",
    "les vamos a poner una bomba en la sede",
])
def test_threats_in_three_languages(text):
    assert match(text), text


@pytest.mark.parametrize("text", [
    "me mata de risa el consejero", "the chairwoman killed it in the debate", "esta elección es un fraude",
    "ese debate fue una bomba", "vamos a votar el domingo", "Je suis mort de rire",
])
def test_idioms_and_criticism_are_not_threats(text):
    assert match(text) == []


def test_normalise_handles_leet_and_stretching():
    assert normalise("MÁTEEEENLOS a t0d0s") == "matenlos a todos"
    assert normalise("casilla 1234") == "casilla 1234"


def _suite(name):
    from lab.training import suite_file

    return list(csv.DictReader(suite_file(name).open(encoding="utf-8")))


def test_development_suite_idioms_raise_no_pattern():
    """150 posts written while the patterns were extended (es/en/fr, oblique forms, and
    idioms that borrow violent words): the patterns fire on none of its harmless posts. What
    they catch of its threats is the models' to catch as well (test_threat_model.py), since
    the patterns stopped reading people (issue #26)."""
    rows = _suite("threat_suite_dev.csv")
    others = [r["text"] for r in rows if r["label"] == "not_threat"]
    assert len(others) > 50 and [t for t in others if match(t)] == []


def test_a_last_sermon_needs_the_model_to_lean_the_same_way():
    from classifiers.threat import corroborated

    text = "We know where the registrar parks. Tell her to enjoy her last week"
    assert match(text) == ["last_time"]
    assert corroborated(text, 0.05) == [] and corroborated(text, 0.3) == ["last_time"]


# Behaviour, not sentences: the sentence-by-sentence tests that restated the patterns' own
# phrases were removed (circular); what the layer must do on text nobody here wrote is
# measured on the generated grammar (lab/data/threat_grammar), whose rows no pattern names.
GRAMMAR = list(csv.DictReader((Path(__file__).resolve().parent.parent / "lab" / "data" / "threat_grammar"
                               / "generated.csv").open(encoding="utf-8")))
_HOMOGLYPHS = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "p": "\u0440", "x": "\u0445", "i": "\u0456"}


def _disguise(text: str, how: str, at: int) -> str:
    """``text`` as an evader writes it: an invisible character, a soft hyphen or a Cyrillic
    letter inside a word, capitals, or a stretched vowel, at position ``at``."""
    at %= max(len(text), 1)
    if how in ("\u200b", "\u00ad", "\u2060", "\u200d"):
        return text[:at] + how + text[at:]
    if how == "homoglyph":
        spots = [i for i, ch in enumerate(text) if ch in _HOMOGLYPHS]
        if not spots:
            return text
        i = spots[at % len(spots)]
        return text[:i] + _HOMOGLYPHS[text[i]] + text[i + 1:]
    if how == "upper":
        return text.upper()
    vowels = [i for i, ch in enumerate(text) if ch in "aeiou"]
    if not vowels:
        return text
    i = vowels[at % len(vowels)]
    return text[:i] + text[i] * 4 + text[i + 1:]


@settings(max_examples=300, deadline=None)
@given(row=st.sampled_from(GRAMMAR), how=st.sampled_from(["\u200b", "\u00ad", "\u2060", "\u200d", "homoglyph",
                                                          "upper", "stretch"]), at=st.integers(0, 400))
def test_a_disguised_post_gets_the_verdict_of_the_plain_one(row, how, at):
    assert bool(match(_disguise(row["text"], how, at))) == bool(match(row["text"])), (row["text"], how)


def test_a_stretched_double_letter_reads_as_the_plain_word():
    """A run of a letter stands for one letter ("MÁTEEEENLOS") or for a double one ("seeeee",
    "killlll"): every grammar row with a double letter, that letter stretched, gets the
    verdict of the plain row (hypothesis found "won't live to seeeee next week" read as "se")."""
    import re

    rows = [r["text"] for r in GRAMMAR if re.search(r"([a-z])\1", r["text"])]
    stretched = [(t, re.sub(r"([a-z])\1", r"\1\1\1\1", t, count=1)) for t in rows]
    assert len(rows) > 500
    assert [t for t, s in stretched if bool(match(s)) != bool(match(t))] == []


@pytest.mark.parametrize("label", ["threat", "not_threat"])
def test_whether_the_patterns_fire_does_not_depend_on_the_group_named(label):
    """Every grammar template that names a group, rendered once per group: the patterns name
    places and events, never people, so they fire for every group or for none. A group whose
    name holds a word of the grammar's places or times ("the election officials", "los
    funcionarios de casilla") names that place too, which may count: it is left out of the
    comparison (the first assertion checks that few are)."""
    slots = load_slots()
    places = {w for (lang, name), values in slots.items() if name in ("PL", "T")
              for v, _ in values for w in normalise(v).split() if len(w) > 3}
    split, kept, every = [], 0, 0
    for text, variants in group_variants(label):
        people = [v for v in variants if not places.intersection(normalise(v).split())]
        kept, every = kept + len(people), every + len(variants)
        split.append((text, sorted({bool(match(v)) for v in people})))
    assert kept > 0.8 * every
    assert split and [text for text, verdicts in split if len(verdicts) > 1] == []
