"""File import: CSV or JSONL exports from other listening tools, with a column mapping.

``escucha collect --source file --path export.csv --map text=Contenido --map created_at=Fecha``

A mapping names, for one of our fields (``FIELDS``), the column that holds it; in JSON
Lines a dotted path reaches into nested objects and lists (``--map
author=user.screen_name --map author_followers=user.public_metrics.followers_count
--map in_reply_to=referenced.0.id``). Replies, reposts and quotes name the native id of
the post they refer to; ``own`` marks the institution's own posts (and a post by one of
its accounts is its own whatever the file says).
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
# Fields a mapping may name besides those: read only where mapped, or where the column is there.
OPTIONAL = {"author_name": "author_name", "author_verified": "verified", "author_id": "author_id",
            "in_reply_to": "in_reply_to", "repost_of": "repost_of", "quote_of": "quote_of", "own": "own",
            "conversation_id": "conversation_id", "source": "source", "likes": "likes", "reposts": "reposts",
            "replies": "replies", "quotes": "quotes", "impressions": "impressions"}
FIELDS = {**DEFAULT_MAP, **OPTIONAL}
_TRUE, _FALSE = {"true", "1", "yes", "y", "si", "sí", "oui", "t"}, {"false", "0", "no", "n", "non", "f", ""}


def _path(item, column: str):
    """``item[column]``, or where ``column`` is a dotted path, the value it reaches (None if
    any step is missing): "user.screen_name", "referenced.0.id"."""
    if column in item:
        return item[column]
    node = item
    for step in column.split("."):
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return None
    return node


def _flag(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise InputError(f"{field} must be true or false; got {value!r}")


class FileCollector(Collector):
    name = "file"

    def __init__(self, config, store, path: str = "", mapping: dict | None = None, platform: str = "file",
               **options):
        super().__init__(config, store, **options)
        if not path:
            raise InputError("collector file: path must name a .csv or .jsonl file; got nothing")
        self.path = Path(path)
        unknown = sorted(set(mapping or {}) - set(FIELDS))
        if unknown:
            raise InputError(f"--map field must be one of {', '.join(sorted(FIELDS))}; got {', '.join(unknown)}")
        self.mapping = {**FIELDS, **(mapping or {})}
        self.platform = platform
        self.own = config.own_handles()
        self.watched = [(a.handle.lower(), a.key) for a in (*config.accounts, *config.similar)]

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
        get = lambda k: _path(item, m[k]) if m.get(k) else None  # noqa: E731
        try:
            platform = get("platform") or self.platform
            text = get("text")
            handle = str(get("author") or "").lstrip("@")
            accounts = get("accounts") or ()
            if isinstance(accounts, str):
                accounts = tuple(a for a in accounts.replace(";", ",").split(",") if a.strip())
            if not accounts and isinstance(text, str):  # the accounts it names, as the platforms' collectors do
                low = text.lower()
                accounts = tuple(sorted({key for h, key in self.watched if h in low}))
            ref = lambda k: f"{platform}:{v}" if (v := get(k)) not in (None, "") else ""  # noqa: E731
            metrics = {k: int(v) for k in ("likes", "reposts", "replies", "quotes", "impressions")
                       if (v := get(k)) not in (None, "")}
            return Mention.from_dict({
                "platform": platform, "native_id": get("native_id"), "text": text,
                "created_at": get("created_at"),
                "author": {"handle": handle, "display_name": get("author_name") or "",
                           "followers": get("author_followers") or 0, "id": get("author_id") or "",
                           "verified": _flag(get("author_verified"), "author_verified")},
                "url": get("url") or "", "lang": get("lang") or detect_lang(text if isinstance(text, str) else ""),
                "accounts": accounts, "in_reply_to": ref("in_reply_to"), "repost_of": ref("repost_of"),
                "quote_of": ref("quote_of"), "conversation_id": str(get("conversation_id") or ""),
                "source": str(get("source") or ""), "metrics": metrics,
                "own": _flag(get("own"), "own") or handle.lower() in self.own})
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
