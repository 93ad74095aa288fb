"""Acting on an incident (acknowledge, resolve, reassign, add a note) and its timeline.

One set of functions behind the signed links, the analyst workspace and the CLI; every act
is written to the audit log with who and when. A reassignment is recorded here (in the
audit log, which lives with the escalation state, not with the mentions) and paged by the
escalation tick, so the page goes through the same claimed, retried deliveries as any other.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from escucha.records import Incident

ACTIONS = ("ack", "resolve", "note", "reassign")
NOTE_MAX = 2000


class Acted(NamedTuple):
    """What an act did. ``code``: done, or why not (already, used, gone, member, note, and a
    link's refusals: incomplete, action, signature, expired); ``message`` is the log's sentence,
    the pages say ``code`` in the institution's language."""

    ok: bool
    message: str
    code: str = "done"
    incident: Incident | None = None
    by: str = ""
    action: str = ""
    to: str = ""  # the member a reassignment named


def _clean(text: str) -> str:
    """A note as one paragraph of plain text: control characters out, at most NOTE_MAX."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text or "").split())[:NOTE_MAX]


def act(config, store, incident_id: int, action: str, by: str, now: datetime, text: str = "") -> Acted:
    """Apply ``action`` to the incident as ``by``: ack, resolve, note (``text``) or reassign
    (``text`` is the member's id)."""
    inc = store.incident(incident_id)
    if inc is None:
        return Acted(False, f"incident #{incident_id} does not exist", "gone", None, by, action)
    if action in ("ack", "resolve"):
        status = "acknowledged" if action == "ack" else "resolved"
        if store.set_status(incident_id, status, by, now):
            return Acted(True, f"incident #{incident_id} {status} by {by}", "done", store.incident(incident_id),
                         by, action)
        inc = store.incident(incident_id)
        return Acted(False, f"incident #{incident_id} is already {inc.status}", "already", inc, by, action)
    if action == "note":
        note = _clean(text)
        if not note:
            return Acted(False, "a note must hold some text; got an empty one", "note", inc, by, action)
        store.audit("incident.note", {"text": note}, incident_id, actor=by, at=now)
        return Acted(True, f"note added to incident #{incident_id} by {by}", "done", inc, by, action)
    if action == "reassign":
        member = config.member(text.strip())
        if member is None:
            return Acted(False, f"reassign: the member must be one of the committee's ids; got {text[:40]!r}",
                         "member", inc, by, action)
        if inc.status == "resolved":
            return Acted(False, f"incident #{incident_id} is already resolved", "already", inc, by, action)
        store.audit("incident.reassigned", {"to": member.id}, incident_id, actor=by, at=now)
        return Acted(True, f"incident #{incident_id} reassigned to {member.id} by {by}", "done", inc, by, action,
                     member.id)
    return Acted(False, f"action must be one of {', '.join(ACTIONS)}; got {action[:20]!r}", "action", inc, by,
                 action)


def assignment(store, incident_id: int) -> dict | None:
    """The incident's latest assignment: {member, by, at, n} (n counts its assignments), or None."""
    rows = [r for r in store.audit_log(incident_id) if r["action"] == "incident.reassigned"]
    if not rows:
        return None
    last = rows[-1]
    at = last["at"]
    return {"member": str((last.get("detail") or {}).get("to", "")), "by": last.get("actor") or "",
            "at": datetime.fromisoformat(at) if isinstance(at, str) else at, "n": len(rows)}


def assignments(store) -> dict[int, dict]:
    """The latest assignment of every incident not yet resolved, by incident id."""
    out = {}
    for inc in store.incidents():
        if inc.status != "resolved" and (a := assignment(store, inc.id)):
            out[inc.id] = a
    return out


class Event(NamedTuple):
    at: datetime | None
    kind: str  # the audit action: incident.opened, delivery.sent, incident.note...
    actor: str
    detail: dict


# What the timeline shows, in order; the rest (retries, routing, refusals) stays in the log.
TIMELINE = ("incident.opened", "incident.updated", "escalation.step", "delivery.sent", "delivery.failed",
            "escalation.unpaged", "escalation.exhausted", "incident.acknowledged", "incident.resolved",
            "incident.reassigned", "incident.note", "triage")


def timeline(store, incident_id: int) -> list[Event]:
    """The incident's history from the audit log, oldest first."""
    out = []
    for row in store.audit_log(incident_id):
        if row["action"] in TIMELINE:
            at = row["at"]
            if isinstance(at, str):
                at = datetime.fromisoformat(at)
            out.append(Event(at, row["action"], row.get("actor") or "escucha", row.get("detail") or {}))
    return out
