"""The escalation tick: page the contact chain step by step until someone acknowledges.

Safe to run twice at once and across a crash: a step is claimed with a
compare-and-set on (step, round), and each send with a unique delivery row
written *before* sending, so nobody is paged twice for the same step; a step
whose sends were cut short by a crash is finished by the next tick.

Nobody who should be paged is left unpaged: a send cut short by a crash is sent
again by a later tick, a failed send is retried with backoff while the incident is
open (earlier steps' members too), and an incident that reached nobody pages the
``[escalation] fallback`` contacts and is reported in ``unpaged``, which makes
``escucha escalate`` and the Airflow task fail.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerting.channels.base import AppriseChannel
from alerting.pages import Digest, Page, kind_of
from escucha.links import make_link
from escucha import periods
from escucha.config import DAYS, Policy, Step
from escucha.errors import StoreError
from escucha.i18n import TEXT
from escucha.incidents import assignment, assignments
from escucha.records import DIGEST_MARK, SEVERITY_ORDER, Delivery, Incident

log = logging.getLogger("escucha.escalation")

# A send claimed but never finished (the process died while sending) is sent again
# after this long: long enough that a tick still sending it has finished.
STALE_SEND = timedelta(minutes=2)
# A failed send is tried again after 1, 2, 4... minutes, at most every RETRY_MAX.
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(minutes=30)


def retry_due(prev: Delivery, now: datetime) -> bool:
    """Whether ``prev`` (a failed send, or one a crash cut short) is to be sent again now."""
    if prev.at is None:
        return True
    if prev.status == "sending":
        return now - prev.at >= STALE_SEND
    return now - prev.at >= min(RETRY_FIRST * 2 ** (prev.attempts - 1), RETRY_MAX)


def available(config, member, now: datetime) -> bool:
    local = now.astimezone(config.tz)
    today = local.date()
    if any(v.start <= today <= v.end for v in member.vacations):
        return False
    if member.working_hours is None:
        return True
    if DAYS[local.weekday()] not in member.working_days or today in config.holidays:
        return False
    start, end = member.working_hours
    return start <= local.time() <= end


def route(config, member_id: str, now: datetime, log) -> str:
    """The member to page for ``member_id`` now: follows vacation and off-hours substitutes."""
    seen = []
    cur = member_id
    while cur and cur not in seen:
        seen.append(cur)
        m = config.member(cur)
        if m is None:
            break
        if available(config, m, now):
            if cur != member_id:
                log(f"{member_id} unavailable; routed to substitute {cur}")
            return cur
        today = now.astimezone(config.tz).date()
        vac = next((v for v in m.vacations if v.start <= today <= v.end and v.substitute), None)
        cur = vac.substitute if vac else m.substitute
    log(f"nobody available in the substitute chain of {member_id}; paging {member_id} anyway")
    return member_id


def targets(config, step: Step, now: datetime) -> list[str]:
    kind, _, name = step.notify.partition(":")
    if step.notify == "oncall":
        local = now.astimezone(config.tz)
        for o in config.oncall:
            if DAYS[local.weekday()] in o.days and o.hours[0] <= local.time() <= o.hours[1]:
                return [o.member]
        return [config.oncall[0].member] if config.oncall else [m.id for m in config.members[:1]]
    if kind == "member":
        return [name]
    return [m.id for m in config.members if name in m.roles]


def policy_for(config, incident: Incident) -> Policy | None:
    """Hijacked accounts go to the account's own contacts first, then the severity's policy;
    escucha's own blindness to ``[escalation] operations`` first, then the severity's policy."""
    base = config.policy_for(incident.severity)
    if incident.kind == "blind" and config.operations:
        steps = tuple(Step(t, 5.0) for t in config.operations)
        return Policy("operations", (incident.severity,), steps + (base.steps if base else ()),
                      base.repeat if base else 1, once_per_member=True)
    if incident.kind == "hijack":
        account = next((a for a in config.accounts if a.key == incident.account), None)
        if account and account.contacts:
            steps = tuple(Step(c if ":" in c or c == "oncall" else f"member:{c}", 5.0) for c in account.contacts)
            return Policy(f"hijack:{account.key}", (incident.severity,), steps + (base.steps if base else ()),
                          base.repeat if base else 1, once_per_member=True)
    return base


# Bidirectional overrides and isolates: a stranger's "‮" would reverse what follows it in the page.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))


DRILL_NOTICE = ("SIMULACRO / DRILL: ejercicio del comité de crisis, no es un incidente real. "
                "A crisis committee drill, not a real incident.")


def _one_line(text: str) -> str:
    """A stranger's text as one line of a message: line breaks (which would add lines that
    look like ours) and bidirectional controls removed."""
    return " ".join((text or "").translate(_BIDI).split())


def _local(config, at: datetime) -> str:
    return periods.local(config.tz, at)


def _who(config, notify: str, t: dict) -> str:
    kind, _, name = notify.partition(":")
    if notify == "oncall":
        return t["page_oncall"]
    if kind == "role":
        return f"{t['page_role']} {name}"
    member = config.member(name)
    return member.name if member else name


def _chain(config, store, incident: Incident, step_no: int, now: datetime, t: dict) -> list[str]:
    """Who has been paged so far, and who is next and when, in words."""
    names = []
    for d in store.deliveries(incident.id):
        if d.status == "sent" and d.member != FALLBACK:
            member = config.member(d.member)
            name = member.name if member else d.member
            if name not in names:
                names.append(name)
    lines = [f"{t['page_paged']}: {', '.join(names) or t['page_nobody']}."]
    policy = policy_for(config, incident)
    if policy is None or step_no < 0:
        return lines
    if step_no + 1 < len(policy.steps):
        at = now + timedelta(minutes=policy.steps[step_no].wait_minutes)
        lines.append(f"{t['page_next']} {_who(config, policy.steps[step_no + 1].notify, t)} {t['page_at']} "
                     f"{at.astimezone(config.tz):%H:%M}.")
    else:
        lines.append(t["page_last"])
    return lines


def compose(config, incident: Incident, member: str, now: datetime, store, step_no: int = -1) -> Page:
    """The page, in the institution's language and local time (zone shown): what happened,
    the posts with their authors, reach and times, who has been paged and who is next, and
    the two signed links with when they stop working."""
    reader = config.member(member)
    t = TEXT.get((reader.lang if reader else "") or config.report.lang, TEXT["es"])
    opened = incident.opened_at or now
    page = Page(t, t.get(f"severity_{incident.severity}", incident.severity.upper()), incident.severity,
                _one_line(incident.title), config.name, config.short_name,
                f"{t['page_incident']} #{incident.id}, {t['page_opened']} {_local(config, opened)} ({config.timezone})",
                incident.explanation, colour=config.report.colors[0],
                ack=make_link(config.links, incident.id, member, "ack", now),
                resolve=make_link(config.links, incident.id, member, "resolve", now),
                expires=f"{t['page_expires']} {_local(config, now + timedelta(hours=config.links.ttl_hours))} "
                        f"({config.timezone}).")
    try:
        ev = [store.get_mention(e) for e in incident.evidence[:3]]
    except StoreError:
        # The mentions live apart from the escalation state (a search engine that is
        # down, a locked file): the page goes out all the same, with the ids to look up.
        ev = []
        page.before.append(f"(evidence text not available now; mention ids: {', '.join(incident.evidence[:3])})")
    page.posts = [f"@{_one_line(m.author.handle)} ({m.author.followers:,} {t['page_followers']}), "
                  f"{_local(config, m.created_at)}: {_one_line(m.text)[:200]} {_one_line(m.url)}".rstrip()
                  for m in ev if m]
    page.chain = _chain(config, store, incident, step_no, now, t)
    if step_no == ASSIGNED_STEP and (a := assignment(store, incident.id)):
        by = config.member(a.get("by", ""))
        page.before.insert(0, t["page_assigned"].format(by=by.name if by else a.get("by", "")))
    if config.drill:  # a committee drill: nobody may mistake a page for a real incident
        page.notice, page.subject_prefix = DRILL_NOTICE, "[SIMULACRO] [escucha] "
    return page


def _page_member(config, store, incident, rnd, step_no, member_id, now, channel_factory, done, tally) -> bool:
    """Try the member's contact methods in order until one is accepted.

    ``done`` holds this step's earlier deliveries by (member, channel); ``tally`` counts
    the sends this call made, by outcome. A method that failed, or that a crash left
    "sending", is tried again once its backoff has passed (:func:`retry_due`).
    """
    member = config.member(member_id)
    if member is None:
        return False
    if any(d.status == "sent" for (m, _), d in done.items() if m == member_id):
        return True  # reached at this step already, through one of the methods
    return _send_until_accepted(store, incident, rnd, step_no, member_id, [c.url for c in member.contacts], now,
                                channel_factory, done, tally,
                                lambda: compose(config, incident, member_id, now, store, step_no))


def _send_until_accepted(store, incident, rnd, step_no, who, urls, now, channel_factory, done, tally,
                         page) -> bool:
    """Send ``page()`` (a :class:`Page`, made only when a send is due, written for each channel's
    kind) through ``urls`` in order until one is accepted; each send claimed in the store first
    (or, for a failed or cut-short one, retried once due)."""
    for url in urls:
        channel = channel_factory(url)
        prev = done.get((who, channel.masked))
        if prev is not None:
            if prev.status == "sent":
                return True
            if prev.status == "sending" and not retry_due(prev, now):
                return True  # another tick is sending it right now
            if not retry_due(prev, now):
                continue  # failed a moment ago: the next method now, this one again later
            reason = "cut short (the process stopped while sending)" if prev.status == "sending" else "failed before"
            if not store.retry_delivery(prev, now, reason):
                return True  # another tick took the retry
            attempts = prev.attempts + 1
        else:
            if not store.claim_delivery(Delivery(incident.id, step_no, who, channel.masked, "sending", at=now,
                                                 round=rnd)):
                return True
            attempts = 1
        outcome = channel.send(*page().render(kind_of(url)))
        status = "sent" if outcome.ok else "failed"
        store.finish_delivery(Delivery(incident.id, step_no, who, channel.masked, status, outcome.detail, now,
                                       rnd, attempts))
        tally[status] += 1
        if outcome.ok:
            return True
    return False


def _retry_earlier(config, store, incident, rnd, step_no, now, channel_factory, tally) -> None:
    """Members of this round's earlier steps whom no send reached: their failed methods
    again, once due (the mail server came back after the chain moved on)."""
    by_step: dict = {}
    for d in store.deliveries(incident.id):
        if d.round == rnd and 0 <= d.step < step_no:  # the chain's own steps (not fallback, not assignments)
            by_step.setdefault(d.step, {})[(d.member, d.channel)] = d
    for step, done in sorted(by_step.items()):
        reached = {m for (m, _), d in done.items() if d.status == "sent"}
        for member in sorted({m for m, _ in done} - reached):
            _page_member(config, store, incident, rnd, step, member, now, channel_factory, done, tally)


def _alarm_unpaged(config, store, incident, now, channel_factory, ours) -> None:
    """The chain reached nobody: the fallback contacts get the page (once per incident),
    and the audit log says so. ``ours``: the fallback's deliveries so far."""
    if any(d.status == "sent" for d in ours):
        return
    store.audit("escalation.unpaged", {"detail": "no committee member could be reached",
                                       "fallback_contacts": len(config.fallback)}, incident.id, at=now)
    def page():
        p = compose(config, incident, FALLBACK, now, store)
        p.subject_prefix += "NADIE RECIBIÓ EL AVISO / NOBODY WAS PAGED: "
        return p

    _send_until_accepted(store, incident, 0, -1, FALLBACK, [c.url for c in config.fallback], now, channel_factory,
                         {(d.member, d.channel): d for d in ours}, {"sent": 0, "failed": 0}, page)


