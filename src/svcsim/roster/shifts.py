"""Concrete shifts: every (shift type, day, start) a pool's shift rules allow,
with the interval offsets where each of its breaks may start.

Times are interval indices on the scenario's grid. The horizon is taken to
repeat (a steady-state day or week), so a shift running past its end wraps
round to the start: a night shift crossing midnight on the last day covers
the early hours of the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcsim.scenario import Scenario
from svcsim.scenario.shifts import ShiftRules, ShiftType


@dataclass(frozen=True)
class BreakOption:
    """Where one break of a shift may go: start intervals (absolute, unwrapped)."""

    name: str
    length_s: float
    paid: bool
    starts: tuple[int, ...]


@dataclass(frozen=True)
class ShiftOption:
    """One shift a pool may staff, any number of times."""

    pool: str
    shift: str
    day: int
    start: int  # interval index, unwrapped
    length: int  # intervals
    part_time: bool
    paid_hours: float
    cost: float  # per agent working it
    breaks: tuple[BreakOption, ...]

    def covers(self, n_intervals: int) -> list[int]:
        """Intervals (wrapped) the shift spans, breaks included."""
        return [(self.start + k) % n_intervals for k in range(self.length)]


def shift_options(scenario: Scenario, pool: str) -> list[ShiftOption]:
    """Every shift the pool's rules allow over the horizon.

    Raises
    ------
    ValueError
        When the pool names no shift rules, or a shift length is not a whole
        number of intervals.
    """
    spec = scenario.pool(pool)
    if spec.shift_rules is None:
        raise ValueError(f"pool '{pool}' names no shift_rules, so it cannot be rostered")
    rules = scenario.shift_rules[spec.shift_rules]
    step = scenario.interval_s
    per_day = int(round(86400 / step))
    options = []
    for shift in rules.shifts:
        length = shift.length / step
        if length != int(length):
            raise ValueError(f"shift '{shift.name}' ({shift.length / 3600:g} h) is not a whole "
                             f"number of {step / 60:g}-minute intervals")
        for day in range(scenario.horizon.days):
            for start in _starts(rules, step):
                if rules.latest_end is not None and (start + length) * step > rules.latest_end:
                    continue
                first = day * per_day + start
                options.append(ShiftOption(
                    pool=pool, shift=shift.name, day=day, start=first, length=int(length),
                    part_time=shift.part_time, paid_hours=shift.paid_hours,
                    cost=shift.paid_hours * _rate(rules, shift),
                    breaks=tuple(_break_options(shift, first, step)),
                ))
    return options


def _starts(rules: ShiftRules, step: float) -> list[int]:
    granularity = int(round(rules.start_granularity / step))
    first = int(-(-rules.earliest_start // step))  # round up onto the grid
    last = int(rules.latest_start // step)
    return list(range(first, last + 1, max(granularity, 1)))


def _rate(rules: ShiftRules, shift: ShiftType) -> float:
    return shift.cost_per_hour if shift.cost_per_hour is not None else rules.cost_per_hour


def _break_options(shift: ShiftType, first: int, step: float):
    for rule in shift.breaks:
        lo = int(-(-rule.window[0] // step))
        hi = int(rule.window[1] // step)
        starts = tuple(first + k for k in range(lo, hi + 1))
        if not starts:
            raise ValueError(f"break '{rule.name}' of shift '{shift.name}': its window "
                             f"holds no start on the {step / 60:g}-minute grid")
        yield BreakOption(rule.name, rule.length, rule.paid, starts)


def break_minutes(option: BreakOption, start: int, step_s: float) -> dict[int, int]:
    """Minutes of each (unwrapped) interval a break starting at ``start`` takes."""
    step = int(round(step_s / 60))
    left = int(round(option.length_s / 60))
    taken, interval = {}, start
    while left > 0:
        taken[interval] = min(step, left)
        left -= step
        interval += 1
    return taken
