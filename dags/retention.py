"""
### retention: personal data is kept no longer than configured

Daily: remove posts their authors deleted on the platforms, then delete mentions older
than `store.retention_days`; both are recorded in the audit log.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from escucha.pipeline import task_context as pipeline_context


def escucha_context():
    """Config, store and pipeline, read inside the task; a broken config fails at once."""
    from airflow.exceptions import AirflowFailException
    from airflow.sdk import Variable

    return pipeline_context(Variable.get, AirflowFailException)


@dag(schedule="@daily", start_date=datetime(2026, 1, 1), catchup=False,
     default_args={"retries": 2, "retry_delay": timedelta(minutes=5)}, tags=["escucha", "privacy"], doc_md=__doc__)
def retention():
    @task
    def sweep_deleted() -> dict:
        cfg, store, pipeline = escucha_context()
        return pipeline.sweep_deleted_posts(cfg, store)

    @task
    def apply(_swept: dict) -> dict:
        cfg, store, pipeline = escucha_context()
        return pipeline.apply_retention(cfg, store)

    apply(sweep_deleted())


retention()