FALLBACK = "(fallback)"  # the member name fallback deliveries are recorded under
ASSIGNED_STEP = -2  # the step a reassignment's page is recorded under (its round: the assignment's number)


def _page_assigned(config, store, now, channel_factory, stats) -> None:
    """Whoever an incident was reassigned to is paged once per assignment while it is not
    resolved, through the same claimed and retried deliveries as the chain."""
    for incident_id, a in sorted(assignments(store).items()):
        incident = store.incident(incident_id)
        if incident is None or incident.status == "resolved" or config.member(a["member"]) is None:
            continue
        rnd = int(a.get("n", 1))
        done = {(d.member, d.channel): d for d in store.deliveries(incident_id)
                if d.step == ASSIGNED_STEP and d.round == rnd}
        tally = {"sent": 0, "failed": 0}
        _page_member(config, store, incident, rnd, ASSIGNED_STEP, a["member"], now, channel_factory, done, tally)
        stats["sent"] += tally["sent"]
        stats["failed"] += tally["failed"]


@dataclass
class _Due:
    """One incident's current step, as this tick found it: who is to be paged for it."""

    incident: Incident
    rnd: int
    step_no: int
    members: list
    done: dict
    notes: list
    tally: dict


def _advance(config, store, incident, policy, now, stats):
    """Move the incident to its next step when due (a compare-and-set, so two ticks move it
    once). Returns (incident, step, round), or None when its policy is exhausted."""
    rnd = store.incident_round(incident.id)
    step_no = incident.step
    if incident.next_step_at is not None and now < incident.next_step_at:
        return incident, step_no, rnd
    nxt, nrnd = step_no + 1, rnd
    if nxt >= len(policy.steps):
        nxt, nrnd = 0, rnd + 1
    if nrnd >= policy.repeat:
        if incident.next_step_at is not None:
            store.advance_incident(incident.id, step_no, rnd, step_no, rnd, None)
            store.audit("escalation.exhausted", {"policy": policy.name, "rounds": policy.repeat}, incident.id, at=now)
            stats["exhausted"] += 1
        return None
    wait = timedelta(minutes=policy.steps[nxt].wait_minutes)
    if store.advance_incident(incident.id, step_no, rnd, nxt, nrnd, now + wait):
        store.audit("escalation.step", {"policy": policy.name, "step": nxt, "round": nrnd,
                                        "notify": policy.steps[nxt].notify}, incident.id, at=now)
        stats["steps"] += 1
    incident = store.incident(incident.id)
    return incident, incident.step, store.incident_round(incident.id)


