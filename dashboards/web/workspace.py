"""What the analyst workspace shows, in the institution's words and local time: incidents
and their timelines, the mention feed with near-duplicates grouped, the chart, the
unanswered list, and the sentences that answer an act (acknowledge, resolve, reassign,
note, triage). The pages are rendered by ``app.py``; the acts themselves are
``escucha.incidents``.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from escucha import periods
from escucha.export import reasons_in_words
from escucha.frames import matches
from escucha.incidents import Event

TRIAGE = ("correct", "wrong", "answered")
CATEGORIES = ("threat", "hate", "offensive", "misinformation", "negative", "needs_answer")
PERIODS = (1, 7, 14, 30, 90)


def local(config, t) -> str:
    return periods.local(config.tz, t)


def name_of(config, member_id: str) -> str:
    m = config.member(member_id)
    return m.name if m else member_id


def csrf(key: bytes, who: str) -> str:
    """The token a workspace form carries: bound to the reader and this process's key, so a
    page elsewhere cannot make the analyst's browser act."""
    return hmac.new(key, f"csrf|{who}".encode(), hashlib.sha256).hexdigest()[:32]


def act_sentence(config, t: dict, acted) -> str:
    """What acting did (or why not), in plain words: "already acknowledged by Marta at 03:12"."""
    inc = acted.incident
    if acted.ok:
        return t[f"act_done_{acted.action}"].format(member=name_of(config, acted.to))
    if acted.code in ("already", "used") and inc is not None and inc.status != "open":
        if inc.status == "acknowledged":
            return (t["act_used"] + " " if acted.code == "used" else "") + t["act_already_acknowledged"].format(
                who=name_of(config, inc.acknowledged_by), at=f"{local(config, inc.acknowledged_at)} ({config.timezone})")
        return (t["act_used"] + " " if acted.code == "used" else "") + t["act_already_resolved"].format(
            at=f"{local(config, inc.resolved_at)} ({config.timezone})")
    return t.get(f"act_{acted.code}", t["act_action"])


def event_sentence(config, t: dict, e: Event) -> str:
    d = e.detail
    who = name_of(config, e.actor)
    if e.kind == "triage":
        return t["tl_triage"].format(who=who, verdict=t.get(f"verdict_{d.get('verdict')}", ""))
    channel = str(d.get("channel", "")).split(":", 1)[0]
    return t[f"tl_{e.kind}"].format(
        who=who, member=name_of(config, str(d.get("member") or d.get("to") or "")), channel=channel,
        step=int(d.get("step", 0)) + 1, n=len(d.get("new_evidence") or []), text=d.get("text", ""),
        severity=t.get(f"severity_{d.get('severity')}", ""))


def _fold(text: str) -> str:
    """A post reduced to what near-duplicates share: no links, handles, accents or punctuation."""
    text = re.sub(r"https?://\S+|[@#]\w+", " ", text.casefold())
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", text))[:140]


def flagged(c) -> bool:
    """What the feed shows by default: threats (possible ones too), hate, offence, known false claims."""
    return bool(c.flags) or c.threat_severity != "none" or c.labels.get("hate") == "hate" \
        or c.labels.get("offensive") == "offensive" or c.labels.get("misinformation") == "fake"


def feed(config, store, since, until, lang: str, category="", account="", language="", platform="", q="",
         severity="", limit=100) -> list[dict]:
    """Flagged (or, with a category, matching) mentions of the period, newest first, with
    near-duplicates and reposts folded into the first of them."""
    groups: dict[str, dict] = {}
    for m, c in store.classified(since=since, until=until):
        if m.own or (platform and m.platform != platform):
            continue
        if not matches(m, c, account or None, language or None, category or None, q or None):
            continue
        if severity and c.threat_severity != severity:
            continue
        if not (category or severity) and not flagged(c):
            continue
        key = _fold(m.text) or m.id
        g = groups.get(key)
        if g is None:
            groups[key] = {"m": m, "c": c, "reasons": reasons_in_words(config, c, lang), "alike": 0,
                           "at": local(config, m.created_at)}
        else:
            g["alike"] += 1
    rows = sorted(groups.values(), key=lambda g: g["m"].created_at, reverse=True)
    return rows[:limit]


def chart(by_day: dict, width=640, height=160) -> dict:
    """Stacked bars per day (negative, neutral, positive) as SVG geometry, drawn by the template."""
    days = list(by_day.items())
    top = max((sum(v.values()) for _, v in days), default=0) or 1
    step = width / max(len(days), 1)
    bars = []
    for i, (day, counts) in enumerate(days):
        y = height
        for k in ("negative", "neutral", "positive"):
            h = counts.get(k, 0) / top * (height - 20)
            y -= h
            bars.append({"x": round(i * step + 2, 1), "y": round(y, 1), "w": round(max(step - 4, 1), 1),
                         "h": round(h, 1), "cls": k, "title": f"{day}: {counts.get(k, 0)}"})
    labels = [{"x": round(i * step + step / 2, 1), "text": day[5:]} for i, (day, _) in enumerate(days)]
    return {"bars": bars, "labels": labels, "width": width, "height": height + 16, "top": top}
