"""Service curves: on-time contacts as a function of agents, for standards
held over a day or the horizon.

Interval-by-interval staffing holds every interval to the target. A standard
whose scope is a day (or the week) only asks that the day's total reach it,
so the roster model can trade a quiet interval's surplus against a busy
one's deficit. For each such standard on immediate work, this module gives
the roster model, per pool and interval, the expected contacts answered
within the threshold at every number of agents scheduled (Erlang C or A on
the pool's pooled traffic of that channel, split into its priority classes
and with its trunk lines, exactly as :mod:`svcsim.queueing.requirements`
sizes it), and the floor the rest of the
pool's work needs in each interval.

A standard that spans several pools (or channels within a pool) is held by
each pool's share on its own: a sufficient condition for the whole.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from svcsim.queueing.classes import ClassQueue
from svcsim.queueing.erlang import erlang_a, erlang_c
from svcsim.queueing.requirements import _pooled, _size_immediate, _size_stream, requirements
from svcsim.queueing.streams import StageTarget, WorkStream, work_streams
from svcsim.roster.service import ServiceTarget
from svcsim.scenario import Scenario

GLOBAL_SCOPES = ("day", "week")


@dataclass(frozen=True)
class ServicePlan:
    """What a roster held to day or week standards must satisfy.

    Attributes
    ----------
    floors : dict of str to numpy.ndarray
        Agents scheduled per pool per interval that every interval needs on
        its own: work without a day or week standard, and standards of
        interval scope.
    targets : dict of str to tuple of ServiceTarget
        Per pool, the standards held over their scope.
    interval_need : dict of str to numpy.ndarray
        The interval-by-interval requirement (``svcsim requirements``), for
        comparison.
    """

    floors: dict[str, np.ndarray]
    targets: dict[str, tuple[ServiceTarget, ...]]
    interval_need: dict[str, np.ndarray]


def service_plan(scenario: Scenario, headroom: float = 1.5) -> ServicePlan:
    """Floors and service targets of every pool.

    Parameters
    ----------
    scenario : Scenario
        Its standards' ``scope`` says which are held over a day or the week.
    headroom : float
        The curves run up to this multiple of the interval-by-interval
        requirement's peak (more agents count as that many).
    """
    interval_need = {name: rows["scheduled_agents"].to_numpy().astype(int)
                     for name, rows in requirements(scenario).pools.groupby("pool", sort=False)}
    streams = work_streams(scenario)
    floors, targets = {}, {}
    for pool in scenario.pools:
        mine = [s for s in streams if s.pool == pool.name]
        most = int(np.ceil(headroom * interval_need[pool.name].max(initial=0))) + 2
        floor, held, limits = _pool_plan(scenario, mine, pool.shrinkage, most)
        floors[pool.name] = np.maximum(np.minimum(
            np.ceil(floor / (1.0 - pool.shrinkage) - 1e-9).astype(int), interval_need[pool.name]),
            limits)
        if held:
            targets[pool.name] = tuple(held)
    return ServicePlan(floors, targets, interval_need)


def _is_global(target: StageTarget, stream: WorkStream) -> bool:
    return stream.kind == "immediate" and target.standard.scope in GLOBAL_SCOPES


def _floor(target: StageTarget) -> StageTarget:
    """The target every interval must meet on its own: the standard's floor."""
    return replace(target, standard=target.standard.floor)


def _pool_plan(scenario: Scenario, mine: list[WorkStream], shrinkage: float,
               most: int) -> tuple[np.ndarray, list[ServiceTarget], np.ndarray]:
    """One pool: agents on duty every interval needs regardless, the targets,
    and the agents scheduled each interval's ASA and abandonment limits need."""
    n = scenario.n_intervals
    groups: dict[str, list[WorkStream]] = {}
    other = np.zeros(n)  # on duty for work no day or week standard covers
    for stream in mine:
        if stream.kind == "immediate":
            groups.setdefault(stream.contact.channel, []).append(stream)
        else:
            other += np.asarray(_size_stream(scenario, stream)["required_agents"])
    own: list[tuple[list[WorkStream], np.ndarray]] = []  # held groups and their floors
    for group in groups.values():
        local = tuple(t for s in group for t in s.targets if not _is_global(t, s))
        local += tuple(_floor(t) for s in group for t in s.targets
                       if _is_global(t, s) and t.standard.interval_floor is not None)
        need = np.asarray(_size_immediate(scenario, group, local)["required_agents"]) \
            if local else np.zeros(n)
        if any(_is_global(t, s) for s in group for t in s.targets):
            own.append((group, need))
        else:
            other += need
    floors = other + sum((need for _, need in own), np.zeros(n))
    held, limits = [], np.zeros(n, dtype=int)
    for group, need in own:  # each group gets what the rest of the pool leaves it
        targets, least = _group_targets(scenario, group, floors - need, shrinkage, most)
        held += targets
        limits = np.maximum(limits, least)
    return np.ceil(floors - 1e-9), held, limits


