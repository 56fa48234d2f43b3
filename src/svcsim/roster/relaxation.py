"""The shift model's linear relaxation, solved by HiGHS (through scipy): a
start for a multi-day search.

Over a week of shifts crossing midnight the CP-SAT search, from nothing or
from a greedy cover, finds few better rosters within its limit. The linear
relaxation of the same model (agents per shift and per break start as
fractions; coverage in agent-minutes; per contract kind, people at least
each day's shifts and all shifts over the days one agent may work; the
part-time share) solves in a second or two, and its agents rounded down and
topped up by the greedy cover (:func:`svcsim.roster.warm.cover_from_counts`)
make a start a few agents from the bound. HiGHS's simplex is deterministic.

With service targets held over a day (the curve model), the relaxation
adds each interval's agents on duty as a fraction, its on-time contacts
under the upper concave hull of its table (the cuts the CP-SAT model
carries) and each scope unit's goal: its optimum is a lower bound on the
held model's headcount (:func:`relaxed_headcount`), which tells whether a
longer search could prove more than the solver did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from svcsim.roster.service import ServiceTarget
from svcsim.roster.shifts import ShiftOption, break_minutes
from svcsim.scenario.shifts import ShiftRules

if TYPE_CHECKING:
    import scipy.sparse as sparse


def relaxed_agents(options: list[ShiftOption], required: np.ndarray, interval_s: float,
                   rules: ShiftRules, days: int) -> np.ndarray | None:
    """Agents per option in an optimal solution of the relaxation of the
    fewest-people roster (fractions), or None when HiGHS finds none.

    Parameters
    ----------
    options : list of ShiftOption
        The pool's options.
    required : numpy.ndarray
        Agents needed per interval.
    interval_s : float
        Interval length, s.
    rules : ShiftRules
        Day limit and part-time share.
    days : int
        Days of the horizon.
    """
    found = relaxed_roster(options, required, interval_s, rules, days)
    return None if found is None else found[0]


def relaxed_roster(options: list[ShiftOption], required: np.ndarray, interval_s: float,
                   rules: ShiftRules, days: int) -> tuple[np.ndarray, float] | None:
    """Agents per option in an optimal solution of the relaxation (as
    :func:`relaxed_agents`) and its fewest people (a fraction: rounded up, a
    bound on the roster's headcount), or None when HiGHS finds none."""
    result = _relaxation(options, required, interval_s, rules, days, ())
    return (result.x[:len(options)], float(result.fun)) if result.status == 0 else None


def relaxed_headcount(options: list[ShiftOption], required: np.ndarray, interval_s: float,
                      rules: ShiftRules, days: int,
                      targets: tuple[ServiceTarget, ...] = ()) -> float:
    """The relaxation's fewest people (a fraction; round it up for a bound on
    the roster's headcount), with ``targets`` held over their scope units;
    nan when HiGHS finds no solution (e.g. a goal no roster reaches).
    Arguments as :func:`relaxed_agents`."""
    result = _relaxation(options, required, interval_s, rules, days, targets)
    return float(result.fun) if result.status == 0 else float("nan")


def upper_hull(table: list[int]) -> list[int]:
    """The agent counts at the corners of a table's upper concave hull (the
    table from 0 agents up, in order)."""
    hull: list[int] = []
    for a in range(len(table)):
        while len(hull) >= 2:
            a0, a1 = hull[-2], hull[-1]
            # drop a1 if it lies on or under the chord from a0 to a
            if (table[a1] - table[a0]) * (a - a0) <= (table[a] - table[a0]) * (a1 - a0):
                hull.pop()
            else:
                break
        hull.append(a)
    return hull


def _relaxation(options: list[ShiftOption], required: np.ndarray, interval_s: float,
                rules: ShiftRules, days: int, targets: tuple[ServiceTarget, ...]):
    """HiGHS's solution (scipy's ``OptimizeResult``) of the relaxation: the
    columns are the options' agents, the break starts' agents, the people
    per contract kind, then with targets each interval's agents on duty and
    each target's on-time contacts per interval."""
    n, step = len(required), int(round(interval_s / 60))
    count = len(options)
    starts = [(k, b, s, rule) for k, o in enumerate(options)
              for b, rule in enumerate(o.breaks) for s in rule.starts]
    kinds = sorted({o.part_time for o in options})
    width = count + len(starts) + len(kinds)
    rows: list[tuple[int, int, float]] = []  # inequality rows, as <=
    for k, option in enumerate(options):  # minus the agent-minutes present <= minus the need
        rows += [(i, k, -step) for i in option.covers(n)]
    for j, (_, _, start, rule) in enumerate(starts):
        rows += [(i % n, count + j, m) for i, m in break_minutes(rule, start, interval_s).items()]
    bound = list(-np.asarray(required, dtype=float) * step)
    most = min(rules.max_days_per_week, days)
    for g, part in enumerate(kinds):
        person = count + len(starts) + g
        mine = [k for k, o in enumerate(options) if o.part_time is part]
        for d in range(days):
            row = len(bound)
            rows += [(row, k, 1.0) for k in mine if options[k].day == d] + [(row, person, -1.0)]
            bound.append(0.0)
        row = len(bound)
        rows += [(row, k, 1.0) for k in mine] + [(row, person, -float(most))]
        bound.append(0.0)
    share = rules.max_part_time_share
    if share < 1 and len(kinds) > 1:
        row = len(bound)
        rows += [(row, k, (1 - share) if o.part_time else -share) for k, o in enumerate(options)]
        bound.append(0.0)
    limits = [(0.0, None)] * width
    if targets:
        width, more = _held(rows, bound, limits, n, step, targets, width)
        limits += more
    groups = {key: g for g, key in enumerate(sorted({(k, b) for k, b, _, _ in starts}))}
    placed = [(groups[k, b], count + j, 1.0) for j, (k, b, _, _) in enumerate(starts)]
    placed += [(g, k, -1.0) for (k, _), g in groups.items()]
    cost = np.zeros(width)
    cost[count + len(starts):count + len(starts) + len(kinds)] = 1.0
    # scipy.optimize loads here, not with the module: a fifth of a second at
    # the start of every command, most of which never relax a roster
    from scipy.optimize import linprog

    return linprog(cost, A_ub=_matrix(rows, len(bound), width), b_ub=np.array(bound),
                   A_eq=_matrix(placed, len(groups), width) if groups else None,
                   b_eq=np.zeros(len(groups)) if groups else None,
                   bounds=limits, method="highs")


def _held(rows: list[tuple[int, int, float]], bound: list[float], limits: list, n: int,
          step: int, targets: tuple[ServiceTarget, ...], width: int):
    """Add the targets' rows, as the CP-SAT model has them (agents on duty no
    more than the agent-minutes present; on-time contacts, in model units,
    under each table's hull; each unit's goal), in place; returns the new
    width and the new columns' bounds."""
    most = max(t.most_agents for t in targets)
    duty = width
    limits_new = [(0.0, float(most))] * n
    # step x on duty - agent-minutes present <= 0 (the first n rows hold minus
    # the agent-minutes present)
    present = [(len(bound) + r, k, v) for r, k, v in rows if r < n]
    rows += present + [(len(bound) + i, duty + i, float(step)) for i in range(n)]
    bound += [0.0] * n
    column = duty + n
    for target in targets:
        answered = {}
        for i in range(n):
            if target.volumes[i] <= 0:
                continue
            table = target.table(i)
            table += [table[-1]] * (most + 1 - len(table))
            hull = upper_hull(table)
            for a0, a1 in zip(hull, hull[1:], strict=False):
                rise, run = table[a1] - table[a0], a1 - a0
                row = len(bound)  # run x answered - rise x on duty <= run t(a0) - rise a0
                rows += [(row, column, float(run)), (row, duty + i, -float(rise))]
                bound.append(float(run * table[a0] - rise * a0))
            answered[i] = column
            limits_new.append((0.0, float(table[-1])))
            column += 1
        for unit in np.unique(target.units):
            row = len(bound)
            rows += [(row, answered[i], -1.0) for i in answered if target.units[i] == unit]
            bound.append(-float(target.goal(int(unit))))
    return column, limits_new


def _matrix(entries: list[tuple[int, int, float]], height: int, width: int) -> sparse.csr_matrix:
    from scipy import sparse

    i, j, v = zip(*entries, strict=True) if entries else ((), (), ())
    return sparse.csr_matrix((v, (i, j)), shape=(height, width))


__all__ = ["relaxed_agents", "relaxed_headcount", "relaxed_roster", "upper_hull"]