def tick(config, store, now: datetime, channel_factory=AppriseChannel) -> dict:
    """One pass over the open incidents. Returns counts of steps taken and sends.

    A member due a first page for several incidents at once (DIGEST_MIN or more) gets one
    digest listing them, each with its own links, instead of a page storm; each incident
    still has its own delivery row, so claims, retries and the unpaged alarm hold per incident.
    """
    stats = {"steps": 0, "sent": 0, "failed": 0, "exhausted": 0, "unpaged": []}
    try:
        _page_assigned(config, store, now, channel_factory, stats)
    except Exception:  # whatever breaks here, the chain below still pages
        log.exception("paging reassigned incidents failed; the escalation chain goes on")
    due_now = []
    for incident in store.incidents(status="open"):
        policy = policy_for(config, incident)
        if policy is None or not policy.steps or (moved := _advance(config, store, incident, policy, now,
                                                                    stats)) is None:
            continue
        incident, step_no, rnd = moved
        if step_no < 0:
            continue
        # (Re)do the current step's sends: finishes a step a crash cut short.
        due = _Due(incident, rnd, step_no, [], {}, [], {"sent": 0, "failed": 0})
        _retry_earlier(config, store, incident, rnd, step_no, now, channel_factory, due.tally)
        sent_so_far = [d for d in store.deliveries(incident.id) if d.round == rnd]
        due.done = {(d.member, d.channel): d for d in sent_so_far if d.step == step_no}
        reached = {d.member for d in sent_so_far if d.step < step_no and d.status == "sent"} \
            if policy.once_per_member else set()
        for target in targets(config, policy.steps[step_no], now):
            member = route(config, target, now, lambda msg: due.notes.append(("escalation.route", {"detail": msg})))
            if member not in reached and member not in due.members:
                due.members.append(member)
        due_now.append(due)
    try:
        handled = page_digests(config, store, due_now, now, channel_factory)
    except Exception:  # a broken digest must not stop the pages: each incident goes on its own
        log.exception("the digest failed; each incident is paged on its own")
        handled = {}
    for due in due_now:
        incident = due.incident
        for member in due.members:
            if (incident.id, member) in handled:
                if not handled[(incident.id, member)]:
                    due.notes.append(("escalation.unreachable", {"member": member, "step": due.step_no}))
            elif not _page_member(config, store, incident, due.rnd, due.step_no, member, now, channel_factory,
                                  due.done, due.tally):
                due.notes.append(("escalation.unreachable", {"member": member, "step": due.step_no}))
        if due.tally["sent"] or due.tally["failed"]:  # audit routing only when this tick actually paged someone
            for action, detail in due.notes:
                store.audit(action, detail, incident.id, at=now)
        stats["sent"] += due.tally["sent"]
        stats["failed"] += due.tally["failed"]
        every = store.deliveries(incident.id)
        mine = [d for d in every if d.member != FALLBACK]
        if mine and not any(d.status == "sent" or (d.status == "sending" and not retry_due(d, now)) for d in mine):
            # Every send so far failed: the committee does not know. Say it loudly.
            stats["unpaged"].append(incident.id)
            _alarm_unpaged(config, store, incident, now, channel_factory, [d for d in every if d.member == FALLBACK])
    return stats


