"""Mentions, incidents and the unanswered list as pandas DataFrames, and the series built on them.

For notebooks (``escucha.frames.mentions(config, since, until)``), for ``escucha export``
and the analyst view's download, and for the report's weekly trend: one implementation of
each table and series, read by all of them. Columns are typed: labels are categoricals,
times are aware datetimes in the institution's zone, counts are nullable integers.

    >>> df = frames.mentions(cfg, since, until)
    >>> df[~df.own].groupby(["accounts", df.created_at.dt.date]).size()      # volume by account and day
    >>> df.set_index("created_at").resample("W").sentiment.value_counts(normalize=True)  # sentiment share
"""
from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Iterator

from escucha.errors import EscuchaError

SENTIMENTS = ["negative", "neutral", "positive"]
THREAT = ["none", "high", "critical"]  # high: a possible threat, reviewed; critical: it paged
METRICS = ("likes", "reposts", "replies", "quotes", "impressions")
SCORES = {"sentiment": "negative", "offensive": "offensive", "hate": "hate", "threat": "threat",
          "misinformation": "fake"}
LABELS = ("negative", "offensive", "hate", "threat", "misinformation", "needs_answer")  # what --label may name
CHUNK = 5000


def _pd():
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        raise EscuchaError("tables and exports need pandas: pip install 'pandas>=2.2'") from None
    return pd


def _fold(text: str) -> str:
    """Lower case without accents: "Votación" and "votacion" are the same word to a search."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))


def matches(m, c, account=None, lang=None, label=None, q=None) -> bool:
    """Whether a classified mention passes the analyst's filters (the export's and the view's)."""
    if account and account not in m.accounts:
        return False
    if lang and (m.lang or "und") != lang:
        return False
    if label and not _has(c, label):
        return False
    if q:
        text = _fold(f"{m.text} @{m.author.handle} {m.author.display_name}")
        return all(w in text for w in _fold(q).split())
    return True


def _has(c, label: str) -> bool:
    if label == "negative":
        return c.labels.get("sentiment") == "negative"
    if label == "misinformation":
        return c.labels.get("misinformation") == "fake"
    if label == "needs_answer":
        return c.needs_answer
    return c.labels.get(label) == label  # offensive, hate, threat


def check_label(label):
    if label and label not in LABELS:
        from escucha.errors import InputError

        raise InputError(f"label must be one of {', '.join(LABELS)}; got {label!r}")


def _row(m, c, tz) -> dict:
    scores = c.scores or {}
    row = {"id": m.id, "platform": m.platform, "created_at": m.created_at.astimezone(tz),
           "accounts": ", ".join(m.accounts), "author": m.author.handle, "author_name": m.author.display_name,
           "followers": m.author.followers, "verified": m.author.verified, "lang": m.lang or "und", "own": m.own,
           "text": m.text, "url": m.url, "reply_to": m.in_reply_to, "repost_of": m.repost_of,
           "quote_of": m.quote_of}
    for k in METRICS:
        v = m.metrics.get(k)
        row[k] = int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    row.update({"sentiment": c.labels.get("sentiment", "neutral"), "offensive": c.labels.get("offensive") == "offensive",
                "hate": c.labels.get("hate") == "hate", "threat": c.threat_severity,
                "misinformation": c.labels.get("misinformation") == "fake", "claim": c.labels.get("claim", "none"),
                "request": c.labels.get("request", "none"), "needs_answer": c.needs_answer})
    for task, pos in SCORES.items():
        p = (scores.get(task) or {}).get(pos)
        row[f"score_{task}"] = float(p) if isinstance(p, (int, float)) else None
    row["flags"] = [(f.task, f.label, f.evidence) for f in c.flags]
    row["unscorable"] = bool(c.unscorable)
    return row


def _typed(rows: list[dict], tz):
    pd = _pd()
    df = pd.DataFrame(rows) if rows else pd.DataFrame(columns=_EMPTY)
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True).dt.tz_convert(tz)
    for k in ("followers", *METRICS):
        df[k] = df[k].astype("Int64")
    for k in ("verified", "own", "offensive", "hate", "misinformation", "needs_answer", "unscorable"):
        df[k] = df[k].astype(bool)
    for k in (f"score_{t}" for t in SCORES):
        df[k] = df[k].astype("float64")
    df["sentiment"] = pd.Categorical(df["sentiment"], categories=SENTIMENTS)
    df["threat"] = pd.Categorical(df["threat"], categories=THREAT, ordered=True)
    for k in ("platform", "lang", "claim", "request"):
        df[k] = df[k].astype("category")
    return df


_EMPTY = ["id", "platform", "created_at", "accounts", "author", "author_name", "followers", "verified", "lang",
          "own", "text", "url", "reply_to", "repost_of", "quote_of", *METRICS, "sentiment", "offensive", "hate",
          "threat", "misinformation", "claim", "request", "needs_answer", *(f"score_{t}" for t in SCORES), "flags",
          "unscorable"]


