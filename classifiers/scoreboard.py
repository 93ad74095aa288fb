"""The README's validation table in one command: ``python -m classifiers.scoreboard``.

Every validation split of ``../shared/datasets`` through the code of ``escucha classify
eval`` (the product's decision rules), for the default model, the frozen-e5 heads and
the fine-tuned e5's own linear heads (int8), beside the TF-IDF + logistic regression
baseline trained on the same training split in the same run. Prints a markdown table.
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


def main(argv=None) -> int:
    from escucha.config import parse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="only the sets whose name contains this text")
    a = ap.parse_args(argv)
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
