"""Claim-likeness: does a post assert wrongdoing, hidden facts or a danger (a claim worth
checking), debunk one, or only ask or comment?

The narrative detector groups claim-like posts about the institution by what they say,
whether or not the register of known false claims has them yet: a new rumour is by
definition not there. Assertions count as spreaders; debunks and questions join the group
without counting. The vocabulary lives in ``data/checkworthy.csv`` (es/en/fr, regular
expressions over the normalised text, each with what it reads).
"""
from __future__ import annotations

import re

from classifiers import vocab
from classifiers.threat import normalise

_QUESTION = re.compile(r"\?|^\s*(es cierto|is it true|c'est vrai|alguien sabe|does anyone know|quelqu'un sait)\b")


def claim_kind(text: str) -> str:
    """"debunk", "question", "assertion" or "" (none of these)."""
    norm = normalise(text)
    rules = vocab.rules("checkworthy.csv")
    if rules["debunk"].search(norm):
        return "debunk"
    asserted = rules["assertion"].search(norm)
    if _QUESTION.search(text or "") and asserted:
        return "question"
    return "assertion" if asserted else ""
