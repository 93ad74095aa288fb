"""The pipeline DAG run for real with dag.test(): collect → classify → index → detect → escalate."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pipeline_dag_runs_end_to_end(tmp_path):
    env = dict(os.environ, AIRFLOW_HOME=str(tmp_path / "airflow"), AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"),
               AIRFLOW__CORE__LOAD_EXAMPLES="False", AIRFLOW__CORE__PARALLELISM="4")
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "dags" / "dag_runner.py"), str(ROOT), str(tmp_path)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-3000:])
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["state"].endswith("success"), out
    assert out["mentions"] > 200
    assert ["threat", "critical"] in out["incidents"]
    assert "ana@ien.example.org" in out["emails"]
