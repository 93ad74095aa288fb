"""The threat decision, product rules and all, measured on text a model was not trained on.

    python -m lab.threat_report MODEL_DIR [MODEL_DIR ...] [--held-out 4] [--threat-confirm T [T ...]]

For each model folder (the shipped one first, as the baseline of the same run), on:
- the grammar families of the ``--held-out`` folds (forms of threat and of harmless posts the
  model never saw, when it was trained with ``escucha train --grammar-held-out N``);
- the written threat suites 20-30 (``lab/data/threat_suites/threat_suite_blind16..26.csv``), which
  no model trains on (judged once each already; the unjudged suite, the last of
  ``THREAT_HELD_OUT``, stays out: it judges the next change once, with ``escucha classify eval``);
- every data set's validation posts (ordinary posts: any flag there is a false alarm);
- every grammar template that names a group, rendered once per group: how many templates get
  a different decision (paged, reviewed, nothing) depending on the group named (issue #26
  asks for none; every fold, so a model's training families count too).

It prints recall and paging on threats, flags and pages on the rest, and one JSON line.
"""
from __future__ import annotations

import argparse
import csv
import json
from datetime import datetime, timezone

from lab.training import THREAT_HELD_OUT, grammar_rows, suite_file


def _sets(held_out) -> dict[str, tuple[list[str], list[str]]]:
    from lab import datasets as D

    sets = {}
    if held_out:
        rows = grammar_rows(held_out, only=True)
        sets["grammar, held-out families"] = ([r["text"] for r in rows], [r["label"] for r in rows])
    suites = [r for name in THREAT_HELD_OUT[:-1] for r in csv.DictReader(suite_file(name).open(encoding="utf-8"))]
    sets["suites 20-30"] = ([r["text"] for r in suites], [r["label"] for r in suites])
    seen, ordinary = set(), []
    for src in D.SOURCES:
        if src.val not in seen:
            seen.add(src.val)
            ordinary += D.load(src, "val")[0]
    sets["ordinary posts (validation splits)"] = (ordinary, ["not_threat"] * len(ordinary))
    return sets


def _classify(scorer, texts: list[str]) -> list:
    """Each text's classification by the product's scorer, 256 at a time."""
    from escucha.records import Author, Mention

    ms = [Mention("eval", str(i), t, author=Author("eval"), created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
          for i, t in enumerate(texts)]
    return [c for start in range(0, len(ms), 256) for c in scorer.score(ms[start : start + 256])]


def measure(scorer, sets) -> dict:
    from alerting.detect import pages

    out = {}
    for name, (texts, labels) in sets.items():
        cs = _classify(scorer, texts)
        pos = [c for c, y in zip(cs, labels) if y == "threat"]
        neg = [c for c, y in zip(cs, labels) if y != "threat"]
        share = lambda xs, f: round(sum(map(f, xs)) / len(xs), 4) if xs else None  # noqa: E731
        out[name] = {"threats": len(pos), "recall": share(pos, lambda c: c.labels["threat"] == "threat"),
                     "threats_paged": share(pos, pages), "others": len(neg),
                     "others_flagged": share(neg, lambda c: c.labels["threat"] == "threat"),
                     "others_paged": share(neg, pages)}
    return out


def group_split(scorer) -> dict:
    """For each label, how many group-naming grammar templates get more than one decision
    (paged, reviewed, nothing) across the groups they are rendered with, and the share of
    renders paged / flagged."""
    from alerting.detect import pages
    from lab.threat_grammar import group_variants

    out = {}
    for label in ("threat", "not_threat"):
        templates = list(group_variants(label))
        texts = [v for _, vs in templates for v in vs]
        decided = iter(["paged" if pages(c) else "reviewed" if c.labels["threat"] == "threat" else "nothing"
                        for c in _classify(scorer, texts)])
        per = [[next(decided) for _ in vs] for _, vs in templates]
        out[label] = {"templates": len(per), "split": sum(len(set(d)) > 1 for d in per),
                      "renders": len(texts), "paged": round(sum(d.count("paged") for d in per) / len(texts), 4),
                      "flagged": round(sum(len(d) - d.count("nothing") for d in per) / len(texts), 4)}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+")
    ap.add_argument("--held-out", type=int, nargs="*", default=[])
    ap.add_argument("--threat-confirm", type=float, nargs="*", default=[],
                    help="thresholds.threat_confirm for each model in turn (default: the configured default)")
    a = ap.parse_args(argv)
    if a.threat_confirm and len(a.threat_confirm) != len(a.models):
        ap.error(f"--threat-confirm must give one value per model ({len(a.models)}), got {len(a.threat_confirm)}")
    from dataclasses import replace

    from classifiers.scorer import Scorer
    from escucha.config import Thresholds

    th = {m: replace(Thresholds(), threat_confirm=t) for m, t in zip(a.models, a.threat_confirm)}
    scorers = {m: Scorer(th.get(m, Thresholds()), model_dir=m) for m in a.models}
    sets = _sets(tuple(a.held_out))
    results = {m: measure(scorers[m], sets) for m in a.models}
    print("| model | set | threats | recall | paged | others | flagged | paged |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for m, r in results.items():
        for name, v in r.items():
            print(f"| {m} | {name} | {v['threats']} | {v['recall']} | {v['threats_paged']} | {v['others']} | "
                  f"{v['others_flagged']} | {v['others_paged']} |")
    groups = {m: group_split(scorers[m]) for m in a.models}
    print("\n| model | group-naming templates | decided differently by group | renders paged | flagged |")
    print("| --- | --- | --- | --- | --- |")
    for m, r in groups.items():
        for label, v in r.items():
            print(f"| {m} | {label} ({v['templates']}) | {v['split']} | {v['paged']} | {v['flagged']} |")
    print(json.dumps({"name": "threat_report", "results": results, "group_split": groups}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
