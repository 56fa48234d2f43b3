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
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import linprog

from svcsim.roster.shifts import ShiftOption, break_minutes
from svcsim.scenario.shifts import ShiftRules


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
    groups = {key: g for g, key in enumerate(sorted({(k, b) for k, b, _, _ in starts}))}
    placed = [(groups[k, b], count + j, 1.0) for j, (k, b, _, _) in enumerate(starts)]
    placed += [(g, k, -1.0) for (k, _), g in groups.items()]
    cost = np.zeros(width)
    cost[count + len(starts):] = 1.0
    result = linprog(cost, A_ub=_matrix(rows, len(bound), width), b_ub=np.array(bound),
                     A_eq=_matrix(placed, len(groups), width) if groups else None,
                     b_eq=np.zeros(len(groups)) if groups else None,
                     bounds=(0, None), method="highs")
    return result.x[:count] if result.status == 0 else None


def _matrix(entries: list[tuple[int, int, float]], height: int, width: int) -> sparse.csr_matrix:
    i, j, v = zip(*entries, strict=True) if entries else ((), (), ())
    return sparse.csr_matrix((v, (i, j)), shape=(height, width))


__all__ = ["relaxed_agents"]
