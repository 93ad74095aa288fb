"""Blindness as an incident: a target (an owned account, a feed) with no successful
collection for ``[detection] blind_minutes`` opens one, routed to ``[escalation]
operations`` first (escalation.policy_for). It runs in the escalation tick, every minute,
so it fires when the collection itself has stopped, not only when it fails.
"""
from __future__ import annotations

import logging
from datetime import datetime

from alerting.words import say, when
from escucha import health
from escucha.records import Incident, iso

log = logging.getLogger("escucha.silence")

PLATFORMS = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}


def watch(config, store, now: datetime) -> dict:
    """Open one incident per silence of a target, once: its key holds when hearing stopped,
    so a target that recovers and goes deaf again is a new incident, and one the committee
    resolved while the target is still deaf is not opened again. The silence is marked
    reported only after its incident is stored (a crash between the two opens the same
    key again, which the store folds into the open incident)."""
    opened = []
    for s in health.silent(config, store, now):
        if s.reported:
            continue
        log.warning("no successful collection from %s since %s; last error: %s", s.target, iso(s.since),
                    s.error or "none (collection stopped running)")
        incident, created = store.open_incident(_incident(config, s), now)
        health.mark_reported(store, s)
        if created:
            opened.append(incident.id)
    return {"opened": opened}


def _incident(config, s: health.Silence) -> Incident:
    kind = s.kind if s.kind in ("auth", "quota", "unreachable") else "error"
    why = (say(config, "blind_why", error_at=when(config, s.error_at), error=say(config, f"blind_{kind}"))
           if s.error_at else say(config, "blind_stopped"))
    feed = s.target.startswith("rss:")
    target = s.target.split(":", 1)[1] if feed else _account(s.target)
    return Incident(key=f"blind:{s.target}:{iso(s.since)}", kind="blind", severity="high",
                    title=say(config, "blind_title", target=target),
                    explanation=say(config, "blind", target=target, at=when(config, s.since), zone=config.timezone,
                                    why=why),
                    account="" if feed else s.target)


def _account(target: str) -> str:
    platform, _, handle = target.partition(":")
    return f"{handle} ({PLATFORMS.get(platform, platform)})"
