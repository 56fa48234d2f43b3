"""How the horizon's days are named on what a planner sends on: the weekday
and date (``Mon 7 Dec``) when the scenario gives ``horizon.start_date``,
else the weekday alone."""

from __future__ import annotations

import datetime as dt

from svcsim.scenario import Scenario
from svcsim.scenario.calendar import WEEKDAYS

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_dates(scenario: Scenario) -> list[dt.date] | None:
    """The date of each day of the horizon, or None when the scenario gives
    no ``horizon.start_date``."""
    start = scenario.horizon.start_date
    if start is None:
        return None
    return [start + dt.timedelta(days=d) for d in range(scenario.horizon.days)]


def weekday_and_date(day: dt.date) -> str:
    """``Mon 7 Dec`` (English, whatever the machine's locale)."""
    return f"{WEEKDAYS[day.weekday()].capitalize()} {day.day} {MONTHS[day.month - 1]}"


def day_labels(scenario: Scenario) -> list[str]:
    """Headers for the horizon's days: weekday and date when the scenario
    gives its start date (``Mon 7 Dec``); else the weekday, with the day
    number when the horizon is longer than a day (``Tue``, or ``Mon (day 1)``)."""
    dates = day_dates(scenario)
    if dates is not None:
        return [weekday_and_date(d) for d in dates]
    days = scenario.horizon.days
    names = [WEEKDAYS[(scenario.first_weekday + d) % 7].capitalize() for d in range(days)]
    return names if days == 1 else [f"{name} (day {d + 1})" for d, name in enumerate(names)]


__all__ = ["day_dates", "day_labels", "weekday_and_date"]
