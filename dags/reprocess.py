"""
### reprocess: score a period again

Manual: after a model update, forget the scores of mentions posted from the day `since`
to the day `until`, both included, as local days of the institution's time zone (the
configuration's, as for `escucha report --from --to`), and score them with the current model.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task
from escucha_dags import context, defaults


@dag(is_paused_upon_creation=False,  # active once deployed: nobody has to find and unpause it
     schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["escucha", "manual"], doc_md=__doc__,
     default_args=defaults(timedelta(minutes=1), timedelta(hours=6)),
     params={"since": Param("2026-01-01", type="string", description="first day (YYYY-MM-DD)"),
             "until": Param("2026-12-31", type="string", description="last day, included (YYYY-MM-DD)")})
def reprocess():
    @task
    def reclassify(params=None) -> dict:
        cfg, store, p = context()
        since, until = p.local_days(cfg, params["since"], params["until"])
        return p.reclassify(cfg, store, since, until)

    reclassify()


reprocess()
