"""Per-interval staffing requirements from the scenario's standards.

Two views, both tidy tables:

* per contact type (and stage): the agents that work would need on its own,
  with the method used and the service level predicted at that staffing;
* per pool: the agents each pool needs on duty, and scheduled after
  shrinkage. Each piece of work counts towards the pool that lists it with
  the best skill priority.

How each kind of work is sized (documented in ``docs/requirements.md``):

* immediate work (phone, walk-in, chat) with a standard: Erlang A when the
  contact type has a patience distribution (its mean is used), Erlang C when
  nobody abandons. Chat: the Erlang servers are chat *slots*, agents = slots
  / concurrency, with the handle time read as a chat's elapsed time at that
  concurrency. A deadline on the end of the contact leaves the handle time off
  the acceptable wait.
* deferred work and later stages of staged work: the fluid backlog model of
  :mod:`svcsim.queueing.backlog`; a deadline shorter than one interval is
  sized with Erlang C instead (the queue inside the interval dominates).
* work no standard covers: its offered load at the scenario's
  ``planning.unstandarded_occupancy``.
* a pool serving several immediate contact types of one channel pools their
  traffic (one Erlang queue, FCFS) and needs the most any of their standards
  asks of that pooled queue: an analytic approximation that ignores priorities;
  the simulator is the real answer. Deferred work adds its fractional level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from svcsim.queueing.backlog import required_level
from svcsim.queueing.blocking import erlang_k
from svcsim.queueing.classes import ClassQueue
from svcsim.queueing.erlang import UnreachableTarget, erlang_a, erlang_c, required_agents
from svcsim.queueing.streams import StageTarget, WorkStream, work_streams
from svcsim.scenario import Scenario

CONTACT_COLUMNS = [
    "interval", "start", "contact_type", "stage", "channel", "tier", "pool", "method",
    "volume", "aht_s", "workload_agents", "required_agents", "service_level", "asa_s",
    "abandon_rate", "occupancy", "standard", "block_rate",
]
POOL_COLUMNS = [
    "interval", "start", "pool", "volume", "aht_s", "workload_agents", "required_agents",
    "scheduled_agents", "occupancy", "service_level",
]


@dataclass(frozen=True)
class Requirements:
    """Staffing requirements of a scenario.

    Attributes
    ----------
    contacts : pandas.DataFrame
        One row per interval x contact type x stage. ``required_agents`` is
        what that work needs on its own (fractional for deferred work: a share
        of agents' time); ``service_level`` is predicted at that staffing for
        the standard that needs the most (``standard``).
    pools : pandas.DataFrame
        One row per interval x pool. ``required_agents``: on duty;
        ``scheduled_agents``: ``required / (1 - shrinkage)``, rounded up.
    """

    scenario: str
    contacts: pd.DataFrame
    pools: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Per pool: peak agents on duty and scheduled, and agent-hours over the horizon."""
        hours = self.pools.assign(
            on_duty_hours=self.pools["required_agents"] * self._interval_h,
            scheduled_hours=self.pools["scheduled_agents"] * self._interval_h,
        )
        return hours.groupby("pool", sort=False).agg(
            volume=("volume", "sum"),
            peak_required=("required_agents", "max"),
            peak_scheduled=("scheduled_agents", "max"),
            on_duty_hours=("on_duty_hours", "sum"),
            scheduled_hours=("scheduled_hours", "sum"),
        ).reset_index()

    def staffing(self) -> pd.DataFrame:
        """Agents scheduled per interval, per pool: a staffing plan to simulate
        (``svcsim.simulate(scenario, staffing=req.staffing())``) or roster.

        Returns
        -------
        pandas.DataFrame
            One row per interval: ``start`` (``08:30``, or ``Tue 08:30`` on a
            longer horizon) and one column of agents per pool; the shape of a
            ``--staffing`` CSV (``req.staffing().to_csv(index=False)``).
        """
        wide = self.pools.pivot(index=["interval", "start"], columns="pool",
                                values="scheduled_agents")
        order = list(dict.fromkeys(self.pools["pool"]))
        table = wide[order].reset_index().drop(columns="interval")
        table.columns.name = None
        return table

    @property
    def _interval_h(self) -> float:
        return float(self.pools.attrs.get("interval_s", 900.0)) / 3600.0


def requirements(scenario: Scenario) -> Requirements:
    """Per-interval staffing requirements for every contact type and pool.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario; its standards, volumes, handle times and
        patience drive the result.

    Returns
    -------
    Requirements
        Tidy per-contact-type and per-pool tables.
    """
    streams = work_streams(scenario)
    sized = [_size_stream(scenario, stream) for stream in streams]
    contacts = pd.concat([_contact_frame(scenario, s, r) for s, r in zip(streams, sized, strict=True)],
                         ignore_index=True)[CONTACT_COLUMNS]
    pools = _pool_frame(scenario, streams, sized)
    pools.attrs["interval_s"] = scenario.interval_s
    return Requirements(scenario.name, contacts, pools)


# -- one stream on its own --------------------------------------------------

def _rates(scenario: Scenario, stream: WorkStream) -> np.ndarray:
    return stream.volumes / scenario.interval_s


def _size_stream(scenario: Scenario, stream: WorkStream) -> dict[str, np.ndarray | list[str]]:
    if stream.kind == "immediate":
        return _size_immediate(scenario, [stream], stream.targets)
    return _size_deferred(scenario, stream)


def _size_immediate(
    scenario: Scenario, streams: list[WorkStream], targets: tuple[StageTarget, ...]
) -> dict[str, np.ndarray | list[str]]:
    """Erlang sizing of immediate traffic (one stream, or a pool's pooled streams)."""
    rates = sum(_rates(scenario, s) for s in streams)
    work = _pooled(scenario, streams, lambda s: s.mean_work_s)
    patience = None
    if all(s.mean_patience_s is not None for s in streams):
        patience = _pooled(scenario, streams, lambda s: s.mean_patience_s)
    concurrency = streams[0].contact.concurrency
    n = scenario.n_intervals
    load = rates * work
    max_occ = scenario.planning.max_occupancy
    if not targets:
        agents = np.ceil(load / scenario.planning.unstandarded_occupancy / concurrency - 1e-9)
        lines = ClassQueue(scenario, streams, work, patience).lines
        if lines is not None:  # agents beyond the lines would have nothing to answer
            agents = np.minimum(agents, np.ceil(lines / concurrency - 1e-9))
        return _immediate_result(agents, rates, work, patience, concurrency, None, n, "occupancy",
                                 lines)
    queue = ClassQueue(scenario, streams, work, patience)
    best = np.zeros(n)
    binding = np.full(n, -1)
    levels = []
    for i, target in enumerate(targets):
        try:
            slots = required_agents(rates, work, target.target, target.wait_s,
                                    mean_patience=patience, max_occupancy=max_occ)
        except UnreachableTarget as exc:
            raise exc.for_standard(target.standard.label) from None
        agents = np.ceil(np.asarray(slots, dtype=float) / concurrency - 1e-9)
        if queue.needed:  # priority classes or trunk lines: size as they serve
            agents, level = queue.size(target, agents, load / max_occ / concurrency
                                       if max_occ else np.zeros(n))
            levels.append(level)
        binding = np.where(agents > best, i, np.where(binding < 0, i, binding))
        best = np.maximum(best, agents)
    method = "erlang_a" if patience is not None else "erlang_c"
    if queue.lines is not None:
        method = "erlang_k"
    result = _immediate_result(best, rates, work, patience, concurrency, (targets, binding), n,
                               method, queue.lines)
    if levels:  # the binding standard's level as its classes see it
        result["service_level"] = np.where(
            rates > 0, np.choose(np.maximum(binding, 0), [lv(best) for lv in levels]), np.nan)
    return result


def _pooled(scenario: Scenario, streams: list[WorkStream], attr) -> np.ndarray:
    """Rate-weighted mean of a per-stream time across pooled streams, seconds."""
    rates = [_rates(scenario, s) for s in streams]
    total = sum(rates)
    weighted = sum(r * attr(s) for r, s in zip(rates, streams, strict=True))
    fallback = np.mean(np.broadcast_arrays(*(np.asarray(attr(s), dtype=float)
                                             for s in streams)), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, weighted / np.where(total > 0, total, 1.0), fallback)


def _immediate_result(
    agents: np.ndarray, rates: np.ndarray, work: np.ndarray | float,
    patience: np.ndarray | None, concurrency: int,
    binding: tuple[tuple[StageTarget, ...], np.ndarray] | None, n: int, method: str,
    lines: np.ndarray | None = None,
) -> dict[str, np.ndarray | list[str]]:
    slots = (agents * concurrency).astype(int)
    threshold = np.zeros(n)
    labels = [""] * n
    if binding is not None:
        targets, index = binding
        threshold = np.array([targets[i].wait_s for i in index])
        labels = [targets[i].standard.label for i in index]
    blocking = np.zeros(n)
    if lines is not None:
        result = erlang_k(slots, rates, work, lines, threshold, patience)
        blocking = np.asarray(result.blocking)
    elif patience is not None:
        result = erlang_a(slots, rates, work, patience, threshold)
    else:
        result = erlang_c(slots, rates, work, threshold)
    busy = rates * work * (1.0 - np.asarray(result.abandon_rate) - blocking)
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = np.where(slots > 0, busy / np.maximum(slots, 1), np.nan)
    idle = rates <= 0
    return {
        "required_agents": agents.astype(float),
        "service_level": np.where(idle, np.nan, result.service_level) if binding else
        np.full(n, np.nan),
        "asa_s": np.where(idle, np.nan, result.asa),
        "abandon_rate": np.where(idle, np.nan, result.abandon_rate),
        "block_rate": np.where(idle, np.nan, blocking),
        "occupancy": occupancy,
        "standard": labels,
        "method": [method] * n,
    }


def _size_deferred(scenario: Scenario, stream: WorkStream) -> dict[str, np.ndarray | list[str]]:
    """Backlog sizing of deferred work: one level in every open interval."""
    n = scenario.n_intervals
    open_share = stream.contact.calendar.open_share(
        scenario.interval_starts_s, scenario.interval_s, scenario.first_weekday
    )
    work_s = stream.volumes * stream.mean_work_s
    short = [t for t in stream.targets if t.finish_s < scenario.interval_s]
    if short:
        # A deadline inside one interval: queueing within the interval dominates.
        return _size_immediate(scenario, [stream], tuple(short))
    if not stream.targets:
        level = work_s.sum() / max((open_share * scenario.interval_s).sum(), 1e-9)
        level /= scenario.planning.unstandarded_occupancy
        on_time, label = np.full(n, np.nan), ""
    else:
        results = [
            (required_level(work_s, open_share, scenario.interval_s, t.finish_s, t.target,
                            t.business_clock), t)
            for t in stream.targets
        ]
        best, target = max(results, key=lambda item: item[0].level)
        level, on_time, label = best.level, best.on_time, target.standard.label
    required = np.where(open_share > 0, level, 0.0)
    return {
        "required_agents": required,
        "service_level": np.where(stream.volumes > 0, on_time, np.nan),
        "asa_s": np.full(n, np.nan),
        "abandon_rate": np.zeros(n),
        "block_rate": np.zeros(n),
        "occupancy": np.full(n, np.nan),
        "standard": [label] * n,
        "method": ["backlog"] * n,
    }


def _contact_frame(scenario: Scenario, stream: WorkStream, sized: dict) -> pd.DataFrame:
    n = scenario.n_intervals
    contact = stream.contact
    return pd.DataFrame({
        "interval": np.arange(n),
        "start": scenario.interval_labels(),
        "contact_type": contact.name,
        "stage": stream.stage,
        "channel": contact.channel,
        "tier": contact.tier,
        "pool": stream.pool,
        "volume": stream.volumes,
        "aht_s": stream.mean_work_s,
        "workload_agents": stream.volumes * stream.mean_work_s / scenario.interval_s
        / contact.concurrency,
        **sized,
    })


# -- pools --------------------------------------------------------------------

def _pool_frame(
    scenario: Scenario, streams: list[WorkStream], sized: list[dict]
) -> pd.DataFrame:
    frames = []
    for pool in scenario.pools:
        mine = [(s, r) for s, r in zip(streams, sized, strict=True) if s.pool == pool.name]
        frames.append(_one_pool(scenario, pool.name, pool.shrinkage, mine))
    return pd.concat(frames, ignore_index=True)[POOL_COLUMNS]


def _one_pool(scenario: Scenario, name: str, shrinkage: float, mine: list) -> pd.DataFrame:
    n = scenario.n_intervals
    required = np.zeros(n)
    volume = np.zeros(n)
    work_s = np.zeros(n)
    workload = np.zeros(n)
    attained = np.zeros(n)
    weight = np.zeros(n)
    groups: dict[str, list[WorkStream]] = {}
    for stream, result in mine:
        volume += stream.volumes
        work_s += stream.volumes * stream.mean_work_s
        workload += stream.volumes * stream.mean_work_s / scenario.interval_s \
            / stream.contact.concurrency
        if stream.kind == "immediate":
            groups.setdefault(stream.contact.channel, []).append(stream)
        else:
            required += result["required_agents"]
            _accumulate(attained, weight, stream.volumes, result["service_level"])
    immediate_agents = np.zeros(n)
    immediate_load = np.zeros(n)
    for group in groups.values():
        targets = tuple(t for s in group for t in s.targets)
        result = _size_immediate(scenario, group, targets)
        required += result["required_agents"]
        immediate_agents += result["required_agents"]
        # carried load (abandoners leave) in agents: occupancy per slot x agents
        immediate_load += np.nan_to_num(result["occupancy"]) * result["required_agents"]
        _accumulate(attained, weight, sum(s.volumes for s in group), result["service_level"])
    required = np.ceil(required - 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Deferred work is done hours after it arrives, so only immediate work
        # has a meaningful same-interval occupancy.
        occupancy = np.where(immediate_agents > 0, immediate_load / immediate_agents, np.nan)
        service = np.where(weight > 0, attained / weight, np.nan)
    return pd.DataFrame({
        "interval": np.arange(n),
        "start": scenario.interval_labels(),
        "pool": name,
        "volume": volume,
        "aht_s": np.where(volume > 0, work_s / np.where(volume > 0, volume, 1.0), np.nan),
        "workload_agents": workload,
        "required_agents": required.astype(int),
        "scheduled_agents": np.ceil(required / (1.0 - shrinkage) - 1e-9).astype(int),
        "occupancy": occupancy,
        "service_level": service,
    })


def _accumulate(total: np.ndarray, weight: np.ndarray, volumes: np.ndarray, level) -> None:
    level = np.asarray(level, dtype=float)
    ok = np.isfinite(level) & (volumes > 0)
    total += np.where(ok, volumes * np.where(ok, level, 0.0), 0.0)
    weight += np.where(ok, volumes, 0.0)


__all__ = ["Requirements", "requirements"]
