"""Periods as people name them (escucha/periods.py): the weekly report's schedule is due
exactly once a week in every time zone the hourly Sunday-Monday UTC runs can meet, and it
covers the last local week, whole, across a daylight-saving change."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from escucha import periods
from escucha.errors import InputError

ZONES = ["America/Mexico_City", "America/Lima", "Europe/Madrid", "Africa/Dakar", "Asia/Kolkata",
         "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/St_Johns"]


@pytest.mark.parametrize("zone", ZONES)
def test_the_report_is_due_once_a_week_at_eight_on_monday_local(zone):
    tz = ZoneInfo(zone)
    for week in range(60):  # more than a year: both sides of every DST change
        sunday = datetime(2026, 1, 4, tzinfo=timezone.utc) + timedelta(weeks=week)
        runs = [sunday + timedelta(hours=h) for h in range(48)]  # the DAG's cron: hourly, Sun and Mon UTC
        due = [r for r in runs if periods.report_due(r, tz)]
        assert len(due) == 1, (zone, sunday, due)
        local = due[0].astimezone(tz)
        assert local.weekday() == 0 and local.hour == 8


@pytest.mark.parametrize("zone", ["Europe/Madrid", "America/Mexico_City", "America/Santiago"])
def test_the_week_before_is_seven_local_days_across_dst(zone):
    tz = ZoneInfo(zone)
    for week in range(60):
        at = datetime(2026, 1, 5, 8, 30, tzinfo=tz) + timedelta(weeks=week)
        start, end = periods.week_before(at, tz)
        s, e = start.astimezone(tz), end.astimezone(tz)
        assert (s.weekday(), s.hour, s.minute, e.weekday(), e.hour) == (0, 0, 0, 0, 0)
        assert (e.date() - s.date()).days == 7 and e <= at


def test_days_are_local_and_both_included():
    tz = ZoneInfo("America/Mexico_City")
    start, end = periods.period("2026-11-09", "2026-11-15", tz)
    assert (start, end) == (datetime(2026, 11, 9, 6, tzinfo=timezone.utc), datetime(2026, 11, 16, 6, tzinfo=timezone.utc))
    with pytest.raises(InputError, match="since 2026-11-15 and until 2026-11-09"):
        periods.period("2026-11-15", "2026-11-09", tz, names=("since", "until"))
    with pytest.raises(InputError, match="since must be a date"):
        periods.period("15/11/2026", "2026-11-20", tz, names=("since", "until"))
