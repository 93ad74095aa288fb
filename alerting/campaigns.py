"""Harassment campaigns against a person: abuse that targets one person and accumulates
across distinct authors over hours or days.

No single post of a campaign need be an incident (an insult is not a crisis); what the
committee must know is that many people are abusing the same official, staff member or
candidate. Whom a post targets is read without a name list where possible:

- a watched name (``[watch] names``), in full or by its last word ("la consejera Méndez");
- a person's handle it names (``@…``), other than the institution's own accounts and the
  author quoted by a repost's "RT @…:";
- the author of the post it answers, when that is not the institution's own account;
- a person's name it writes: two or more capitalised words ("Laura Méndez", "Jean-Marc
  Dubois", particles such as "de la" between them); names that share a surname are one
  person, and a later post naming only the surname, capitalised, joins them; words of
  the institution's own name and watch list are not names of people.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import timedelta

from alerting.words import number, say, when
from escucha.records import Incident

_HANDLE = re.compile(r"(?<![\w@])@(\w{1,30})")
_RT = re.compile(r"^\s*RT @\w+:")
_CAP = r"[A-ZÁÉÍÓÚÑÜÀÂÇÈÊËÎÏÔÛ][a-záéíóúñüàâçèêëîïôûœ]+(?:-[A-ZÁÉÍÓÚÀÈ][a-záéíóúñüàâçèêëîïôû]+)?"
_NAME = re.compile(rf"(?<![\w@#])({_CAP}(?:\s+(?:(?:de|del|la|las|los|le|du|van|von|da|di|y)\s+)*{_CAP})+)")


def _plain(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))


def _abusive(c) -> bool:
    labels = c.labels
    return labels.get("offensive") == "offensive" or labels.get("hate") == "hate" or labels.get("threat") == "threat"


class _Targets:
    """Who a post targets, as grouping keys with the words to show for them.

    People's names are read from the abusive posts, the watch list and the display names
    of the accounts they answer or name. Names that share a word other than their first
    (a surname: "Daniela Fuentes Rojas", "Fuentes Rojas", "la consejera Fuentes") are one
    person; a given name alone links nothing ("Daniela" is many people)."""

    def __init__(self, config, items, abuse):
        self.own = config.own_handles()
        institution = " ".join([config.name, config.short_name, *config.keywords, *config.hashtags])
        self.not_people = set(_plain(institution).split()) | {h.lower() for h in self.own}
        self.by_id = {m.id: m for m, _ in items}
        self.display = {m.author.handle.lower(): m.author.display_name for m, _ in items}
        self.watched = {" ".join(self._words(n)): n for n in config.names if len(self._words(n)) >= 2}
        names = dict.fromkeys(self.watched)  # plain name -> None, in order: the watch list first
        for m, _ in abuse:
            for name in _NAME.findall(_RT.sub("", m.text)):
                if len(words := self._words(name)) >= 2:
                    names.setdefault(" ".join(words))
            for handle in self._handles(m):
                if len(words := self._words(self.display.get(handle.lower(), ""))) >= 2:
                    names.setdefault(" ".join(words))
        # Union of names through their words but the first; the person's key is the
        # longest name of the group (the watch list's, where it names them).
        owner: dict[str, str] = {}  # surname -> representative name
        parent: dict[str, str] = {n: n for n in names}

        def find(n):
            while parent[n] != n:
                parent[n] = parent[parent[n]]
                n = parent[n]
            return n

        for n in names:
            for w in n.split()[1:]:
                if w in owner:
                    a, b = find(owner[w]), find(n)
                    if a != b:
                        keep, drop = (a, b) if (a in self.watched, len(a)) >= (b in self.watched, len(b)) else (b, a)
                        parent[drop] = keep
                else:
                    owner[w] = n
        self.surnames = {w: find(n) for w, n in owner.items()}
        self.person = {n: find(n) for n in names}

    def _words(self, name: str) -> list[str]:
        return [w for w in _plain(name).split() if w not in self.not_people]

    def _handles(self, m) -> set[str]:
        handles = {h for h in _HANDLE.findall(_RT.sub("", m.text)) if h.lower() not in self.own}
        parent = self.by_id.get(m.in_reply_to)
        if parent is not None and not parent.own:
            handles.add(parent.author.handle)
        return handles

    def _shown(self, key: str) -> str:
        return self.watched.get(key) or key.title()

    def of(self, m) -> dict[str, str]:
        text = _RT.sub("", m.text)
        found: dict[str, str] = {}

        def person(key):
            found[f"name:{key.replace(' ', '-')}"] = self._shown(key)

        for name in _NAME.findall(text):
            words = self._words(name)
            if len(words) >= 2 and " ".join(words) in self.person:
                person(self.person[" ".join(words)])
        for word in re.findall(_CAP, text):  # a surname alone, written as a name
            if (w := _plain(word)) in self.surnames:
                person(self.surnames[w])
        plain = set(re.findall(r"\w+", _plain(text)))
        for name in self.watched:  # the watch list's names, however written
            if name.split()[-1] in plain:
                person(self.person[name])
        for handle in self._handles(m):
            # A person's account and their name are one target: "@lmendez" whose profile
            # says "Laura Méndez" joins the posts that write "Méndez".
            words = " ".join(self._words(self.display.get(handle.lower(), "")))
            if words in self.person:
                person(self.person[words])
            else:
                found[f"@{handle.lower()}"] = f"@{handle}"
        return found


def detect_campaigns(config, items, now) -> list[Incident]:
    """Offensive, hateful or threatening posts that target one person, by
    ``campaign_min_authors`` distinct authors within ``campaign_hours``: severity high,
    critical when a threat that pages is among them."""
    from alerting.detect import _snippet, pages

    d = config.detection
    since = now - timedelta(hours=d.campaign_hours)
    abuse = [(m, c) for m, c in items if not m.own and since <= m.created_at <= now and _abusive(c)]
    if not abuse:
        return []
    targets = _Targets(config, items, abuse)
    groups: dict[str, list] = defaultdict(list)
    shown: dict[str, str] = {}
    for m, c in sorted(abuse, key=lambda mc: mc[0].created_at):
        for key, name in targets.of(m).items():
            if key == f"@{m.author.handle.lower()}":
                continue  # nobody campaigns against themselves
            groups[key].append((m, c))
            shown.setdefault(key, name)
    out = []
    for key, posts in groups.items():
        authors = {m.author.handle.lower() for m, _ in posts}
        if len(authors) < max(1, d.campaign_min_authors):
            continue
        threat = any(pages(c) for _, c in posts)
        first = posts[0][0]
        worst = sorted(posts, key=lambda mc: -mc[0].author.followers)[:3]
        out.append(Incident(
            key=f"campaign:{key}", kind="campaign", severity="critical" if threat else "high",
            title=say(config, "campaign_title", target=shown[key]),
            explanation=say(config, "campaign", n=len(posts), authors=len(authors), target=shown[key],
                            at=when(config, first.created_at), zone=config.timezone,
                            threats=say(config, "campaign_threats") if threat else "",
                            top="; ".join(say(config, "post", handle=m.author.handle,
                                              followers=number(config, m.author.followers), text=_snippet(m.text, 70))
                                          for m, _ in worst)),
            account=(first.accounts or ("",))[0], evidence=[m.id for m, _ in posts]))
    return out
