"""Vocabularies kept as data files (``data/*.csv``: kind, lang, pattern, what): one regular
expression per kind, over the normalised text (classifiers/threat/patterns.normalise)."""
from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

DATA = Path(__file__).parent / "data"


@functools.lru_cache(maxsize=8)
def rules(name: str) -> dict[str, re.Pattern]:
    """The patterns of ``data/NAME``, joined per kind."""
    by_kind: dict[str, list[str]] = {}
    for row in csv.DictReader((DATA / name).open(encoding="utf-8")):
        by_kind.setdefault(row["kind"], []).append(row["pattern"])
    return {k: re.compile("|".join(f"(?:{p})" for p in v)) for k, v in by_kind.items()}
