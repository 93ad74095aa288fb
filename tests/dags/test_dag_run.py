"""Every DAG run for real with dag.test() against the local X API and a real SMTP server."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dags_run_end_to_end(tmp_path):
    env = dict(os.environ, AIRFLOW_HOME=str(tmp_path / "airflow"), AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"),
               AIRFLOW__CORE__LOAD_EXAMPLES="False", AIRFLOW__CORE__PARALLELISM="4")
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "dags" / "dag_runner.py"), str(ROOT), str(tmp_path)],
                       capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-3000:])
    out = json.loads(r.stdout.strip().splitlines()[-1])
    logs = r.stdout + r.stderr
    assert out["broken"].endswith("failed")
    assert "institution.name: must be a string; got 7" in logs
    for dag in ("collect", "collect_again", "escalate", "reprocess", "weekly_report", "retention"):
        assert out[dag].endswith("success"), (dag, out)
    # A revoked token fails that account's task and the run; the other account's posts are scored.
    assert out["deaf"].endswith("failed"), out["deaf_tasks"]
    tasks = dict(t.split("=") for t in out["deaf_tasks"])
    assert sorted(v for k, v in tasks.items() if k.startswith("collect_account")) == ["failed", "success"], tasks
    assert all(tasks[k] == "success" for k in tasks if k.split("[")[0] in ("shards", "classify", "index", "detect"))
    assert "nothing could be collected from x:@IEN_Informa" in logs
    assert out["mentions"] > 200
    assert out["classify_tasks"] == [0, 1] and out["classified"] == out["mentions"]  # two shards, nothing left
    assert ["threat", "critical"] in out["incidents"]
    assert out["deliveries"] >= 1 and "ana@ien.example.org" in out["emails"]
    assert "direccion@ien.example.org" in out["emails"]
    assert any(p.endswith(".pdf") for p in out["reports"])
    # Retention keeps 365 days: the week (November 2026) is younger than that today.
    assert out["mentions_after_retention"] == out["mentions"]
