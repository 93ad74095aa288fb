"""
### escalate: page the crisis committee

Every minute: escucha's own silence check (an account or feed with no successful
collection for `[detection] blind_minutes` opens an incident for the operations contacts),
then one escalation tick over the open incidents (`escucha escalate`). Safe when two runs
overlap: a step and each send are claimed in the store first.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task
from escucha_dags import context, defaults


@dag(is_paused_upon_creation=False,  # active once deployed: nobody has to find and unpause it
     schedule=timedelta(minutes=1), start_date=datetime(2026, 1, 1), catchup=False, max_active_runs=1,
     default_args=defaults(timedelta(seconds=20), timedelta(minutes=5)), tags=["escucha"], doc_md=__doc__)
def escalate():
    @task
    def tick() -> dict:
        cfg, store, p = context()
        # An incident that reached nobody fails the task (retried, then red in the UI).
        return p.check_paged(p.escalate(cfg, store))

    tick()


escalate()
