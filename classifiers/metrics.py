"""Macro-F1, per-class precision and recall, and the confusion matrix, without extra dependencies."""
from __future__ import annotations

from classifiers.datasets import LABELS


def evaluate(y_true: list[str], y_pred: list[str], task: str) -> dict:
    labels = list(LABELS.get(task, sorted(set(y_true) | set(y_pred))))
    per_class, f1s = {}, []
    for c in labels:
        tp = sum(1 for t, p in zip(y_true, y_pred) if t == c and p == c)
        fp = sum(1 for t, p in zip(y_true, y_pred) if t != c and p == c)
        fn = sum(1 for t, p in zip(y_true, y_pred) if t == c and p != c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        support = tp + fn
        per_class[c] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": support}
        if support or any(p == c for p in y_pred):
            f1s.append(f1)
    confusion = {t: {p: sum(1 for a, b in zip(y_true, y_pred) if a == t and b == p) for p in labels} for t in labels}
    return {"task": task, "n": len(y_true), "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
            "per_class": per_class, "confusion": confusion}
