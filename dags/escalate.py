"""
### escalate: page the crisis committee

Every minute: one escalation tick over the open incidents (`escucha escalate`).
Safe when two runs overlap: a step and each send are claimed in the store first.
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


@dag(schedule=timedelta(minutes=1), start_date=datetime(2026, 1, 1), catchup=False, max_active_runs=1,
     default_args={"retries": 2, "retry_delay": timedelta(seconds=20)}, tags=["escucha"], doc_md=__doc__)
def escalate():
    @task
    def tick() -> dict:
        cfg, store, pipeline = escucha_context()
        # An incident that reached nobody fails the task (retried, then red in the UI).
        return pipeline.check_paged(pipeline.escalate(cfg, store))

    tick()


escalate()
