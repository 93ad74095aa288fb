"""What escucha's DAG files share: the task context and the task defaults.

Airflow puts the DAGs folder on the import path, so each DAG file imports this module by
name (so do the tests, and the image, which copies the folder whole). It defines no DAG.
"""
from __future__ import annotations

from datetime import timedelta


def context():
    """(config, store, pipeline) read inside a task, never at parse time; a broken
    configuration fails the task at once, without retries, with the message of
    `escucha config check`."""
    from airflow.exceptions import AirflowFailException
    from airflow.sdk import Variable

    from escucha.pipeline import task_context

    return task_context(Variable.get, AirflowFailException)


def defaults(retry_delay: timedelta, timeout: timedelta) -> dict:
    """Retries for what a retry can fix (a platform's 503, a busy SMTP server), and a limit
    on every task, so a stalled source fails loudly instead of holding the DAG's one run."""
    return {"retries": 2, "retry_delay": retry_delay, "execution_timeout": timeout}
