"""
### escucha: collect → classify → index → detect → escalate

Every 5 minutes: pull new mentions of the institution's accounts, score them,
index them, open or update incidents and page the crisis committee. Each task
calls one function of `escucha.pipeline`, the same one the CLI runs.

The configuration path comes from the Airflow variable `escucha_config` or the
environment variable `ESCUCHA_CONFIG`, read inside the tasks (never at parse time).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

DEFAULT_ARGS = {"retries": 2, "retry_delay": timedelta(minutes=1)}


def _context():
    """Config and store, built inside a task from the variable or the environment."""
    import os

    from escucha import config, pipeline

    path = os.environ.get("ESCUCHA_CONFIG", "")
    if not path:
        from airflow.sdk import Variable

        path = Variable.get("escucha_config", default="escucha.toml")
    cfg = config.load(path)
    return cfg, pipeline.open_store(cfg), pipeline


@dag(schedule=timedelta(minutes=5), start_date=datetime(2026, 1, 1), catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["escucha", "pipeline"], doc_md=__doc__)
def escucha_pipeline():
    @task
    def collect() -> dict:
        cfg, store, p = _context()
        return p.collect_mentions(cfg, store, ("x",))

    @task
    def classify(_collected: dict) -> dict:
        cfg, store, p = _context()
        return p.classify_new(cfg, store)

    @task
    def index(_classified: dict) -> dict:
        cfg, store, p = _context()
        return p.index_mentions(cfg, store)

    @task
    def detect(_indexed: dict) -> dict:
        cfg, store, p = _context()
        return p.detect_incidents(cfg, store)

    @task
    def escalate(_detected: dict) -> dict:
        cfg, store, p = _context()
        return p.escalate(cfg, store)

    escalate(detect(index(classify(collect()))))


escucha_pipeline()
