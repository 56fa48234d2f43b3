"""What a simulation returns: tidy tables with confidence intervals."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from svcsim.scenario import Scenario
from svcsim.sim.replications import RunTables, t_interval


@dataclass(frozen=True)
class SimulationResult:
    """Results of ``replications`` runs of a scenario.

    Attributes
    ----------
    intervals : pandas.DataFrame
        Interval x contact type, means over replications: ``offered``,
        ``answered``, ``abandoned``, ``deflected`` (contacts per interval),
        ``abandon_rate``, ``asa_s`` (mean wait of answered, s), ``wait_p90_s``,
        and ``service_level`` with ``service_level_low`` / ``_high`` (the CI)
        for the first standard covering the contact type (``standard``).
    pools : pandas.DataFrame
        Interval x pool: ``agents`` on duty, ``busy_agent_s``, ``occupancy``.
    standards : pandas.DataFrame
        One row per standard: ``attainment`` over the horizon with its CI,
        ``target``, and ``verdict``: ``met`` (the CI lies above the target),
        ``missed`` (below) or ``uncertain``.
    standard_intervals : pandas.DataFrame
        Standard x interval attainment with CI.
    contacts : pandas.DataFrame or None
        The per-contact log with a ``replication`` column, when kept.
    """

    intervals: pd.DataFrame
    pools: pd.DataFrame
    standards: pd.DataFrame
    standard_intervals: pd.DataFrame
    contacts: pd.DataFrame | None
    replications: int
    seed: int
    level: float = 0.95
    settings: dict = field(default_factory=dict)


def summarise(scenario: Scenario, runs: list[RunTables], seed: int, level: float,
              settings: dict) -> SimulationResult:
    """Aggregate replications into a :class:`SimulationResult`."""
    attainment = _stack([r.attainment for r in runs])
    standard_intervals = _attainment_ci(scenario, attainment, level)
    return SimulationResult(
        intervals=_intervals(scenario, runs, standard_intervals, level),
        pools=_stack([r.pools for r in runs]).groupby(["interval", "pool"], sort=False)
        [["agents", "busy_agent_s", "occupancy"]].mean().reset_index(),
        standards=_standards(scenario, attainment, standard_intervals, level),
        standard_intervals=standard_intervals,
        contacts=_stack([r.contacts for r in runs]) if runs and runs[0].contacts is not None
        else None,
        replications=len(runs), seed=seed, level=level, settings=settings,
    )


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([f.assign(replication=i) for i, f in enumerate(frames)], ignore_index=True)


def _attainment_ci(scenario: Scenario, attainment: pd.DataFrame, level: float) -> pd.DataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        attainment = attainment.assign(share=attainment["met"] / attainment["covered"]
                                       .where(attainment["covered"] > 0))
    rows = []
    for (standard, interval), group in attainment.groupby(["standard", "interval"], sort=True):
        mean, low, high = t_interval(group["share"].to_numpy(), level)
        low, high = max(low, 0.0), min(high, 1.0)  # a share lies in [0, 1]
        rows.append((standard, interval, group["covered"].mean(), mean, low, high))
    return pd.DataFrame(rows, columns=["standard", "interval", "covered", "attainment",
                                       "attainment_low", "attainment_high"])


def _intervals(scenario: Scenario, runs: list[RunTables], attained: pd.DataFrame,
               level: float) -> pd.DataFrame:
    stacked = _stack([r.intervals for r in runs])
    table = stacked.groupby(["interval", "contact_type"], sort=False)[
        ["offered", "answered", "abandoned", "deflected", "abandon_rate", "asa_s", "wait_p90_s"]
    ].mean().reset_index()
    table["start"] = np.asarray(scenario.interval_labels())[table["interval"]]
    primary = {}
    for contact in scenario.resolved_contact_types:
        for i, standard in enumerate(scenario.standards):
            if standard.metric != "progress_update" and contact in scenario.match(standard.contacts):
                primary[contact.name] = i
                break
    per_interval = attained[attained["interval"] >= 0].set_index(["standard", "interval"])
    levels = []
    for name, interval in zip(table["contact_type"], table["interval"]):
        i = primary.get(name)
        if i is None:
            levels.append((np.nan, np.nan, np.nan, ""))
            continue
        row = per_interval.loc[(i, interval)]
        levels.append((row["attainment"], row["attainment_low"], row["attainment_high"],
                       scenario.standards[i].label))
    table[["service_level", "service_level_low", "service_level_high", "standard"]] = \
        pd.DataFrame(levels, index=table.index)
    columns = ["interval", "start", "contact_type", "offered", "answered", "abandoned",
               "deflected", "abandon_rate", "asa_s", "wait_p90_s", "service_level",
               "service_level_low", "service_level_high", "standard"]
    return table[columns]


def _standards(scenario: Scenario, attainment: pd.DataFrame, per_interval: pd.DataFrame,
               level: float) -> pd.DataFrame:
    rows = []
    for i, standard in enumerate(scenario.standards):
        whole = per_interval[(per_interval["standard"] == i) & (per_interval["interval"] == -1)]
        if whole.empty:
            rows.append((standard.label, standard.scope, standard.target, np.nan, np.nan, np.nan,
                         0.0, np.nan, "not measured"))
            continue
        row = whole.iloc[0]
        intervals = per_interval[(per_interval["standard"] == i) & (per_interval["interval"] >= 0)
                                 & (per_interval["covered"] > 0)]
        share_ok = float((intervals["attainment"] >= standard.target).mean()) \
            if len(intervals) else np.nan
        if standard.scope == "interval":
            verdict_low = intervals["attainment_low"].min()
            verdict_high = intervals["attainment_high"].min()
        else:
            verdict_low, verdict_high = row["attainment_low"], row["attainment_high"]
        verdict = ("met" if verdict_low >= standard.target else
                   "missed" if verdict_high < standard.target else "uncertain")
        rows.append((standard.label, standard.scope, standard.target, row["attainment"],
                     row["attainment_low"], row["attainment_high"], row["covered"], share_ok,
                     verdict))
    return pd.DataFrame(rows, columns=["standard", "scope", "target", "attainment",
                                       "attainment_low", "attainment_high", "covered",
                                       "intervals_meeting_target", "verdict"])
