"""``escucha classify eval``: score a labelled CSV with the product's decision rules."""
from __future__ import annotations

from lab import datasets as D
from lab.metrics import calibration, evaluate
from escucha.errors import InputError
from escucha.records import Author, Mention


def _default_config():
    from escucha.config import parse

    return parse({"institution": {"name": "eval"}}, env={})


POSITIVE = {"offensive": "offensive", "hate": "hate", "threat": "threat", "misinformation": "fake"}


def predict(task: str, texts: list[str], config=None) -> list[str]:
    return _predict(task, texts, config)[0]


def _predict(task: str, texts: list[str], config=None) -> tuple[list[str], list, list[dict]]:
    """The labels, the classifications where the scorer made them (else None), and the
    model's probabilities per text ({class: p})."""
    from classifiers.scorer import Scorer

    config = config or _default_config()
    scorer = Scorer(config.thresholds, config.claims, model_dir=config.model_dir or None)
    if task == "target":
        # The target has no decision rule beyond the model.
        probas, _ = scorer.score_texts(texts)
        classes = list(scorer.heads[task].classes_)
        return ([classes[i] for i in probas[task].argmax(axis=1)], None,
                [{str(c): float(p) for c, p in zip(classes, row)} for row in probas[task]])
    from datetime import datetime, timezone

    ms = [Mention("eval", str(i), t, author=Author("eval"),
                  created_at=datetime(2026, 1, 1, tzinfo=timezone.utc)) for i, t in enumerate(texts)]
    out = []
    for start in range(0, len(ms), 256):
        out += scorer.score(ms[start : start + 256])
    return [c.labels[task] for c in out], out, [c.scores[task] for c in out]


def baseline_predict(task: str, texts: list[str]) -> list[str]:
    """TF-IDF + logistic regression trained on the task's training split, in the same run."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from lab.training import task_data

    tr_x, tr_y, _ = task_data(task, "train")
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    clf = LogisticRegression(max_iter=2000, class_weight="balanced").fit(vec.fit_transform(tr_x), tr_y)
    return list(clf.predict(vec.transform(texts)))


def evaluate_file(task: str, path: str, config=None, baseline: bool = False, finetuned: tuple | None = None,
                  errors: str | None = None) -> dict:
    """``finetuned=(onnx_dir,)`` or ``(base_dir, tuned_dir)`` scores with the fine-tuned e5
    instead of the default model; ``errors``: a CSV path for every row's decision and reasons."""
    skipped: list[str] = []
    texts, labels = D.read_labelled(path, task, skipped=skipped)
    if not texts:
        raise InputError(f"{path}: no rows with a valid {task} label")
    if finetuned:
        from classifiers.finetuned import FinetunedOnnx
        from lab.finetuned_torch import FinetunedModel

        model = FinetunedOnnx(*finetuned) if len(finetuned) == 1 else FinetunedModel(*finetuned)
        preds = model.predict(task, texts)
        scored = probas = None
    else:
        preds, scored, probas = _predict(task, texts, config)
    result = evaluate(labels, preds, task)
    if probas is not None:
        # The head's probabilities as they are, before patterns, lexicons and thresholds decide.
        result["calibration"] = calibration(labels, probas)
    if task == "threat" and scored is not None:
        from alerting.detect import pages

        # What a committee member's phone sees: of each true class, how many would page.
        result["paging"] = {c: {"paged": sum(pages(k) for k, y in zip(scored, labels) if y == c),
                                "of": labels.count(c)} for c in sorted(set(labels))}
    if baseline:
        result["baseline"] = evaluate(labels, baseline_predict(task, texts), task)
    if skipped:
        result["skipped"] = skipped
    if errors:
        result["errors_file"] = write_errors(errors, task, texts, labels, preds, scored)
    return result


def write_errors(path: str, task: str, texts, labels, preds, scored) -> str:
    """Every row with its gold label, the decision, the severity (threats: critical pages,
    high is reviewed) and the reasons of the flags for the task; wrong rows first."""
    import csv

    from alerting.detect import pages

    rows = []
    for i, (text, gold, pred) in enumerate(zip(texts, labels, preds)):
        c = scored[i] if scored else None
        severity = ("critical" if pages(c) else "high") if c is not None and task == "threat" and pred == "threat" \
            else ""
        reasons = "; ".join(f.reason for f in c.flags if f.task == task) if c is not None else ""
        rows.append({"text": text, "gold": gold, "decision": pred, "correct": gold == pred, "severity": severity,
                     "reasons": reasons})
    rows.sort(key=lambda r: r["correct"])
    try:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["text", "gold", "decision", "correct", "severity", "reasons"])
            w.writeheader()
            w.writerows(rows)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the errors file ({exc.strerror or exc})") from None
    return path
