"""What a simulation returns: tidy tables with confidence intervals."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from svcsim.scenario import Scenario
from svcsim.sim.estimators import group_codes, group_sd, pooled_quantiles, ratio_estimates, t_half_width
from svcsim.sim.replications import RunTables


@dataclass(frozen=True)
class SimulationResult:
    """Results of ``replications`` runs of a scenario.

    Attributes
    ----------
    intervals : pandas.DataFrame
        Interval x contact type, means over replications: ``offered``,
        ``answered``, ``abandoned``, ``deflected``, ``blocked`` (contacts per
        interval; blocked: every trunk line busy on arrival, counted as offered);
        pooled over every replication's contacts, each with ``_low`` /
        ``_high`` (the CI across replications): ``abandon_rate``, ``asa_s``
        (mean wait of answered, s), ``wait_p90_s``; and ``service_level``
        with ``service_level_low`` / ``_high`` for the first standard
        covering the contact type (``standard``).
    pools : pandas.DataFrame
        Interval x pool: ``agents`` on duty (scheduled), ``present_agent_s``
        (agent-seconds present, including agents finishing work after their
        shift), ``busy_agent_s``, ``occupancy`` (busy / present, <= 1).
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
        answered, abandoned per replication (means), ``asa_s`` (pooled), and the
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
    standard_intervals, standard_days = _standard_units(scenario, attainment, level)
    per_type = _shares(attainment, ["standard", "contact_type", "interval"], level)
    intervals = _intervals(scenario, runs, per_type, level)
    return SimulationResult(
        intervals=intervals,
        pools=_pools(runs),
        standards=_standards(scenario, standard_intervals, standard_days),
        standard_intervals=standard_intervals,
        contact_types=_contact_types(scenario, runs, intervals, per_type, level),
        contacts=_stack([r.contacts for r in runs]) if runs and runs[0].contacts is not None
        else None,
        replications=len(runs), seed=seed, level=level, settings=settings,
        replication_attainment=_per_replication(attainment),
        standard_days=standard_days,
    )


def standard_verdicts(scenario: Scenario, runs: list[RunTables], level: float) -> pd.DataFrame:
    """The ``standards`` table of :func:`summarise` alone (attainment, CI,
    lowest interval and verdict per standard), for deciding whether more
    replications are needed without summarising every interval."""
    attainment = _stack([r.attainment for r in runs])
    return _standards(scenario, *_standard_units(scenario, attainment, level))


