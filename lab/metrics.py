"""Macro-F1, per-class precision and recall, and the confusion matrix, without extra dependencies."""
from __future__ import annotations

from lab.datasets import LABELS


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


def calibration(y_true: list[str], probas: list[dict], bins: int = 10) -> dict:
    """How far the model's probabilities are from the frequencies they claim: the expected
    calibration error over the most probable class (``bins`` equal-width bins of
    confidence; 0 is perfect), the multi-class Brier score (0 is perfect, 2 the worst), and
    each bin's count, mean confidence and accuracy (a reliability table)."""
    n = len(y_true)
    if not n or len(probas) != n:
        raise ValueError(f"probas must give one row per label; got {len(probas)} rows for {n} labels")
    brier, table = 0.0, [[0, 0.0, 0] for _ in range(bins)]
    for y, row in zip(y_true, probas):
        total = sum(row.values()) or 1.0
        p = {c: v / total for c, v in row.items()}
        brier += sum((v - (c == y)) ** 2 for c, v in p.items()) + (0.0 if y in p else 1.0)
        top = max(p, key=p.get)
        b = table[min(int(p[top] * bins), bins - 1)]
        b[0] += 1
        b[1] += p[top]
        b[2] += top == y
    ece = sum(abs(conf - hit) for _, conf, hit in table) / n
    return {"ece": round(ece, 4), "brier": round(brier / n, 4),
            "bins": [{"from": k / bins, "to": (k + 1) / bins, "n": c, "confidence": round(conf / c, 4),
                      "accuracy": round(hit / c, 4)} for k, (c, conf, hit) in enumerate(table) if c]}
