"""Measurement: one row per contact, then per interval x contact type, then
attainment of each standard, for one replication."""

from __future__ import annotations

import numpy as np
import pandas as pd

from svcsim.scenario import Scenario, Standard
from svcsim.scenario.standards import FIRST_RESPONSE, PROGRESS_UPDATE, RESOLUTION
from svcsim.sim.engine import RunRecords
from svcsim.sim.model import ABANDONED, DONE, WAITING

OUTCOMES = {DONE: "done", ABANDONED: "abandoned"}


def contact_log(scenario: Scenario, records: RunRecords, measure_from: float) -> pd.DataFrame:
    """One row per measured contact, times in seconds from the start of the
    measured horizon.

    Columns: ``contact_type``, ``origin`` (first / retry / repeat), ``interval``
    (arrival interval), ``arrival_s``, ``answered_s`` (start of the first
    stage), ``wait_s`` (until answered, or until abandoning), ``end_s`` (end
    of the last stage), ``outcome`` (done, abandoned, in_service, waiting: the
    last two only for work still open when the run stopped), ``pool`` (the
    pool that took it up; empty if none did).
    """
    contacts = [c for c in records.contacts if c.measured]
    types = scenario.resolved_contact_types
    n = len(contacts)
    arrival = np.fromiter((c.arrival_s for c in contacts), float, n) - measure_from
    answered = np.fromiter((c.first_start_s for c in contacts), float, n) - measure_from
    end = np.fromiter((c.end_s for c in contacts), float, n) - measure_from
    abandon = np.fromiter((c.abandon_s for c in contacts), float, n) - measure_from
    state = np.fromiter((c.state for c in contacts), int, n)
    stop = records.end_s - measure_from
    # Lazily-removed abandoners still in a queue when the run stopped.
    gone = (state == WAITING) & (abandon <= stop) & np.isnan(answered)
    state = np.where(gone, ABANDONED, state)
    outcome = np.array([OUTCOMES.get(s, "waiting") for s in state], dtype=object)
    outcome[(state != DONE) & (state != ABANDONED) & ~np.isnan(answered)] = "in_service"
    wait = np.where(state == ABANDONED, abandon - arrival, answered - arrival)
    pools = np.fromiter((c.pool for c in contacts), int, n)
    log = pd.DataFrame({
        "contact_type": pd.Categorical.from_codes(
            np.fromiter((c.type_index for c in contacts), int, n),
            categories=[t.name for t in types]),
        "origin": pd.Categorical.from_codes(
            np.fromiter((c.origin for c in contacts), int, n),
            categories=["first", "retry", "repeat"]),
        "interval": (arrival // scenario.interval_s).astype(int),
        "arrival_s": arrival,
        "answered_s": answered,
        "wait_s": wait,
        "end_s": end,
        "outcome": outcome,
        "pool": pd.Categorical.from_codes(pools, categories=[p.name for p in scenario.pools]),
    })
    log.attrs["stage_times"] = [
        None if c.stage_times is None else
        [(start - measure_from, stop - measure_from) for start, stop in c.stage_times]
        for c in contacts
    ]
    return log


def interval_table(scenario: Scenario, log: pd.DataFrame, records: RunRecords) -> pd.DataFrame:
    """Per interval x contact type: offered, answered, abandoned, deflected, ASA,
    mean and 90th-percentile wait, abandonment rate."""
    n = scenario.n_intervals
    frames = []
    for t, contact in enumerate(scenario.resolved_contact_types):
        mine = log[log["contact_type"] == contact.name]
        by = mine.groupby("interval")
        answered = mine[mine["answered_s"].notna()]
        frame = pd.DataFrame({
            "interval": np.arange(n),
            "contact_type": contact.name,
            "offered": by.size().reindex(range(n), fill_value=0).to_numpy(),
            "answered": answered.groupby("interval").size().reindex(range(n), fill_value=0)
            .to_numpy(),
            "abandoned": (mine["outcome"] == "abandoned").groupby(mine["interval"]).sum()
            .reindex(range(n), fill_value=0).to_numpy(),
            "deflected": records.deflected.get(t, np.zeros(n)),
            "asa_s": answered.groupby("interval")["wait_s"].mean().reindex(range(n)).to_numpy(),
            "wait_p90_s": mine.groupby("interval")["wait_s"].quantile(0.9).reindex(range(n))
            .to_numpy(),
        })
        with np.errstate(invalid="ignore", divide="ignore"):
            frame["abandon_rate"] = frame["abandoned"] / frame["offered"].where(
                frame["offered"] > 0)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def standard_events(scenario: Scenario, standard: Standard, log: pd.DataFrame,
                    measure_from: float) -> pd.DataFrame:
    """Per contact covered by ``standard``: its type, arrival interval and
    whether it met the standard. A contact that never reached the measured
    event (abandoned, or still open when the run stopped) misses."""
    stage_times = log.attrs["stage_times"]
    rows = []
    for contact in scenario.match(standard.contacts):
        mine = log.index[log["contact_type"] == contact.name]
        if len(mine) == 0:
            continue
        origin, event = _event_times(contact, standard, log, stage_times, mine)
        if standard.clock == "business":
            calendar = contact.calendar
            clock = calendar.open_seconds(np.nan_to_num(event, nan=np.inf) + measure_from,
                                          scenario.first_weekday) \
                - calendar.open_seconds(origin + measure_from, scenario.first_weekday)
            elapsed = np.where(np.isnan(event), np.nan, clock)
        else:
            elapsed = event - origin
        met = np.nan_to_num(elapsed, nan=np.inf) <= standard.threshold_s + 1e-9
        rows.append(pd.DataFrame({"contact_type": contact.name,
                                  "interval": log.loc[mine, "interval"].to_numpy(), "met": met}))
    if not rows:
        return pd.DataFrame({"contact_type": pd.Series([], dtype=str),
                             "interval": pd.Series([], dtype=int),
                             "met": pd.Series([], dtype=bool)})
    return pd.concat(rows, ignore_index=True)


def _event_times(contact, standard: Standard, log: pd.DataFrame, stage_times, index):
    """Start of the clock and the measured event, per contact (NaN = never)."""
    stages = contact.stage_names
    arrival = log.loc[index, "arrival_s"].to_numpy()
    if standard.metric in FIRST_RESPONSE and standard.measured_event == "start":
        event = log.loc[index, "answered_s"].to_numpy()
    elif standard.metric == RESOLUTION and standard.measured_event == "end":
        event = log.loc[index, "end_s"].to_numpy()
    else:
        stage = 0 if standard.metric in FIRST_RESPONSE else (
            len(stages) - 1 if standard.metric == RESOLUTION else stages.index(standard.metric))
        which = 0 if standard.measured_event == "start" else 1
        event = _stage_time(stage_times, index, stage, which, log)
    if standard.measured_from == "arrival":
        origin = arrival
    else:
        origin = _stage_time(stage_times, index, stages.index(standard.measured_from), 1, log)
    return origin, event


def _stage_time(stage_times, index, stage: int, which: int, log) -> np.ndarray:
    """Start (``which = 0``) or end (1) of one stage per contact; NaN if never."""
    values = []
    for i in index:
        times = stage_times[i]
        if times is None:  # a single-stage contact: answered .. end
            values.append(log.at[i, "answered_s"] if which == 0 else log.at[i, "end_s"])
        else:
            values.append(times[stage][which] if stage < len(times) else np.nan)
    return np.asarray(values, dtype=float)


def attainment(scenario: Scenario, log: pd.DataFrame, measure_from: float) -> pd.DataFrame:
    """Per standard x contact type x interval (``interval = -1``: the whole
    horizon): contacts covered and how many met the standard."""
    frames = []
    n = scenario.n_intervals
    for i, standard in enumerate(scenario.standards):
        if standard.metric == PROGRESS_UPDATE:
            continue
        events = standard_events(scenario, standard, log, measure_from)
        for name, mine in events.groupby("contact_type", sort=False, observed=True):
            per = mine.groupby("interval")["met"].agg(["size", "sum"]).reindex(
                range(n), fill_value=0)
            frames.append(pd.DataFrame({
                "standard": i, "contact_type": name, "interval": np.arange(n),
                "covered": per["size"].to_numpy(), "met": per["sum"].to_numpy()}))
            frames.append(pd.DataFrame({
                "standard": [i], "contact_type": [name], "interval": [-1],
                "covered": [len(mine)], "met": [int(mine["met"].sum())]}))
    columns = ["standard", "contact_type", "interval", "covered", "met"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else \
        pd.DataFrame(columns=columns)


def pool_table(scenario: Scenario, on_duty: dict[str, np.ndarray], records: RunRecords,
               measure_from: float) -> pd.DataFrame:
    """Per interval x pool: agents on duty, busy agent-seconds and occupancy
    (a chat holding one of three slots counts a third of an agent)."""
    n, step = scenario.n_intervals, scenario.interval_s
    edges = np.arange(n + 1) * step
    services = np.asarray(records.services, dtype=float).reshape(-1, 4)
    frames = []
    for index, pool in enumerate(scenario.pools):
        mine = services[services[:, 0] == index]
        start = mine[:, 1] - measure_from
        end = mine[:, 2] - measure_from
        weight = mine[:, 3]
        busy = np.zeros(n)
        for k in range(n):
            overlap = np.clip(np.minimum(end, edges[k + 1]) - np.maximum(start, edges[k]), 0, None)
            busy[k] = (overlap * weight).sum()
        agents = on_duty.get(pool.name, np.zeros(n)).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            occupancy = np.where(agents > 0, busy / (agents * step), np.nan)
        frames.append(pd.DataFrame({"interval": np.arange(n), "pool": pool.name,
                                    "agents": agents, "busy_agent_s": busy,
                                    "occupancy": occupancy}))
    return pd.concat(frames, ignore_index=True)
