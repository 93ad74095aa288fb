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


_TOKEN = re.compile(r"(?<![@#\w])[^\W\d_]+(?:['’][^\W\d_]+)?")
_BREAK = re.compile(r"https?://\S+|[@#]\w+|[.,;:!?¡¿()\[\]{}\"«»“”…|/\\—–-]+|\d+")


def key_phrases(texts, n: int = 15, min_posts: int = 2) -> list[tuple[str, int]]:
    """The ``n`` phrases (two or three words within a clause, neither end a stop word) most
    posts share, with how many; a phrase inside a longer one that as many posts share gives
    way to it; single words (4 letters or more) fill the list when phrases are few."""
    phrases: Counter = Counter()
    words: Counter = Counter()
    for text in texts:
        seen_p, seen_w = set(), set()
        for clause in _BREAK.split(text.lower()):
            toks = _TOKEN.findall(clause)
            for size in (2, 3):
                for i in range(len(toks) - size + 1):
                    gram = toks[i:i + size]
                    if gram[0] not in STOPWORDS and gram[-1] not in STOPWORDS and min(map(len, (gram[0], gram[-1]))) > 2:
                        seen_p.add(" ".join(gram))
            seen_w.update(w for w in toks if len(w) >= 4 and w not in STOPWORDS)
        phrases.update(seen_p)
        words.update(seen_w)
    shared = {p: c for p, c in phrases.items() if c >= min_posts}
    kept = [p for p in shared
            if not any(q != p and f" {p} " in f" {q} " and shared[q] >= shared[p] for q in shared)]
    top = sorted(kept, key=lambda p: (-shared[p], -len(p.split()), p))[:n]
    inside = {w for p in top for w in p.split()}
    fill = [(w, c) for w, c in words.most_common() if w not in inside and c >= min_posts]
    return [(p, shared[p]) for p in top] + fill[:max(n - len(top), 0)]
