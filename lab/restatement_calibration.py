"""How alike two texts must be to say the same thing: calibrated on STS-B, not on our data.

escucha decides "this post restates that claim" in one place
(``classifiers.claims.ClaimMatcher``: the e5 cosine mixed with shared content words,
against ``thresholds.claim_similarity``). The narrative detector uses the same decision
between posts. This script measures it on the multilingual STS benchmark
(PhilipMay/stsb-multi-mt, es/fr/en, machine-translated STS-B; see lab/DATA_CARD.md):
pairs scored 4 or more by people ("mostly equivalent": the same claim) against the rest.
The threshold is chosen on the train split and reported on the dev split; the test split
is not read.

    python -m lab.restatement_calibration /path/to/stsb-multi-mt/data [--pairs 1500]
"""
from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

import numpy as np

SAME = 4.0  # STS: 4 "mostly equivalent", 5 "completely equivalent"


def read(folder: Path, lang: str, split: str, limit: int | None, seed: int = 0) -> list[tuple[str, str, float]]:
    with (folder / f"stsb-{lang}-{split}.csv").open(encoding="utf-8", newline="") as fh:
        rows = [(a, b, float(s)) for a, b, s in csv.reader(fh)]
    if limit and len(rows) > limit:
        rows = random.Random(seed).sample(rows, limit)
    return rows


def scores(matcher_cls, encoder, rows) -> np.ndarray:
    from classifiers.claims import pair_similarity

    a = encoder.encode([r[0] for r in rows])
    b = encoder.encode([r[1] for r in rows])
    return pair_similarity(a, b, [r[0] for r in rows], [r[1] for r in rows])


def prf(pred: np.ndarray, gold: np.ndarray) -> dict:
    tp = int((pred & gold).sum())
    p = tp / max(1, int(pred.sum()))
    r = tp / max(1, int(gold.sum()))
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / max(1e-9, p + r), 3)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path, help="the data/ folder of PhilipMay/stsb-multi-mt")
    ap.add_argument("--pairs", type=int, default=1500, help="train pairs per language (dev: all)")
    ap.add_argument("--langs", default="es,fr,en")
    args = ap.parse_args(argv)
    from classifiers.scorer import DEFAULT_MODEL_DIR, Scorer
    from escucha.config import Thresholds

    scorer = Scorer(Thresholds(), model_dir=DEFAULT_MODEL_DIR)
    encoder = scorer.similarity or scorer.encoder
    out = {"encoder": encoder.name, "current": Thresholds().claim_similarity, "languages": {}}
    train_s, train_g = [], []
    dev = {}
    for lang in args.langs.split(","):
        tr = read(args.folder, lang, "train", args.pairs)
        dv = read(args.folder, lang, "dev", None)
        train_s.append(scores(None, encoder, tr))
        train_g.append(np.array([r[2] >= SAME for r in tr]))
        dev[lang] = (scores(None, encoder, dv), np.array([r[2] >= SAME for r in dv]))
    s, g = np.concatenate(train_s), np.concatenate(train_g)
    grid = np.round(np.arange(0.80, 0.99, 0.005), 3)
    f1 = [prf(s >= t, g)["f1"] for t in grid]
    best = float(grid[int(np.argmax(f1))])
    out["chosen_on_train"] = best
    out["train"] = prf(s >= best, g)
    for lang, (ds, dg) in dev.items():
        out["languages"][lang] = {"dev_at_chosen": prf(ds >= best, dg),
                                  "dev_at_current": prf(ds >= out["current"], dg), "pairs": len(dg),
                                  "same": int(dg.sum())}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
