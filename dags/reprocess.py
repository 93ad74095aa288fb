"""
### reprocess: score a period again

Manual: after a model update, forget the scores of mentions created between
`since` and `until` (ISO dates) and score them with the current model.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task

from escucha.pipeline import task_context as pipeline_context


def escucha_context():
    """Config, store and pipeline, read inside the task; a broken config fails at once."""
    from airflow.exceptions import AirflowFailException
    from airflow.sdk import Variable

    return pipeline_context(Variable.get, AirflowFailException)


@dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["escucha", "manual"], doc_md=__doc__,
     default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
     params={"since": Param("2026-01-01", type="string", description="first day (YYYY-MM-DD)"),
             "until": Param("2026-12-31", type="string", description="day after the last (YYYY-MM-DD)")})
def reprocess():
    @task
    def reclassify(params=None) -> dict:
        from escucha.records import parse_time

        cfg, store, pipeline = escucha_context()
        return pipeline.reclassify(cfg, store, parse_time(params["since"] + "T00:00:00", "since"),
                                   parse_time(params["until"] + "T00:00:00", "until"))

    reclassify()


reprocess()
