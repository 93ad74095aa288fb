"""
### weekly_report: the report for communications directors

Mondays at 08:00 in the institution's time zone, the one in its configuration: the report
over the past week (Monday to Sunday, local days), written as HTML and PDF and e-mailed to
the configured recipients. The time zone is read inside the task, never at parse time, so
the DAG wakes hourly through Sunday and Monday (UTC), which covers every zone's Monday
08:00, and the first task lets only that hour's run through; the others show as skipped.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable
from escucha_dags import context, defaults


@dag(is_paused_upon_creation=False,  # active once deployed: nobody has to find and unpause it
     schedule=CronTriggerTimetable("0 * * * 0,1", timezone="UTC"), start_date=datetime(2026, 1, 4),
     catchup=False, max_active_runs=1, default_args=defaults(timedelta(minutes=5), timedelta(minutes=30)),
     tags=["escucha"], doc_md=__doc__)
def weekly_report():
    @task.short_circuit
    def due(logical_date=None) -> bool:
        cfg, _, p = context()
        return p.report_due(cfg, logical_date)

    @task
    def report(logical_date=None) -> dict:
        cfg, store, p = context()
        since, until = p.week_before(cfg, logical_date)
        return p.deliver_report(cfg, store, since, until)

    due() >> report()


weekly_report()
