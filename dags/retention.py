"""
### retention: personal data is kept no longer than configured

Daily: remove posts their authors deleted on the platforms, then delete mentions older
than `store.retention_days`; both are recorded in the audit log.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task
from escucha_dags import context, defaults


@dag(is_paused_upon_creation=False,  # active once deployed: nobody has to find and unpause it
     schedule="@daily", start_date=datetime(2026, 1, 1), catchup=False,
     default_args=defaults(timedelta(minutes=5), timedelta(hours=1)), tags=["escucha", "privacy"], doc_md=__doc__)
def retention():
    @task
    def sweep_deleted() -> dict:
        cfg, store, p = context()
        return p.sweep_deleted_posts(cfg, store)

    @task(trigger_rule="all_done")  # a platform that cannot be asked must not keep old data past its term
    def apply(_swept) -> dict:
        cfg, store, p = context()
        return p.apply_retention(cfg, store)

    apply(sweep_deleted())


retention()
