"""Cross-validation by template family: how a threat head does on forms it never saw.

Every fold trains on the other families of the grammar (lab/threat_grammar.py) plus the
rest of the threat task's training data, and is scored on the held-out families. The
report gives, per family, the share of rows called threats: recall on threat families,
false alarms on harmless ones. ``python -m lab.threat_families``.
"""
from __future__ import annotations

import numpy as np

from lab import threat_grammar


def embed(texts, encoders):
    return np.hstack([e.encode(texts) for e in encoders]).astype(np.float32)


def cross_validate(extra_x, extra_y, encoders, folds: int = 5, C: float = 4.0, hashed: bool = True, log=print,
                   unit: str = "family"):
    """Out-of-fold P(threat) for every grammar row; ``unit`` "family" holds whole forms out,
    "template" holds out templates of forms seen in training (new phrasings of known forms)."""
    from classifiers.head import TextHead

    rows = threat_grammar.read()
    if unit == "family":
        fold_of = threat_grammar.family_folds([r["family"] for r in rows], folds)
        unit_of = [r["family"] for r in rows]
    else:
        unit_of = [r["template_id"] for r in rows]
        fold_of = threat_grammar.family_folds(unit_of, folds)
    g_x = [r["text"] for r in rows]
    g_y = [r["label"] for r in rows]
    G = embed(g_x, encoders)
    E = embed(extra_x, encoders) if extra_x else np.zeros((0, G.shape[1]), np.float32)
    pred = np.zeros(len(rows))
    for k in range(folds):
        test = np.array([fold_of[u] == k for u in unit_of])
        if not test.any():
            continue
        X = np.vstack([G[~test], E])
        tx = [t for t, m in zip(g_x, test) if not m] + list(extra_x)
        ty = [y for y, m in zip(g_y, test) if not m] + list(extra_y)
        head = TextHead("threat", C_emb=C, use_hash=hashed).fit(X, tx, ty)
        col = list(head.classes_).index("threat")
        pred[test] = head.predict_proba(G[test], [t for t, m in zip(g_x, test) if m])[:, col]
        log(f"fold {k}: {int(test.sum())} held-out rows")
    return rows, pred


def report(rows, pred, threshold: float = 0.5) -> dict:
    fam = {}
    for r, p in zip(rows, pred):
        f = fam.setdefault((r["label"], r["family"]), [0, 0])
        f[0] += p >= threshold
        f[1] += 1
    thr = [r for r, p in zip(rows, pred) if r["label"] == "threat"]
    recall = float(np.mean([p >= threshold for r, p in zip(rows, pred) if r["label"] == "threat"]))
    fa = float(np.mean([p >= threshold for r, p in zip(rows, pred) if r["label"] != "threat"]))
    return {"recall": round(recall, 3), "false_alarms": round(fa, 3), "n_threat": len(thr),
            "families": {f"{lab}:{f}": round(a / n, 3) for (lab, f), (a, n) in sorted(fam.items())}}


def main(argv=None) -> int:
    """Cross-validate the threat head (the shipped recipe: the fine-tuned encoder, the rest of
    the threat training data beside the grammar) by family and by template; print the
    recall and false alarms at 0.5 and one JSON line per unit."""
    import argparse
    import json

    from classifiers.encoders import CachedEncoder
    from classifiers.scorer import make_encoder
    from lab.training import CACHE, cache_folder, task_data

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--unit", choices=["family", "template"], nargs="+", default=["family", "template"])
    a = ap.parse_args(argv)
    path = "classifiers/models/finetuned-e5-int8"
    enc = CachedEncoder(make_encoder("e5-onnx", path), cache_folder(CACHE, "e5-onnx", path))
    extra_x, extra_y, _ = task_data("threat", "train")
    extra = [(x, y) for x, y in zip(extra_x, extra_y) if x not in {r["text"] for r in threat_grammar.read()}]
    for unit in a.unit:
        rows, pred = cross_validate([x for x, _ in extra], [y for _, y in extra], [enc], unit=unit)
        enc.save("cache")
        r = report(rows, pred)
        print(f"held out by {unit}: recall {r['recall']}, false alarms {r['false_alarms']}")
        print(json.dumps({"name": f"threat_families_{unit}", **r}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
