"""The command line: one click group over the pipeline functions.

Errors a user can fix are printed once, without a traceback: exit 2 for a bad
configuration, 1 for anything else escucha raised on purpose.
"""
from __future__ import annotations

import json
import os
import sys

import click

from escucha import config as cfgmod
from escucha import periods, pipeline
from escucha.errors import CollectorError, ConfigError, EscuchaError, InputError
from escucha.records import utcnow

CONFIG_HELP = "Path of escucha.toml (default: $ESCUCHA_CONFIG or ./escucha.toml)."


def _config_path(path):
    return path or os.environ.get("ESCUCHA_CONFIG") or "escucha.toml"


def load_config(path):
    """The configuration at ``path`` (or $ESCUCHA_CONFIG, or ./escucha.toml)."""
    return cfgmod.load(_config_path(path))


def echo_json(obj):
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


class PluginGroup(click.Group):
    """A group whose commands also come from the ``escucha.commands`` entry points, as a
    plugin's would: ``train`` joins ``escucha``, ``classify.eval`` joins ``escucha classify``.
    The built-ins that belong to a package (the demo, the replay, the lab's commands, the web
    service) register this way, so the core imports none of them, and a command's module is
    loaded only when the command is named or listed."""

    def __init__(self, *args, prefix: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = prefix

    def _plugins(self) -> dict:
        from importlib.metadata import entry_points

        n = len(self.prefix)
        return {ep.name[n:]: ep for ep in entry_points(group="escucha.commands")
                if ep.name.startswith(self.prefix) and "." not in ep.name[n:]}

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self._plugins()})

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        plugin = None if command is not None else self._plugins().get(name)
        if plugin is None:
            return command
        try:
            return plugin.load()
        except ImportError as exc:
            raise EscuchaError(f"`escucha {self.prefix.replace('.', ' ')}{name}` cannot load here ({exc}); "
                               "install escucha with its extras: pip install -e '.[test]'") from None


@click.group(cls=PluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="escucha")
def cli():
    """escucha: social listening and crisis monitoring for public institutions."""


@cli.group()
def config():
    """Check the configuration, or show every setting's default."""


@config.command("show")
@click.option("--defaults", is_flag=True, required=True,
              help="Every single-valued setting at its default, with what it does and what it may be.")
def config_show(defaults):
    """Print the settings table (escucha/settings.py) as a configuration file."""
    from escucha import settings

    click.echo(settings.defaults_toml(), nl=False)


@config.command("check")
@click.argument("path", required=False)
def config_check(path):
    """Validate escucha.toml and report every problem with its key path."""
    cfg = load_config(path)
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
    cfg = load_config(config_path)
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
    echo_json(res)
    for e in res["errors"]:
        click.echo(f"warning: {e}", err=True)
    pipeline.require_collected(res)  # what was collected is stored; the exit status says who was not heard


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--now", help="Judge as of this time (ISO); default: now.")
def health(config_path, now):
    """Whether escucha still hears every account and feed: each one's last successful
    collection and last error. Exits 1 when one has been silent for [detection] blind_minutes
    (for an outside monitor; the escalation tick pages about it too)."""
    cfg = load_config(config_path)
    rows = pipeline.hearing(cfg, pipeline.open_store(cfg), _now(now))
    echo_json(rows)
    silent = [r["target"] for r in rows if r["silent"]]
    if silent:
        raise CollectorError(f"no successful collection for {cfg.detection.blind_minutes} minutes or more from: "
                             + ", ".join(silent))


def _shard(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    index, _, count = value.partition("/")
    if not (index.strip().isdigit() and count.strip().isdigit()):
        raise click.BadParameter(f"must be INDEX/COUNT, like 0/4 (the first of four); got {value!r}",
                                 param_hint="--shard")
    return int(index), int(count)


@cli.group(cls=PluginGroup, prefix="classify.", invoke_without_command=True)
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--shard", help="Only this share of the mentions, INDEX/COUNT (0/4: the first of four workers "
                              "side by side; together they score every mention once).")
@click.pass_context
def classify(ctx, config_path, shard):
    """Score the mentions not yet scored by the current model (or evaluate a model)."""
    if ctx.invoked_subcommand:
        return
    shard = _shard(shard)
    cfg = load_config(config_path)
    store = pipeline.open_store(cfg)

    def progress(done, total):
        click.echo(f"  classified {done}/{total}", err=True)

    echo_json(pipeline.classify_new(cfg, store, progress=progress, shard=shard))


def _now(value):
    return periods.moment(value, "--now") if value else utcnow()


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--now", help="Evaluate as of this time (ISO); default: now.")
def detect(config_path, now):
    """Open or update incidents from newly classified mentions."""
    cfg = load_config(config_path)
    echo_json(pipeline.detect_incidents(cfg, pipeline.open_store(cfg), _now(now)))


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--now", help="Evaluate as of this time (ISO); default: now.")
def escalate(config_path, now):
    """One escalation tick: page the next step of every unacknowledged incident that is due."""
    cfg = load_config(config_path)
    stats = pipeline.escalate(cfg, pipeline.open_store(cfg), _now(now))
    echo_json(stats)
    pipeline.check_paged(stats)


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--source", "sources", multiple=True, default=("x",), show_default=True,
              help="Collector to run (x, bluesky, mastodon, rss, file); repeat for several.")
@click.option("--now", help="Detect and escalate as of this time (ISO; a replay's clock); default: now.")
def run(config_path, sources, now):
    """collect → classify → index → detect → escalate, once."""
    cfg = load_config(config_path)
    out = pipeline.run_once(cfg, pipeline.open_store(cfg), _now(now), sources=sources)
    echo_json(out)
    pipeline.check_paged(out)
    pipeline.require_collected(out)


