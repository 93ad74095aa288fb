"""File import: CSV or JSONL exports from other listening tools, with a column mapping.

``escucha collect --source file --path export.csv --map text=Contenido --map created_at=Fecha``
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from collectors.base import Collector, CollectResult
from collectors.lang import detect_lang
from escucha.errors import InputError
from escucha.records import Mention
from escucha.textfiles import read_text

# Our field -> the column that holds it, unless the mapping says otherwise.
DEFAULT_MAP = {"platform": "platform", "native_id": "id", "text": "text", "created_at": "created_at",
               "author": "author", "author_followers": "followers", "url": "url", "lang": "lang",
               "accounts": "accounts"}


class FileCollector(Collector):
    name = "file"

    def __init__(self, config, store, path: str = "", mapping: dict | None = None, platform: str = "file",
               **options):
        super().__init__(config, store, **options)
        if not path:
            raise InputError("collector file: path must name a .csv or .jsonl file; got nothing")
        self.path = Path(path)
        self.mapping = {**DEFAULT_MAP, **(mapping or {})}
        self.platform = platform

    def _rows(self):
        if not self.path.exists():
            raise InputError(f"{self.path}: file not found")
        if self.path.suffix.lower() == ".csv":
            with io.StringIO(read_text(self.path), newline="") as fh:
                for lineno, row in enumerate(csv.DictReader(fh), start=2):
                    yield lineno, row
        elif self.path.suffix.lower() in (".jsonl", ".ndjson"):
            with io.StringIO(read_text(self.path)) as fh:
                for lineno, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    try:
                        yield lineno, json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield lineno, {"__error__": f"not valid JSON ({exc.msg})", "__line__": line[:500]}
        else:
            raise InputError(f"{self.path}: must be a .csv or .jsonl file; got {self.path.suffix or 'no extension'}")

    def normalise(self, item, lineno=None) -> Mention:
        where = f"{self.path.name}:{lineno}"
        if "__error__" in item:
            raise InputError(f"{where}: {item['__error__']}")
        m = self.mapping
        get = lambda k: item.get(m[k]) if m.get(k) else None  # noqa: E731
        accounts = get("accounts") or ()
        if isinstance(accounts, str):
            accounts = tuple(a for a in accounts.replace(";", ",").split(",") if a.strip())
        try:
            return Mention.from_dict({
                "platform": get("platform") or self.platform, "native_id": get("native_id"), "text": get("text"),
                "created_at": get("created_at"), "author": {"handle": get("author") or "",
                                                            "followers": get("author_followers") or 0},
                "url": get("url") or "", "lang": get("lang") or detect_lang(get("text") or ""),
                "accounts": accounts})
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None

    def collect(self) -> CollectResult:
        rows = list(self._rows())
        res = CollectResult()
        for start in range(0, len(rows), 500):
            page = rows[start : start + 500]
            good, bad = [], 0
            for lineno, row in page:
                try:
                    good.append(self.normalise(row, lineno))
                except InputError as exc:
                    self.store.quarantine(f"file:{self.path.name}", str(exc), json.dumps(row, ensure_ascii=False))
                    bad += 1
            res.add(CollectResult(fetched=len(page), new=self.store.upsert_mentions(good), quarantined=bad))
        return res
