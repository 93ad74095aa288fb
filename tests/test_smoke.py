"""The production smoke run (`make smoke`, tests/smoke/run.py) as part of the suite: the
shipped DAGs scheduled by a real Airflow on PostgreSQL page a threat and fail a refused
source. Minutes long, so it runs in its own process with its own servers."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from . import pg_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not pg_server.initdb(), reason="PostgreSQL server binaries not installed")
@pytest.mark.skipif(not shutil.which("mvn") or not shutil.which("java"), reason="mvn and java fetch OpenSearch")
def test_airflow_pages_a_threat_and_fails_a_refused_source():
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "smoke" / "run.py"), "--limit", "420"],
                       capture_output=True, text=True, timeout=1200)
    out = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}
    assert r.returncode == 0 and out.get("ok"), (out, r.stderr[-4000:])
    assert out["threat_paged_after_s"] <= 420 and out["broken_source_failed_after_s"] is not None
    assert out["runs"].get("collect failed", 0) >= 1  # the refused account's run is red, not green
