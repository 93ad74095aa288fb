"""The README's validation tables in one command: ``python -m lab.scoreboard``.

Every validation split of ``../shared/datasets`` through the code of ``escucha classify
eval`` (the product's decision rules), for the default model, the frozen-e5 heads and
the fine-tuned e5's own linear heads (int8), beside the TF-IDF + logistic regression
baseline trained on the same training split in the same run. Prints a markdown table.
``--threat`` prints instead what ``thresholds.threat`` and ``thresholds.threat_neighbours``
trade: recall and false alarms on the written threat suites, and the share of ordinary
validation tweets that would page, through the product's whole threat decision
(threat.decides: patterns, the head, the nearest written examples). ``--patterns`` prints
what the threat patterns alone hit, threats and not, over every text at hand (and how many
of those page: the head does not rule them out), and with
``--save``/``--before`` which texts a change of the patterns moved. ``--ordinary`` prints
the threat layer's false alarms on ordinary posts (every data set's validation split, none
a threat): flagged and paging, per data set and label, the trolling (offensive, hateful)
apart from the rest.
"""
from __future__ import annotations

import argparse
import sys

from lab.datasets import datasets_dir, read_labelled
from lab.evaluation import baseline_predict, evaluate_file
from classifiers.finetuned import ONNX_DIR
from lab.metrics import evaluate
from lab.training import THREAT_JUDGED, THREAT_HELD_OUT

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


THREAT_SUITES = [*THREAT_JUDGED, *THREAT_HELD_OUT]
THRESHOLDS = (0.5, 0.4, 0.3, 0.2)
NEIGHBOURS = (None, 0.9, 0.8, 0.7, 0.6)  # None: the written examples do not vote
MIN_SCORES = (0.05, 0.1)  # the head's least score for a vote to count, beside the default


def threat_table(suites) -> int:
    import csv
    from dataclasses import replace
    from pathlib import Path

    import numpy as np

    from lab import datasets as D
    from lab.evaluation import _default_config
    from classifiers.scorer import Scorer
    from classifiers.threat import corroborated, model_decides

    config = _default_config()
    scorer = Scorer(config.thresholds, config.claims)

    def signals(texts):
        """Per text: whether a pattern counts (the thresholds below do not move it), the
        head's score, the share of threats among its nearest written examples."""
        p, share, confirm = scorer.threat_signals(texts)
        return (np.array([bool(corroborated(t, q)) for t, q in zip(texts, p)]), p, share,
                confirm if confirm is not None else np.zeros(len(texts)))

    from lab.training import suite_file

    judged = []
    for name in suites:
        rows = list(csv.DictReader(suite_file(name).open(encoding="utf-8")))
        texts = [r["text"] for r in rows]
        judged.append((np.array([r["label"] == "threat" for r in rows]), *signals(texts)))
    ordinary = [t for src in D.SOURCES for t in D.load(src, "val")[0]]
    judged_ordinary = signals(ordinary)
    n_neg = sum(int((~y).sum()) for y, *_ in judged)
    print(f"| `thresholds.threat` | `threat_neighbours` | `threat_neighbours_min_score` | recall, "
          f"{' / '.join(suites)} | false alarms (of {n_neg}) | alarms on {len(ordinary):,} ordinary tweets |")
    print("| --- | --- | --- | --- | --- | --- |")
    base = config.thresholds
    least = base.threat_neighbours_min_score
    rows = [(th, base.threat_neighbours, least) for th in THRESHOLDS]
    rows += [(base.threat, n, least) for n in NEIGHBOURS if n != base.threat_neighbours]
    rows += [(base.threat, n, m) for n in (0.7, 0.8) for m in MIN_SCORES if m != least]
    def flagged(t, hit, p, share, confirm):  # threat.decides, with the patterns matched once above
        return np.array([h or model_decides(q, t, v, c) for h, q, v, c in zip(hit, p, share, confirm)])

    for th, n, m in rows:
        t = replace(base, threat=th, threat_neighbours=n if n is not None else 2.0, threat_neighbours_min_score=m)
        recall, alarms = [], 0
        for y, *sig in judged:
            f = flagged(t, *sig)
            recall.append(f"{f[y].mean():.2f}")
            alarms += int(f[~y].sum())
        ordinary_alarms = flagged(t, *judged_ordinary).mean()
        print(f"| {th} | {n if n is not None else 'off'} | {m} | {' / '.join(recall)} | {alarms} "
              f"| {ordinary_alarms * 100:.2f}% |", flush=True)
    return 0


