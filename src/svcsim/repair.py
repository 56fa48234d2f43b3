"""Sizing a repair: how many agents close a simulated shortfall.

The analytic curve (Erlang C, or Erlang A with patience, on the pool's
pooled immediate traffic of the interval, as the requirements size it) says
how attainment grows with agents, but the simulation sees what the formula
does not (shared pools, priorities, breaks, the queue carried between
intervals). So the curve is calibrated to the simulation: it is moved along
the agent axis until it passes through the simulated mean at the agents on
duty, and the raise is what the moved curve needs to lift the mean by the
shortfall of the certified (one-sided) bound.
"""

from __future__ import annotations

import numpy as np

from svcsim.queueing.erlang import erlang_a, erlang_c
from svcsim.queueing.streams import WorkStream, work_streams
from svcsim.scenario import Scenario

MOST_EXTRA = 60
"""Largest raise (agents on duty) one interval can get in one repair."""


def agents_to_close(scenario: Scenario, pool: str, index: int, interval: int,
                    on_duty: float, mean: float, low: float,
                    streams: list[WorkStream] | None = None, narrowing: float = 1.0) -> int:
    """Agents on duty to add to ``pool`` in ``interval`` so that standard
    ``index``'s certified level there reaches its target (at least 1).

    Parameters
    ----------
    scenario : Scenario
        The scenario planned.
    pool : str
        The pool raised.
    index : int
        Position of the standard in ``scenario.standards``.
    interval : int
        Interval index.
    on_duty : float
        Agents on duty there now.
    mean, low : float
        Simulated mean attainment there and its one-sided lower bound (0-1).
    streams : list of WorkStream, optional
        ``work_streams(scenario)``, when the caller has them.
    narrowing : float
        For a standard of scope ``interval``: how much narrower the interval's
        confidence interval will be when it is judged, as a share of today's
        (``sqrt(replications now / replications then)``; 1 when no more come).

    Returns
    -------
    int
        Agents on duty to add, 1 to :data:`MOST_EXTRA`; 0 for a standard of
        scope ``interval`` judged on fewer replications than it will be
        (``narrowing`` < 1) whose mean already reaches the level those
        replications certify: the replications to come should show it, and
        an agent there is one the certification did not need (on the 24x7
        week, 10 replications left 144 half hours not shown where only 36
        were below target; raising all of them took the plan to 35 agents
        where 33 do).
    """
    standard = scenario.standards[index]
    curve = _calibrated_curve(scenario, pool, index, interval, on_duty, mean, streams)
    if curve is None:
        return 1
    level, matched = curve
    if standard.scope == "interval":
        wanted = certifiable_mean(standard.target, mean, (mean - low) * narrowing)
        if narrowing < 1 and wanted <= mean:
            return 0  # the replications to come should show it as it is
    else:
        wanted = mean + max(standard.target - low, 0.0)
    wanted = min(wanted, 1.0 - 1e-9)
    needed = int(np.searchsorted(level, wanted - 1e-12))
    return int(np.clip(needed - matched, 1, MOST_EXTRA))


def agents_to_spare(scenario: Scenario, pool: str, index: int, interval: int,
                    on_duty: float, mean: float, low: float, margin: float,
                    streams: list[WorkStream] | None = None) -> int:
    """Agents on duty ``pool`` can give up in ``interval`` while standard
    ``index``'s certified level there stays ``margin`` above its target, by
    the analytic curve calibrated to the simulation (the reverse of
    :func:`agents_to_close`; 0 when none can go, or the curve cannot say).

    Parameters
    ----------
    scenario, pool, index, interval, on_duty, mean, low, streams
        As :func:`agents_to_close` (``mean`` and ``low`` are shares, 0-1).
    margin : float
        Share (0-1) the certified level must keep above the target: the
        curve's own error, and the queue a cut carries into the next interval.
    """
    standard = scenario.standards[index]
    if not np.isfinite(low) or low < standard.target + margin:
        return 0
    curve = _calibrated_curve(scenario, pool, index, interval, on_duty, mean, streams)
    if curve is None:
        return 0
    level, matched = curve
    # never credit the simulation's lead over the formula to a cut (at a
    # mean of 100 % the match says nothing): the curve from the agents on duty
    matched = min(matched, int(on_duty))
    # the mean at which today's half-width (scaled as p (1 - p)) still
    # leaves the bound ``margin`` above target
    wanted = min(certifiable_mean(standard.target + margin, mean, mean - low), 1.0 - 1e-9)
    needed = int(np.searchsorted(level, wanted - 1e-12))
    return int(np.clip(matched - needed, 0, int(on_duty)))


def _calibrated_curve(scenario: Scenario, pool: str, index: int, interval: int,
                      on_duty: float, mean: float,
                      streams: list[WorkStream] | None) -> tuple[np.ndarray, int] | None:
    """The analytic attainment of standard ``index`` in ``interval`` for 0,
    1, 2... agents on duty in ``pool`` (non-decreasing), and the agents at
    which it reaches the simulated ``mean``: the curve moved along the agent
    axis by the difference to ``on_duty`` passes through the simulation.
    None when the pool has no immediate work on the standard there."""
    standard = scenario.standards[index]
    streams = work_streams(scenario) if streams is None else streams
    mine = [s for s in streams if s.pool == pool and s.kind == "immediate"]
    waits = [t.wait_s for s in mine for t in s.targets if t.standard == standard]
    if not waits or not np.isfinite(mean):
        return None
    rates = np.array([s.volumes[interval] / scenario.interval_s for s in mine])
    if rates.sum() <= 0:
        return None
    work = float(np.dot(rates, [s.mean_work_s for s in mine]) / rates.sum())
    concurrency = mine[0].contact.concurrency
    agents = np.arange(0, int(on_duty) + MOST_EXTRA + 1)
    slots = agents * concurrency
    patience = [s.mean_patience_s for s in mine]
    if all(p is not None for p in patience):
        level = erlang_a(slots, rates.sum(), work, float(np.dot(rates, patience) / rates.sum()),
                         min(waits)).service_level
    else:
        level = erlang_c(slots, rates.sum(), work, min(waits)).service_level
    level = np.maximum.accumulate(np.nan_to_num(np.asarray(level, dtype=float)))
    # the agents at which the formula reaches what the simulation measured
    return level, int(np.searchsorted(level, mean - 1e-12))


def certifiable_mean(target: float, mean: float, half_width: float) -> float:
    """The mean share whose one-sided bound reaches ``target``, when the bound
    sits ``half_width`` below ``mean`` today and a share's variance scales as
    p (1 - p): the larger root of ``(p - target)**2 = k p (1 - p)``, with
    ``k = half_width**2 / (mean (1 - mean))``. All values are shares (0-1)."""
    spread = mean * (1.0 - mean)
    if half_width <= 0.0:
        return target
    if spread < 1e-9:  # no spread to scale from: keep today's half-width
        return target + half_width
    k = half_width ** 2 / spread
    b = 2.0 * target + k
    return float((b + np.sqrt(max(b * b - 4.0 * (1.0 + k) * target ** 2, 0.0)))
                 / (2.0 * (1.0 + k)))


__all__ = ["agents_to_close", "agents_to_spare", "certifiable_mean"]
