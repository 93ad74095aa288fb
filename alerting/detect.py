"""Detectors: each looks at classified mentions and returns incidents with their evidence.

Incidents carry a grouping ``key``: new evidence for an open incident with the
same key updates it instead of paging again.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import datetime, timedelta

from escucha.records import Incident

WINDOW_DAYS = 14  # what narratives and spikes count over
SENSITIVITY = {"low": 4.0, "normal": 3.0, "high": 2.0}  # times the expected count


def _snippet(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _root(m) -> str:
    """Reposts and quotes of one post are the same story."""
    return m.repost_of or m.quote_of or m.id


def _threat_flag(c):
    return next((f for f in c.flags if f.task == "threat"), None)


def _possible(flag) -> bool:
    """A threat the scorer sends to review: only the head, only the written-examples vote
    (classifiers/neighbours.py), or a pattern the head rules out (classifiers/threat.pages)."""
    return flag is not None and flag.label == "possible_threat"


def pages(c) -> bool:
    """Whether a classification's threat pages (critical) rather than going to review (high):
    a threat whose flag is not a possible threat."""
    return c.labels.get("threat") == "threat" and not _possible(_threat_flag(c))


def detect_threats(config, items, now) -> list[Incident]:
    out = []
    for m, c in items:
        if m.own or c.labels.get("threat") != "threat":
            continue
        flag = _threat_flag(c)
        reason = flag.reason if flag else "threat"
        # A possible threat is reviewed at "high"; what a pattern the head does not rule out,
        # or the confirming model, flags pages at "critical".
        possible = _possible(flag)
        out.append(Incident(
            key=f"threat:{_root(m)}", kind="threat", severity="high" if possible else "critical",
            title=f"{'Posible amenaza' if possible else 'Amenaza'} violenta de @{m.author.handle}",
            explanation=f"{'Possible violent threat, for review' if possible else 'Credible violent threat'} "
                        f"({reason}): \"{_snippet(m.text)}\" — {m.url}",
            account=(m.accounts or ("",))[0], evidence=[m.id]))
    return out


def detect_hijack(config, items, now) -> list[Incident]:
    """The institution's own account posts what it should not: hate, threats, odd hours or client."""
    own_sources = defaultdict(set)
    for m, _ in items:
        if m.own and m.source:
            own_sources[m.author.handle.lower()].add(m.source)
    out = []
    tz = config.tz
    for m, c in items:
        if not m.own:
            continue
        reasons = []
        # The account's own notices are about the same places and days as threats: only
        # a pattern or the threat head counts here.
        if pages(c):
            reasons.append("a violent threat")
        if c.labels.get("hate") == "hate":
            reasons.append("hate speech")
        if c.labels.get("offensive") == "offensive":
            reasons.append("offensive language")
        hour = m.created_at.astimezone(tz).hour
        if reasons and (hour < 6 or hour >= 23):
            reasons.append(f"at an unusual hour ({hour:02d}h local)")
        if not reasons:
            continue
        account = next((a for a in config.accounts if a.handle.lower().lstrip("@") == m.author.handle.lower()),
                       None)
        key = account.key if account else f"x:@{m.author.handle}"
        out.append(Incident(
            key=f"hijack:{key}", kind="hijack", severity="critical",
            title=f"Posible cuenta institucional comprometida: {key}",
            explanation=f"The institution's own account {key} posted {', '.join(reasons)}: "
                        f"\"{_snippet(m.text)}\" — {m.url}. Follow the hacked-account protocol.",
            account=key, evidence=[m.id]))
    return out


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    words = [w for w in words if not w.startswith("http") and len(w) > 2]
    return {" ".join(words[i : i + 2]) for i in range(max(1, len(words) - 1))}


def detect_narratives(config, items, now) -> list[Incident]:
    """Misinformation mentions grouped by the claim they restate, else by near-duplicate text."""
    groups: dict[str, list] = defaultdict(list)
    sh = []
    for m, c in items:
        if c.labels.get("misinformation") != "fake" or m.own:
            continue
        claim = next((f.evidence for f in c.flags if f.task == "misinformation" and f.evidence), "")
        if claim:
            groups[f"claim:{claim}"].append((m, c))
            continue
        s = _shingles(m.text)
        for key, ref in sh:
            if s and ref and len(s & ref) / len(s | ref) >= 0.5:
                groups[key].append((m, c))
                break
        else:
            key = "text:" + hashlib.sha1(m.text.lower().encode()).hexdigest()[:10]
            sh.append((key, s))
            groups[key].append((m, c))
    d = config.detection
    out = []
    for key, members in groups.items():
        authors = {m.author.handle for m, _ in members}
        reach = sum(m.author.followers for m, _ in members)
        big = [m for m, _ in members if m.author.followers >= d.high_reach_followers]
        # Only claims from the register page anyone. The general fake-news model is
        # weak on tweets about an institution (macro-F1 0.62 on Spanish validation
        # news, worse on opinions), so groups it alone flagged stay in the analyst's
        # feed: add a recurring one to the register to have it paged.
        if not key.startswith("claim:"):
            continue
        if len(authors) < d.narrative_min_size and not big:
            continue
        claim_id = key.split(":", 1)[1] if key.startswith("claim:") else ""
        claim = next((c for c in config.claims if c.id == claim_id), None)
        why = (f"{len(members)} mentions by {len(authors)} authors (reach {reach:,})"
               + (f"; high-reach author @{big[0].author.handle} ({big[0].author.followers:,} followers) joined"
                  if big else ""))
        clar = f" Clarification: {claim.clarification} {claim.url}".rstrip() if claim else ""
        out.append(Incident(
            key=f"narrative:{key}", kind="narrative", severity="high",
            title=f"Narrativa de desinformación: {claim.claim if claim else _snippet(members[0][0].text, 60)}",
            explanation=f"Misinformation narrative spreading: {why}.{clar}",
            account=(members[0][0].accounts or ("",))[0], evidence=[m.id for m, _ in members]))
    return out