def mention_chunks(config, store, since=None, until=None, chunk: int = CHUNK, **filters) -> Iterator:
    """The classified mentions of [since, until) that pass ``filters`` (account, lang,
    label, q), as typed DataFrames of at most ``chunk`` rows, oldest first; at least one,
    empty when nothing matches. Memory stays flat whatever the period."""
    check_label(filters.get("label"))
    rows: list[dict] = []
    sent = False
    for batch in store.iter_classified(since, until, batch=chunk):
        for m, c in batch:
            if matches(m, c, **filters):
                rows.append(_row(m, c, config.tz))
        if len(rows) >= chunk:
            yield _typed(rows, config.tz)
            rows, sent = [], True
    if rows or not sent:
        yield _typed(rows, config.tz)


def _store(config, store):
    if store is not None:
        return store
    from escucha import pipeline

    return pipeline.open_store(config)


def mentions(config, since: datetime | None = None, until: datetime | None = None, store=None, **filters):
    """Every classified mention of [since, until) passing ``filters`` as one DataFrame
    (``account``, ``lang``, ``label`` in :data:`LABELS`, ``q``: words the text holds)."""
    pd = _pd()
    return pd.concat(list(mention_chunks(config, _store(config, store), since, until, **filters)),
                     ignore_index=True)


def incidents(config, since: datetime | None = None, until: datetime | None = None, store=None):
    """Incidents opened in [since, until), with their pages and who acknowledged."""
    pd = _pd()
    store = _store(config, store)
    rows = []
    for i in store.incidents():
        if not i.opened_at or (since and i.opened_at < since) or (until and i.opened_at >= until):
            continue
        pages = [d for d in store.deliveries(i.id)]
        rows.append({"id": i.id, "kind": i.kind, "severity": i.severity, "status": i.status, "title": i.title,
                     "account": i.account, "opened_at": i.opened_at, "acknowledged_at": i.acknowledged_at,
                     "acknowledged_by": i.acknowledged_by or "", "resolved_at": i.resolved_at,
                     "posts": len(i.evidence), "pages_sent": sum(d.status == "sent" for d in pages),
                     "timeline": [(d.at, d.member, d.status, d.step) for d in sorted(pages, key=lambda d: (
                         d.at or i.opened_at))]})
    cols = ["id", "kind", "severity", "status", "title", "account", "opened_at", "acknowledged_at",
            "acknowledged_by", "resolved_at", "posts", "pages_sent", "timeline"]
    df = pd.DataFrame(rows, columns=cols)
    for k in ("opened_at", "acknowledged_at", "resolved_at"):
        df[k] = pd.to_datetime(df[k], utc=True).dt.tz_convert(config.tz)
    for k in ("kind", "status"):
        df[k] = df[k].astype("category")
    df["severity"] = pd.Categorical(df["severity"], categories=["low", "medium", "high", "critical"], ordered=True)
    for k in ("posts", "pages_sent"):
        df[k] = df[k].astype("Int64")
    return df


def unanswered(config, until: datetime | None = None, store=None):
    """Questions and problems past the answer deadline with no reply, as of ``until`` (now)."""
    pd = _pd()
    from escucha import pipeline

    store = _store(config, store)
    rows = pipeline.unanswered(config, store, until)
    df = pd.DataFrame(rows, columns=["id", "account", "author", "url", "waiting_hours", "text"])
    posted = {r["id"]: store.get_mention(r["id"]).created_at for r in rows}
    df.insert(1, "created_at", pd.to_datetime(df["id"].map(posted), utc=True).dt.tz_convert(config.tz))
    df["waiting_hours"] = df["waiting_hours"].astype("float64")
    return df


def weekly(store, until: datetime, weeks: int = 8):
    """Incoming mentions and negative ones per week for the ``weeks`` weeks before ``until``
    (index: each week's end). A week in which nothing at all was stored, not even an own
    post, is missing (NaN): collection was not running, and zero would be a claim."""
    pd = _pd()
    since = until - timedelta(days=7 * weeks)
    times, negative, incoming = [], [], []
    for batch in store.iter_classified(since, until, batch=CHUNK):
        for m, c in batch:
            times.append(m.created_at)
            incoming.append(not m.own)
            negative.append(not m.own and c.labels.get("sentiment") == "negative")
    df = pd.DataFrame({"stored": 1, "mentions": incoming, "negative": negative},
                      index=pd.DatetimeIndex(pd.to_datetime(times, utc=True), name="time"))
    # Bins of exactly seven days ending at ``until`` (not calendar weeks): the report's period is one of them.
    edges = [pd.Timestamp(until - timedelta(days=7 * k)) for k in range(weeks, -1, -1)]
    ends = edges[1:]
    week = pd.cut(df.index, bins=pd.DatetimeIndex(edges), right=False, labels=ends)
    sums = df.groupby(week, observed=False).sum().reindex(ends)
    out = sums[["mentions", "negative"]].astype("float64")
    out[sums["stored"].fillna(0) == 0] = float("nan")
    out.index = pd.DatetimeIndex(ends, name="week_end")
    return out
