"""The text every signal reads: evasions undone before the encoder, the patterns, the
lexicon and the claims see it.

A zero-width space, a soft hyphen, a word joiner or one Cyrillic "а" inside a violent
word must not turn a paging threat into nothing: the same threat with and without them
gets the same decision. :func:`clean` keeps case and accents (the encoder reads them) and
only undoes what a reader's eye does not see:

- Unicode NFKC (full-width letters, ligatures, mathematical alphabets: "𝐤𝐢𝐥𝐥" is "kill");
- format characters removed: zero-width spaces and joiners, soft hyphens, word joiners,
  bidirectional controls, variation selectors;
- confusable letters folded to Latin inside words that are mostly Latin ("kіll" with a
  Cyrillic і), while text written in Cyrillic or Greek stays as it is;
- digits standing for letters inside words ("k1ll", "m4t4r"), not numbers ("covid19").
"""
from __future__ import annotations

import functools
import re
import unicodedata

# Cyrillic and Greek letters that look like Latin ones (Unicode's confusables, the common part).
_CONFUSABLE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
    "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "ο": "o", "ρ": "p", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
    "Τ": "T", "Υ": "Y", "Χ": "X",
})
_CONFUSABLE_CHARS = frozenset(chr(c) for c in _CONFUSABLE)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s", "@": "a"})
# A word of letters with a few leet digits inside or at its end: "k1ll", "m4t4r", "4sesinar".
_LEET_WORD = re.compile(r"\b(?=\w*[013457])[^\W_]{3,}\b")


def _invisible(ch: str) -> bool:
    # Cf: format characters (ZWSP, ZWJ, ZWNJ, soft hyphen, word joiner, bidi controls, BOM);
    # variation selectors are Mn but carry no letter.
    return unicodedata.category(ch) == "Cf" or "\ufe00" <= ch <= "\ufe0f"


def _fold_word(word: str, latin_text: bool) -> str:
    """Confusables to Latin in a word that is mostly Latin already (a mixed-script word), or
    in a word made of confusables alone inside a text written in Latin letters."""
    if not any(ch in _CONFUSABLE_CHARS for ch in word):
        return word
    latin = sum(_is_latin(ch) for ch in word)
    return word.translate(_CONFUSABLE) if latin or latin_text else word


def _is_latin(ch: str) -> bool:
    return ch.isalpha() and ch.isascii() or "LATIN" in unicodedata.name(ch, "")


def _unleet(word: str) -> str:
    """Leet digits back to letters where they sit inside a word ("k1ll") or lead or end at
    least three letters ("4sesinar", "h8ters" no: 8 is no letter); numbers, ordinals and
    names with digits ("1st", "3pm", "mp3", "covid19") stay."""
    if any(ch.isdigit() and ch not in "013457" for ch in word):
        return word
    core = word.strip("013457")
    if any(ch.isdigit() for ch in core):
        return word.translate(_LEET) if sum(ch.isalpha() for ch in word) >= 2 else word
    lead, trail = len(word) - len(word.lstrip("013457")), len(word) - len(word.rstrip("013457"))
    if len(core) >= 3 and (lead or trail) and core.isalpha():
        return word.translate(_LEET)
    return word


@functools.lru_cache(maxsize=8192)
def clean(text: str) -> str:
    """``text`` as a reader sees it (see the module docstring); unchanged when it holds no evasion."""
    if not text:
        return text or ""
    text = unicodedata.normalize("NFKC", text)
    if any(_invisible(ch) for ch in text):
        text = "".join(ch for ch in text if not _invisible(ch))
    if any(ch in _CONFUSABLE_CHARS for ch in text):
        letters = [ch for ch in text if ch.isalpha()]
        latin_text = sum(_is_latin(ch) for ch in letters) > len(letters) / 2
        text = re.sub(r"\w+", lambda m: _fold_word(m.group(0), latin_text), text)
    if any(ch in "013457" for ch in text):
        text = _LEET_WORD.sub(lambda m: _unleet(m.group(0)), text)
    return text
