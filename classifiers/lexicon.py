"""A small high-precision lexicon of slurs and identity-based contempt, in es/en/fr.

The models score offence and hate statistically; this layer names what they can
miss in short Mexican-Spanish tweets and says exactly which expression matched.
Identity-based expressions (against women, migrants, Indigenous people, LGBT
people, religions) count as hate; plain insults as offensive.
"""
from __future__ import annotations

import re

from classifiers.threat import normalise

# (name, kind, regex over normalised text); kind is "hate" or "offensive".
ENTRIES = [
    ("es.misoginia", "hate", r"\b(vieja|pinche vieja|mujer|vieja)\s+(estupida|pendeja|loca|histerica|inutil|puta|zorra)\b|"
                             r"\b(a|en) la cocina\b|\bmujeres como (tu|ella|esa)\b|\b(perra|zorra|puta|golfa)s?\b"),
    ("es.racismo", "hate", r"\b(indio|india|naco|naca|prieto|prieta)s?\s+(de mierda|asqueros[oa]s?|patas rajadas|"
                           r"ignorantes?)\b|\bpatas rajadas\b"),
    ("es.homofobia", "hate", r"\b(maricon|maricones|joto|jotos|puto|putos|marica|travelo)\b"),
    ("es.deshumanizacion", "hate", r"\b(son|eres|es)\s+(una\s+)?(plaga|basura|escoria|ratas|cucarachas|parasitos)\b|"
                                   r"\b(mujeres|indigenas|migrantes|judios|musulmanes|gays)\s+como\s+\w+\s+son\s+basura\b"),
    ("es.insulto", "offensive", r"\b(pendej[oa]s?|imbecil(es)?|idiota?s?|estupid[oa]s?|cabron(es|a)?|hijos? de (puta|su madre)|"
                                r"culer[oa]s?|mierda|asqueros[oa]s?|lambiscon(es)?|basura)\b"),
    ("en.slur", "hate", r"\b(bitch|bitches|whore|slut|faggot|fag|tranny|wetback|beaner|kike|raghead)s?\b|"
                        r"\bgo back (to|where) (your|you came)\b|\b(belongs?|back) in the kitchen\b"),
    ("en.insult", "offensive", r"\b(idiot|moron|stupid|retard(ed)?|scum|garbage|piece of shit|asshole|dumbass)s?\b"),
    ("fr.injure_haine", "hate", r"\b(salope|pute|pd|pede|bougnoule|negre|youpin|sale arabe|sale juif)s?\b|"
                                r"\b(retourne|retournez)\s+(a la|dans ta|dans ton) (cuisine|pays)\b"),
    ("fr.injure", "offensive", r"\b(connard|connasse|abruti|cretin|debile|ordure|enfoire|salaud|merde)s?\b"),
]
_COMPILED = [(n, k, re.compile(p)) for n, k, p in ENTRIES]


def match(text: str) -> list[tuple[str, str]]:
    """(entry name, kind) of every lexicon entry the text matches."""
    norm = normalise(text)
    return [(n, k) for n, k, rx in _COMPILED if rx.search(norm)]
