"""A rota built day by day, without a solver: who works which shift.

The shifts of a solved roster are named day after day. Each day is one
assignment problem (people x that day's shifts, plus "off"), solved exactly
by :func:`scipy.optimize.linear_sum_assignment`: the people with the most
days left in their week work first (the rule that never strands a later
day's demand when any day-off pattern is allowed), a shift goes only to
someone whose previous shift (and, on the last day, whose first, as the week
wraps) leaves the rest the rules ask, and among those to whoever started
nearest the same clock time before, so start times stay steady. When a day
cannot be staffed by the people so far, one more is added.

Full-time and part-time shifts are named apart (an agent works one kind),
so the fewest agents any rota can have is each kind's own bound
(:func:`people_bound`) summed: a rota that reaches it is proved optimal, and
no solver is needed. The caller checks weekly hours and start-time limits
(:func:`keeps_rules`) and falls back to the CP-SAT model when they fail.
"""

from __future__ import annotations

import numpy as np

from svcsim.roster.shifts import ShiftOption
from svcsim.scenario.shifts import ShiftRules

Lines = list[list[int | None]]
"""Each agent's option index per day, or None on a day off."""

_BLOCKED = 1e15
"""Cost of an assignment the rules forbid."""


def people_bound(shifts_per_day: list[int], max_days: int) -> int:
    """Fewest agents who can work these shifts, each at most ``max_days`` days
    and one shift a day (any days-off pattern allowed)."""
    days = len(shifts_per_day)
    limit = min(max_days, days)
    return max(max(shifts_per_day, default=0), -(-sum(shifts_per_day) // limit))


def contract_bound(options: list[ShiftOption], agents: dict[int, int], days: int,
                   max_days: int) -> int:
    """Fewest agents of any rota: each contract kind's :func:`people_bound`, summed."""
    total = 0
    for part in (False, True):
        per_day = [sum(c for k, c in agents.items()
                       if options[k].day == d and options[k].part_time is part)
                   for d in range(days)]
        total += people_bound(per_day, max_days)
    return total


def build_lines(options: list[ShiftOption], agents: dict[int, int], days: int,
                interval_s: float, rules: ShiftRules) -> Lines:
    """Name an agent for every shift of ``agents`` (option index -> count),
    each working at most ``rules.max_days_per_week`` days, one contract kind,
    ``rules.min_rest`` apart (weekly hours and start-time limits not
    considered). Deterministic: the same roster gives the same lines."""
    lines: Lines = []
    for part in (False, True):
        mine = {k: c for k, c in agents.items() if options[k].part_time is part}
        if mine:
            lines += _one_kind(options, mine, days, interval_s, rules)
    return lines


def _one_kind(options, agents, days, interval_s, rules: ShiftRules) -> Lines:
    step_min = interval_s / 60
    most = min(rules.max_days_per_week, days)
    rest = rules.min_rest / 60
    by_day = [sorted((k for k, c in agents.items() if options[k].day == d for _ in range(c)),
                     key=lambda k: options[k].start) for d in range(days)]
    people = people_bound([len(s) for s in by_day], rules.max_days_per_week)
    lines: Lines = [[None] * days for _ in range(people)]
    start = {k: options[k].start * step_min for k in agents}
    end = {k: (options[k].start + options[k].length) * step_min for k in agents}
    week = days * 1440
    for d in range(days):
        shifts = by_day[d]
        while True:
            chosen = _assign_day(lines, shifts, d, days, most, rest, start, end, week)
            if chosen is not None:
                break
            lines.append([None] * days)  # nobody so far can take a shift: one more agent
        for person, k in chosen.items():
            lines[person][d] = k
    return [line for line in lines if any(k is not None for k in line)]


def _assign_day(lines: Lines, shifts: list[int], d: int, days: int, most: int, rest: float,
                start: dict, end: dict, week: float) -> dict[int, int] | None:
    """Person -> shift for day ``d``, or None when some shift finds nobody."""
    people = len(lines)
    if len(shifts) > people:
        return None
    left = [most - sum(k is not None for k in line) for line in lines]
    scale = 1440.0 * (len(shifts) + 1)  # days left outrank any clock drift
    cost = np.zeros((people, people))
    for p, line in enumerate(lines):
        previous = line[d - 1] if d > 0 else None
        following = line[0] if d == days - 1 and days > 1 else None
        clock = _last_clock(line, d, start)
        for j, k in enumerate(shifts):
            if left[p] <= 0 or (previous is not None and start[k] - end[previous] < rest) or (
                    following is not None and start[following] + week - end[k] < rest):
                cost[p, j] = _BLOCKED
            elif clock is not None:
                cost[p, j] = abs((start[k] - d * 1440) - clock)
        cost[p, len(shifts):] = scale * left[p]  # off: rest those with the fewest days left
    from scipy.optimize import linear_sum_assignment  # loaded only for a rota (see relaxation)

    rows, cols = linear_sum_assignment(cost)
    if cost[rows, cols].max(initial=0) >= _BLOCKED:
        return None
    return {int(p): shifts[j] for p, j in zip(rows, cols, strict=True) if j < len(shifts)}


def _last_clock(line: list[int | None], d: int, start: dict) -> float | None:
    """Minutes after midnight of the person's latest shift before day ``d``."""
    for day in range(d - 1, -1, -1):
        if line[day] is not None:
            return start[line[day]] - day * 1440
    return None


def keeps_rules(options: list[ShiftOption], lines: Lines, interval_s: float,
                rules: ShiftRules) -> bool:
    """Whether every agent's week is within the contract's weekly paid hours
    and its start times (minutes after midnight) within ``max_start_change``
    of each other, as the CP-SAT rota model states them."""
    step_min = interval_s / 60
    for line in lines:
        worked = [(d, options[k]) for d, k in enumerate(line) if k is not None]
        contract = "part_time" if worked[0][1].part_time else "full_time"
        span = getattr(rules.weekly_hours, contract)
        paid_min = sum(int(round(o.paid_hours * 60)) for _, o in worked)
        if span is not None and not int(span[0] / 60) <= paid_min <= int(span[1] / 60):
            return False
        if rules.max_start_change is not None:
            clocks = [int(o.start * step_min - d * 1440) for d, o in worked]
            if max(clocks) - min(clocks) > int(rules.max_start_change / 60):
                return False
    return True


__all__ = ["Lines", "build_lines", "contract_bound", "keeps_rules", "people_bound"]
