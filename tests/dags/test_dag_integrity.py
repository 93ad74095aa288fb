"""Every DAG imports without errors or connections, with tags, retries and no catchup."""
import os
import subprocess
import sys
from pathlib import Path

DAGS = Path(__file__).resolve().parents[2] / "dags"

SCRIPT = r"""
import json, sys
from pathlib import Path
from airflow.dag_processing.dagbag import BundleDagBag  # as the dag-processor and task runner load them
bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]), safe_mode=False)
out = {"errors": {k: str(v)[:500] for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    out["dags"][dag_id] = {"tags": sorted(dag.tags), "catchup": dag.catchup, "file": dag.fileloc,
                           "retries": [t.retries for t in dag.tasks], "doc": bool(dag.doc_md),
                           "untimed": [t.task_id for t in dag.tasks if not t.execution_timeout],
                           "paused": dag.is_paused_upon_creation}
print(json.dumps(out))
"""


def test_dagbag(tmp_path):
    import json

    env = dict(os.environ, AIRFLOW_HOME=str(tmp_path), AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
               AIRFLOW__CORE__LOAD_EXAMPLES="False", AIRFLOW__CORE__UNIT_TEST_MODE="True")
    # No connections, variables or config: a DAG that reads them at parse time fails here.
    for k in list(env):
        if k.startswith(("AIRFLOW_CONN_", "AIRFLOW_VAR_", "ESCUCHA_")):
            env.pop(k)
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(DAGS)], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["errors"] == {}
    assert out["dags"], "no DAG found"
    for dag_id, d in out["dags"].items():
        assert d["tags"], f"{dag_id} ({d['file']}) has no tags"
        assert d["catchup"] is False, f"{dag_id} ({d['file']}) must set catchup=False"
        assert min(d["retries"]) >= 2, f"{dag_id} ({d['file']}) tasks need retries >= 2"
        assert d["doc"], f"{dag_id} ({d['file']}) needs doc_md"
        assert not d["untimed"], f"{dag_id} ({d['file']}): tasks without execution_timeout: {d['untimed']}"
        assert d["paused"] is False, f"{dag_id} ({d['file']}) would start paused"
