"""Does a post ask the institution something or report a problem that needs action?

The unanswered work list and the report's answer times count these posts, not every "?"
or complaint: "¿Y ustedes para qué sirven?" is no question to answer, "la página no carga
desde ayer" is a problem to fix. The vocabulary lives in ``data/requests.csv`` (es/en/fr,
regular expressions over the normalised text, each with what it reads).
"""
from __future__ import annotations

import re

from classifiers import vocab
from classifiers.threat import normalise


# Exclamations and rhetorical questions dressed as questions ("what a joke?", "¿para qué
# sirven?", "quelle honte ?"): nothing to answer.
_RHETORIC = re.compile(r"\b(what a|what the|que (asco|verguenza|pena|chiste|oso)|para que (sirven|sirve|existen)|"
                       r"quelle? (honte|blague|farce)|a quoi (ca )?sert|a quoi servez)\b")


def request_kind(text: str) -> str:
    """"question", "problem" or "" (neither). A short question with no verb ("¿horario?",
    "¿y mi credencial?") is a question too."""
    # normalise() drops "?": keep it, the question rules read it.
    norm = normalise((text or "").replace("?", " qmarkx ")).replace("qmarkx", "?")
    rules = vocab.rules("requests.csv")
    if rules["problem"].search(norm):
        return "problem"
    if "?" not in norm or _RHETORIC.search(norm):
        return ""
    words = [w for w in norm.split() if not w.startswith("@") and w != "?"]
    return "question" if rules["question"].search(norm) or len(words) <= 6 else ""
