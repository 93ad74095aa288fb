"""Stop words in es/en/fr (``data/stopwords.txt``): what is left of a group of posts says
what it is about. The report's topics and the spike detector's explanations read it."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

_FILE = Path(__file__).parent / "data" / "stopwords.txt"
STOPWORDS = frozenset(w for line in _FILE.read_text(encoding="utf-8").splitlines()
                      if not line.startswith("#") for w in line.split())
_WORD = re.compile(r"(?<![@#\w])[^\W\d_]{4,}")


def top_terms(texts, n: int = 5) -> list[str]:
    """The ``n`` most frequent words of ``texts`` (4 letters or more, no stop words, no
    handles, hashtags or link parts), each counted once per text."""
    counts = Counter(w for t in texts for w in set(_WORD.findall(re.sub(r"https?://\S+", " ", t.lower())))
                     if w not in STOPWORDS)
    return [w for w, _ in counts.most_common(n)]
