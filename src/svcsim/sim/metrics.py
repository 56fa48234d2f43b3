"""Measurement: one row per contact, then per interval x contact type, then
attainment of each standard, for one replication."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import pandas as pd

from svcsim.scenario import Scenario, Standard
from svcsim.scenario.standards import FIRST_RESPONSE, PROGRESS_UPDATE, RESOLUTION
from svcsim.sim.engine import RunRecords
from svcsim.sim.model import ABANDONED, BLOCKED, DONE, WAITING


def contact_log(scenario: Scenario, records: RunRecords, measure_from: float) -> pd.DataFrame:
    """One row per measured contact, times in seconds from the start of the
    measured horizon.

    Columns: ``contact_type``, ``origin`` (first / retry / repeat), ``interval``
    (arrival interval), ``arrival_s``, ``answered_s`` (start of the first
    stage), ``wait_s`` (until answered, or until abandoning; NaN if blocked),
    ``end_s`` (end of the last stage), ``outcome`` (done, abandoned, blocked
    (every trunk line busy on arrival), in_service, waiting: the last two only
    for work still open when the run stopped), ``pool`` (the
    pool that took it up; empty if none did), ``agent`` (the number, within
    that pool, of the agent who took it up; -1 if none did).
    """
    contacts = [c for c in records.contacts if c.measured]
    types = scenario.resolved_contact_types
    fields = np.array(list(map(attrgetter(
        "arrival_s", "first_start_s", "end_s", "abandon_s", "state", "pool", "type_index",
        "origin", "agent"), contacts)), dtype=float).reshape(-1, 9)
    arrival, answered, end, abandon = (fields[:, :4] - measure_from).T
    state, pools, type_index, origin, agent = fields[:, 4:].astype(int).T
    stop = records.end_s - measure_from
    # Lazily-removed abandoners still in a queue when the run stopped.
    gone = (state == WAITING) & (abandon <= stop) & np.isnan(answered)
    state = np.where(gone, ABANDONED, state)
    outcome = np.where(state == DONE, "done", np.where(state == ABANDONED, "abandoned",
                                                       "waiting")).astype(object)
    outcome[(state != DONE) & (state != ABANDONED) & ~np.isnan(answered)] = "in_service"
    outcome[state == BLOCKED] = "blocked"
    wait = np.where(state == ABANDONED, abandon - arrival, answered - arrival)
    log = pd.DataFrame({
        "contact_type": pd.Categorical.from_codes(type_index,
                                                  categories=[t.name for t in types]),
        "origin": pd.Categorical.from_codes(origin, categories=["first", "retry", "repeat"]),
        "interval": (arrival // scenario.interval_s).astype(int),
        "arrival_s": arrival,
        "answered_s": answered,
        "wait_s": wait,
        "end_s": end,
        "outcome": outcome,
        "pool": pd.Categorical.from_codes(pools, categories=[p.name for p in scenario.pools]),
        "agent": agent,
    })
    return log


@dataclass(frozen=True)
class Timeline:
    """What standards are measured on: per measured contact (in log order) the
    arrival, answer and end times, each stage's (start, end), and when the run
    stopped; seconds from the start of the measured horizon."""

    arrival_s: np.ndarray
    answered_s: np.ndarray
    end_s: np.ndarray
    stages: list[list[tuple[float, float]] | None]
    stop_s: float


def timeline(log: pd.DataFrame, records: RunRecords, measure_from: float) -> Timeline:
    """The times of every measured contact, for measuring standards."""
    stages = [None if c.stage_times is None else
              [(start - measure_from, end - measure_from) for start, end in c.stage_times]
              for c in records.contacts if c.measured]
    return Timeline(log["arrival_s"].to_numpy(), log["answered_s"].to_numpy(),
                    log["end_s"].to_numpy(), stages, records.end_s - measure_from)


def interval_table(scenario: Scenario, log: pd.DataFrame, records: RunRecords) -> pd.DataFrame:
    """Per contact type x interval (type-major, in scenario order): offered,
    answered, abandoned, blocked, deflected, and ``wait_sum_s`` (sum of the
    waits of answered contacts, s). Rates are not taken per replication:
    :mod:`svcsim.sim.estimators` pools these sums over replications."""
    n = scenario.n_intervals
    names = [t.name for t in scenario.resolved_contact_types]
    cells = len(names) * n
    cell = log["contact_type"].cat.codes.to_numpy().astype(np.int64) * n \
        + log["interval"].to_numpy()
    answered = log["answered_s"].notna().to_numpy()
    outcome = log["outcome"].to_numpy()

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cell[mask], None if weights is None else weights[mask],
                           minlength=cells)

    everyone = np.ones(len(log), dtype=bool)
    deflected = [np.asarray(records.deflected.get(t, np.zeros(n))) for t in range(len(names))]
    return pd.DataFrame({
        "interval": np.tile(np.arange(n), len(names)),
        "contact_type": np.repeat(np.array(names, dtype=object), n),
        "offered": count(everyone),
        "answered": count(answered),
        "abandoned": count(outcome == "abandoned"),
        "blocked": count(outcome == "blocked"),
        "deflected": np.concatenate(deflected) if deflected else np.zeros(0),
        "wait_sum_s": count(answered, log["wait_s"].to_numpy()).astype(float),
    })


def contacts_met(scenario: Scenario, standard: Standard, contact, times: Timeline,
                 index: np.ndarray, measure_from: float) -> np.ndarray:
    """Whether each contact ``index`` (rows of the log, all of type
    ``contact``) met ``standard``. A contact that never reached the measured
    event (abandoned, or still open when the run stopped) misses."""
    if standard.metric == PROGRESS_UPDATE:
        return _updates_met(scenario, contact, standard, times, index, measure_from)
    origin, event = _event_times(contact, standard, times, index)
    if standard.clock == "business":
        clock = contact.calendar.open_seconds(
            np.nan_to_num(event, nan=np.inf) + measure_from, scenario.first_weekday) \
            - contact.calendar.open_seconds(origin + measure_from, scenario.first_weekday)
        elapsed = np.where(np.isnan(event), np.nan, clock)
    else:
        elapsed = event - origin
    return np.nan_to_num(elapsed, nan=np.inf) <= standard.threshold_s + 1e-9


def _updates_met(scenario: Scenario, contact, standard: Standard, times: Timeline,
                 index: np.ndarray, measure_from: float) -> np.ndarray:
    """Whether each contact heard from an agent at least every ``standard.every``:
    every stage start and end is an update, and no gap from arrival to
    resolution (or to the end of the run, for open work) may exceed it."""
    met = np.zeros(len(index), dtype=bool)
    for k, i in enumerate(index):
        spans = times.stages[i] or [(times.answered_s[i], times.end_s[i])]
        moments = [times.arrival_s[i], *(t for span in spans for t in span if t == t),
                   times.end_s[i] if times.end_s[i] == times.end_s[i] else times.stop_s]
        moments = np.sort(np.asarray(moments, dtype=float))
        if standard.clock == "business":
            moments = contact.calendar.open_seconds(moments + measure_from,
                                                    scenario.first_weekday)
        met[k] = np.diff(moments).max(initial=0.0) <= standard.threshold_s + 1e-9
    return met


def _event_times(contact, standard: Standard, times: Timeline, index: np.ndarray):
    """Start of the clock and the measured event, per contact (NaN = never)."""
    stages = contact.stage_names
    if standard.metric in FIRST_RESPONSE and standard.measured_event == "start":
        event = times.answered_s[index]
    elif standard.metric == RESOLUTION and standard.measured_event == "end":
        event = times.end_s[index]
    else:
        stage = 0 if standard.metric in FIRST_RESPONSE else (
            len(stages) - 1 if standard.metric == RESOLUTION else stages.index(standard.metric))
        event = _stage_time(times, index, stage, 0 if standard.measured_event == "start" else 1)
    if standard.measured_from == "arrival":
        origin = times.arrival_s[index]
    else:
        origin = _stage_time(times, index, stages.index(standard.measured_from), 1)
    return origin, event


def _stage_time(times: Timeline, index: np.ndarray, stage: int, which: int) -> np.ndarray:
    """Start (``which = 0``) or end (1) of one stage per contact; NaN if never."""
    values = np.empty(len(index))
    for k, i in enumerate(index):
        spans = times.stages[i]
        if spans is None:  # a single-stage contact: answered .. end
            values[k] = times.answered_s[i] if which == 0 else times.end_s[i]
        else:
            values[k] = spans[stage][which] if stage < len(spans) else np.nan
    return values


def attainment(scenario: Scenario, log: pd.DataFrame, times: Timeline,
               measure_from: float) -> pd.DataFrame:
    """Per standard x contact type x interval (``interval = -1``: the whole
    horizon): contacts covered and how many met the standard. Contact types
    the standard covers but that had no contacts are left out."""
    n = scenario.n_intervals
    codes = log["contact_type"].cat.codes.to_numpy()
    intervals = log["interval"].to_numpy()
    by_type = {t.name: k for k, t in enumerate(scenario.resolved_contact_types)}
    columns = {"standard": [], "contact_type": [], "interval": [], "covered": [], "met": []}
    for i, standard in enumerate(scenario.standards):
        for contact in scenario.match(standard.contacts):
            mine = np.nonzero(codes == by_type[contact.name])[0]
            if len(mine) == 0:
                continue
            met = contacts_met(scenario, standard, contact, times, mine, measure_from)
            covered = np.bincount(intervals[mine], minlength=n)
            hits = np.bincount(intervals[mine], met, minlength=n).astype(np.int64)
            columns["standard"].append(np.full(n + 1, i))
            columns["contact_type"].append(np.full(n + 1, contact.name, dtype=object))
            columns["interval"].append(np.append(np.arange(n), -1))
            columns["covered"].append(np.append(covered, len(mine)))
            columns["met"].append(np.append(hits, int(met.sum())))
    if not columns["standard"]:
        return pd.DataFrame(columns=list(columns))
    return pd.DataFrame({name: np.concatenate(parts) for name, parts in columns.items()})


def busy_until(times: np.ndarray, start: np.ndarray, end: np.ndarray,
               weight: np.ndarray) -> np.ndarray:
    """Busy agent-seconds before each of ``times`` (s) for services running
    from ``start`` to ``end`` (s), each occupying ``weight`` of an agent.

    Sum over services of weight * (clip(x - start) - clip(x - end)): with
    starts and ends sorted this is a prefix sum read at each time, so the
    cost does not grow with intervals x services.
    """
    def ramp(points: np.ndarray) -> np.ndarray:
        # sum over points p < x of weight * (x - p), for every x in times
        order = np.argsort(points, kind="stable")
        p, w = points[order], weight[order]
        w_sum = np.concatenate([[0.0], np.cumsum(w)])
        wp_sum = np.concatenate([[0.0], np.cumsum(w * p)])
        k = np.searchsorted(p, times, side="left")
        return times * w_sum[k] - wp_sum[k]

    return ramp(start) - ramp(end)


def present_until(times: np.ndarray, changes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Agent-seconds present before each of ``times`` (s), for a head count
    that becomes ``counts[i]`` at ``changes[i]`` (s, sorted) and holds until
    the next change."""
    held = np.diff(changes, append=changes[-1]) * counts
    area = np.concatenate([[0.0], np.cumsum(held)])  # at each change
    k = np.searchsorted(changes, times, side="right")  # changes at or before t
    last = np.maximum(k - 1, 0)
    return np.where(k > 0, area[last] + counts[last] * (times - changes[last]), 0.0)


