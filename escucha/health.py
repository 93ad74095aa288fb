"""Whether escucha can still hear: each collection target's last success and last failure.

A listening product that has gone deaf looks exactly like a quiet week. Every collection
run records, per target (``x:@handle``, ``rss:URL``), when it last succeeded and why it
last failed (store checkpoints of the collector ``health``). :func:`silent` names the
targets with no success for ``[detection] blind_minutes``; the escalation tick turns each
into an incident for the operations contacts, so blindness pages someone even when the
collection DAG itself has stopped running.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from escucha.records import iso, parse_time

_BOOK = "health"
_REPORTED = "health.reported"


@dataclass(frozen=True)
class Silence:
    target: str
    since: datetime  # the last success, or the first try when nothing ever succeeded
    error: str  # the last failure's message, for the log ("" when the runs themselves stopped)
    kind: str  # its CollectorError.kind (auth, quota, unreachable, error), for the page's words
    error_at: datetime | None
    reported: bool  # an incident was opened for this silence


def targets(config) -> list[str]:
    """What a scheduled collection covers: every owned account on a polled platform, every feed."""
    from escucha import registry

    polled = set(registry.names("collectors")) - {"file"}
    return [a.key for a in config.accounts if a.platform in polled] + [f"rss:{u}" for u in config.feeds]


def record(store, covered: list[str], failed: dict[str, str], kinds: dict[str, str], now: datetime) -> None:
    """One run's outcome for each target it covered (``failed``: target -> message)."""
    for target in covered:
        state = _state(store, target)
        state.setdefault("first_try", iso(now))
        if target in failed:
            state["error"], state["error_at"] = failed[target][:300], iso(now)
            state["kind"] = kinds.get(target, "error")
        else:
            state["ok_at"] = iso(now)
        store.set_checkpoint(_BOOK, target, json.dumps(state))


def status(config, store) -> list[dict]:
    """Each target's last success and failure, for `escucha health` and the analyst view."""
    rows = []
    for target in targets(config):
        s = _state(store, target)
        rows.append({"target": target, "ok_at": s.get("ok_at"), "error": s.get("error", ""),
                     "error_at": s.get("error_at"), "first_try": s.get("first_try")})
    return rows


def silent(config, store, now: datetime) -> list[Silence]:
    """Targets with no successful collection for ``blind_minutes`` (0: never judged).

    A target never tried is not judged (a new installation), but once tried, it must keep
    succeeding: runs that stop altogether (a paused DAG, a dead scheduler) age the last
    success just as failing runs do.
    """
    minutes = config.detection.blind_minutes
    if not minutes:
        return []
    out = []
    for target in targets(config):
        s = _state(store, target)
        since = s.get("ok_at") or s.get("first_try")
        if not since:
            continue
        since = parse_time(since)
        if now - since < timedelta(minutes=minutes):
            continue
        failing = s.get("error_at", "") > (s.get("ok_at") or "")  # ISO times in UTC compare as text
        out.append(Silence(target, since, s.get("error", "") if failing else "", s.get("kind", "error") if failing
                           else "", parse_time(s["error_at"]) if failing else None,
                           store.get_checkpoint(_REPORTED, target) == iso(since)))
    return out


def mark_reported(store, silence: Silence) -> None:
    # Its own key, not the run's record: the escalation tick writes this while a collection
    # task may be writing that, and neither must undo the other.
    store.set_checkpoint(_REPORTED, silence.target, iso(silence.since))


def _state(store, target: str) -> dict:
    raw = store.get_checkpoint(_BOOK, target)
    try:
        state = json.loads(raw) if raw else {}
    except ValueError:
        state = {}
    if not isinstance(state, dict):
        return {}
    # Only well-formed times and texts count: a record another version or a hand edit left
    # half-broken is read as far as it is sound (and a time that does not parse is dropped).
    out = {k: v for k, v in state.items() if isinstance(v, str)}
    for key in ("ok_at", "first_try", "error_at"):
        if key in out:
            try:
                parse_time(out[key])
            except Exception:  # noqa: BLE001 - any unreadable time is as good as none
                out.pop(key)
    return out
