"""Run escucha's DAGs with Airflow's own dag.test() against the X emulator and an SMTP server.

Invoked by test_dag_run.py in a fresh process (Airflow reads its config at import).
Prints one JSON line with each run's state and what reached the store and the SMTP server.
"""
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

root, workdir = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(root))

from collectors.emulators.x import XEmulator  # noqa: E402
from demo import week  # noqa: E402
from replay.mailbox import SMTPSink, free_port  # noqa: E402

users, tweets = week.build()
threat = next(t for t in tweets if t["_kind"] == "threat")
with SMTPSink() as smtp, XEmulator(users, tweets, token="dag-token") as x:
    x.state.visible_until = threat["created_at"]
    for m in ("ana", "luis", "marta", "jorge"):
        os.environ[f"ESCUCHA_{m.upper()}_EMAIL"] = smtp.url_for(f"{m}@ien.example.org")
    os.environ["ESCUCHA_ANA_WEBHOOK"] = f"json://127.0.0.1:{free_port()}/hook"
    os.environ["ESCUCHA_REPORT_EMAIL"] = smtp.url_for("direccion@ien.example.org")
    os.environ["ESCUCHA_X_BEARER_TOKEN"] = "dag-token"
    os.environ["ESCUCHA_LINK_SECRET"] = "a-test-secret-long-enough-to-sign-links-with"
    text = (root / "escucha.example.toml").read_text(encoding="utf-8")
    text = text.replace('path = "escucha.db"', f'path = "{workdir / "escucha.db"}"')
    text += f'\n[platforms.x]\nbase_url = "{x.base_url}"\n'
    text = text.replace("[classifier]\n", "[classifier]\nshards = 2\n")  # two classify tasks side by side
    cfg = workdir / "escucha.toml"
    cfg.write_text(text, encoding="utf-8")
    bad = workdir / "broken.toml"
    bad.write_text('[institution]\nname = 7\n', encoding="utf-8")
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)

    from airflow.dag_processing.dagbag import BundleDagBag  # as the dag-processor and task runner load them

    from escucha.store import SQLiteStore

    bag = BundleDagBag(dag_folder=str(root / "dags"), bundle_path=root / "dags", safe_mode=False)
    out = {}
    # A broken configuration fails the first task with the message of `escucha config check`.
    os.environ["ESCUCHA_CONFIG"] = str(bad)
    out["broken"] = str(bag.dags["collect"].test().state)
    os.environ["ESCUCHA_CONFIG"] = str(cfg)
    run = bag.dags["collect"].test()
    out["collect"] = str(run.state)
    out["classify_tasks"] = sorted(ti.map_index for ti in run.get_task_instances() if ti.task_id == "classify")
    out["collect_again"] = str(bag.dags["collect"].test().state)
    out["escalate"] = str(bag.dags["escalate"].test().state)
    # One account's token revoked: its own task fails (red), the other's posts go on through
    # classify, index and detect. Retries off here only so the test does not wait them out.
    deaf = workdir / "deaf.toml"
    deaf.write_text(text.replace('handle = "@IEN_Informa"\nuser_id = "900002"\ntoken_env = "ESCUCHA_X_BEARER_TOKEN"',
                                 'handle = "@IEN_Informa"\nuser_id = "900002"\ntoken_env = "ESCUCHA_X_REVOKED"'),
                    encoding="utf-8")
    os.environ["ESCUCHA_X_REVOKED"], os.environ["ESCUCHA_CONFIG"] = "a-revoked-token", str(deaf)
    collect = bag.dags["collect"]
    for t in collect.tasks:
        t.retries = 0
    run = collect.test()
    out["deaf"] = str(run.state)
    out["deaf_tasks"] = sorted(f"{ti.task_id}[{ti.map_index}]={ti.state}" for ti in run.get_task_instances())
    os.environ["ESCUCHA_CONFIG"] = str(cfg)
    store = SQLiteStore(workdir / "escucha.db")
    out["mentions"] = store.count_mentions()
    out["classified"] = store.db.execute("SELECT count(*) FROM classifications").fetchone()[0]
    out["incidents"] = [[i.kind, i.severity] for i in store.incidents()]
    out["deliveries"] = len(store.deliveries())
    out["reprocess"] = str(bag.dags["reprocess"].test(run_conf={"since": "2026-11-14", "until": "2026-11-16"}).state)
    out["weekly_report"] = str(bag.dags["weekly_report"].test(logical_date=week.WEEK_END + timedelta(hours=8)).state)
    out["retention"] = str(bag.dags["retention"].test().state)
    store = SQLiteStore(workdir / "escucha.db")
    out["mentions_after_retention"] = store.count_mentions()
    out["emails"] = [r[0] for _, r in smtp.envelopes]
    out["reports"] = sorted(p.name for p in (workdir / "reports").glob("*"))
    print(json.dumps(out))
