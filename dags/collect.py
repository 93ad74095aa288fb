"""
### collect: the listening pipeline

Every 5 minutes: collect new mentions for each owned account (one mapped task per
account), score them (one mapped task per share of the mentions, `[classifier] shards`,
so that several workers split an election night), index them, and open or update
incidents. Escalation runs in
its own DAG every minute. Each task calls one function of `escucha.pipeline`, the
same one the CLI runs; the configuration path comes from `$ESCUCHA_CONFIG` or the
Airflow variable `escucha_config`, read inside the tasks, never at parse time.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from escucha.pipeline import task_context as pipeline_context

DEFAULT_ARGS = {"retries": 2, "retry_delay": timedelta(minutes=1)}


def escucha_context():
    """Config, store and pipeline, read inside the task; a broken config fails at once."""
    from airflow.exceptions import AirflowFailException
    from airflow.sdk import Variable

    return pipeline_context(Variable.get, AirflowFailException)


@dag(schedule=timedelta(minutes=5), start_date=datetime(2026, 1, 1), catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["escucha"], doc_md=__doc__)
def collect():
    @task
    def targets() -> list[dict]:
        cfg, _, p = escucha_context()
        return p.collect_targets(cfg)

    @task
    def collect_account(target: dict) -> dict:
        cfg, store, p = escucha_context()
        return p.collect_mentions(cfg, store, (target["source"],), account=target["account"])

    @task
    def shards(_collected) -> list[list[int]]:
        cfg, _, _ = escucha_context()
        return [[i, cfg.shards] for i in range(cfg.shards)]

    @task
    def classify(shard: list[int]) -> dict:
        cfg, store, p = escucha_context()
        return p.classify_new(cfg, store, shard=tuple(shard))

    @task
    def index(_classified) -> dict:
        cfg, store, p = escucha_context()
        return p.index_mentions(cfg, store)

    @task
    def detect(_indexed: dict) -> dict:
        cfg, store, p = escucha_context()
        return p.detect_incidents(cfg, store)

    detect(index(classify.expand(shard=shards(collect_account.expand(target=targets())))))


collect()