def _standard_units(scenario: Scenario, attainment: pd.DataFrame,
                    level: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attainment per standard x interval (``-1``: the horizon) and per
    standard x day, with CIs and one-sided bounds."""
    per_day = int(round(86400 / scenario.interval_s))
    days = attainment[attainment["interval"] >= 0].assign(
        day=lambda t: t["interval"] // per_day)
    return (_shares(attainment, ["standard", "interval"], level),
            _shares(days, ["standard", "day"], level))


def _pools(runs: list[RunTables]) -> pd.DataFrame:
    """Interval x pool, means over replications; occupancy pooled (busy over
    present agent-seconds of every replication), so it never exceeds 1."""
    table = _stack([r.pools for r in runs]).groupby(["interval", "pool"], sort=False)[
        ["agents", "present_agent_s", "busy_agent_s"]].mean().reset_index()
    present = table["present_agent_s"]
    table["occupancy"] = np.where(present > 0, table["busy_agent_s"] / present.where(
        present > 0, 1.0), np.nan)
    return table


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
    the mean and t confidence interval across replications (clipped to [0, 1];
    replications that covered nothing left out, no interval from fewer than
    two), and the one-sided bounds at ``level``."""
    codes, table = group_codes(attainment, keys)
    runs = int(attainment["replication"].max()) + 1 if len(attainment) else 1
    cells = codes * runs + attainment["replication"].to_numpy()
    shape = (len(table), runs)

    def per_run(weights=None) -> np.ndarray:
        return np.bincount(cells, weights=weights, minlength=shape[0] * runs).reshape(shape)

    ran = per_run() > 0  # the replications in which the group has rows
    covered = per_run(attainment["covered"].to_numpy(dtype=float))
    met = per_run(attainment["met"].to_numpy(dtype=float))
    counted = ran & (covered > 0)  # replications that covered nothing are left out
    group = np.nonzero(counted)[0]  # the group of each counted replication's share
    share = met[counted] / covered[counted]
    n = counted.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(group, share, minlength=len(table)) / n
        table["covered"] = covered.sum(axis=1) / ran.sum(axis=1)
    sd = group_sd(group, share, n)
    table["attainment"] = mean
    for prefix, confidence in (("attainment", level), ("one_sided", 2 * level - 1)):
        # a one-sided bound at ``level`` is a side of the two-sided 2 level - 1 interval
        half = t_half_width(sd, n, confidence)
        table[f"{prefix}_low"] = np.maximum(mean - half, 0.0)
        table[f"{prefix}_high"] = np.minimum(mean + half, 1.0)
    return table[[*keys, "covered", "attainment", "attainment_low", "attainment_high",
                  "one_sided_low", "one_sided_high"]]


def _primary_standards(scenario: Scenario) -> dict[str, int]:
    """The first standard (in scenario order) covering each contact type."""
    primary = {}
    for contact in scenario.resolved_contact_types:
        for i, standard in enumerate(scenario.standards):
            if contact in scenario.match(standard.contacts):
                primary[contact.name] = i
                break
    return primary


def _intervals(scenario: Scenario, runs: list[RunTables], per_type: pd.DataFrame,
               level: float) -> pd.DataFrame:
    """Counts are means per replication; ASA, abandonment rate and the 90th
    percentile wait are pooled over replications' contacts, with CIs
    (:mod:`svcsim.sim.estimators`)."""
    keys = ["interval", "contact_type"]
    stacked = _stack([r.intervals for r in runs])
    codes, table = group_codes(stacked, keys, sort=False)
    table["contact_type"] = table["contact_type"].astype(str)
    rows = np.bincount(codes, minlength=len(table))
    for column in ("offered", "answered", "abandoned", "blocked", "deflected"):
        table[column] = np.bincount(codes, weights=stacked[column].to_numpy(dtype=float),
                                    minlength=len(table)) / rows
    # ratio_estimates numbers its groups as group_codes(stacked, keys, sort=False) does
    _put_estimate(table, ratio_estimates(stacked, keys, "wait_sum_s", "answered", level),
                  "asa_s")
    _put_estimate(table, ratio_estimates(stacked, keys, "abandoned", "offered", level),
                  "abandon_rate")
    table["abandon_rate_high"] = table["abandon_rate_high"].clip(upper=1.0)
    waits = _stack([r.waits for r in runs if r.waits is not None])
    p90 = pooled_quantiles(waits, keys, "wait_s", 0.9, level) if len(waits) else \
        pd.DataFrame(columns=[*keys, "value", "low", "high"])
    p90 = table[keys].merge(p90.astype({"contact_type": str}), on=keys, how="left")
    _put_estimate(table, p90, "wait_p90_s")
    table["start"] = np.asarray(scenario.interval_labels())[table["interval"]]
    table[["service_level", "service_level_low", "service_level_high", "standard"]] = \
        _primary_levels(scenario, table, per_type)
    columns = ["interval", "start", "contact_type", "offered", "answered", "abandoned",
               "deflected", "abandon_rate", "asa_s", "wait_p90_s", "service_level",
               "service_level_low", "service_level_high", "standard",
               "asa_s_low", "asa_s_high", "abandon_rate_low", "abandon_rate_high",
               "wait_p90_s_low", "wait_p90_s_high", "blocked"]
    return table[columns]


def _primary_levels(scenario: Scenario, table: pd.DataFrame,
                    per_type: pd.DataFrame) -> pd.DataFrame:
    """For each row of ``table`` (interval x contact type): the attainment
    and CI of the contact type's first standard in that interval, and the
    standard's label (NaN and "" where no standard covers it)."""
    primary = _primary_standards(scenario)
    labels = [s.label for s in scenario.standards]
    wanted = pd.DataFrame({
        "contact_type": table["contact_type"].astype(str).to_numpy(),
        "interval": table["interval"].to_numpy(),
        "standard": table["contact_type"].astype(str).map(primary).to_numpy()})
    levels = per_type.astype({"contact_type": str})[
        ["standard", "contact_type", "interval", "attainment", "attainment_low",
         "attainment_high"]]
    found = wanted.merge(levels, on=["standard", "contact_type", "interval"], how="left",
                         indicator=True)
    label = [labels[int(i)] if side == "both" else "" for i, side in
             zip(found["standard"].fillna(0), found["_merge"], strict=True)]
    return pd.DataFrame({"service_level": found["attainment"].to_numpy(),
                         "service_level_low": found["attainment_low"].to_numpy(),
                         "service_level_high": found["attainment_high"].to_numpy(),
                         "standard": label}, index=table.index)


def _put_estimate(table: pd.DataFrame, estimate: pd.DataFrame, name: str) -> None:
    """Set an estimate's ``value``/``low``/``high`` (row for row with
    ``table``) as ``name``, ``name_low``, ``name_high``; every such quantity
    is >= 0, so is its CI."""
    table[name] = estimate["value"].to_numpy(dtype=float)
    table[f"{name}_low"] = np.maximum(estimate["low"].to_numpy(dtype=float), 0.0)
    table[f"{name}_high"] = estimate["high"].to_numpy(dtype=float)


def _contact_types(scenario: Scenario, runs: list[RunTables], intervals: pd.DataFrame,
                   per_type: pd.DataFrame, level: float) -> pd.DataFrame:
    """Per contact type over the horizon; ASA and abandonment pooled over
    replications' contacts (ratios of sums), with CIs."""
    primary = _primary_standards(scenario)
    whole = per_type[per_type["interval"] == -1].set_index(["standard", "contact_type"])
    totals = _stack([r.intervals for r in runs]).groupby(
        ["contact_type", "replication"], sort=False)[
        ["offered", "answered", "abandoned", "wait_sum_s"]].sum().reset_index()
    asa_ci = ratio_estimates(totals, ["contact_type"], "wait_sum_s", "answered", level) \
        .set_index("contact_type")
    rows = []
    for contact in scenario.resolved_contact_types:
        mine = intervals[intervals["contact_type"] == contact.name]
        offered, answered = mine["offered"].sum(), mine["answered"].sum()
        asa = asa_ci.loc[contact.name, "value"] if contact.name in asa_ci.index else np.nan
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
