"""Language detection for sources that do not say (py3langid: its model ships in the package)."""
from __future__ import annotations

import re
from functools import lru_cache

LANGS = ("es", "en", "fr", "pt", "it", "de")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True, langs=list(LANGS))


def detect_lang(text: str, min_prob: float = 0.6) -> str:
    """ISO 639-1 code of ``text``, or "und" when too short or unclear."""
    words = re.sub(r"(https?://\S+|[@#]\w+)", " ", text or "")
    if len(re.findall(r"[^\W\d_]{2,}", words)) < 2:
        return "und"
    lang, prob = _identifier().classify(words)
    return lang if prob >= min_prob else "und"