FOLDS = (THREAT_JUDGED[:8], THREAT_JUDGED[8:])  # suites 5-12 and 13-19


def threat_folds(cache_dir=None) -> int:
    """How far the judged suites carry to suites not trained on: the threat head and bank
    trained with no judged suite, then with one fold, each read on the other fold (the
    product's decision; the model alone, without patterns, beside it) and on the ordinary
    validation tweets. The patterns grew from every suite's errors, so the model-only
    columns are the fair comparison."""
    import shutil
    import tempfile
    from pathlib import Path

    import numpy as np

    from lab import datasets as D
    from lab import training as T
    from classifiers.encoders import CachedEncoder
    from lab.evaluation import _default_config
    from classifiers.finetuned import ONNX_DIR as TUNED
    from classifiers.scorer import DEFAULT_MODEL_DIR, Scorer, make_encoder
    from classifiers.threat import decides, model_decides

    config = _default_config()
    th = config.thresholds
    cache_dir = Path(cache_dir or T.CACHE)
    model_path = str(TUNED.relative_to(Path(__file__).parent.parent))
    encoder = CachedEncoder(make_encoder("e5-onnx", model_path), T.cache_folder(cache_dir, "e5-onnx", model_path))
    ordinary = [t for src in D.SOURCES for t in D.load(src, "val")[0]]

    alarms_of = {}  # per model: the ordinary tweets are read once, whichever fold it is judged on

    def read(model_dir, suites):
        scorer = Scorer(th, config.claims, model_dir=model_dir, encoder=encoder)
        rows = T._written(suites)
        texts = [r["text"] for r in rows]
        y = np.array([r["label"] == "threat" for r in rows])
        p, share, _ = scorer.threat_signals(texts)  # the head and the vote: the confirming model is not retrained here
        model = np.array([model_decides(q, th, v) for q, v in zip(p, share)])
        full = np.array([decides(t, q, th, v) for t, q, v in zip(texts, p, share)])
        if model_dir not in alarms_of:
            p, share, _ = scorer.threat_signals(ordinary)
            alarms_of[model_dir] = np.mean([decides(t, q, th, v) for t, q, v in zip(ordinary, p, share)])
        alarms = alarms_of[model_dir]
        return (f"{model[y].mean():.3f}, {int(model[~y].sum())} / {int((~y).sum())} | "
                f"{full[y].mean():.3f}, {int(full[~y].sum())} / {int((~y).sum())} | {alarms * 100:.2f}%")

    def fold_name(f):
        return f"suites {5 + THREAT_JUDGED.index(f[0])}-{5 + THREAT_JUDGED.index(f[-1])}"

    print("| trained on | judged on | model alone: recall, false alarms | whole decision: recall, false alarms "
          "| alarms on ordinary tweets |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        def trained(name, judged):
            out = Path(tmp) / name
            # Every other head is copied as is: only the threat head and bank are retrained.
            shutil.copytree(DEFAULT_MODEL_DIR, out)
            T.train(out, "e5-onnx", cache_dir, tasks=("threat",), log=lambda *a: None, model_path=model_path,
                    judged=judged)
            return out

        none = trained("none", ())
        for train_on, judge_on in (FOLDS, FOLDS[::-1]):
            print(f"| no judged suite | {fold_name(judge_on)} | {read(none, judge_on)} |", flush=True)
            print(f"| {fold_name(train_on)} | {fold_name(judge_on)} | {read(trained(fold_name(train_on), train_on), judge_on)} |",
                  flush=True)
    encoder.save("folds")  # its own file: training's encoders keep writing cache.npz beside it
    return 0


def pattern_texts(exclude=()):
    """(group, text, label) of every text the threat patterns can be checked on: the written
    suites under lab/data/threat_suites and the examples bank (but ``exclude``, a suite kept for judging),
    the composed corpus, the ordinary posts of every data set's splits, the demo week (unlabelled:
    its threat and reposts are the hits there)."""
    import csv
    from pathlib import Path

    from lab import datasets as D
    from lab.threat_corpus import compose
    from demo import week

    out = []
    from lab.training import EXAMPLES, SUITES

    for f in [EXAMPLES, *sorted(SUITES.glob("threat_*.csv"))]:
        if f.name not in exclude:
            out += [(f.name, r["text"], r["label"]) for r in csv.DictReader(f.open(encoding="utf-8"))]
    out += [("corpus", t, label) for t, label, _ in compose()]
    for src in D.SOURCES:
        for split in ("train", "val"):
            out += [(f"posts:{src.task}", t, "not_threat") for t in D.load(src, split)[0]]
    _, tweets = week.build()
    return out + [("demo", t["text"], "unlabelled") for t in tweets]  # its planted threat and reposts hit


def pattern_table(items, hits, paging) -> dict:
    """``{(kind, label): [texts hit, of which paging, texts]}`` for (group, text, label) items,
    their hits and whether a pattern pages each: what a threat pattern earns (threats) and
    costs (everything else)."""
    table: dict = {}
    for (group, _, label), h, page in zip(items, hits, paging):
        kind = group.split(":")[0] if ":" in group else ("suites" if group.startswith("threat_") else group)
        cell = table.setdefault((kind, label), [0, 0, 0])
        cell[0] += bool(h)
        cell[1] += bool(page)
        cell[2] += 1
    return table


def pattern_pages(texts, hits) -> list[bool]:
    """Whether each text's patterns page (threat.pages, with no model beside them): they count
    at the threat head's score (threat.corroborated), and the head does not rule the text out
    (``thresholds.threat_pattern_min_score``) or one of them pages alone. The head scores only
    the texts hit."""
    from classifiers.scorer import Scorer
    from classifiers.threat import corroborated, pages
    from escucha.config import Thresholds

    th = Thresholds()
    hit = [i for i, h in enumerate(hits) if h]
    out = [False] * len(texts)
    if hit:
        for i, p in zip(hit, Scorer(th).threat_proba([texts[i] for i in hit])):
            out[i] = pages(corroborated(texts[i], float(p), hits[i]), float(p), th, 0.0)
    return out


def pattern_report(save=None, before=None, exclude=()) -> int:
    import json
    from pathlib import Path

    from classifiers.threat import match

    items = pattern_texts(exclude)
    hits = [sorted(match(t)) for _, t, _ in items]
    paging = pattern_pages([t for _, t, _ in items], hits)
    print(f"{len(items):,} texts")
    print("| texts | label | hit by a pattern | of which paging (the head does not rule it out, or it pages alone) | of |")
    print("| --- | --- | --- | --- | --- |")
    for (kind, label), (hit, page, of) in sorted(pattern_table(items, hits, paging).items()):
        print(f"| {kind} | {label} | {hit:,} | {page:,} | {of:,} |")
    keyed = {f"{g}\t{t}": (label, h) for (g, t, label), h in zip(items, hits)}
    if before:
        old = json.loads(Path(before).read_text(encoding="utf-8"))
        changed = [(k, old[k], h, label) for k, (label, h) in keyed.items() if k in old and old[k] != h]
        print(f"{len(changed)} texts whose patterns changed since {before}:")
        for k, was, now, label in changed:
            group, text = k.split("\t", 1)
            print(f"  [{label}] {group}: {was} -> {now}: {text[:120]}")
    if save:
        Path(save).write_text(json.dumps({k: h for k, (_, h) in keyed.items()}, ensure_ascii=False),
                              encoding="utf-8")
    return 0


def ordinary_rows(read) -> list[tuple[str, str, str, int, int, int]]:
    """(data set, language, label, n, flagged, paging) per data set and label, then a total
    per kind and one over every post; ``read`` holds (data set, language, labels,
    classifications) per data set, the classifications in the labels' order."""
    from alerting.detect import pages

    rows, totals = [], {}
    for name, lang, labels, cs in read:
        for label in sorted(set(labels)):
            mine = [c for c, y in zip(cs, labels) if y == label]
            counts = (len(mine), sum(c.labels["threat"] == "threat" for c in mine), sum(pages(c) for c in mine))
            rows.append((name, lang, label, *counts))
            kind = "trolling (offensive, hateful)" if label in ("offensive", "hate") else "the rest"
            totals[kind] = [a + b for a, b in zip(totals.get(kind, (0, 0, 0)), counts)]
    grand = [sum(t[k] for t in totals.values()) for k in range(3)]
    return rows + [("all", "", kind, *t) for kind, t in sorted(totals.items())] + [("all", "", "every post", *grand)]


def ordinary_report() -> int:
    from lab.datasets import SOURCES, load
    from lab.evaluation import _predict

    sets, seen = [], set()
    for src in SOURCES:  # a file that serves several tasks (OffendES) is read once, under its first
        if src.val not in seen:
            seen.add(src.val)
            sets.append((src, *load(src, "val")[:2]))
    # One scorer for every post: each _predict call loads the models anew.
    classified = _predict("threat", [t for _, texts, _ in sets for t in texts])[1]
    read, start = [], 0
    for src, texts, labels in sets:
        read.append((src.val.split("/")[-1], src.lang, labels, classified[start : start + len(texts)]))
        start += len(texts)
    print("| data set (validation split) | language | label | posts | flagged as a threat | paging |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, lang, label, n, flagged, paged in ordinary_rows(read):
        print(f"| {name} | {lang} | {label} | {n:,} | {flagged:,} ({flagged / max(n, 1):.2%}) | "
              f"{paged:,} ({paged / max(n, 1):.2%}) |")
    return 0


def main(argv=None) -> int:
    from escucha.config import parse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="only the sets whose name contains this text")
    ap.add_argument("--threat", nargs="*", metavar="SUITE", default=None,
                    help="the threshold table over these suites under classifiers/data (default: suites 5-22; "
                         "5-19 are training data, 20-22 are not)")
    ap.add_argument("--threat-folds", action="store_true",
                    help="train the threat head on suites 5-12, judge it on 13-19, and the reverse (a few minutes)")
    ap.add_argument("--patterns", action="store_true",
                    help="what the threat patterns hit: threats and non-threats among every written suite, the "
                         "composed corpus, every data set's posts and the demo week (about a minute)")
    ap.add_argument("--save", metavar="FILE", help="with --patterns: keep each text's hits, to compare later")
    ap.add_argument("--before", metavar="FILE", help="with --patterns: list the texts whose hits changed since FILE")
    ap.add_argument("--exclude", nargs="*", default=(), metavar="SUITE",
                    help="with --patterns: suites left out (one kept blind to judge the patterns)")
    ap.add_argument("--ordinary", action="store_true",
                    help="the threat layer's false alarms on every data set's validation posts, per data set "
                         "and label (a few minutes)")
    a = ap.parse_args(argv)
    if a.ordinary:
        return ordinary_report()
    if a.patterns:
        return pattern_report(a.save, a.before, tuple(a.exclude))
    if a.threat_folds:
        return threat_folds()
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
