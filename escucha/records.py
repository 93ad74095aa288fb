"""The domain records. One data model, the mention, flows one way through the pipeline."""
from __future__ import annotations

import functools
import json
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone

from escucha.errors import InputError


_INT64 = (-(2**63), 2**63 - 1)
_SURROGATE = re.compile("[\ud800-\udfff]")


def whole_text(value: str) -> str:
    """``value`` with any lone surrogate (half an emoji, as a truncated export or a JSON
    escape like "\\ud83d" leaves it) replaced by U+FFFD: such a string cannot be written as
    UTF-8, so no store, index or e-mail could take it. A pair split in two is joined."""
    if value.isascii() or not _SURROGATE.search(value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


@functools.cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))  # dataclasses.fields() is most of the cost per record


def _whole_strings(record) -> None:
    for name in _field_names(type(record)):
        v = getattr(record, name)
        if isinstance(v, str) and not v.isascii():
            object.__setattr__(record, name, whole_text(v))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parse_time(value, where: str = "created_at") -> datetime:
    """Parse an ISO-8601 time or epoch seconds into an aware UTC datetime."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        dt = datetime.fromtimestamp(value, timezone.utc)
    elif isinstance(value, str) and value.strip():
        try:
            dt = datetime.fromisoformat(value.strip())  # Python 3.11 reads a trailing Z itself
        except ValueError:
            raise InputError(f"{where} must be an ISO-8601 time; got {value!r}") from None
    else:
        raise InputError(f"{where} must be an ISO-8601 time; got {value!r}")
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt if dt.tzinfo is timezone.utc else dt.astimezone(timezone.utc)


def iso(dt: datetime | None) -> str | None:
    if not dt:
        return None
    if dt.tzinfo is not timezone.utc:  # the records' own times are UTC already: skip the conversion
        dt = dt.astimezone(timezone.utc)
    return dt.isoformat()[:-6] + "Z"


SEVERITY_ORDER = ("critical", "high", "medium", "low")  # most urgent first: policies, merges, reports
# The tasks a Classification carries a label for: the scorer's heads, the index's flat
# fields, training and evaluation all read this one list.
TASKS = ("sentiment", "offensive", "hate", "target", "misinformation", "threat")

@dataclass(frozen=True)
class Author:
    handle: str
    display_name: str = ""
    followers: int = 0
    verified: bool = False
    id: str = ""

    def __post_init__(self):
        _whole_strings(self)
        # Every store keeps counts as 64-bit integers: a bigger one is a malformed payload.
        if not _INT64[0] <= self.followers <= _INT64[1]:
            raise InputError(f"author.followers must be a count that fits 64 bits; got {self.followers}")


@dataclass(frozen=True)
class Mention:
    """One post that concerns the institution, from any platform.

    ``id`` is ``platform:native_id``: the same post collected twice is the same record.
    """

    platform: str
    native_id: str
    text: str
    author: Author
    created_at: datetime
    url: str = ""
    lang: str = ""
    collected_at: datetime = field(default_factory=utcnow)
    accounts: tuple[str, ...] = ()  # monitored accounts it concerns, e.g. ("x:@IENMexico",)
    in_reply_to: str = ""  # mention id (platform:native_id) it answers
    quote_of: str = ""
    repost_of: str = ""
    conversation_id: str = ""
    metrics: dict = field(default_factory=dict)  # likes, reposts, replies, quotes, impressions
    own: bool = False  # posted by one of the institution's own accounts
    source: str = ""  # client / app that posted it, when the platform tells

    def __post_init__(self):
        _whole_strings(self)
        for k, v in self.metrics.items():
            if isinstance(v, int) and not _INT64[0] <= v <= _INT64[1]:
                raise InputError(f"metrics.{k} must be a count that fits 64 bits; got {v}")

    @property
    def id(self) -> str:
        return f"{self.platform}:{self.native_id}"

    def to_dict(self) -> dict:
        # Written out rather than dataclasses.asdict: asdict deep-copies every value,
        # which was a third of the collector's own time (bench/collect.py).
        a = self.author
        return {"platform": self.platform, "native_id": self.native_id, "id": self.id, "text": self.text,
                "author": {"handle": a.handle, "display_name": a.display_name, "followers": a.followers,
                           "verified": a.verified, "id": a.id},
                "created_at": iso(self.created_at), "url": self.url, "lang": self.lang,
                "collected_at": iso(self.collected_at), "accounts": list(self.accounts),
                "in_reply_to": self.in_reply_to, "quote_of": self.quote_of, "repost_of": self.repost_of,
                "conversation_id": self.conversation_id, "metrics": dict(self.metrics), "own": self.own,
                "source": self.source}

    @classmethod
    def from_dict(cls, d: dict) -> "Mention":
        """Build a mention from a plain dict, raising :class:`InputError` naming the bad field."""
        if not isinstance(d, dict):
            raise InputError(f"a mention must be an object; got {type(d).__name__}")
        missing = [k for k in ("platform", "native_id", "text", "created_at") if d.get(k) in (None, "")]
        if missing:
            raise InputError(f"missing field(s): {', '.join(missing)}")
        if not isinstance(d["text"], str):
            raise InputError(f"text must be a string; got {type(d['text']).__name__}")
        created_at = parse_time(d["created_at"], "created_at")
        a = d.get("author") or {}
        if isinstance(a, str):
            a = {"handle": a}
        try:
            author = Author(
                handle=str(a.get("handle") or ""),
                display_name=str(a.get("display_name") or ""),
                followers=int(a.get("followers") or 0),
                verified=bool(a.get("verified")),
                id=str(a.get("id") or ""),
            )
        except (TypeError, ValueError):
            raise InputError(f"author.followers must be an integer; got {a.get('followers')!r}") from None
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known and k not in ("author",)}
        kw["native_id"] = str(d["native_id"])
        kw["created_at"] = created_at
        kw["collected_at"] = parse_time(d["collected_at"], "collected_at") if d.get("collected_at") else utcnow()
        kw["accounts"] = tuple(d.get("accounts") or ())
        kw["metrics"] = dict(d.get("metrics") or {})
        return cls(author=author, **kw)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Flag:
    """Why a mention was flagged: a rule, a matched claim or example, or weighty words."""

    task: str
    label: str
    score: float
    reason: str
    evidence: str = ""  # pattern name, claim id, nearest example
    link: str = ""  # e.g. the clarification of a known false claim


@dataclass(frozen=True)
class Classification:
    """Scores of one mention by one model version."""

    mention_id: str
    model_version: str
    scores: dict  # task -> {label: probability}
    labels: dict  # task -> label chosen with the configured thresholds
    flags: tuple[Flag, ...] = ()
    unscorable: str = ""  # why no model score could be given (empty text, binary, ...)

    @property
    def needs_answer(self) -> bool:
        """A question to the institution or a problem to act on (the scorer's ``request``
        label), not an insult, a threat or a rumour: what the unanswered work list and the
        report's answer times count."""
        labels = self.labels
        return (labels.get("request") in ("question", "problem") and labels.get("offensive") != "offensive"
                and labels.get("threat") != "threat" and labels.get("claim") != "assertion")

    @property
    def threat_severity(self) -> str:
        """"none", "high" (a possible threat, reviewed) or "critical" (it pages): what the
        scorer's threat flag says. Detection, escalation and exports all read this one."""
        if self.labels.get("threat") != "threat":
            return "none"
        flag = next((f for f in self.flags if f.task == "threat"), None)
        return "high" if flag is not None and flag.label == "possible_threat" else "critical"

    def to_dict(self) -> dict:
        return {
            "mention_id": self.mention_id,
            "model_version": self.model_version,
            "scores": self.scores,
            "labels": self.labels,
            "flags": [asdict(f) for f in self.flags],
            "unscorable": self.unscorable,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Classification":
        return cls(
            mention_id=d["mention_id"],
            model_version=d["model_version"],
            scores=d["scores"],
            labels=d["labels"],
            flags=tuple(Flag(**f) for f in d.get("flags", ())),
            unscorable=d.get("unscorable", ""),
        )


SEVERITIES = ("critical", "high", "medium", "low")


@dataclass
class Incident:
    """Something the crisis committee must know about, with its evidence.

    ``key`` groups related detections: new evidence for an open incident with the
    same key updates it instead of paging again.
    """

    key: str
    kind: str  # threat, spike, narrative, hijack, unanswered
    severity: str
    title: str
    explanation: str
    account: str = ""
    evidence: list[str] = field(default_factory=list)  # mention ids
    id: int | None = None
    status: str = "open"  # open, acknowledged, resolved
    opened_at: datetime | None = None
    updated_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""
    resolved_at: datetime | None = None
    policy: str = ""
    step: int = -1  # escalation step reached so far (-1: none yet)
    next_step_at: datetime | None = None


# In the detail of the deliveries one digest made, before the ids of the incidents it held:
# one message, not one page each (the replay's scoring reads it).
DIGEST_MARK = "one message with incidents "


@dataclass(frozen=True)
class Delivery:
    """One attempt to reach one member through one channel for one escalation step."""

    incident_id: int
    step: int
    member: str
    channel: str  # masked channel URL
    status: str  # sent, failed
    detail: str = ""
    at: datetime | None = None
    round: int = 0
    attempts: int = 1  # sends tried through this channel at this step (retries after a failure or a crash)
