"""Threats by their nearest written examples: a second opinion beside the threat head.

A linear head over the embedding misses the euphemisms a threat hides in ("le vamos a
mandar flores a la consejera, pero al panteón"): most of the written threats nearest to
such a post (plain e5, which keeps meanings apart) are threats all the same. The bank
holds the threat task's training texts as vectors with their labels; the texts of the
threats (all written for escucha, lab/threat_corpus.py) stay beside them, so a
flag names the written threat it resembles. Other training texts (public datasets) are
kept as vectors only.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from escucha.errors import ClassifierError, NotFitted


class ThreatNeighbours:
    """k nearest written examples by cosine.

    Parameters
    ----------
    k : int
        How many neighbours vote.
    """

    def __init__(self, k: int = 10):
        if not isinstance(k, int) or k < 1:
            raise ClassifierError(f"k must be a positive integer, got {k!r}")
        self.k = k

    def fit(self, X: np.ndarray, labels, texts) -> "ThreatNeighbours":
        X = np.asarray(X, dtype=np.float32)
        labels, texts = list(labels), list(texts)
        if X.ndim != 2 or not (len(X) == len(labels) == len(texts)):
            raise ClassifierError(f"X, labels and texts must have one row each, got {X.shape}, {len(labels)} "
                                  f"labels and {len(texts)} texts")
        if len(X) < self.k:
            raise ClassifierError(f"the bank must hold at least k={self.k} examples, got {len(X)}")
        # float16 on disk (save); rounded the same way here, so a fitted bank and a loaded one agree.
        X = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
        self.vectors_ = X.astype(np.float16).astype(np.float32)
        self.is_threat_ = np.array([y == "threat" for y in labels])
        self.threat_texts_ = np.array([t for t, y in zip(texts, self.is_threat_) if y], dtype=str)
        return self

    @property
    def threat_row_(self) -> np.ndarray:
        """Row of each example's text in ``threat_texts_`` (-1 for the non-threats)."""
        return np.where(self.is_threat_, np.cumsum(self.is_threat_) - 1, -1)

    def _check(self, X):
        if not hasattr(self, "vectors_"):
            raise NotFitted("ThreatNeighbours is not fitted: call fit() or load()")
        if X.shape[1] != self.vectors_.shape[1]:
            raise ClassifierError(f"vectors must have {self.vectors_.shape[1]} dimensions (the bank's encoder), "
                                  f"got {X.shape[1]}")

    def share(self, X: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Per row of ``X`` (L2-normalised): the share of its k nearest examples that are
        threats, and the nearest written threat among them ("" when none)."""
        X = np.asarray(X, dtype=np.float32)
        if not len(X):
            return np.zeros(0), []
        self._check(X)
        sims = X @ self.vectors_.T
        top = np.argpartition(-sims, self.k - 1, axis=1)[:, : self.k]
        order = np.take_along_axis(sims, top, axis=1).argsort(axis=1)[:, ::-1]
        top = np.take_along_axis(top, order, axis=1)  # nearest first
        votes = self.is_threat_[top]
        text_row = self.threat_row_
        nearest = []
        for row, v in zip(top, votes):
            hit = row[v]
            nearest.append(str(self.threat_texts_[text_row[hit[0]]]) if len(hit) else "")
        return votes.mean(axis=1), nearest

    def save(self, path: str | Path) -> None:
        np.savez_compressed(path, k=self.k, vectors=self.vectors_.astype(np.float16), is_threat=self.is_threat_,
                            threat_texts=self.threat_texts_)

    @classmethod
    def load(cls, path: str | Path) -> "ThreatNeighbours":
        try:
            with np.load(path, allow_pickle=False) as data:
                self = cls(int(data["k"]))
                self.vectors_ = data["vectors"].astype(np.float32)
                self.is_threat_ = data["is_threat"].astype(bool)
                self.threat_texts_ = data["threat_texts"]
        except (OSError, KeyError, ValueError) as exc:
            raise ClassifierError(f"threat examples bank unreadable: {path} ({exc})") from None
        if len(self.threat_texts_) != int(self.is_threat_.sum()) or len(self.vectors_) != len(self.is_threat_):
            raise ClassifierError(f"threat examples bank corrupt: {path}")
        return self
