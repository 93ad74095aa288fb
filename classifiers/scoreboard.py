"""The README's validation tables in one command: ``python -m classifiers.scoreboard``.

Every validation split of ``../shared/datasets`` through the code of ``escucha classify
eval`` (the product's decision rules), for the default model, the frozen-e5 heads and
the fine-tuned e5's own linear heads (int8), beside the TF-IDF + logistic regression
baseline trained on the same training split in the same run. Prints a markdown table.
``--threat`` prints instead what ``thresholds.threat`` and ``thresholds.threat_neighbours``
trade: recall and false alarms on the written threat suites, and the share of ordinary
validation tweets that would page, through the product's whole threat decision
(threat.decides: patterns, the head, the nearest written examples).
"""
from __future__ import annotations

import argparse
import sys

from classifiers.datasets import datasets_dir, read_labelled
from classifiers.evaluation import baseline_predict, evaluate_file
from classifiers.finetuned import ONNX_DIR
from classifiers.metrics import evaluate

SETS = [  # task, file, name, language
    ("sentiment", "sentiment/umsab_es_val.csv", "sentiment, UMSAB", "es"),
    ("sentiment", "sentiment/umsab_en_val.csv", "sentiment, UMSAB", "en"),
    ("sentiment", "sentiment/umsab_fr_val.csv", "sentiment, UMSAB", "fr"),
    ("offensive", "hate/mexa3t_aggressive_es_val.csv", "offensive, MEX-A3T aggressive", "es"),
    ("offensive", "hate/offendes_es_dev.csv", "offensive, OffendES dev", "es"),
    ("offensive", "hate/tweeteval_offensive_en_val.csv", "offensive, TweetEval/OLID", "en"),
    ("hate", "hate/tweeteval_hate_en_val.csv", "hate, TweetEval/HatEval", "en"),
    ("misinformation", "misinformation/constraint_en_val.csv", "misinformation, CONSTRAINT", "en"),
    ("misinformation", "misinformation/fakedes_es_dev.csv", "misinformation, FakeDeS", "es"),
]


THREAT_SUITES = [f"threat_suite_blind{n}.csv" for n in ("", *range(2, 16))]  # suites 5-19
THRESHOLDS = (0.5, 0.4, 0.3, 0.2)
NEIGHBOURS = (None, 0.9, 0.8, 0.7, 0.6)  # None: the written examples do not vote


def threat_table(suites) -> int:
    import csv
    from dataclasses import replace
    from pathlib import Path

    import numpy as np

    from classifiers import datasets as D
    from classifiers.evaluation import _default_config
    from classifiers.model import Scorer
    from classifiers.threat import corroborated, model_decides

    config = _default_config()
    scorer = Scorer(config.thresholds, config.claims)

    def signals(texts):
        """Per text: whether a pattern counts (the thresholds below do not move it), the
        head's score, the share of threats among its nearest written examples."""
        p, share = scorer.threat_signals(texts)
        return np.array([bool(corroborated(t, q)) for t, q in zip(texts, p)]), p, share

    data = Path(__file__).parent / "data"
    judged = []
    for name in suites:
        rows = list(csv.DictReader((data / name).open(encoding="utf-8")))
        texts = [r["text"] for r in rows]
        judged.append((np.array([r["label"] == "threat" for r in rows]), *signals(texts)))
    ordinary = [t for src in D.SOURCES for t in D.load(src, "val")[0]]
    judged_ordinary = signals(ordinary)
    n_neg = sum(int((~y).sum()) for y, *_ in judged)
    print(f"| `thresholds.threat` | `thresholds.threat_neighbours` | recall, {' / '.join(suites)} "
          f"| false alarms (of {n_neg}) | alarms on {len(ordinary):,} ordinary tweets |")
    print("| --- | --- | --- | --- | --- |")
    base = config.thresholds
    rows = [(th, base.threat_neighbours) for th in THRESHOLDS]
    rows += [(base.threat, n) for n in NEIGHBOURS if n != base.threat_neighbours]
    def flagged(t, hit, p, share):  # threat.decides, with the patterns matched once above
        return np.array([h or model_decides(q, t, v) for h, q, v in zip(hit, p, share)])

    for th, n in rows:
        t = replace(base, threat=th, threat_neighbours=n if n is not None else 2.0)
        recall, alarms = [], 0
        for y, *sig in judged:
            f = flagged(t, *sig)
            recall.append(f"{f[y].mean():.2f}")
            alarms += int(f[~y].sum())
        ordinary_alarms = flagged(t, *judged_ordinary).mean()
        print(f"| {th} | {n if n is not None else 'off'} | {' / '.join(recall)} | {alarms} "
              f"| {ordinary_alarms * 100:.2f}% |", flush=True)
    return 0


def main(argv=None) -> int:
    from escucha.config import parse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="only the sets whose name contains this text")
    ap.add_argument("--threat", nargs="*", metavar="SUITE", default=None,
                    help="the threshold table over these suites under classifiers/data (default: the judged suites, 5-19)")
    a = ap.parse_args(argv)
    if a.threat is not None:
        return threat_table(a.threat or THREAT_SUITES)
    frozen = parse({"institution": {"name": "eval"}, "classifier": {"model_dir": "classifiers/models/frozen-e5"}},
                   env={})
    print("| task, data set (validation split) | language | n | default (heads on fine-tuned e5) "
          "| fine-tuned linear heads | frozen-e5 heads | TF-IDF baseline |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for task, rel, name, lang in SETS:
        if a.only and a.only not in name:
            continue
        path = datasets_dir() / rel
        default = evaluate_file(task, str(path))
        cells = [default["macro_f1"]]
        cells.append(evaluate_file(task, str(path), finetuned=(ONNX_DIR,))["macro_f1"])
        cells.append(evaluate_file(task, str(path), config=frozen)["macro_f1"])
        texts, labels = read_labelled(path, task)
        cells.append(evaluate(labels, baseline_predict(task, texts), task)["macro_f1"])
        best = max(cells)
        shown = [f"**{c:.3f}**" if c == best else f"{c:.3f}" for c in cells]
        print(f"| {name} | {lang} | {default['n']:,} | " + " | ".join(shown) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
