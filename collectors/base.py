"""The collector seam: a platform module fetches pages; this base stores them safely.

A page is normalised item by item: a malformed item is quarantined with the
reason and the rest of the page goes on. The checkpoint moves only after the
page is stored, so a crash re-fetches and never skips.
"""
from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from escucha.errors import AuthRejected, EscuchaError, InputError
from escucha.records import Mention


@dataclass
class CollectResult:
    fetched: int = 0
    new: int = 0
    quarantined: int = 0
    errors: list[str] = field(default_factory=list)  # per account/query, the others went on
    deleted: int = 0
    # The targets (``platform:@handle``, ``rss:URL``) nothing could be collected from this
    # run, with why: what escucha.health records and what fails the DAG's task.
    failed: dict[str, str] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)  # target -> CollectorError.kind

    def fail(self, target: str, error: "CollectorError | str", kind: str = "") -> None:
        message = str(error)
        self.errors.append(message)
        self.failed.setdefault(target, message)
        self.why.setdefault(target, kind or getattr(error, "kind", "error"))

    def add(self, other: "CollectResult") -> "CollectResult":
        self.fetched += other.fetched
        self.new += other.new
        self.quarantined += other.quarantined
        self.deleted += other.deleted
        self.errors += other.errors
        for target, message in other.failed.items():
            self.fail(target, message, other.why.get(target, "error"))
        return self


class Collector(ABC):
    """Base of every collector. Subclasses set ``name`` and write :meth:`collect`."""

    name = ""
    page_size = 100

    def __init__(self, config, store, **options):
        self.config = config
        self.store = store
        self.options = options

    @abstractmethod
    def collect(self) -> CollectResult:
        """Fetch what is new since the last checkpoint and store it."""

    def secret(self, account, default_env: str, what: str) -> str:
        """The account's credential from the environment; a missing one is named, never shown."""
        env = account.token_env or default_env
        value = os.environ.get(env)
        if not value:
            raise AuthRejected(f"collector {self.name}: environment variable {env} is not set ({what} for "
                               f"{account.handle})")
        return value

    def recent(self, days: int = 7) -> list[Mention]:
        """This platform's stored mentions of the last ``days`` (what a deleted-post sweep checks)."""
        from datetime import timedelta

        from escucha.records import utcnow

        return [m for m in self.store.mentions(since=utcnow() - timedelta(days=days)) if m.platform == self.name]

    def remove_deleted(self, ids: list[str]) -> int:
        """Delete posts the platform reports deleted (a tombstone tells the search index) and log it."""
        removed = self.store.delete_mentions(ids)
        if removed:
            self.store.audit("privacy.deleted_posts", {"removed": removed, "source": self.name})
        return removed

    def normalise(self, item) -> Mention:
        """Turn one platform item into a Mention; raise InputError naming the bad field."""
        return Mention.from_dict(item)

    def store_page(self, items, where: str, context=None) -> CollectResult:
        res = CollectResult(fetched=len(items))
        good = []
        for item in items:
            try:
                m = self.normalise(item) if context is None else self.normalise(item, context)
                good.append(m)
            except (EscuchaError, KeyError, TypeError, ValueError, AttributeError) as exc:
                reason = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
                self.store.quarantine(f"{self.name}:{where}", reason, _dump(getattr(item, "data", item)))
                res.quarantined += 1
        res.new = self.store.upsert_mentions(good)
        return res


def _dump(item) -> str:
    try:
        return json.dumps(item, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(item)