_CATEGORIES = {"negative": lambda c: c.labels.get("sentiment") == "negative",
               "hate": lambda c: c.labels.get("hate") == "hate" or c.labels.get("offensive") == "offensive",
               "misinformation": lambda c: c.labels.get("misinformation") == "fake"}
_NAMES = {"negative": "negative", "hate": "hateful or offensive", "misinformation": "misinformation"}


def detect_spikes(config, items, now, history=None) -> list[Incident]:
    """Hourly counts per account and category against the same hour of the week before,
    falling back to the mean hourly count of the history when that hour is empty."""
    d = config.detection
    factor = SENSITIVITY[d.sensitivity]
    history = items if history is None else history
    counts: dict[tuple, list] = defaultdict(list)
    for m, c in history:
        hour = m.created_at.replace(minute=0, second=0, microsecond=0)
        for acc in m.accounts or ("",):
            for cat, test in _CATEGORIES.items():
                if test(c) and not m.own:
                    counts[(acc, cat, hour)].append(m.id)
    if not counts:
        return []
    first = min(k[2] for k in counts)
    out = []
    for (acc, cat, hour), ids in counts.items():
        if hour > now:
            continue
        n = len(ids)
        span_h = max(1.0, (hour - first).total_seconds() / 3600)
        earlier = sum(len(v) for (a, ct, h), v in counts.items() if a == acc and ct == cat and h < hour)
        same_hour_last_week = len(counts.get((acc, cat, hour - timedelta(days=7)), []))
        expected = max(same_hour_last_week, earlier / span_h, 1.0)
        if n < d.spike_min_count or n < factor * expected:
            continue
        local = hour.astimezone(config.tz)
        out.append(Incident(
            key=f"spike:{acc}:{cat}", kind="spike", severity="high",
            title=f"Pico de menciones ({_NAMES[cat]}) en {acc or 'la institución'}",
            explanation=f"{n} {_NAMES[cat]} mentions of {acc or 'the institution'} in the hour from "
                        f"{local:%Y-%m-%d %H:%M} ({config.timezone}), {expected:.0f} expected.",
            account=acc, evidence=ids))
    return out


# Unanswered questions are a work list for the team that answers, not a page:
# `escucha unanswered` (pipeline.unanswered) and the report show them.
DETECTORS = {"threat": detect_threats, "hijack": detect_hijack, "narrative": detect_narratives,
             "spike": detect_spikes}


def detect(config, store, now: datetime, new_ids: set[str], last: datetime | None = None) -> list[Incident]:
    """Run every detector over the classified mentions of the last ``WINDOW_DAYS`` days, and
    the threat and hijack detectors over every mention no detection has seen, however old;
    threats first.

    Only incidents with evidence among ``new_ids`` (mentions no detection has seen)
    are returned, so a resolved incident is not opened again by old evidence.
    """
    items = store.classified(since=now - timedelta(days=WINDOW_DAYS), until=now + timedelta(seconds=1))
    # A threat is a crisis by itself whenever it was posted: one collected late (a backfill,
    # a source that was down for weeks) is judged like a fresh one. Counts (narratives,
    # spikes) are about the window only.
    seen = {m.id for m, _ in items}
    late = [(m, c) for i in sorted(new_ids - seen)
            if (m := store.get_mention(i)) is not None and (c := store.classification(i)) is not None]
    merged: dict[str, Incident] = {}
    for name in ("threat", "hijack", "narrative", "spike"):
        for inc in DETECTORS[name](config, items + late if name in ("threat", "hijack") else items, now):
            if not new_ids.intersection(inc.evidence):
                continue
            first = merged.setdefault(inc.key, inc)  # the earliest mention names the incident
            if first is not inc:
                first.evidence += [e for e in inc.evidence if e not in first.evidence]
    return list(merged.values())
