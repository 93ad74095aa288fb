"""File import: CSV or JSONL exports from other listening tools, with a column mapping.

``escucha collect --source file --path export.csv --map text=Contenido --map created_at=Fecha``
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from collectors.base import Collector, CollectResult
from collectors.lang import detect_lang
from escucha.errors import InputError
from escucha.records import Mention
from escucha.textfiles import first_bad_byte, open_text

# A post can be long (an article pasted whole); the csv module's 128 KB default is not a limit
# of ours.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

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
        """(line number, row) pairs, read as a stream: memory stays flat with the file's size."""
        if not self.path.exists():
            raise InputError(f"{self.path}: file not found")
        suffix = self.path.suffix.lower()
        if suffix not in (".csv", ".jsonl", ".ndjson"):
            raise InputError(f"{self.path}: must be a .csv or .jsonl file; got {self.path.suffix or 'no extension'}")
        with open_text(self.path) as fh:
            try:
                if suffix == ".csv":
                    reader = csv.DictReader(fh)
                    while True:
                        try:
                            row = next(reader)
                        except StopIteration:
                            return
                        except csv.Error as exc:  # a broken row: named, the rest of the file read on
                            yield reader.line_num, {"__error__": f"not a readable CSV row ({exc})", "__line__": ""}
                            continue
                        yield reader.line_num, row
                else:
                    for lineno, line in enumerate(fh, start=1):
                        if not line.strip():
                            continue
                        try:
                            yield lineno, json.loads(line)
                        except (json.JSONDecodeError, RecursionError) as exc:
                            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deep"
                            yield lineno, {"__error__": f"not valid JSON ({why})", "__line__": line[:500]}
            except UnicodeDecodeError:
                raise InputError(f"{self.path}:{first_bad_byte(self.path)}: must be UTF-8 text; the byte is not "
                                 "(save the file as UTF-8, \"CSV UTF-8\" in a spreadsheet); the rows before it "
                                 "are stored") from None

    def normalise(self, item, lineno=None) -> Mention:
        where = f"{self.path.name}:{lineno}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: each line must be a JSON object; got {type(item).__name__}")
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
        except (TypeError, ValueError, OverflowError, AttributeError) as exc:
            # Valid JSON of the wrong type: "created_at": 1e20, "followers": Infinity, "accounts": 5.
            raise InputError(f"{where}: a field has the wrong type or an impossible value ({exc})") from None

    def collect(self) -> CollectResult:
        res = CollectResult()
        page = []
        try:
            for item in self._rows():
                page.append(item)
                if len(page) == 500:
                    res.add(self._store(page))
                    page = []
        finally:  # a file that breaks off (bad bytes) keeps what was read before it
            if page:
                res.add(self._store(page))
        return res

    def _store(self, page) -> CollectResult:
        good, bad = {}, 0
        for lineno, row in page:
            try:
                m = self.normalise(row, lineno)
                good[m.id] = m  # the same post twice in a file: the last row wins
            except InputError as exc:
                payload = json.dumps(row, ensure_ascii=False, default=str) if isinstance(row, (dict, list)) \
                    else repr(row)
                self.store.quarantine(f"file:{self.path.name}", str(exc), payload)
                bad += 1
        return CollectResult(fetched=len(page), new=self.store.upsert_mentions(list(good.values())), quarantined=bad)