def pool_table(scenario: Scenario, on_duty: dict[str, np.ndarray], records: RunRecords,
               measure_from: float) -> pd.DataFrame:
    """Per interval x pool: ``agents`` scheduled on duty, ``present_agent_s``
    (agent-seconds present, counting agents finishing work after their shift),
    ``busy_agent_s`` (a chat holding one of three slots counts a third of an
    agent) and ``occupancy`` = busy / present, at most 1."""
    n, step = scenario.n_intervals, scenario.interval_s
    edges = np.arange(n + 1) * step
    services = np.frombuffer(records.services, dtype=float).reshape(-1, 4)
    staff = np.frombuffer(records.present, dtype=float).reshape(-1, 3)
    frames = []
    for index, pool in enumerate(scenario.pools):
        mine = services[services[:, 0] == index]
        busy = np.diff(busy_until(edges, mine[:, 1] - measure_from,
                                  mine[:, 2] - measure_from, mine[:, 3]))
        changes = staff[staff[:, 0] == index]
        present = np.diff(present_until(edges, changes[:, 1] - measure_from, changes[:, 2])) \
            if len(changes) else np.zeros(n)
        agents = on_duty.get(pool.name, np.zeros(n)).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            occupancy = np.where(present > 0, busy / np.where(present > 0, present, 1.0), np.nan)
        frames.append(pd.DataFrame({"interval": np.arange(n), "pool": pool.name,
                                    "agents": agents, "present_agent_s": present,
                                    "busy_agent_s": busy, "occupancy": occupancy}))
    return pd.concat(frames, ignore_index=True)
