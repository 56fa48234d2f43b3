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
        ``target``, and ``verdict`` at the standard's scope and the stated
        confidence ``level``, one-sided: ``met`` (the lower confidence bound
        clears the target), ``missed`` (the upper bound lies below it) or
        ``not shown`` (the CI straddles the target: more replications may
        decide it). ``lowest_interval`` is the lowest mean attainment of an
        interval with contacts.
    standard_intervals : pandas.DataFrame
        Standard x interval attainment with CI (``interval = -1``: the horizon),
        and the one-sided bounds at ``level`` (``one_sided_low`` / ``_high``).
    contact_types : pandas.DataFrame
        One row per contact type (tier x channel) over the horizon: offered,
        answered, abandoned per replication (means), ``asa_s``, and the
        attainment of its first standard with CI.
    contacts : pandas.DataFrame or None
        The per-contact log with a ``replication`` column, when kept.
    replication_attainment : pandas.DataFrame
        Standard x replication: ``covered``, ``met`` and ``attainment`` over
        the horizon, for paired comparisons under common random numbers.
    standard_days : pandas.DataFrame
        Standard x day attainment with CI and one-sided bounds.
    """

    intervals: pd.DataFrame
    pools: pd.DataFrame
    standards: pd.DataFrame
    standard_intervals: pd.DataFrame
    contact_types: pd.DataFrame
    contacts: pd.DataFrame | None
    replications: int
    seed: int
    level: float = 0.95
    settings: dict = field(default_factory=dict)
    replication_attainment: pd.DataFrame = field(default_factory=pd.DataFrame)
    standard_days: pd.DataFrame = field(default_factory=pd.DataFrame)


def summarise(scenario: Scenario, runs: list[RunTables], seed: int, level: float,
              settings: dict) -> SimulationResult:
    """Aggregate replications into a :class:`SimulationResult`."""
    attainment = _stack([r.attainment for r in runs])
    standard_intervals = _shares(attainment, ["standard", "interval"], level)
    per_day = int(round(86400 / scenario.interval_s))
    days = attainment[attainment["interval"] >= 0].assign(
        day=lambda t: t["interval"] // per_day)
    standard_days = _shares(days, ["standard", "day"], level)
    per_type = _shares(attainment, ["standard", "contact_type", "interval"], level)
    intervals = _intervals(scenario, runs, per_type)
    return SimulationResult(
        intervals=intervals,
        pools=_stack([r.pools for r in runs]).groupby(["interval", "pool"], sort=False)
        [["agents", "busy_agent_s", "occupancy"]].mean().reset_index(),
        standards=_standards(scenario, standard_intervals, standard_days),
        standard_intervals=standard_intervals,
        contact_types=_contact_types(scenario, intervals, per_type),
        contacts=_stack([r.contacts for r in runs]) if runs and runs[0].contacts is not None
        else None,
        replications=len(runs), seed=seed, level=level, settings=settings,
        replication_attainment=_per_replication(attainment),
        standard_days=standard_days,
    )


def _per_replication(attainment: pd.DataFrame) -> pd.DataFrame:
    whole = attainment[attainment["interval"] == -1]
    table = whole.groupby(["standard", "replication"])[["covered", "met"]].sum().reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        table["attainment"] = np.where(table["covered"] > 0, table["met"] / table["covered"],
                                       np.nan)
    return table


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([f.assign(replication=i) for i, f in enumerate(frames)], ignore_index=True)


def _shares(attainment: pd.DataFrame, keys: list[str], level: float) -> pd.DataFrame:
    """Attainment per ``keys``: each replication's share met / covered, then
    the mean and t confidence interval across replications (clipped to [0, 1])."""
    per_run = attainment.groupby(keys + ["replication"], sort=True, observed=True)[
        ["covered", "met"]].sum().reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        per_run["share"] = per_run["met"] / per_run["covered"].where(per_run["covered"] > 0)
    rows = []
    for key, group in per_run.groupby(keys, sort=True, observed=True):
        shares = group["share"].to_numpy()
        mean, low, high = t_interval(shares, level)
        # a one-sided bound at ``level`` is a side of the two-sided 2 level - 1 interval
        _, one_low, one_high = t_interval(shares, 2 * level - 1)
        rows.append((*key, group["covered"].mean(), mean, max(low, 0.0), min(high, 1.0),
                     max(one_low, 0.0), min(one_high, 1.0)))
    return pd.DataFrame(rows, columns=[*keys, "covered", "attainment", "attainment_low",
                                       "attainment_high", "one_sided_low", "one_sided_high"])


def _primary_standards(scenario: Scenario) -> dict[str, int]:
    """The first standard (in scenario order) covering each contact type."""
    primary = {}
    for contact in scenario.resolved_contact_types:
        for i, standard in enumerate(scenario.standards):
            if contact in scenario.match(standard.contacts):
                primary[contact.name] = i
                break
    return primary


def _intervals(scenario: Scenario, runs: list[RunTables], per_type: pd.DataFrame) -> pd.DataFrame:
    stacked = _stack([r.intervals for r in runs])
    table = stacked.groupby(["interval", "contact_type"], sort=False)[
        ["offered", "answered", "abandoned", "deflected", "abandon_rate", "asa_s", "wait_p90_s"]
    ].mean().reset_index()
    table["start"] = np.asarray(scenario.interval_labels())[table["interval"]]
    primary = _primary_standards(scenario)
    levels = per_type.set_index(["standard", "contact_type", "interval"])
    rows = []
    for name, interval in zip(table["contact_type"], table["interval"], strict=True):
        key = (primary.get(name), name, interval)
        if key in levels.index:
            row = levels.loc[key]
            rows.append((row["attainment"], row["attainment_low"], row["attainment_high"],
                         scenario.standards[key[0]].label))
        else:
            rows.append((np.nan, np.nan, np.nan, ""))
    table[["service_level", "service_level_low", "service_level_high", "standard"]] = \
        pd.DataFrame(rows, index=table.index)
    columns = ["interval", "start", "contact_type", "offered", "answered", "abandoned",
               "deflected", "abandon_rate", "asa_s", "wait_p90_s", "service_level",
               "service_level_low", "service_level_high", "standard"]
    return table[columns]


def _contact_types(scenario: Scenario, intervals: pd.DataFrame,
                   per_type: pd.DataFrame) -> pd.DataFrame:
    primary = _primary_standards(scenario)
    whole = per_type[per_type["interval"] == -1].set_index(["standard", "contact_type"])
    rows = []
    for contact in scenario.resolved_contact_types:
        mine = intervals[intervals["contact_type"] == contact.name]
        offered, answered = mine["offered"].sum(), mine["answered"].sum()
        asa = (mine["asa_s"] * mine["answered"]).sum() / answered if answered else np.nan
        key = (primary.get(contact.name), contact.name)
        level = whole.loc[key] if key in whole.index else None
        rows.append((contact.channel, contact.tier, contact.name, offered, answered,
                     mine["abandoned"].sum() / offered if offered else np.nan, asa,
                     *((level["attainment"], level["attainment_low"], level["attainment_high"],
                        scenario.standards[key[0]].label) if level is not None else
                       (np.nan, np.nan, np.nan, ""))))
    return pd.DataFrame(rows, columns=["channel", "tier", "contact_type", "offered", "answered",
                                       "abandon_rate", "asa_s", "service_level",
                                       "service_level_low", "service_level_high", "standard"])


def _standards(scenario: Scenario, per_interval: pd.DataFrame,
               per_day: pd.DataFrame) -> pd.DataFrame:
    """One row per standard. The verdict is judged at the standard's scope,
    on one-sided confidence bounds: the worst interval for ``interval``, the
    worst day for ``day`` (in a horizon of several days), the whole horizon
    otherwise (see :func:`verdict`)."""
    rows = []
    for i, standard in enumerate(scenario.standards):
        whole = per_interval[(per_interval["standard"] == i) & (per_interval["interval"] == -1)]
        if whole.empty:
            rows.append((standard.label, standard.scope, standard.target, np.nan, np.nan, np.nan,
                         0.0, np.nan, np.nan, "not measured"))
            continue
        row = whole.iloc[0]
        intervals = per_interval[(per_interval["standard"] == i) & (per_interval["interval"] >= 0)
                                 & (per_interval["covered"] > 0)]
        share_ok = float((intervals["attainment"] >= standard.target).mean()) \
            if len(intervals) else np.nan
        lowest = float(intervals["attainment"].min()) if len(intervals) else np.nan
        days = per_day[(per_day["standard"] == i) & (per_day["covered"] > 0)]
        if standard.scope == "interval":
            units = intervals
        elif standard.scope == "day" and scenario.horizon.days > 1:
            units = days
        else:
            units = whole
        rows.append((standard.label, standard.scope, standard.target, row["attainment"],
                     row["attainment_low"], row["attainment_high"], row["covered"], share_ok,
                     lowest, verdict(units, standard.target)))
    return pd.DataFrame(rows, columns=["standard", "scope", "target", "attainment",
                                       "attainment_low", "attainment_high", "covered",
                                       "intervals_meeting_target", "lowest_interval", "verdict"])


def verdict(units: pd.DataFrame, target: float) -> str:
    """``met`` when every unit's one-sided lower bound clears ``target``,
    ``missed`` when some unit's one-sided upper bound lies below it, else
    ``not shown``.

    Parameters
    ----------
    units : pandas.DataFrame
        The scope's units (intervals, days or the horizon) with
        ``one_sided_low`` and ``one_sided_high`` (shares, 0-1).
    target : float
        Share to reach (0-1).
    """
    low, high = units["one_sided_low"].min(), units["one_sided_high"].min()
    if low >= target:
        return "met"
    if high < target:
        return "missed"
    return "not shown"
