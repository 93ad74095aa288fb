"""
### weekly_report: the report for communications directors

Mondays at 08:00 in the institution's time zone (`$ESCUCHA_TIMEZONE`, default
America/Mexico_City): the report over the data interval (the past week), written
as HTML and PDF and e-mailed to the configured recipients.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from escucha.pipeline import task_context as pipeline_context

TZ = os.environ.get("ESCUCHA_TIMEZONE", "America/Mexico_City")


def escucha_context():
    """Config, store and pipeline, read inside the task; a broken config fails at once."""
    from airflow.exceptions import AirflowFailException
    from airflow.sdk import Variable

    return pipeline_context(Variable.get, AirflowFailException)


@dag(schedule=CronDataIntervalTimetable("0 8 * * 1", timezone=TZ), start_date=datetime(2026, 1, 5),
     catchup=False, default_args={"retries": 2, "retry_delay": timedelta(minutes=5)}, tags=["escucha"],
     doc_md=__doc__)
def weekly_report():
    @task
    def report(data_interval_start=None, data_interval_end=None) -> dict:
        cfg, store, pipeline = escucha_context()
        return pipeline.deliver_report(cfg, store, data_interval_start, data_interval_end)

    report()


weekly_report()
