"""A pool's pooled immediate traffic as it is served: priority classes
(skill priority, then tier priority) and, for a channel with trunk lines,
blocking. Sizes one standard at a time for the classes it covers.

Used by :mod:`svcsim.queueing.requirements` whenever the pooled queue has
more than one priority class or a finite number of lines; otherwise the
plain Erlang C / A sizing is exact for the model and faster.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from svcsim.queueing.blocking import erlang_k
from svcsim.queueing.erlang import UnreachableTarget, erlang_a, erlang_c, smallest_meeting
from svcsim.queueing.priority import class_service_level, class_wait_rates
from svcsim.queueing.streams import StageTarget, WorkStream
from svcsim.scenario import Scenario


def priority_classes(scenario: Scenario, streams: list[WorkStream]) -> list[list[WorkStream]]:
    """Streams grouped into priority classes of their pool, best first: the
    pool serves the best skill priority first, and within it the best tier
    priority (docs/simulation.md, routing)."""
    ranked: dict[tuple[int, int], list[WorkStream]] = {}
    for stream in streams:
        skill = next(priority for pool, priority in
                     scenario.serving_pools(stream.contact, stream.stage)
                     if pool.name == stream.pool)
        ranked.setdefault((skill, stream.contact.priority), []).append(stream)
    return [ranked[key] for key in sorted(ranked)]


def pool_lines(scenario: Scenario, streams: list[WorkStream]) -> np.ndarray | None:
    """Trunk lines a pool's share of a channel gets per interval, or None.

    Lines are shared by every pool answering the channel; each pool's queue is
    given the lines in proportion to its share of the channel's first-choice
    traffic (an approximation: idle lines are not lent between pools).
    """
    trunks = streams[0].contact.trunks
    if trunks is None:
        return None
    channel = streams[0].contact.channel
    mine = sum(s.volumes for s in streams)
    everyone = sum(c.volumes * (1 - c.deflection) for c in scenario.resolved_contact_types
                   if c.channel == channel)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(everyone > 0, mine / np.where(everyone > 0, everyone, 1.0), 1.0)
    return np.maximum(np.round(trunks * np.minimum(share, 1.0)), 1.0)


class ClassQueue:
    """One pool's pooled immediate traffic of one channel, as it is served."""

    def __init__(self, scenario: Scenario, streams: list[WorkStream], work, patience):
        step = scenario.interval_s
        classes = priority_classes(scenario, streams)
        self.members = [[(s.contact.name, s.volumes / step) for s in group] for group in classes]
        self.rates = [sum(rate for _, rate in group) for group in self.members]
        self.total = sum(self.rates)
        self.scenario = scenario
        self.work = np.broadcast_to(np.asarray(work, dtype=float), self.total.shape)
        self.patience = None if patience is None else \
            np.broadcast_to(np.asarray(patience, dtype=float), self.total.shape)
        self.concurrency = streams[0].contact.concurrency
        self.lines = pool_lines(scenario, streams)

    @property
    def needed(self) -> bool:
        """Whether plain Erlang C / A would misjudge this queue."""
        return len(self.rates) > 1 or self.lines is not None

    def _queue(self, slots, cells, threshold):
        lam, work = self.total[cells], self.work[cells]
        patience = None if self.patience is None else self.patience[cells]
        if self.lines is not None:
            return erlang_k(slots, lam, work, self.lines[cells], threshold, patience)
        if patience is None:
            return erlang_c(slots, lam, work, threshold)
        return erlang_a(slots, lam, work, patience, threshold)

    def level(self, target: StageTarget, agents: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """Share of the standard's contacts answered in time at ``agents`` (per cell)."""
        slots = (np.asarray(agents) * self.concurrency).astype(int)
        if len(self.rates) == 1:  # one class: the queue's own service level
            return np.asarray(self._queue(slots, cells, target.wait_s).service_level)
        whole = self._queue(slots, cells, 0.0)
        blocked = np.asarray(getattr(whole, "blocking", 0.0))
        waits = np.asarray(whole.wait_probability)
        carried = np.maximum(1.0 - np.asarray(whole.abandon_rate) - blocked, 1e-9)
        at_once = 1.0 - blocked - waits
        patience = 0.0 if self.patience is None else 1.0 / self.patience[cells]
        rates = class_wait_rates(slots, [r[cells] for r in self.rates], self.work[cells],
                                 carried)
        covered = {c.name for c in self.scenario.match(target.standard.contacts)}
        weighted, weight = np.zeros(len(cells)), np.zeros(len(cells))
        for k, group in enumerate(self.members):
            share = sum((rate[cells] for name, rate in group if name in covered),
                        np.zeros(len(cells)))  # the class's contacts this standard covers
            if not share.any():
                continue
            level = class_service_level(at_once, waits, rates[k], patience, target.wait_s)
            weighted += share * level
            weight += share
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(weight > 0, weighted / np.where(weight > 0, weight, 1.0), 1.0)

    def size(self, target: StageTarget, start: np.ndarray,
             floor: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        """Fewest agents per interval meeting ``target`` for its classes,
        searching from ``start`` (the first-come-first-served answer), and a
        function giving the standard's level at any staffing. With trunk
        lines, no more agents than lines: where even that misses, the lines
        are the limit and the requirement stops there."""
        floor = np.ceil(np.asarray(floor, dtype=float) - 1e-9)
        cells = np.nonzero(self.total > 0)[0]
        cap = None if self.lines is None else np.ceil(self.lines / self.concurrency - 1e-9)

        def meets(where, agents):
            ok = (self.level(target, agents, where) >= target.target - 1e-12)
            if cap is not None:
                ok |= agents >= cap[where]
            return ok & (agents >= floor[where])

        agents = np.zeros(len(self.total))
        if cells.size:
            begin = np.maximum(start[cells], 1)
            if cap is not None:
                begin = np.minimum(begin, np.maximum(cap[cells], floor[cells]))
            agents[cells] = smallest_meeting(
                meets, cells, begin.astype(np.int64),
                lambda: UnreachableTarget(target.target, target.wait_s))

        def level_at(staffing: np.ndarray) -> np.ndarray:
            out = np.full(len(self.total), np.nan)
            if cells.size:
                out[cells] = self.level(target, staffing[cells], cells)
            return out

        return agents, level_at


__all__ = ["ClassQueue", "pool_lines", "priority_classes"]
