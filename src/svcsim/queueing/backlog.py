"""Deferred work (e-mail, tickets, later stages of a request): a fluid backlog
model that finds the staffing level meeting a response deadline.

Why not Erlang: a deferred item does not wait on the line and does not
abandon, and its deadline (hours) spans many intervals, so what matters is
whether the capacity worked over the next hours catches up with the backlog,
not the queueing inside one interval. The model:

* work (agent-seconds) arriving in an interval is all there at its start
  (a conservative reading: items arriving later in the interval get the same
  deadline as the first);
* agents on this work give ``level x open share x interval`` agent-seconds
  per interval, worked first-come first-served as a fluid;
* an item is on time when the cumulative work served reaches its position in
  the arrival order by its deadline, on the wall clock or counting only open
  time (business hours);
* the horizon repeats (a steady-state day or week), so work left at the end
  carries over into the next cycle and late-evening items are measured against
  deadlines that fall in the next cycle; nothing is dropped.

The required level is the smallest (fractional) number of agents on duty in
every open interval whose on-time share of the work reaches the target. A
level is reported as a fraction so that a pool summing several deferred
streams rounds once, not once per stream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from svcsim.queueing.erlang import UnreachableTarget


@dataclass(frozen=True)
class BacklogResult:
    """Outcome of the fluid backlog model at one staffing level.

    Attributes
    ----------
    level : float
        Agents on duty in each open interval (fractional).
    on_time : numpy.ndarray
        Share of each interval's arrivals served within the deadline.
    on_time_share : float
        Share of all the cycle's work served within the deadline.
    """

    level: float
    on_time: np.ndarray
    on_time_share: float


def _served_curve(work: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Cumulative work served at each interval boundary (FCFS fluid, arrivals at
    interval starts): the Lindley recursion ``Q' = max(Q + a - c, 0)`` in closed
    form via a running minimum."""
    net = np.cumsum(work - capacity)
    backlog = net - np.minimum(np.minimum.accumulate(net), 0.0)
    served_end = np.cumsum(work) - backlog
    return np.concatenate([[0.0], served_end])


def evaluate_level(
    level: float,
    work_s: np.ndarray,
    open_share: np.ndarray,
    interval_s: float,
    deadline_s: float,
    business_clock: bool,
) -> BacklogResult:
    """On-time performance of ``level`` agents on deferred work.

    Parameters
    ----------
    level : float
        Agents working this backlog in every open interval.
    work_s : numpy.ndarray
        Agent-seconds of work arriving in each interval of one cycle.
    open_share : numpy.ndarray
        Share of each interval that is open (0..1); capacity and business
        time accrue only while open.
    interval_s : float
        Interval length, seconds.
    deadline_s : float
        Response deadline, seconds (of open time when ``business_clock``).
    business_clock : bool
        Count only open time towards the deadline.
    """
    n = len(work_s)
    clock_per_interval = open_share * interval_s if business_clock else np.full(n, interval_s)
    horizon_clock = clock_per_interval.sum()
    if business_clock and horizon_clock <= 0:
        return BacklogResult(level, np.zeros(n), 0.0)
    # Warm up one cycle, measure the next, and run enough further cycles for
    # the last deadline of the measured cycle to fall inside the run.
    ahead = 1 + int(math.ceil(deadline_s / horizon_clock)) if horizon_clock > 0 else 1
    cycles = 2 + ahead
    work = np.tile(work_s, cycles)
    capacity = np.tile(level * open_share * interval_s, cycles)
    served = _served_curve(work, capacity)
    arrived_before = np.concatenate([[0.0], np.cumsum(work)])[:-1]
    boundaries = np.arange(len(work) + 1) * interval_s
    clock = np.concatenate([[0.0], np.cumsum(np.tile(clock_per_interval, cycles))])

    measured = slice(n, 2 * n)
    starts = boundaries[:-1][measured]
    due_clock = np.interp(starts, boundaries, clock) + deadline_s
    # The first wall time at which the deadline clock reaches due_clock.
    due = np.interp(due_clock, clock, boundaries, right=boundaries[-1])
    served_by_due = _served_at(due, served, work, capacity, interval_s)
    done = np.clip(served_by_due - arrived_before[measured], 0.0, work[measured])
    with np.errstate(invalid="ignore", divide="ignore"):
        on_time = np.where(work[measured] > 0, done / work[measured], 1.0)
    total = work[measured].sum()
    share = float(done.sum() / total) if total > 0 else 1.0
    return BacklogResult(level, on_time, share)


def _served_at(
    times: np.ndarray, served: np.ndarray, work: np.ndarray, capacity: np.ndarray,
    interval_s: float,
) -> np.ndarray:
    """Cumulative work served at arbitrary times: inside interval k service runs
    at the capacity rate until the backlog present at its start is cleared."""
    k = np.clip((times // interval_s).astype(int), 0, len(work) - 1)
    into = np.clip(times - k * interval_s, 0.0, interval_s)
    available = np.cumsum(work)[k]
    return np.minimum(served[k] + capacity[k] * into / interval_s, available)


def required_level(
    work_s: np.ndarray,
    open_share: np.ndarray,
    interval_s: float,
    deadline_s: float,
    target: float,
    business_clock: bool = False,
    tolerance: float = 0.01,
) -> BacklogResult:
    """The least fractional level of agents (within ``tolerance``) whose on-time
    share of the work reaches ``target``.

    Parameters are those of :func:`evaluate_level`; ``target`` is a fraction
    (0.95 for 95 %).

    Raises
    ------
    ValueError
        When work arrives but the calendar is never open, so no level serves it.
    UnreachableTarget
        When no level below 10 million agents meets the target.
    """
    work_s = np.asarray(work_s, dtype=float)
    open_share = np.asarray(open_share, dtype=float)
    total = work_s.sum()
    open_s = (open_share * interval_s).sum()
    if total <= 0:
        return evaluate_level(0.0, work_s, open_share, interval_s, deadline_s, business_clock)
    if open_s <= 0:
        raise ValueError("work arrives but its opening hours are never open")

    def meets(level: float) -> bool:
        return evaluate_level(
            level, work_s, open_share, interval_s, deadline_s, business_clock
        ).on_time_share >= target

    lo = total / open_s  # below this the backlog grows without end
    hi = max(lo, tolerance) * 2
    while not meets(hi):
        lo, hi = hi, hi * 2
        if hi > 1e7:
            raise UnreachableTarget(target, deadline_s)
    while hi - lo > tolerance:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if meets(mid) else (mid, hi)
    return evaluate_level(hi, work_s, open_share, interval_s, deadline_s, business_clock)