DIGEST_MIN = 3  # incidents due to one member in one tick that make one digest instead of as many pages
# (incidents that share a post go together at any number)


def page_digests(config, store, due_now, now, channel_factory) -> dict:
    """Members due a first page (nothing tried yet at this step) for DIGEST_MIN incidents or
    more, or for incidents that share a post: one digest per contact method until one
    accepts. Returns {(incident id, member): reached} for each incident a digest handled
    (its deliveries recorded, sent or failed)."""
    fresh: dict[str, list] = {}
    for due in due_now:
        for member in due.members:
            if config.member(member) and not any(m == member for m, _ in due.done):
                fresh.setdefault(member, []).append(due)
    handled = {}
    for member_id, dues in fresh.items():
        if len(dues) < DIGEST_MIN:
            # Fewer: only incidents opened from the same post (a threat that also spreads a
            # rumour) go together; two messages about one post read as two events.
            dues = [d for d in dues if any(set(d.incident.evidence) & set(o.incident.evidence)
                                           for o in dues if o is not d)]
            if len(dues) < 2:
                continue
        for url in [c.url for c in config.member(member_id).contacts]:
            channel = channel_factory(url)
            claimed = [d for d in dues if store.claim_delivery(Delivery(
                d.incident.id, d.step_no, member_id, channel.masked, "sending", at=now, round=d.rnd))]
            for d in dues:
                handled.setdefault((d.incident.id, member_id), False)
            if not claimed:
                continue
            dues_sorted = sorted(claimed, key=lambda d: SEVERITY_ORDER.index(d.incident.severity)
                                 if d.incident.severity in SEVERITY_ORDER else 9)
            pages = [compose(config, d.incident, member_id, now, store, d.step_no) for d in dues_sorted]
            outcome = channel.send(*Digest(pages).render(kind_of(url)))
            status = "sent" if outcome.ok else "failed"
            # The detail names the message the incidents shared: one message, not one page each.
            together = f"{DIGEST_MARK}{','.join(str(d.incident.id) for d in claimed)}"
            for d in claimed:
                store.finish_delivery(Delivery(d.incident.id, d.step_no, member_id, channel.masked, status,
                                               f"{outcome.detail}; {together}", now, d.rnd, 1))
                d.tally[status] += 1
                handled[(d.incident.id, member_id)] = handled[(d.incident.id, member_id)] or outcome.ok
            if outcome.ok:
                break
    return handled
