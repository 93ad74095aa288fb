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
    # Casual Mexican profanity ("puta madre", "puto clima") is not aimed at anyone: only
    # expressions that call a person or a group something count.
    ("es.misoginia", "hate", r"\b(vieja|pinche vieja|mujer|vieja)\s+(estupida|pendeja|loca|histerica|inutil|puta|zorra)\b|"
                             r"\b(a|en) la cocina\b|\bmujeres como (tu|ella|esa)\b|"
                             r"\b(es|eres|son|sois)\s+(una\s+|unas\s+)?(perra|zorra|puta|golfa)s?\b"),
    ("es.racismo", "hate", r"\b(indio|india|naco|naca|prieto|prieta)s?\s+(de mierda|asqueros[oa]s?|patas rajadas|"
                           r"ignorantes?)\b|\bpatas rajadas\b"),
    ("es.homofobia", "hate", r"\b(maricon|maricones|joto|jotos|marica|travelo)\b"),
    ("es.deshumanizacion", "hate", r"\b(son|eres|es)\s+(una\s+)?(plaga|basura|escoria|ratas|cucarachas|parasitos)\b|"
                                   r"\b(mujeres|indigenas|migrantes|judios|musulmanes|gays)\s+como\s+\w+\s+son\s+basura\b"),
    ("es.insulto", "offensive", r"\b(eres|es|son|sois|bola de|pinche|pinches)\s+(un\s+|una\s+|unos\s+|unas\s+)?"
                                r"(pendej[oa]s?|imbecil(es)?|idiotas?|estupid[oa]s?|cabron(es|a)?|culer[oa]s?|"
                                r"basura|escoria|lambiscon(es)?)\b|\bhijos? de (puta|su puta madre)\b"),
    ("en.slur", "hate", r"\b(bitch|bitches|whore|slut|faggot|fag|tranny|wetback|beaner|kike|raghead)s?\b|"
                        r"\bgo back (to|where) (your|you came)\b|\b(belongs?|back) in the kitchen\b"),
    ("en.insult", "offensive", r"\b(you|you're|you are|he's|she's|they're|are|is)\s+(an?\s+|such an?\s+)?"
                               r"(idiot|moron|retard(ed)?|scum|garbage|piece of shit|asshole|dumbass)s?\b"),
    ("fr.injure_haine", "hate", r"\b(salope|pute|pd|pede|bougnoule|negre|youpin|sale arabe|sale juif)s?\b|"
                                r"\b(retourne|retournez)\s+(a la|dans ta|dans ton) (cuisine|pays)\b"),
    ("fr.injure", "offensive", r"\b(connard|connasse|abruti|cretin|ordure|enfoire|salaud)s?\b"),
]
_COMPILED = [(n, k, re.compile(p)) for n, k, p in ENTRIES]


def match(text: str) -> list[tuple[str, str]]:
    """(entry name, kind) of every lexicon entry the text matches."""
    norm = normalise(text)
    return [(n, k) for n, k, rx in _COMPILED if rx.search(norm)]
