"""``escucha demo``: replay a week through the whole pipeline on the embedded store.

Starts the local X API emulator and a local SMTP server, moves a clock through
the week hour by hour (collect → classify → index → detect → escalate every
hour, escalation ticks every 5 minutes), lets the simulated committee
acknowledge from the links in the e-mails they receive, then writes the weekly
report and the analyst view and prints where everything is.
"""
from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from collectors.emulators.x import XEmulator
from dashboards.web.app import write_snapshot
from demo import week
from replay.mailbox import SMTPSink, free_port
from escucha import config as cfgmod
from escucha import pipeline
from escucha.links import links_in

EXAMPLE = Path(__file__).resolve().parent.parent / "escucha.example.toml"
MEMBERS = ("ana", "luis", "marta", "jorge")


def _env(smtp: SMTPSink, hook_port: int) -> dict:
    env = {f"ESCUCHA_{m.upper()}_EMAIL": smtp.url_for(f"{m}@ien.example.org") for m in MEMBERS}
    # Ana's second method is a webhook nobody listens to: shows a dead channel falling through.
    env["ESCUCHA_ANA_WEBHOOK"] = f"json://127.0.0.1:{hook_port}/hook"
    env["ESCUCHA_REPORT_EMAIL"] = smtp.url_for("direccion@ien.example.org", "reportes@ien.example.org")
    env["ESCUCHA_X_BEARER_TOKEN"] = "demo-" + secrets.token_hex(8)
    env["ESCUCHA_LINK_SECRET"] = secrets.token_urlsafe(32)
    return env


def run(out: str | Path = "escucha-demo", echo=print, fresh: bool = True, **overrides) -> dict:
    """Replay the week; ``overrides`` replace configuration fields (e.g. ``store_backend``)."""
    out = Path(out).resolve()
    if fresh and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    users, tweets = week.build()

    with SMTPSink(out / "mail") as smtp, XEmulator(users, tweets) as x:
        env = _env(smtp, free_port())
        x.state.token = env["ESCUCHA_X_BEARER_TOKEN"]
        os.environ.update(env)
        config = cfgmod.load(EXAMPLE)
        config = replace(config, store_path=str(out / "escucha.db"), **overrides).with_base_url("x", x.base_url)
        store = pipeline.open_store(config)
        echo(f"Replaying {len(tweets)} posts of {week.WEEK_START:%d %b} – {week.WEEK_END:%d %b %Y} from a local "
             f"X API ({x.base_url}), hour by hour…")
        now = week.WEEK_START
        mails: dict[int, int] = {}  # e-mails received per incident
        timeline = []
        seen_mail = 0
        while now <= week.WEEK_END + timedelta(hours=6):
            x.state.visible_until = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            res = pipeline.run_once(config, store, now=now, sources=("x",))
            for iid in res["detect"]["opened"]:
                inc = store.incident(iid)
                timeline.append(f"{now:%a %H:%M} UTC  incident #{iid} opened [{inc.severity}] {inc.title}")
                echo("  " + timeline[-1])
            # Escalation ticks every 5 minutes until the next hour.
            for minute in range(5, 60, 5):
                t = now + timedelta(minutes=minute)
                if not store.incidents(status="open"):
                    break
                pipeline.escalate(config, store, now=t)
                # The simulated committee: the critical incident is acknowledged from the
                # second e-mail's link (step 2), the others from the first.
                for body in smtp.bodies()[seen_mail:]:
                    links = links_in(body)
                    if "ack" not in links:
                        continue
                    iid = int(links["ack"]["i"])
                    inc = store.incident(iid)
                    mails[iid] = mails.get(iid, 0) + 1
                    if inc.status == "open" and (inc.severity != "critical" or mails[iid] >= 2):
                        acted = pipeline.act_on_link(config, store, links["ack"], t + timedelta(minutes=1))
                        if acted.ok:
                            timeline.append(f"{t:%a %H:%M} UTC  {acted.message} (signed link)")
                            echo("  " + timeline[-1])
                seen_mail = len(smtp.messages)
            now += timedelta(hours=1)
        report_html = pipeline.write_report(config, store, week.WEEK_START, week.WEEK_END, out / "report.html")
        analyst = write_snapshot(config, store, out / "analyst.html", now=week.WEEK_END)
        summary = {
            "mentions": store.count_mentions(), "incidents": [i.__dict__ for i in store.incidents()],
            "emails": len(smtp.messages), "out": str(out), "report": report_html["path"], "analyst": analyst,
            "quarantined": len(store.quarantined()), "timeline": timeline,
        }
        store.close()
    return summary
