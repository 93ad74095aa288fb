"""Queries behind every panel, shared by the analyst view and the reports (none in templates)."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime
from statistics import median

from escucha.stopwords import key_phrases


def _answers(asks, replies, deadline_h=48):
    answered = [(m, replies[m.id]) for m in asks if m.id in replies]
    delays = [(r.created_at - m.created_at).total_seconds() / 3600 for m, r in answered]
    return {"asked": len(asks), "answered": len(answered), "within_deadline": sum(d <= deadline_h for d in delays),
            "median_hours": round(median(delays), 1) if delays else None}


def _by_account(incoming) -> dict:
    by_account: dict[str, Counter] = defaultdict(Counter)
    for m, c in incoming:
        for a in m.accounts or ("",):
            by_account[a][c.labels.get("sentiment", "neutral")] += 1
    return {k: dict(v) for k, v in sorted(by_account.items())}


def volume(store, since: datetime, until: datetime) -> dict:
    """Incoming mentions in total and by account and sentiment (the comparison period needs no more)."""
    incoming = [(m, c) for m, c in store.classified(since=since, until=until) if not m.own]
    return {"total": len(incoming), "by_account": _by_account(incoming)}


def summary(store, since: datetime, until: datetime, tz=None) -> dict:
    """Every number the analyst view and the report show for [since, until); days in ``tz``."""
    items = store.classified(since=since, until=until)
    incoming = [(m, c) for m, c in items if not m.own]
    by_sent = Counter(c.labels.get("sentiment", "neutral") for _, c in incoming)
    by_account = _by_account(incoming)
    by_day: dict[str, Counter] = defaultdict(Counter)
    for m, c in incoming:
        day = (m.created_at.astimezone(tz) if tz else m.created_at).date().isoformat()
        by_day[day][c.labels.get("sentiment", "neutral")] += 1
    categories = {
        "misinformation": sum(c.labels.get("misinformation") == "fake" for _, c in incoming),
        "hate": sum(c.labels.get("hate") == "hate" or c.labels.get("offensive") == "offensive" for _, c in incoming),
        "threat": sum(c.labels.get("threat") == "threat" for _, c in incoming),
    }
    flagged = [(m, c) for m, c in incoming if c.labels.get("threat") == "threat" or c.labels.get("hate") == "hate"
               or c.labels.get("offensive") == "offensive" or c.labels.get("misinformation") == "fake"]
    langs = Counter(m.lang or "und" for m, _ in incoming)
    authors: dict[str, dict] = {}
    for m, c in incoming:
        a = authors.setdefault(m.author.handle, {"handle": m.author.handle, "followers": m.author.followers,
                                                 "mentions": 0, "positive": 0, "negative": 0, "engagement": 0})
        a["mentions"] += 1
        a["engagement"] += sum(int(v) for k, v in m.metrics.items() if isinstance(v, (int, float)))
        s = c.labels.get("sentiment")
        if s in ("positive", "negative"):
            a[s] += 1
    allies = sorted((a for a in authors.values() if a["positive"] > a["negative"]),
                    key=lambda a: (-a["positive"], -a["followers"]))[:10]
    detractors = sorted((a for a in authors.values() if a["negative"] > a["positive"]),
                        key=lambda a: (-a["negative"], -a["followers"]))[:10]
    influencers = sorted(authors.values(), key=lambda a: -a["followers"])[:10]
    # Answers to citizens: share of questions/complaints answered by an own account.
    replies = {m.in_reply_to: m for m, _ in items if m.own and m.in_reply_to}
    asks = [m for m, c in incoming if c.needs_answer]
    per_account_answers = {}
    for acc in sorted({a for m in asks for a in m.accounts}):
        per_account_answers[acc] = _answers([m for m in asks if acc in m.accounts], replies)
    incidents = [i for i in store.incidents() if i.opened_at and since <= i.opened_at < until]
    ack_minutes = [(i.acknowledged_at - i.opened_at).total_seconds() / 60 for i in incidents if i.acknowledged_at]
    # Escalation performance: per step and member, how many pages and how fast after opening.
    steps: dict[tuple, list] = defaultdict(list)
    for i in incidents:
        for d in store.deliveries(i.id):
            if d.status == "sent" and d.at:
                steps[(d.step + 1, d.member)].append((d.at - i.opened_at).total_seconds() / 60)
    escalation = [{"step": k[0], "member": k[1], "pages": len(v), "median_minutes": round(median(v), 1)}
                  for k, v in sorted(steps.items())]
    # Narratives and whether the institution clarified them (an own post restating the claim to deny it).
    clarified = defaultdict(list)
    for m, c in items:
        if m.own:
            for f in c.flags:
                if f.task == "misinformation" and f.evidence:
                    clarified[f.evidence].append(m)
    narratives = []
    for i in incidents:
        if i.kind == "narrative":
            claim_id = i.key.split("claim:", 1)[1] if "claim:" in i.key else ""
            posts = [m for m in clarified.get(claim_id, []) if m.created_at >= i.opened_at - (until - since)]
            narratives.append({"incident": i, "claim": claim_id, "size": len(i.evidence),
                               "clarified": bool(posts), "clarified_at": posts[0].created_at if posts else None,
                               "clarification_url": posts[0].url if posts else ""})
    hashtags = Counter(h.lower() for m, _ in incoming for h in re.findall(r"#\w+", m.text))
    return {
        "since": since, "until": until, "total": len(incoming), "own_posts": len(items) - len(incoming),
        "sentiment": dict(by_sent), "by_account": by_account,
        "by_day": {k: dict(v) for k, v in sorted(by_day.items())}, "categories": categories,
        "flagged": flagged[-50:], "languages": dict(langs.most_common()), "allies": allies,
        "detractors": detractors, "influencers": influencers,
        "answers": _answers(asks, replies), "answers_by_account": per_account_answers,
        "escalation": escalation, "narratives": narratives,
        "hashtags": hashtags.most_common(10), "topics": key_phrases([m.text for m, _ in incoming], 15),
        "incidents": incidents,
        "median_ack_minutes": round(median(ack_minutes), 1) if ack_minutes else None,
    }
