"""The escalation tick: page the contact chain step by step until someone acknowledges.

Safe to run twice at once and across a crash: a step is claimed with a
compare-and-set on (step, round), and each send with a unique delivery row
written *before* sending, so nobody is paged twice for the same step; a step
whose sends were cut short by a crash is finished by the next tick.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from alerting.channels.base import AppriseChannel
from escucha.links import make_link
from escucha.config import DAYS, Policy, Step
from escucha.errors import StoreError
from escucha.records import Delivery, Incident

# A send claimed but never finished (the process died while sending) is taken
# as failed after this long: the next channel is tried, the same one never again.
STALE_SEND = timedelta(minutes=2)


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
    """Hijacked accounts go to the account's own contacts first, then the severity's policy."""
    base = config.policy_for(incident.severity)
    if incident.kind == "hijack":
        account = next((a for a in config.accounts if a.key == incident.account), None)
        if account and account.contacts:
            steps = tuple(Step(c if ":" in c or c == "oncall" else f"member:{c}", 5.0) for c in account.contacts)
            return Policy(f"hijack:{account.key}", (incident.severity,), steps + (base.steps if base else ()),
                          base.repeat if base else 1)
    return base


def _message(config, incident: Incident, member: str, now: datetime, store) -> tuple[str, str]:
    ack = make_link(config.links, incident.id, member, "ack", now)
    resolve = make_link(config.links, incident.id, member, "resolve", now)
    lines = [f"[{incident.severity.upper()}] {incident.title}", "", incident.explanation, ""]
    try:
        ev = [store.get_mention(e) for e in incident.evidence[:3]]
    except StoreError:
        # The mentions live apart from the escalation state (a search engine that is
        # down, a locked file): the page goes out all the same, with the ids to look up.
        ev = []
        lines.append(f"(evidence text not available now; mention ids: {', '.join(incident.evidence[:3])})")
    for m in ev:
        if m:
            lines.append(f"- @{m.author.handle}: {' '.join(m.text.split())[:200]} {m.url}")
    lines += ["", f"Acusar recibo / Acknowledge: {ack}", f"Resolver / Resolve: {resolve}",
              f"Incidente #{incident.id} · {config.name}"]
    return f"[escucha] {incident.severity.upper()}: {incident.title}", "\n".join(lines)


def _page_member(config, store, incident, rnd, step_no, member_id, now, channel_factory, done, tally) -> bool:
    """Try the member's contact methods in order until one is accepted.

    ``done`` holds this step's earlier deliveries by (member, channel); ``tally`` counts
    the sends this call made, by outcome.
    """
    member = config.member(member_id)
    if member is None:
        return False
    for contact in member.contacts:
        channel = channel_factory(contact.url)
        prev = done.get((member_id, channel.masked))
        if prev is not None:
            if prev.status == "sent":
                return True
            if prev.status == "sending" and prev.at and now - prev.at < STALE_SEND:
                return True  # another tick is sending it right now
            continue  # failed, or died mid-send: next method
        d = Delivery(incident.id, step_no, member_id, channel.masked, "sending", at=now, round=rnd)
        if not store.claim_delivery(d):
            return True
        title, body = _message(config, incident, member_id, now, store)
        outcome = channel.send(title, body)
        status = "sent" if outcome.ok else "failed"
        store.finish_delivery(Delivery(incident.id, step_no, member_id, channel.masked, status, outcome.detail, now,
                                       rnd))
        tally[status] += 1
        if outcome.ok:
            return True
    return False


def tick(config, store, now: datetime, channel_factory=AppriseChannel) -> dict:
    """One pass over the open incidents. Returns counts of steps taken and sends."""
    stats = {"steps": 0, "sent": 0, "failed": 0, "exhausted": 0}
    for incident in store.incidents(status="open"):
        policy = policy_for(config, incident)
        if policy is None or not policy.steps:
            continue
        rnd = store.incident_round(incident.id)
        step_no = incident.step
        due = incident.next_step_at is None or now >= incident.next_step_at
        if due:
            nxt, nrnd = step_no + 1, rnd
            if nxt >= len(policy.steps):
                nxt, nrnd = 0, rnd + 1
            if nrnd >= policy.repeat:
                if incident.next_step_at is not None:
                    store.advance_incident(incident.id, step_no, rnd, step_no, rnd, None)
                    store.audit("escalation.exhausted", {"policy": policy.name, "rounds": policy.repeat},
                                incident.id, at=now)
                    stats["exhausted"] += 1
                continue
            wait = timedelta(minutes=policy.steps[nxt].wait_minutes)
            if store.advance_incident(incident.id, step_no, rnd, nxt, nrnd, now + wait):
                store.audit("escalation.step", {"policy": policy.name, "step": nxt, "round": nrnd,
                                                "notify": policy.steps[nxt].notify}, incident.id, at=now)
                stats["steps"] += 1
            incident = store.incident(incident.id)
            step_no, rnd = incident.step, store.incident_round(incident.id)
        if step_no < 0:
            continue
        # (Re)do the current step's sends: finishes a step a crash cut short.
        notes: list[tuple[str, dict]] = []
        tally = {"sent": 0, "failed": 0}
        done = {(d.member, d.channel): d for d in store.deliveries(incident.id) if d.round == rnd and d.step == step_no}
        for target in targets(config, policy.steps[step_no], now):
            member = route(config, target, now, lambda msg: notes.append(("escalation.route", {"detail": msg})))
            if not _page_member(config, store, incident, rnd, step_no, member, now, channel_factory, done, tally):
                notes.append(("escalation.unreachable", {"member": member, "step": step_no}))
        if tally["sent"] or tally["failed"]:  # audit routing only when this tick actually paged someone
            for action, detail in notes:
                store.audit(action, detail, incident.id, at=now)
        stats["sent"] += tally["sent"]
        stats["failed"] += tally["failed"]
    return stats
