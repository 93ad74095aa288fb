"""The labelled data sets in ``shared/datasets`` mapped onto escucha's canonical labels."""
from __future__ import annotations

import csv
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from escucha.errors import InputError
from escucha.textfiles import read_text

LABELS = {
    "sentiment": ("negative", "neutral", "positive"),
    "offensive": ("not_offensive", "offensive"),
    "hate": ("not_hate", "hate"),
    "threat": ("not_threat", "threat"),
    "misinformation": ("real", "fake"),
    "target": ("group", "person"),
}

# Source label -> canonical label, per task.
_MAP = {
    "offensive": {"OFP": "offensive", "OFG": "offensive", "NO": "not_offensive", "NOE": "not_offensive",
                  "aggressive": "offensive", "not_aggressive": "not_offensive"},
    "misinformation": {"true": "real", "True": "real", "Fake": "fake", "Real": "real"},
}


@dataclass(frozen=True)
class Source:
    task: str
    lang: str
    train: str
    val: str
    text: str = "text"  # column, or "headline+text" for news articles
    limit: int | None = None  # keep training affordable on 2 cores
    mapping: tuple = ()  # (source label, canonical label or "" to leave the row out)


SOURCES = [
    Source("sentiment", "es", "sentiment/umsab_es_train.csv", "sentiment/umsab_es_val.csv"),
    Source("sentiment", "en", "sentiment/umsab_en_train.csv", "sentiment/umsab_en_val.csv"),
    Source("sentiment", "fr", "sentiment/umsab_fr_train.csv", "sentiment/umsab_fr_val.csv"),
    Source("offensive", "es", "hate/offendes_es_train.csv", "hate/offendes_es_dev.csv"),
    Source("offensive", "es", "hate/mexa3t_aggressive_es_train.csv", "hate/mexa3t_aggressive_es_val.csv"),
    Source("offensive", "en", "hate/tweeteval_offensive_en_train.csv", "hate/tweeteval_offensive_en_val.csv"),
    Source("hate", "en", "hate/tweeteval_hate_en_train.csv", "hate/tweeteval_hate_en_val.csv"),
    # OffendES "offensive to a group" is the closest Spanish data to hate speech.
    Source("hate", "es", "hate/offendes_es_train.csv", "hate/offendes_es_dev.csv",
           mapping=(("OFG", "hate"), ("OFP", "not_hate"), ("NO", "not_hate"), ("NOE", "not_hate"))),
    Source("target", "es", "hate/offendes_es_train.csv", "hate/offendes_es_dev.csv",
           mapping=(("OFG", "group"), ("OFP", "person"), ("NO", ""), ("NOE", ""))),
    Source("misinformation", "en", "misinformation/constraint_en_train.csv",
           "misinformation/constraint_en_val.csv"),
    Source("misinformation", "es", "misinformation/fakedes_es_train.csv", "misinformation/fakedes_es_dev.csv",
           text="headline+text"),
]


def datasets_dir() -> Path:
    here = Path(os.environ.get("ESCUCHA_DATASETS", ""))
    if here.name and here.exists():
        return here
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        for cand in (base / "shared" / "datasets", base.parent / "shared" / "datasets"):
            if cand.exists():
                return cand
    raise InputError("training data not found: set ESCUCHA_DATASETS to the shared/datasets folder")


def _row_text(row: dict, how: str) -> str:
    if how == "headline+text":
        head = (row.get("headline") or "").strip()
        body = (row.get("text") or "").strip()
        if body.startswith(head):
            body = body[len(head):]
        return (head + ". " + body)[:600]
    return row.get(how) or ""


def canonical(task: str, label: str) -> str:
    label = label.strip()
    label = _MAP.get(task, {}).get(label, label)
    if label not in LABELS[task] and label.lower() in LABELS[task]:  # "Threat", "NEGATIVE"
        label = label.lower()
    if label not in LABELS[task]:
        raise InputError(f"task {task!r}: label must be one of {', '.join(LABELS[task])}; got {label!r}")
    return label


def read_labelled(path: str | Path, task: str, text_col: str = "text", limit: int | None = None,
                  skipped: list | None = None, mapping: dict | None = None):
    """Return (texts, labels) from a CSV with a text column and a ``label`` column.

    A row with an unknown label raises :class:`InputError`, unless ``skipped`` is a
    list: then the row is left out and ``"path:line: reason"`` is appended to it.
    """
    path = Path(path)
    texts, labels = [], []
    with io.StringIO(read_text(path), newline="") as fh:
        reader = csv.DictReader(fh)
        # Column names as people type them: " Text", "Label".
        reader.fieldnames = [(c or "").strip().lower() for c in reader.fieldnames or []]
        cols = set(reader.fieldnames)
        need = {"label"} | ({"headline", "text"} if text_col == "headline+text" else {text_col})
        if not need <= cols:
            raise InputError(f"{path}: columns must include {', '.join(sorted(need))}; got {', '.join(sorted(cols))}")
        for lineno, row in enumerate(reader, start=2):
            raw = (row["label"] or "").strip()
            if mapping is not None and raw in mapping:
                if not mapping[raw]:
                    continue
                raw = mapping[raw]
            try:
                label = canonical(task, raw)
            except InputError as exc:
                if skipped is None:
                    raise InputError(f"{path}:{lineno}: {exc}") from None
                skipped.append(f"{path}:{lineno}: {exc}")
                continue
            texts.append(_row_text(row, text_col))
            labels.append(label)
    if limit and len(texts) > limit:
        # Deterministic, stratified-enough subsample: every k-th row.
        step = len(texts) / limit
        keep = [int(i * step) for i in range(limit)]
        texts = [texts[i] for i in keep]
        labels = [labels[i] for i in keep]
    return texts, labels


def load(source: Source, split: str):
    base = datasets_dir()
    path = base / (source.train if split == "train" else source.val)
    skipped: list[str] = []
    out = read_labelled(path, source.task, source.text, source.limit if split == "train" else None, skipped,
                        dict(source.mapping) if source.mapping else None)
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)
    return out