def _act(config_path, incident_id, action, by, text=""):
    """The same act as the workspace's and the links' (escucha.incidents.act), from a terminal."""
    from escucha.incidents import act

    cfg = load_config(config_path)
    acted = act(cfg, pipeline.open_store(cfg), incident_id, action, by, utcnow(), text)
    if not acted.ok:
        raise InputError(acted.message)
    click.echo(acted.message)


BY_HELP = "Who acts (a member's id or the analyst's name), for the audit log."


def _status_command(action: str, doc: str):
    @cli.command(action, help=doc)
    @click.argument("incident_id", type=int)
    @click.option("--by", required=True, help=BY_HELP)
    @click.option("--config", "config_path", help=CONFIG_HELP)
    def command(incident_id, by, config_path):
        _act(config_path, incident_id, action, by)
    return command


ack = _status_command("ack", "Acknowledge an incident: stops its escalation.")
resolve = _status_command("resolve", "Resolve an incident.")


@cli.command()
@click.argument("incident_id", type=int)
@click.argument("text")
@click.option("--by", required=True, help=BY_HELP)
@click.option("--config", "config_path", help=CONFIG_HELP)
def note(incident_id, text, by, config_path):
    """Add a note to an incident's history."""
    _act(config_path, incident_id, "note", by, text)


@cli.command()
@click.argument("incident_id", type=int)
@click.argument("member")
@click.option("--by", required=True, help=BY_HELP)
@click.option("--config", "config_path", help=CONFIG_HELP)
def reassign(incident_id, member, by, config_path):
    """Reassign an incident to a committee member (their id), who is paged at the next escalation tick."""
    _act(config_path, incident_id, "reassign", by, member)


@cli.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--status", type=click.Choice(["open", "acknowledged", "resolved"]), help="Only incidents in this state.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON array: times, severity, step, evidence, pages sent and who acknowledged.")
def incidents(config_path, status, as_json):
    """List incidents with their escalation state."""
    cfg = load_config(config_path)
    store = pipeline.open_store(cfg)
    rows = pipeline.incident_rows(cfg, store, status)
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        ack = f"acknowledged by {r['acknowledged_by']} at {r['acknowledged_at']}" if r["acknowledged_by"] else r["status"]
        click.echo(f"#{r['id']} [{r['severity']}] opened {r['opened_at']} ({cfg.timezone}), {ack}, step "
                   f"{r['step'] + 1 if r['step'] >= 0 else '-'}, {len(r['pages'])} page(s) — {r['title']}")


@cli.group()
def feedback():
    """The analysts' verdicts on flags (triage in the workspace)."""


@feedback.command("export")
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--out", required=True, help="The file to write: .jsonl (JSON lines) or .csv.")
def feedback_export(config_path, out):
    """Write each triaged mention with its text, the model's labels and the analyst's verdict,
    as labelled data for retraining and evaluation."""
    from escucha.export import write_feedback

    cfg = load_config(config_path)
    res = write_feedback(pipeline.open_store(cfg), out)
    click.echo(f"{res['path']}: {res['rows']:,} verdicts")


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
    cfg = load_config(config_path)
    out = out or f"report.{fmt}"
    click.echo(f"writing the {fmt.upper()} report…", err=True)  # a PDF takes some seconds: say it started
    since, until = periods.period(since, until, cfg.tz)
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

    cfg = load_config(config_path)
    since, until = periods.period(since, until, cfg.tz)
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
    cfg = load_config(config_path)
    rows = pipeline.unanswered(cfg, pipeline.open_store(cfg), _now(now))
    if as_json:
        echo_json(rows)
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
    cfg = load_config(config_path)
    if not yes:
        click.confirm(f"Erase everything stored about {handle}?", abort=True)
    res = pipeline.forget_author(cfg, pipeline.open_store(cfg), handle)
    click.echo(f"erased {res['removed']} mention(s) of {handle}")


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

    cfg = load_config(config_path)
    target = pipeline.open_store(cfg)
    res = pipeline.copy_store(SQLiteStore(source), target)
    click.echo(f"copied {res['mentions']} mentions ({res['new']} new), {res['classifications']} classifications, "
               f"{res['detected']} detection marks, {res['checkpoints']} checkpoints and {res['quarantined']} "
               f"quarantined items from {source} into the {cfg.store_backend} store")


@store.command("init-state")
@click.option("--admin-url-env", required=True, metavar="VAR",
              help="Environment variable holding a PostgreSQL superuser's URL (the compose stack: Airflow's own, "
                   "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN).")
@click.option("--config", "config_path", help=CONFIG_HELP)
def store_init_state(admin_url_env, config_path):
    """Create the escalation state's PostgreSQL role and database ([store] state_url_env) if
    missing, and its tables; safe to run at every start."""
    from escucha.state import create_database

    cfg = load_config(config_path)
    if not cfg.state_url.startswith("postgresql"):
        click.echo("the escalation state is not in PostgreSQL ([store] state_url_env): nothing to create")
        return
    admin = os.environ.get(admin_url_env)
    if not admin:
        raise InputError(f"--admin-url-env names {admin_url_env}, which is not set")
    res = create_database(cfg.state_url, admin)
    click.echo(f"database {res['database_name']} ({'created' if res['database'] else 'already there'}), "
               f"role {res['role_name']} ({'created' if res['role'] else 'already there'}), tables ready")


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
