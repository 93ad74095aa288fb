"""The production smoke run without Docker (`make smoke`): the shipped DAG files, unchanged
and unpaused, scheduled by Airflow itself (scheduler, dag-processor and API server, the
LocalExecutor) on PostgreSQL, with an OpenSearch node, the X API emulator and a loopback
SMTP server. It passes when

* a threat posted to the emulator reaches the SMTP server as a page within ``--limit``
  seconds of Airflow starting, and
* an account whose token X refuses shows as a failed ``collect_account`` task (after its
  retries) while the run's other account is collected.

Prints one JSON line with what happened and how long it took; exit 0 only if both hold.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from collectors.emulators.x import XEmulator  # noqa: E402
from demo import week  # noqa: E402
from replay.mailbox import SMTPSink, free_port  # noqa: E402
from tests import opensearch_node, pg_server  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=420, help="seconds for the threat to be paged (default 420)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="escucha-smoke-"))
    procs, out = [], {"name": "smoke"}
    pg_url, pg_base = pg_server.start(free_port())
    os_lib = opensearch_node.fetch(ROOT / ".cache" / "opensearch")
    from tests.conftest import _runner_port

    os_proc, os_url = opensearch_node.start(os_lib, work / "os" / "cluster", _runner_port())
    users, tweets = week.build()
    threat = next(t for t in tweets if t["_kind"] == "threat")
    try:
        with SMTPSink(work / "mail") as smtp, XEmulator(users, tweets, token="smoke-token") as x:
            x.state.visible_until = threat["created_at"]
            env = _environment(work, pg_url, os_url, smtp, x)
            _run(["airflow", "db", "migrate"], env)
            _run(["escucha", "store", "init-state", "--admin-url-env", "ESCUCHA_ADMIN_DB_URL"], env)
            _run(["escucha", "config", "check"], env)
            started = time.time()
            for cmd in (["api-server", "--port", env["SMOKE_API_PORT"]], ["scheduler"], ["dag-processor"]):
                log = open(work / f"{cmd[0]}.log", "wb")
                procs.append(subprocess.Popen([str(Path(sys.executable).parent / "airflow"), *cmd], env=env,
                                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            paged = failed = None
            while time.time() - started < args.limit + 240 and (paged is None or failed is None):
                time.sleep(5)
                if paged is None and any("ana@ien.example.org" in rcpt for _, rcpt in smtp.envelopes):
                    paged = round(time.time() - started)
                if failed is None and _task_failed(env, "collect", "collect_account"):
                    failed = round(time.time() - started)
            out.update(threat_paged_after_s=paged, broken_source_failed_after_s=failed, limit_s=args.limit,
                       pages=[", ".join(r) for _, r in smtp.envelopes],
                       runs=_runs(env))
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        opensearch_node.stop(os_proc)
        pg_server.stop(pg_base)
    ok = out.get("threat_paged_after_s") is not None and out["threat_paged_after_s"] <= args.limit \
        and out.get("broken_source_failed_after_s") is not None
    out["ok"] = ok
    if not ok:
        for name in ("scheduler", "dag-processor", "api-server"):
            tail = (work / f"{name}.log").read_text(errors="replace")[-1500:] if (work / f"{name}.log").exists() else ""
            print(f"--- {name} log (tail) ---\n{tail}", file=sys.stderr)
    print(json.dumps(out))
    return 0 if ok else 1


def _environment(work: Path, pg_url: str, os_url: str, smtp, x) -> dict:
    base = pg_url.rsplit("/", 1)[0]
    from sqlalchemy import create_engine, text

    eng = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text('CREATE DATABASE "airflow"'))
    eng.dispose()
    config = (ROOT / "escucha.example.toml").read_text(encoding="utf-8")
    config = config.replace('# state_url_env = "ESCUCHA_STATE_URL"', 'state_url_env = "ESCUCHA_STATE_URL"')
    # @IEN_Informa's token is one X refuses: its task must fail while @IEN_Oficial's is collected.
    config = config.replace('handle = "@IEN_Informa"\nuser_id = "900002"\ntoken_env = "ESCUCHA_X_BEARER_TOKEN"',
                            'handle = "@IEN_Informa"\nuser_id = "900002"\ntoken_env = "ESCUCHA_X_REVOKED"')
    config += (f'\n[platforms.x]\nbase_url = "{x.base_url}"\n\n[index]\nurl_env = "ESCUCHA_OPENSEARCH_URL"\n')
    (work / "config").mkdir()
    (work / "data").mkdir()
    (work / "config" / "escucha.toml").write_text(config, encoding="utf-8")
    api = str(free_port())
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
               AIRFLOW_HOME=str(work / "airflow"), AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"),
               AIRFLOW__CORE__LOAD_EXAMPLES="False", AIRFLOW__CORE__EXECUTOR="LocalExecutor",
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"{base}/airflow",
               # psycopg 3 for both: Airflow would otherwise derive an asyncpg URL for its async engine
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC=f"{base.replace('+psycopg', '+psycopg_async')}/airflow",
               AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{api}/execution/",
               AIRFLOW__API__PORT=api, SMOKE_API_PORT=api,
               AIRFLOW__API_AUTH__JWT_SECRET="smoke-" + os.urandom(16).hex(),
               AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
               AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5", AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL="5",
               AIRFLOW__CORE__PARALLELISM="4",
               ESCUCHA_CONFIG=str(work / "config" / "escucha.toml"), ESCUCHA_DATA_DIR=str(work / "data"),
               ESCUCHA_STATE_URL=f"{base.replace('postgres@', 'escucha:smoke@')}/escucha",
               ESCUCHA_ADMIN_DB_URL=pg_url, ESCUCHA_OPENSEARCH_URL=os_url,
               ESCUCHA_X_BEARER_TOKEN="smoke-token", ESCUCHA_X_REVOKED="a-revoked-token",
               ESCUCHA_LINK_SECRET="smoke-" + os.urandom(24).hex(),
               ESCUCHA_ANA_WEBHOOK=f"json://127.0.0.1:{free_port()}/hook",
               ESCUCHA_REPORT_EMAIL=smtp.url_for("direccion@ien.example.org"))
    for m in ("ana", "luis", "marta", "jorge"):
        env[f"ESCUCHA_{m.upper()}_EMAIL"] = smtp.url_for(f"{m}@ien.example.org")
    env.pop("ESCUCHA_DATASETS", None)
    return env


def _run(cmd: list[str], env: dict) -> None:
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")


def _db(env):
    from sqlalchemy import create_engine

    return create_engine(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])


def _task_failed(env, dag_id: str, task_id: str) -> bool:
    from sqlalchemy import text

    eng = _db(env)
    try:
        with eng.connect() as c:
            return bool(c.execute(text("SELECT 1 FROM task_instance WHERE dag_id = :d AND task_id = :t AND "
                                       "state = 'failed'"), {"d": dag_id, "t": task_id}).first())
    except Exception:  # the tables appear with the first migration; until then, nothing failed
        return False
    finally:
        eng.dispose()


def _runs(env) -> dict:
    from sqlalchemy import text

    eng = _db(env)
    with eng.connect() as c:
        rows = c.execute(text("SELECT dag_id, state, count(*) FROM dag_run GROUP BY dag_id, state")).all()
    eng.dispose()
    return {f"{d} {s}": n for d, s, n in rows}


if __name__ == "__main__":
    sys.exit(main())