def _group_targets(scenario: Scenario, group: list[WorkStream], other: np.ndarray,
                   shrinkage: float, most: int) -> tuple[list[ServiceTarget], np.ndarray]:
    """Targets of one channel's pooled immediate traffic in one pool, and the
    agents scheduled that its standards' interval ASA and abandonment limits
    need in each interval."""
    n = scenario.n_intervals
    rates = sum(s.volumes for s in group) / scenario.interval_s
    work = _pooled(scenario, group, lambda s: s.mean_work_s)
    patience = None
    if all(s.mean_patience_s is not None for s in group):
        patience = _pooled(scenario, group, lambda s: s.mean_patience_s)
    concurrency = group[0].contact.concurrency
    scheduled = np.arange(most + 1)
    on_duty = np.floor(scheduled * (1.0 - shrinkage) + 1e-9)
    free = np.maximum(np.floor(on_duty[None, :] - other[:, None] + 1e-9), 0.0)
    slots = (free * concurrency).astype(int)
    per_day = int(round(86400 / scenario.interval_s))
    by_standard: dict[int, list[tuple[WorkStream, StageTarget]]] = {}
    for stream in group:
        for target in stream.targets:
            if _is_global(target, stream):
                by_standard.setdefault(id(target.standard), []).append((stream, target))
    targets, least = [], np.zeros(n, dtype=int)
    classes = ClassQueue(scenario, group, work, patience)
    for pairs in by_standard.values():
        standard = pairs[0][1].standard
        volumes = sum(stream.volumes for stream, _ in pairs)
        queue = _erlang(slots, rates, work, patience, pairs[0][1].wait_s)
        level = np.asarray(queue.service_level)
        if classes.needed:  # priority classes or trunk lines: as they are served
            level = _class_levels(classes, pairs[0][1], free)
        units = (np.arange(n) // per_day if standard.scope == "day" else np.zeros(n, int))
        targets.append(ServiceTarget(f"{standard.label} [{group[0].pool}]",
                                     volumes[:, None] * level, volumes, units, standard.target))
        least = np.maximum(least, _limits(standard, queue, volumes))
    return targets, least


def _class_levels(classes: ClassQueue, target: StageTarget, free: np.ndarray) -> np.ndarray:
    """The standard's level per interval (rows) and agents scheduled (columns)
    for its own priority classes, with trunk lines if any."""
    level = np.ones(free.shape)
    cells = np.nonzero(classes.total > 0)[0]
    if cells.size:
        for column in range(free.shape[1]):
            level[cells, column] = classes.level(target, free[cells, column], cells)
    return level


def _limits(standard, queue, volumes: np.ndarray) -> np.ndarray:
    """Fewest agents scheduled per interval keeping the interval's ASA and
    abandonment within the standard's limits (the table's most if none does)."""
    ok = np.ones(np.shape(queue.service_level), dtype=bool)
    if standard.interval_max_asa is not None:
        ok &= np.asarray(queue.asa) <= standard.interval_max_asa
    if standard.interval_max_abandon is not None:
        ok &= np.asarray(queue.abandon_rate) <= standard.interval_max_abandon / 100.0
    least = np.where(ok.any(axis=1), ok.argmax(axis=1), ok.shape[1] - 1)
    return np.where(volumes > 0, least, 0)


def _erlang(slots: np.ndarray, rates: np.ndarray, work, patience, wait_s: float):
    """Erlang C or A per interval (rows) and agents (columns)."""
    shape = slots.shape
    lam = np.broadcast_to(rates[:, None], shape)
    service = np.broadcast_to(np.asarray(work, dtype=float).reshape(-1, 1), shape)
    if patience is None:
        return erlang_c(slots, lam, service, wait_s)
    wait = np.broadcast_to(np.asarray(patience, dtype=float).reshape(-1, 1), shape)
    return erlang_a(slots, lam, service, wait, wait_s)


__all__ = ["ServicePlan", "service_plan"]
