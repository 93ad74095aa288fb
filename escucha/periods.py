"""Periods as people name them: local days of the institution's time zone, both ends
included, and the week a Monday report covers. One place for the CLI's --from/--to, the
reprocess DAG's days and the weekly report's schedule, so the same days give the same
mentions whichever door asks.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from escucha.errors import InputError
from escucha.records import parse_time, utcnow

REPORT_WEEKDAY, REPORT_HOUR = 0, 8  # the weekly report: Mondays at 08:00, local time


def moment(value: str | None, name: str, tz: ZoneInfo | None = None) -> datetime | None:
    """A date or a time as typed; with ``tz``, a date (or a time without an offset) is the
    institution's local one: 2026-12-01 starts at its midnight there."""
    if value is None:
        return None
    try:
        if tz is not None:
            t = datetime.fromisoformat(value.strip())
            return parse_time(t if t.tzinfo else t.replace(tzinfo=tz), name)
        return parse_time(value if "T" in value else value + "T00:00:00", name)
    except (InputError, ValueError):
        raise InputError(f"{name} must be a date YYYY-MM-DD or an ISO time; got {value!r}") from None


def period(since: str | None, until: str | None, tz: ZoneInfo, days: int = 7,
           names: tuple[str, str] = ("--from", "--to")) -> tuple[datetime, datetime]:
    """[start, end) of a period given as local days, both included: 2026-11-09 to
    2026-11-15 is that whole week in the institution's zone (an end with a time is that
    moment). Without an end, until now; without a start, the ``days`` before the end."""
    end = moment(until, names[1], tz)
    if end is not None and len(until.strip()) == 10:  # a bare date: the day is included
        end += timedelta(days=1)
    end = end or utcnow()
    start = moment(since, names[0], tz) or end - timedelta(days=days)
    if end <= start:  # named as typed: swapped dates would otherwise read like a quiet period
        raise InputError(f"the period must end after it starts; got {names[0]} {since or start.date()} "
                         f"and {names[1]} {until or 'now'}")
    return start, end


def report_due(at: datetime, tz: ZoneInfo) -> bool:
    """Whether ``at`` falls in the weekly report's local hour (Monday 08:00-08:59)."""
    local = at.astimezone(tz)
    return local.weekday() == REPORT_WEEKDAY and local.hour == REPORT_HOUR


def week_before(at: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The last whole local week (Monday 00:00 to Monday 00:00) before ``at``."""
    local = at.astimezone(tz)
    monday = (local - timedelta(days=local.weekday())).date()
    end = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    start_day = monday - timedelta(days=7)
    start = datetime(start_day.year, start_day.month, start_day.day, tzinfo=tz)  # a DST change is not 7*24 h
    return parse_time(start), parse_time(end)


def local(tz: ZoneInfo, at: datetime | None) -> str:
    """A time as people read it in pages, the workspace and exports: the institution's zone,
    to the minute ("2026-11-10 03:12"); "" for no time."""
    return f"{at.astimezone(tz):%Y-%m-%d %H:%M}" if at else ""
