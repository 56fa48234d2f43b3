"""Shift rules for the roster scheduler: shift types, placed breaks, labour limits."""

from __future__ import annotations

from pydantic import Field, model_validator

from svcsim.scenario.base import Spec
from svcsim.scenario.names import Name
from svcsim.scenario.units import ClockTime, Duration, Share, format_duration


class BreakRule(Spec):
    """A break placed inside a shift, starting inside ``window`` (measured from
    the shift start), e.g. 15 min between hours 2 and 3."""

    name: Name
    length: Duration = Field(gt=0)
    paid: bool = True
    window: tuple[Duration, Duration] = Field(description="[earliest, latest] start after shift start")

    @model_validator(mode="after")
    def _window(self) -> BreakRule:
        if self.window[1] < self.window[0]:
            raise ValueError("window: the latest start comes before the earliest")
        return self


class ShiftType(Spec):
    """A shift length with its breaks and cost."""

    name: Name
    length: Duration = Field(gt=0, description="from start to end, breaks included")
    part_time: bool = False
    cost_per_hour: float | None = Field(None, ge=0, description="per paid hour; default: the rules'")
    breaks: tuple[BreakRule, ...] = ()

    @model_validator(mode="after")
    def _breaks_fit(self) -> ShiftType:
        for i, rule in enumerate(self.breaks):
            if rule.window[1] + rule.length > self.length:
                raise ValueError(
                    f"breaks[{i}] ('{rule.name}') may end after the {format_duration(self.length)} "
                    "shift; move its window earlier"
                )
        if self.paid_hours <= 0:
            raise ValueError("unpaid breaks take up the whole shift")
        return self

    @property
    def paid_hours(self) -> float:
        """Paid time, hours: the shift length less its unpaid breaks."""
        unpaid = sum(rule.length for rule in self.breaks if not rule.paid)
        return (self.length - unpaid) / 3600.0


class WeeklyHours(Spec):
    """Paid hours a week each contract allows: ``[least, most]``, e.g.
    ``full_time: [35h, 40h]``. An agent keeps one contract all week: a
    full-time agent works only full-time shifts, a part-time one only shifts
    marked ``part_time``."""

    full_time: tuple[Duration, Duration] | None = None
    part_time: tuple[Duration, Duration] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> WeeklyHours:
        for key in ("full_time", "part_time"):
            span = getattr(self, key)
            if span is not None and span[1] < span[0]:
                raise ValueError(f"{key}: the most hours come before the least")
        return self


class ShiftRules(Spec):
    """The rules a roster must follow for the pools that name them."""

    shifts: tuple[ShiftType, ...] = Field(min_length=1)
    start_granularity: Duration = Field(900.0, gt=0, description="shifts start on this grid")
    earliest_start: ClockTime = 0.0
    latest_start: ClockTime = Field(86400.0 - 900.0)
    latest_end: ClockTime | None = Field(
        None, description="shifts must end by this clock time the same day (e.g. closing)"
    )
    max_part_time_share: Share = Field(1.0, description="of headcount")
    cost_per_hour: float = Field(0.0, ge=0, description="per paid hour, unless a shift says")
    max_days_per_week: int = Field(5, ge=1, le=7, description="for week horizons")
    min_rest: Duration = Field(11 * 3600.0, description="between two shifts of one agent")
    max_start_change: Duration | None = Field(
        None, ge=0, description="most difference between any two start times of one agent "
        "in the week (e.g. 2h); none = not capped (kept as steady as the roster allows)")
    weekly_hours: WeeklyHours = Field(
        default_factory=WeeklyHours, description="paid hours a week per contract "
        "(full_time, part_time), for rosters longer than a day")

    @model_validator(mode="after")
    def _consistent(self) -> ShiftRules:
        if self.latest_start < self.earliest_start:
            raise ValueError("latest_start comes before earliest_start")
        if self.latest_start >= 86400:
            raise ValueError("latest_start must be before 24:00")
        names = [shift.name for shift in self.shifts]
        if len(set(names)) != len(names):
            raise ValueError("shift names must be unique")
        return self
