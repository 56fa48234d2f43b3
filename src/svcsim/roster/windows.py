"""A week roster improved a day of starts at a time (large-neighbourhood search).

A week of shifts crossing midnight is one CP-SAT model of about a thousand
shift options, and a search over all of them at once finds few better
rosters within its limit: on the shipped 24x7 week it stopped 2 agents above
the bound of the linear relaxation, whichever CP-SAT parameters or HiGHS's
MIP were tried (benchmarks/README.md). Freeing only the shifts that start in
one day's window, every other shift held as it is (the breaks that can reach
the window's intervals stay free), leaves a model CP-SAT solves to
optimality in a fraction of a second (a model of the window alone,
:mod:`svcsim.roster.window_model`), and
moving the window round the week, half a day at a time, takes the
roster down to that bound where the whole-week search could not.

Each window's search keeps the requirement met (the start must meet it) and
minimises the shifts, turn after turn of the week while that helps, then
the people (each contract kind's bound, as the model states it) before the
shifts: fewest shifts is a model CP-SAT proves in a fraction of a second,
and it brings the people down too (on the 24x7 week's first requirement, to
the bound in 4 s against 20 s with people first). Each search starts from
the roster so far and is kept only when it has fewer people, or as many and
fewer shifts, so a window never makes the roster worse.
The search stops when the people reach ``target`` (the relaxation's bound,
rounded up: nothing can do better), when a whole turn of the week finds no
better roster, or when its deterministic time is spent; the same roster
always gives the same windows, so the result repeats on any machine load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svcsim.roster.warm import Found
from svcsim.roster.window_model import WindowModel

if TYPE_CHECKING:  # the model imports this module
    from svcsim.roster.model import PoolModel, SolverSettings

WINDOW_LIMIT_S = 1.5
"""Deterministic time limit of one window's search, s: on the 24x7 week most
windows are proved optimal in 0.1 to 1 s; a few stop at the limit, which
rarely have a better roster to give."""
WINDOWS_PER_DAY = 2
"""Window starts per day: each window frees one day of shift starts and the
next begins half a day later, so every shift is searched with each of its
neighbours."""


def improve_by_windows(pool: PoolModel, start: Found, settings: SolverSettings,
                       budget_s: float, target: int) -> Found:
    """The roster ``start`` improved window by window.

    Parameters
    ----------
    pool : PoolModel
        The week's model (options, requirement and rules; each window is a
        model of its own, :class:`svcsim.roster.window_model.WindowModel`).
    start : (agents, breaks)
        A roster of the pool.
    settings : SolverSettings
        Seed and workers of each window's search.
    budget_s : float
        Deterministic time, s, of all the windows together.
    target : int
        People no roster can go below (the search stops there).
    """
    per_day = pool.n // pool.days
    width, step = per_day, max(1, per_day // WINDOWS_PER_DAY)
    scored = pool.scored(start).objectives
    if scored["shortfall"] > 0:
        raise ValueError("a window search starts from a roster that covers the requirement")
    best, key = start, (scored["headcount"], scored["shifts"])
    spent = 0.0
    # fewest shifts first (a small model per window, quickly proved), then
    # people before shifts (the contract kinds' rounding)
    weights = (0, int(scored["shifts"]) + 1)
    for weight in weights:
        # the roster each window was last searched from: searched again from
        # the same roster, a window gives the same answer (deterministic)
        searched: dict[int, tuple[float, float]] = {}
        while spent < budget_s and key[0] > target:
            before = key
            for first in range(0, pool.n, step):
                left = budget_s - spent
                if left <= 0 or key[0] <= target:
                    break
                if searched.get(first) == key:
                    continue
                window = WindowModel(pool, best, first, width)
                found, used, proved = window.solve(weight, settings, min(WINDOW_LIMIT_S, left))
                spent += used
                searched[first] = key
                if found is not None:
                    mine = pool.scored(found).objectives
                    new = (mine["headcount"], mine["shifts"])
                    if new < key and mine["shortfall"] == 0:
                        best, key = found, new
                        if proved:  # the window now holds its proved optimum,
                            searched[first] = key  # so not searched again from it
            if key == before:  # a whole turn of the week and nothing better
                break
    return best


__all__ = ["WINDOW_LIMIT_S", "improve_by_windows"]
