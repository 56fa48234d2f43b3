"""Opening hours: a weekly calendar of open windows.

Written in scenario files as a mapping from days to hours::

    opening_hours:
      mon-fri: "08:00-20:00"
      sat: ["09:00-13:00", "14:00-17:00"]
      sun: closed

Days not listed are closed; a scenario without ``opening_hours`` is open 24x7.
Deadlines stated in business hours count only open time (see the standards).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, WithJsonSchema

from svcsim.scenario.errors import did_you_mean
from svcsim.scenario.units import parse_clock

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ALIASES = {"daily": WEEKDAYS, "weekdays": WEEKDAYS[:5], "weekend": WEEKDAYS[5:]}
DAY = 86400.0


@dataclass(frozen=True)
class Calendar:
    """Open windows per weekday, in seconds after midnight, Monday first."""

    windows: tuple[tuple[tuple[float, float], ...], ...]

    @classmethod
    def always_open(cls) -> Calendar:
        return cls(tuple(((0.0, DAY),) for _ in WEEKDAYS))

    def open_share(self, starts_s: np.ndarray, length_s: float, first_day: int) -> np.ndarray:
        """Share of each interval ``[start, start + length)`` that is open.

        ``starts_s`` are seconds from the start of the horizon, whose first day is
        weekday ``first_day`` (0 = Monday).
        """
        starts = np.asarray(starts_s, dtype=float)
        ends = starts + length_s
        share = np.zeros_like(starts)
        days = np.floor(starts / DAY).astype(int)
        for day in np.unique(days):
            weekday = (first_day + int(day)) % 7
            for open_s, close_s in self.windows[weekday]:
                lo = np.maximum(starts, day * DAY + open_s)
                hi = np.minimum(ends, day * DAY + close_s)
                share += np.where(days == day, np.clip(hi - lo, 0.0, None), 0.0)
        return share / length_s


    def open_seconds(self, times_s: np.ndarray, first_day: int) -> np.ndarray:
        """Open time elapsed from the start of the horizon to each time, seconds.

        Business-hours durations are differences of this function.
        """
        times = np.asarray(times_s, dtype=float)
        finite = times[np.isfinite(times)]
        days = int(np.ceil((finite.max() if finite.size else 0.0) / DAY)) + 1
        xp, fp, total = [0.0], [0.0], 0.0
        for day in range(days):
            for open_s, close_s in self.windows[(first_day + day) % 7]:
                xp += [day * DAY + open_s, day * DAY + close_s]
                fp += [total, total + close_s - open_s]
                total += close_s - open_s
        return np.interp(times, xp, fp)


def _days(spec: str) -> tuple[str, ...]:
    key = spec.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    if key in WEEKDAYS:
        return (key,)
    if "-" in key:
        first, last = (part.strip() for part in key.split("-", 1))
        if first in WEEKDAYS and last in WEEKDAYS:
            i, j = WEEKDAYS.index(first), WEEKDAYS.index(last)
            return tuple(WEEKDAYS[(i + k) % 7] for k in range((j - i) % 7 + 1))
    choices = list(WEEKDAYS) + list(_ALIASES)
    raise ValueError(
        f"'{spec}' is not a day{did_you_mean(key, choices)}; use mon..sun, a range such as "
        "mon-fri, or daily / weekdays / weekend"
    )


def _window(spec: str, days: str) -> tuple[float, float]:
    if "-" not in spec:
        raise ValueError(f"{days}: expected hours such as '08:00-20:00', got {spec!r}")
    first, last = spec.split("-", 1)
    open_s, close_s = parse_clock(first), parse_clock(last)
    if close_s <= open_s:
        raise ValueError(
            f"{days}: '{spec}' closes before it opens; split a window past midnight "
            "over two days ('22:00-24:00' and '00:00-06:00')"
        )
    return open_s, close_s


def parse_calendar(value: Any) -> Calendar:
    """Build a :class:`Calendar` from the scenario-file mapping."""
    if isinstance(value, Calendar):
        return value
    if not isinstance(value, dict) or not value:
        raise ValueError("expected a mapping of days to hours, e.g. {mon-fri: '08:00-20:00'}")
    windows: dict[str, list[tuple[float, float]]] = {day: [] for day in WEEKDAYS}
    seen: dict[str, str] = {}
    for days_spec, hours in value.items():
        if hours is None or (isinstance(hours, str) and hours.strip().lower() == "closed"):
            hours_list: list[str] = []
        elif isinstance(hours, str):
            hours_list = [part for part in (h.strip() for h in hours.split(",")) if part]
        elif isinstance(hours, list) and all(isinstance(h, str) for h in hours):
            hours_list = hours
        else:
            raise ValueError(f"{days_spec}: expected hours such as '08:00-20:00', got {hours!r}")
        for day in _days(str(days_spec)):
            if day in seen:
                raise ValueError(f"{day} is given twice (in '{seen[day]}' and '{days_spec}')")
            seen[day] = str(days_spec)
            windows[day] = sorted(_window(h, str(days_spec)) for h in hours_list)
    for day, spans in windows.items():
        for (_, close_s), (next_open, _) in pairwise(spans):
            if next_open < close_s:
                raise ValueError(f"{day}: open windows overlap")
    return Calendar(tuple(tuple(windows[day]) for day in WEEKDAYS))


OpeningHours = Annotated[
    Calendar,
    BeforeValidator(parse_calendar),
    WithJsonSchema(
        {
            "type": "object",
            "description": "days (mon..sun, mon-fri, daily, weekdays, weekend) to hours "
            "('08:00-20:00', a list of such windows, or 'closed')",
            "additionalProperties": {
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
            },
        }
    ),
]
"""A weekly calendar, written as a mapping of days to hours in scenario files."""
