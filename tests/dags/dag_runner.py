"""Run one DAG with Airflow's own dag.test() against the X emulator and an SMTP server.

Invoked by test_dag_run.py in a fresh process (Airflow reads its config at import).
Prints one JSON line with what reached the store and the SMTP server.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

root, workdir = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(root))

from collectors.x_emulator import XEmulator  # noqa: E402
from demo import week  # noqa: E402
from demo.smtp import SMTPSink, free_port  # noqa: E402

users, tweets = week.build()
threat = next(t for t in tweets if t["_kind"] == "threat")
with SMTPSink() as smtp, XEmulator(users, tweets, token="dag-token") as x:
    x.state.visible_until = threat["created_at"]
    for m in ("ana", "luis", "marta", "jorge"):
        os.environ[f"ESCUCHA_{m.upper()}_EMAIL"] = smtp.url_for(f"{m}@ien.example.org")
    os.environ["ESCUCHA_ANA_WEBHOOK"] = f"json://127.0.0.1:{free_port()}/hook"
    os.environ["ESCUCHA_REPORT_EMAIL"] = smtp.url_for("direccion@ien.example.org")
    os.environ["ESCUCHA_X_BEARER_TOKEN"] = "dag-token"
    os.environ["ESCUCHA_LINK_SECRET"] = "a-test-secret-of-some-length"
    text = (root / "escucha.example.toml").read_text(encoding="utf-8")
    text = text.replace('path = "escucha.db"', f'path = "{workdir / "escucha.db"}"')
    text += f'\n[platforms.x]\nbase_url = "{x.base_url}"\n'
    cfg = workdir / "escucha.toml"
    cfg.write_text(text, encoding="utf-8")
    os.environ["ESCUCHA_CONFIG"] = str(cfg)
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)

    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(root / "dags"), safe_mode=False)
    dag = bag.dags["escucha_pipeline"]
    run = dag.test()
    from escucha.store import SQLiteStore

    store = SQLiteStore(workdir / "escucha.db")
    print(json.dumps({"state": str(run.state), "mentions": store.count_mentions(),
                      "incidents": [(i.kind, i.severity) for i in store.incidents()],
                      "emails": [r[0] for _, r in smtp.envelopes]}))
