"""Warm starts: a roster that holds a raised requirement, built from the
previous one in plain Python.

When the planner raises a requirement, the previous roster plus enough
extra shifts to cover the raise is a roster the solver need not beat to be
useful: it starts the search (CP-SAT solution hints) and it is the answer
whenever the search, within its time limit, does not find a better one. So
a raise never comes back worse than the previous roster plus the raise.
"""

from __future__ import annotations

import numpy as np

from svcsim.roster import evaluate
from svcsim.roster.shifts import ShiftOption, break_minutes

Found = tuple[dict[int, int], dict[tuple[int, int], dict[int, int]]]
"""A roster of one pool: agents per option, and per (option, break) agents per break start."""


def extend_to_cover(options: list[ShiftOption], found: Found, required: np.ndarray,
                    interval_s: float, max_agents: int | None = None) -> Found:
    """The roster ``found`` plus the fewest shifts a greedy cover adds so that
    every interval has its ``required`` agents (after breaks).

    Each step adds one agent on the shift option that covers the earliest
    short interval and the most short agent-minutes after it, with each break
    placed where it takes the fewest minutes from short intervals. Intervals
    no option covers (or the cap holds) are left short.

    Parameters
    ----------
    options : list of ShiftOption
        The pool's options (indices as in ``found``).
    found : (agents, breaks)
        The roster to extend (not changed).
    required : numpy.ndarray
        Agents needed per interval.
    interval_s : float
        Interval length, s.
    max_agents : int, optional
        Cap on agents present at once.
    """
    return _Cover(options, found, required, interval_s).extended(max_agents)


def cover_from_counts(options: list[ShiftOption], counts: dict[int, int],
                      required: np.ndarray, interval_s: float,
                      max_agents: int | None = None) -> Found:
    """A roster of ``counts`` agents per option, each agent's breaks placed
    where they take the fewest minutes from short intervals (shifts in start
    order), then extended by :func:`extend_to_cover` to every interval's
    ``required`` agents."""
    cover = _Cover(options, ({}, {}), required, interval_s)
    for k in sorted(counts, key=lambda k: options[k].start):
        for _ in range(counts[k]):
            cover.add(k)
    return cover.extended(max_agents)


class _Cover:
    """A roster being built agent by agent, with its coverage (agent-minutes
    per interval) kept up to date."""

    def __init__(self, options: list[ShiftOption], found: Found, required: np.ndarray,
                 interval_s: float):
        self.options, self.interval_s = options, interval_s
        self.agents = dict(found[0])
        self.breaks = {key: dict(starts) for key, starts in found[1].items()}
        self.n = len(required)
        self.step = int(round(interval_s / 60))
        self.need = np.asarray(required, dtype=float) * self.step
        self.present, _ = evaluate.coverage(options, self.agents, self.breaks, self.n,
                                            interval_s)
        self.on_shift = _on_shift(options, self.agents, self.n)
        self.covers = [np.array(o.covers(self.n)) for o in options]

    def add(self, choice: int) -> None:
        """One more agent on option ``choice``, breaks placed greedily."""
        n, present = self.n, self.present
        self.agents[choice] = self.agents.get(choice, 0) + 1
        present[self.covers[choice]] += self.step
        self.on_shift[self.covers[choice]] += 1
        for b, rule in enumerate(self.options[choice].breaks):
            start = _best_break(rule, present - self.need, self.interval_s, n)
            mine = self.breaks.setdefault((choice, b), {})
            mine[start] = mine.get(start, 0) + 1
            for interval, minutes in break_minutes(rule, start, self.interval_s).items():
                present[interval % n] -= minutes

    def extended(self, max_agents: int | None) -> Found:
        """The roster plus the greedy's shifts until nothing short can be covered."""
        for _ in range(int(self.need.sum() // max(self.step, 1)) + len(self.options) + 1):
            short = np.maximum(self.need - self.present, 0.0)
            choice = _best_option(self.options, self.covers, short, self.on_shift, max_agents)
            if choice is None:
                break
            self.add(choice)
        return self.agents, self.breaks


def _on_shift(options: list[ShiftOption], agents: dict[int, int], n: int) -> np.ndarray:
    counts = np.zeros(n)
    for k, count in agents.items():
        counts[options[k].covers(n)] += count
    return counts


def _best_option(options, covers, short: np.ndarray, on_shift: np.ndarray,
                 max_agents: int | None) -> int | None:
    """The option covering the earliest short interval with the most short
    minutes, or None when nothing short can be covered."""
    for interval in np.nonzero(short > 1e-9)[0]:
        best, gain = None, 0.0
        for k, cover in enumerate(covers):
            if interval not in cover:
                continue
            if max_agents is not None and (on_shift[cover] >= max_agents).any():
                continue
            value = float(short[cover].sum())
            # ties go to the lowest cost, then the lowest index: deterministic
            if best is None or value > gain + 1e-9 or (
                    abs(value - gain) <= 1e-9 and options[k].cost < options[best].cost):
                best, gain = k, value
        if best is not None:
            return best
    return None


def _best_break(rule, surplus: np.ndarray, interval_s: float, n: int) -> int:
    """The break start that makes the fewest minutes short, then takes its
    minutes where the surplus is largest (earliest among equals)."""
    def harm(start: int) -> tuple[float, float]:
        taken = break_minutes(rule, start, interval_s)
        return (sum(max(0.0, m - max(surplus[i % n], 0.0)) for i, m in taken.items()),
                -sum(surplus[i % n] for i in taken))

    return min(rule.starts, key=harm)


__all__ = ["Found", "cover_from_counts", "extend_to_cover"]
