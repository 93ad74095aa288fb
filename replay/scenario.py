"""The scenario format: a week of posts, one JSON object per line, checked line by line.

An optional first line describes the scenario::

    {"scenario": {"name": "...", "config": "week.toml", "start": "2026-...", "end": "2026-..."}}

(``config`` is relative to the scenario file; ``start``/``end`` default to the first and
last post). Every other line is one post::

    {"id": "p12", "time": "2026-11-10T09:15:00-06:00", "text": "...",
     "author": {"handle": "maria_g", "name": "María G.", "followers": 320, "verified": false},
     "lang": "es", "own": false, "reply_to": "p3", "repost_of": "", "quote_of": "",
     "metrics": {"likes": 4, "reposts": 1, "replies": 0, "quotes": 0, "impressions": 900},
     "source": "Twitter for Android"}

``id``, ``time``, ``text`` (but for a repost) and ``author.handle`` are required; ``own`` marks a post of one
of the institution's accounts; ``reply_to``/``repost_of``/``quote_of`` name an earlier
line's id. Lines must be in time order. Anything else is refused with its line number.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from escucha.errors import InputError
from escucha.records import parse_time
from escucha.textfiles import read_text

POST_KEYS = {"id", "time", "text", "author", "lang", "own", "reply_to", "repost_of", "quote_of", "metrics", "source"}
AUTHOR_KEYS = {"handle", "name", "followers", "verified"}
METRIC_KEYS = {"likes", "reposts", "replies", "quotes", "impressions"}
HEADER_KEYS = {"name", "config", "start", "end", "description"}
REFS = ("reply_to", "repost_of", "quote_of")


@dataclass(frozen=True)
class Post:
    id: str
    time: datetime
    text: str
    handle: str
    name: str = ""
    followers: int = 0
    verified: bool = False
    lang: str = ""
    own: bool = False
    reply_to: str = ""
    repost_of: str = ""
    quote_of: str = ""
    metrics: dict = field(default_factory=dict)
    source: str = ""
    line: int = 0


@dataclass
class Scenario:
    path: Path
    posts: list[Post]
    name: str = ""
    config: Path | None = None
    start: datetime | None = None
    end: datetime | None = None
    description: str = ""

    def __post_init__(self):
        if self.posts:
            self.start = self.start or self.posts[0].time
            self.end = self.end or self.posts[-1].time


def _fail(path, line: int, message: str):
    raise InputError(f"{path}, line {line}: {message}")


def _unknown(path, line, obj: dict, allowed: set, where: str):
    extra = sorted(set(obj) - allowed)
    if extra:
        _fail(path, line, f"unknown field{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))} in {where}; "
                          f"must be among {', '.join(sorted(allowed))}")


def _text(path, line, obj, key, required=False) -> str:
    v = obj.get(key, "")
    if v is None:
        v = ""
    if isinstance(v, int) and not isinstance(v, bool) and key in ("id",) + REFS:
        v = str(v)
    if not isinstance(v, str):
        _fail(path, line, f"{key} must be a string; got {json.dumps(v)[:60]}")
    if required and not v.strip():
        _fail(path, line, f"{key} is required")
    return v


def _time(path, line, value, key) -> datetime:
    if not isinstance(value, str) or "T" not in value:
        _fail(path, line, f"{key} must be an ISO-8601 time with its offset, like 2026-11-10T09:15:00-06:00; "
                          f"got {json.dumps(value)[:60]}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        _fail(path, line, f"{key} must be an ISO-8601 time with its offset; got {value!r}")
    if parsed.tzinfo is None:
        _fail(path, line, f"{key} must say its offset (Z, -06:00, +01:00...); got {value!r}")
    return parse_time(parsed)


def _count(path, line, value, key) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        _fail(path, line, f"{key} must be a whole number from 0; got {json.dumps(value)[:60]}")
    return value


def _post(path, n: int, obj: dict, seen: dict) -> Post:
    _unknown(path, n, obj, POST_KEYS, "a post")
    pid = _text(path, n, obj, "id", required=True)
    if pid in seen:
        _fail(path, n, f"id {pid!r} is used already, on line {seen[pid].line}")
    at = _time(path, n, obj.get("time"), "time")
    # A repost has no text of its own: X gives it as "RT @author: the original's text".
    text = _text(path, n, obj, "text", required=not obj.get("repost_of"))
    author = obj.get("author")
    if isinstance(author, str):
        author = {"handle": author}
    if not isinstance(author, dict):
        _fail(path, n, f"author must be an object like {{\"handle\": \"maria_g\"}}; got {json.dumps(author)[:60]}")
    _unknown(path, n, author, AUTHOR_KEYS, "author")
    handle = _text(path, n, author, "handle", required=True).lstrip("@")
    if not handle.replace("_", "").isalnum() or len(handle) > 30:
        _fail(path, n, f"author.handle must be letters, digits and _ (at most 30); got {handle!r}")
    verified = author.get("verified", False)
    if not isinstance(verified, bool):
        _fail(path, n, f"author.verified must be true or false; got {json.dumps(verified)}")
    own = obj.get("own", False)
    if not isinstance(own, bool):
        _fail(path, n, f"own must be true or false; got {json.dumps(own)}")
    metrics = obj.get("metrics") or {}
    if not isinstance(metrics, dict):
        _fail(path, n, f"metrics must be an object; got {json.dumps(metrics)[:60]}")
    _unknown(path, n, metrics, METRIC_KEYS, "metrics")
    refs = {}
    for key in REFS:
        ref = _text(path, n, obj, key)
        if ref and ref not in seen:
            _fail(path, n, f"{key} names {ref!r}, which no earlier line holds")
        refs[key] = ref
    return Post(id=pid, time=at, text=text, handle=handle, name=_text(path, n, author, "name"),
                followers=_count(path, n, author.get("followers"), "author.followers"), verified=verified,
                lang=_text(path, n, obj, "lang"), own=own, metrics={k: _count(path, n, v, f"metrics.{k}")
                                                                    for k, v in metrics.items()},
                source=_text(path, n, obj, "source"), line=n, **refs)


def load(path: str | Path) -> Scenario:
    """Read a scenario, refusing the first bad line with its number and what is wrong."""
    path = Path(path)
    posts: list[Post] = []
    seen: dict[str, Post] = {}
    header: dict = {}
    # A week is a few thousand lines: read at once, decoded as every import is.
    for n, raw in enumerate(read_text(path).splitlines(), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            _fail(path, n, f"not valid JSON ({exc.msg}, column {exc.colno})")
        if not isinstance(obj, dict):
            _fail(path, n, f"must be a JSON object; got {type(obj).__name__}")
        if "scenario" in obj:
            if posts or header:
                _fail(path, n, "the scenario line must be the first line")
            header = obj["scenario"]
            if not isinstance(header, dict) or set(obj) != {"scenario"}:
                _fail(path, n, "the first line must be {\"scenario\": {...}} and nothing else")
            _unknown(path, n, header, HEADER_KEYS, "the scenario line")
            header = {**header, "line": n}
            continue
        post = _post(path, n, obj, seen)
        if posts and post.time < posts[-1].time:
            _fail(path, n, f"time {obj['time']} is earlier than line {posts[-1].line}'s: lines must be in "
                           "time order")
        posts.append(post)
        seen[post.id] = post
    if not posts:
        raise InputError(f"{path}: holds no posts")
    hl = header.get("line", 1)
    config = header.get("config")
    if config is not None and not (isinstance(config, str) and config.strip()):
        _fail(path, hl, f"config must be the path of a configuration file; got {json.dumps(config)}")
    bounds = {k: _time(path, hl, header[k], k) for k in ("start", "end") if header.get(k) is not None}
    scenario = Scenario(path=path, posts=posts, name=str(header.get("name") or path.stem),
                        config=(path.parent / config) if config else None, description=str(header.get("description", "")),
                        **bounds)
    if scenario.end < scenario.start:
        _fail(path, hl, f"end must come after start; got {scenario.start:%Y-%m-%d %H:%M} to {scenario.end:%Y-%m-%d %H:%M}")
    return scenario


def check_own(scenario: Scenario, own_handles: set[str]) -> None:
    """Posts marked ``own`` are by the configuration's accounts, and theirs are marked ``own``."""
    for p in scenario.posts:
        mine = p.handle.lower() in own_handles
        if p.own and not mine:
            _fail(scenario.path, p.line, f"own is true but @{p.handle} is not one of the configuration's accounts "
                                         f"({', '.join('@' + h for h in sorted(own_handles))})")
        if mine and not p.own:
            _fail(scenario.path, p.line, f"@{p.handle} is one of the configuration's accounts: mark the post "
                                         "\"own\": true")
