"""
### collect: the listening pipeline

Every 5 minutes: collect new mentions for each owned account (one mapped task per
account), score them (one mapped task per share of the mentions, `[classifier] shards`,
so that several workers split an election night), index them, and open or update
incidents. Escalation runs in its own DAG every minute. Each task calls one function of
`escucha.pipeline`, the same one the CLI runs; the configuration path comes from
`$ESCUCHA_CONFIG` or the Airflow variable `escucha_config`, read inside the tasks.

An account nothing could be collected from fails its own task (after retries: red in the
UI) while the other accounts' posts go on to be scored and detected; escucha's own
silence check pages the operations contacts if it lasts (`[detection] blind_minutes`).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task
from escucha_dags import context, defaults


@dag(is_paused_upon_creation=False,  # active once deployed: nobody has to find and unpause it
     schedule=timedelta(minutes=5), start_date=datetime(2026, 1, 1), catchup=False, max_active_runs=1,
     default_args=defaults(timedelta(minutes=1), timedelta(minutes=10)), tags=["escucha"], doc_md=__doc__)
def collect():
    @task
    def targets() -> list[dict]:
        cfg, _, p = context()
        return p.collect_targets(cfg)

    @task
    def collect_account(target: dict) -> dict:
        cfg, store, p = context()
        return p.require_collected(p.collect_mentions(cfg, store, (target["source"],), account=target["account"]))

    @task(trigger_rule="all_done")  # one deaf account must not leave the others' posts unscored
    def shards(_collected) -> list[list[int]]:
        cfg, _, _ = context()
        return [[i, cfg.shards] for i in range(cfg.shards)]

    @task(execution_timeout=timedelta(minutes=30))
    def classify(shard: list[int]) -> dict:
        cfg, store, p = context()
        return p.classify_new(cfg, store, shard=tuple(shard))

    @task
    def index(_classified) -> dict:
        cfg, store, p = context()
        return p.index_mentions(cfg, store)

    @task
    def detect(_indexed: dict) -> dict:
        cfg, store, p = context()
        return p.detect_incidents(cfg, store)

    @task
    def every_account_heard(collected) -> int:
        # A leaf that runs only when every account's collection succeeded: a deaf account
        # leaves it upstream_failed, so the run is red even though detection went on.
        return len(collected)

    collected = collect_account.expand(target=targets())
    detect(index(classify.expand(shard=shards(collected))))
    every_account_heard(collected)


collect()
