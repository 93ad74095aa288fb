"""Claim matching: a mention that restates a known false claim about the institution.

The register of false claims and their clarifications lives in the configuration.
A match names the claim and links its clarification, so the team can answer it.
"""
from __future__ import annotations

import re

import numpy as np

from classifiers.threat import normalise

_STOP = set("""a al algo de del el ella en es esta este for from la las le les lo los mas me mi no nos o of on or para
pero por que se si sin sobre son su sus the to un una uno y ya is are was were it this that con como le la les des du
et est il ils je ne pas pour qui sur vous nous une dans ce cette""".split())


def _terms(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"[a-z]{3,}", normalise(text)) if w not in _STOP}


def mixed(cos: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """The one similarity of "says the same thing": e5 cosines of unrelated texts sit near
    0.75, and shared content words separate a restatement from a text that is merely on
    the same topic. ``overlap``: the share of the second text's content words in the first."""
    return 0.7 * cos + 0.3 * (0.75 + 0.25 * overlap)


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(b) if a and b else 0.0


def pair_similarity(A: np.ndarray, B: np.ndarray, texts_a: list[str], texts_b: list[str]) -> np.ndarray:
    """:func:`mixed` of each row pair (A[i], B[i]), overlap taken both ways (the smaller)."""
    cos = np.einsum("ij,ij->i", np.asarray(A, np.float32), np.asarray(B, np.float32))
    ov = np.array([min(_overlap(ta, tb), _overlap(tb, ta)) for ta, tb in
                   ((_terms(a), _terms(b)) for a, b in zip(texts_a, texts_b))])
    return mixed(cos, ov)


def similarity_matrix(X: np.ndarray, texts: list[str]) -> np.ndarray:
    """:func:`mixed` between every two of ``texts`` (rows of ``X``), overlap taken both ways."""
    X = np.asarray(X, np.float32)
    terms = [_terms(t) for t in texts]
    ov = np.array([[min(_overlap(a, b), _overlap(b, a)) for b in terms] for a in terms]) if texts else np.zeros((0, 0))
    return mixed(X @ X.T, ov)


class ClaimMatcher:
    """Matches texts against claims by meaning (embeddings) and by shared words.

    Parameters
    ----------
    claims : sequence of escucha.config.Claim
    threshold : float
        Combined similarity needed for a match.
    """

    def __init__(self, claims=(), threshold: float = 0.86):
        self.claims = tuple(claims)
        self.threshold = threshold

    def fit(self, encoder) -> "ClaimMatcher":
        texts, owners = [], []
        for i, c in enumerate(self.claims):
            for t in (c.claim, *c.examples):
                texts.append(t)
                owners.append(i)
        self.vectors_ = encoder.encode(texts) if texts else np.zeros((0, encoder.dim), np.float32)
        self.owners_ = np.array(owners, dtype=int)
        self.terms_ = [_terms(t) for t in texts]
        return self

    def shares_terms(self, text: str) -> bool:
        """Whether ``text`` shares a content word with any claim. Without one the combined
        score needs a cosine of 0.99+, which only a copy reaches: such texts need no vector."""
        tt = _terms(text)
        return bool(tt) and any(tt & ct for ct in self.terms_)

    def similarity(self, X: np.ndarray, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Best (score, claim index) per text; the score mixes cosine and word overlap."""
        if not len(self.owners_):
            return np.zeros(len(texts)), np.full(len(texts), -1)
        cos = np.asarray(X, dtype=np.float32) @ self.vectors_.T  # (n, k)
        overlap = np.zeros_like(cos)
        for i, t in enumerate(texts):
            tt = _terms(t)
            for j, ct in enumerate(self.terms_):
                overlap[i, j] = _overlap(tt, ct)
        score = mixed(cos, overlap)
        best = score.argmax(axis=1)
        return score[np.arange(len(texts)), best], self.owners_[best]

    def match(self, X, texts):
        """List of (claim or None, score) per text."""
        scores, owners = self.similarity(X, texts)
        return [(self.claims[o] if o >= 0 and s >= self.threshold else None, float(s))
                for s, o in zip(scores, owners)]
