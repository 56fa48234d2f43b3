"""Fit a scenario to an interval report (the ACD export: offered, answered,
abandoned, answered within the threshold, AHT, agents per interval and queue).

A report has no waits, so patience cannot come from censored waits as in a
contact log. It comes from Erlang A instead: for a candidate mean patience,
each interval's effective agents are those at which Erlang A best matches the
interval's observed abandonment and service level
(:func:`svcsim.history.staffing.erlang_match`); the patience kept is the one
whose matches are closest over the queue's intervals (weighted by the
contacts offered). Abandonment and service level together pin down both,
where one alone could not tell fewer agents from less patient callers.

One contact type per queue (``queue/general``), one pool per queue staffed
with those effective agents, handle time exponential with the observed mean
(a report gives no spread), arrivals and day-to-day overdispersion as for a
contact log (:mod:`svcsim.history.arrivals`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from svcsim.files import write_text
from svcsim.history import arrivals as arr
from svcsim.history.fit import Target, _comment, _dump, _duration, _pct
from svcsim.history.reports import IntervalReport
from svcsim.history.staffing import _identified, erlang_match
from svcsim.history.tables import HistoryError
from svcsim.queueing.erlang import erlang_a
from svcsim.scenario import scenario_from_dict
from svcsim.scenario.calendar import WEEKDAYS
from svcsim.scenario.model import INTERVALS_S

NEEDED = ("answered", "abandoned", "answered_within", "aht_s")
"""Report columns a fit needs beyond the required ones."""
PATIENCE_GRID_S = np.geomspace(10.0, 3600.0, 37)
"""Mean patience candidates, seconds (a step of 17 %, refined around the best)."""
TIER = "general"


@dataclass
class ReportFit(arr.FittedHorizon):
    """Everything fitted from one interval report.

    ``cells`` has one row per queue and horizon interval with the observed
    means per day (``offered``, ``abandon_rate``, ``service_level``,
    ``aht_s``, the agent columns present) and the fit (``agents``: effective
    agents on duty, ``erlang_abandon_rate``, ``erlang_service_level``,
    ``identified``); ``queues`` one row per queue (``aht_s``,
    ``patience_s``, ``gap_abandon``, ``gap_service``: mean absolute gaps in
    points over identified intervals).
    """

    report: IntervalReport
    target: Target
    daily: arr.DailyCounts
    dispersion: pd.DataFrame
    cells: pd.DataFrame
    queues: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def fit_report(report: IntervalReport, target: Target | None = None,
               level: float = 0.95) -> ReportFit:
    """Fit arrivals, handle time, patience and effective staffing to a report.

    Raises
    ------
    HistoryError
        When a column the fit needs is missing or empty, or the report's
        interval is not a planning interval (15 or 30 minutes, or an hour).
    """
    target = target or Target()
    rows = report.rows
    missing = [c for c in NEEDED if c not in rows or rows[c].isna().all()]
    if missing:
        raise HistoryError(report.source, [(c, "needed to fit a scenario from an interval "
                                            "report (patience comes from abandonment and "
                                            "service level, by Erlang A); add the column or "
                                            "map it with --columns") for c in missing])
    if report.interval_s not in INTERVALS_S:
        raise HistoryError(report.source, [("interval_start", f"intervals of "
                                            f"{report.interval_s / 60:g} minutes; a scenario "
                                            "needs 15 or 30 minutes or an hour")])
    daily = report.history()
    horizon = arr.FittedHorizon()
    horizon.daily = daily
    days, first = horizon.horizon_days, horizon.first_weekday
    observed = _observed(report, target, days, first)
    cells, queues = [], []
    for queue, mine in observed.groupby("queue", sort=True):
        fitted, summary = _fit_queue(mine.reset_index(drop=True), report.interval_s,
                                     target.within_s)
        cells.append(fitted)
        queues.append({"queue": queue, **summary})
    return ReportFit(report, target, daily, arr.overdispersion(daily, level),
                     pd.concat(cells, ignore_index=True), pd.DataFrame(queues))


def _observed(report: IntervalReport, target: Target, days: int, first: int) -> pd.DataFrame:
    """Per queue and horizon interval: means per observed day of that weekday."""
    rows = report.rows.copy()
    per_day = int(round(86400 / report.interval_s))
    rows["weekday"] = rows["date"].dt.day_of_week
    rows["handle_total"] = rows["aht_s"].fillna(0) * rows["answered"].fillna(0)
    agent_columns = [c for c in ("agents_logged_in", "agents_available") if c in rows]
    sums = rows.groupby(["queue", "weekday", "interval"])[
        ["offered", "answered", "abandoned", "answered_within", "handle_total"]].sum()
    means = rows.groupby(["queue", "weekday", "interval"])[agent_columns].mean() \
        if agent_columns else None
    seen = rows.groupby("weekday")["date"].nunique()
    out = []
    for queue in sorted(rows["queue"].unique()):
        for d in range(days):
            w = (first + d) % 7
            for i in range(per_day):
                key = (queue, w, i)
                n = int(seen.get(w, 0))
                s = sums.loc[key] if key in sums.index else None
                row = {"queue": queue, "interval": d * per_day + i, "weekday": w,
                       "start": f"{int(i * report.interval_s // 3600):02d}:"
                                f"{int(i * report.interval_s % 3600 // 60):02d}", "days": n}
                offered = float(s["offered"]) if s is not None else 0.0
                row["offered"] = offered / max(n, 1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    row["abandon_rate"] = s["abandoned"] / offered if offered else np.nan
                    row["service_level"] = s["answered_within"] / offered if offered else np.nan
                    row["aht_s"] = s["handle_total"] / s["answered"] \
                        if s is not None and s["answered"] else np.nan
                for c in agent_columns:
                    row[c] = float(means.loc[key, c]) if key in means.index else np.nan
                out.append(row)
    return pd.DataFrame(out)


def _fit_queue(cells: pd.DataFrame, interval_s: float, within_s: float
               ) -> tuple[pd.DataFrame, dict]:
    """Patience and effective agents of one queue (see the module docstring)."""
    weights = cells["offered"] * cells["days"]
    aht = float((cells["aht_s"] * weights).sum() / weights[cells["aht_s"].notna()].sum())
    open_ = (cells["offered"] > 0).to_numpy()
    identified = open_ & _identified(cells["abandon_rate"].fillna(0),
                                     cells["service_level"].fillna(1)).to_numpy()

    def total_gap(patience: float) -> float:
        return sum(_chi_square(o / interval_s, aht, patience, within_s, a, s, w)
                   for w, o, a, s in zip(weights[identified], cells["offered"][identified],
                                         cells["abandon_rate"][identified],
                                         cells["service_level"][identified], strict=True))

    if identified.any():
        gaps = [total_gap(p) for p in PATIENCE_GRID_S]
        best = PATIENCE_GRID_S[int(np.argmin(gaps))]
        finer = best * np.geomspace(1 / 1.18, 1.18, 9)
        patience = float(finer[int(np.argmin([total_gap(p) for p in finer]))])
    else:
        patience = np.nan
    agents, ab, sl = [], [], []
    for o, a, s in zip(cells["offered"], cells["abandon_rate"], cells["service_level"],
                       strict=True):
        if o <= 0:
            agents.append(0)
            ab.append(np.nan)
            sl.append(np.nan)
            continue
        theta = patience if np.isfinite(patience) else PATIENCE_GRID_S[-1]
        n, _ = erlang_match(o / interval_s, aht, theta, within_s, a, s)
        agents.append(n)
        result = erlang_a(n, o / interval_s, aht, theta, within_s)
        ab.append(float(result.abandon_rate))
        sl.append(float(result.service_level))
    fitted = cells.assign(agents=agents, erlang_abandon_rate=ab, erlang_service_level=sl,
                          identified=identified)
    mine = fitted[identified]
    summary = {"aht_s": aht, "patience_s": patience, "identified_intervals": int(identified.sum()),
               "open_intervals": int(open_.sum()),
               "gap_abandon": float(100 * (mine["erlang_abandon_rate"]
                                           - mine["abandon_rate"]).abs().mean()),
               "gap_service": float(100 * (mine["erlang_service_level"]
                                           - mine["service_level"]).abs().mean())}
    return fitted, summary


def _chi_square(rate: float, service: float, patience: float, within_s: float,
                abandon_rate: float, service_level: float, contacts: float) -> float:
    """How far Erlang A's best-matching staffing at ``patience`` is from an
    interval's observed abandonment and service level, each gap over its
    binomial standard error from ``contacts`` offered (a chi-square with two
    degrees of freedom, minimised over the agents)."""
    agents = np.arange(1, int(rate * service * 2) + 3)
    result = erlang_a(agents, rate, service, patience, within_s)
    terms = 0.0
    for model, seen in ((result.abandon_rate, abandon_rate), (result.service_level,
                                                               service_level)):
        p = np.clip(np.asarray(model), 0.5 / contacts, 1 - 0.5 / contacts)
        terms = terms + (np.asarray(model) - seen) ** 2 / (p * (1 - p) / contacts)
    return float(np.nanmin(terms))


# -- writing ---------------------------------------------------------------
def report_scenario(fit: ReportFit) -> tuple[dict, str]:
    """The fitted scenario as a mapping and as commented YAML."""
    report = fit.report
    dates = sorted(report.rows["date"].unique())
    source = Path(report.source).name
    disp = fit.dispersion.set_index("contact_type")
    data: dict = {
        "name": f"Fitted from {source}",
        "description": (f"Fitted by svcsim fit from the interval report {source}: "
                        f"{int(report.rows['offered'].sum()):,} contacts offered on "
                        f"{len(dates)} days ({pd.Timestamp(dates[0]):%Y-%m-%d} to "
                        f"{pd.Timestamp(dates[-1]):%Y-%m-%d})."),
        "horizon": {"days": fit.horizon_days, "interval": _duration(report.interval_s),
                    "first_day": WEEKDAYS[fit.first_weekday]},
        "channels": {}, "tiers": {TIER: {"priority": 1}}, "contact_types": {},
        "standards": [{"name": f"{fit.target.percent:g}/{fit.target.within_s:g}",
                       "contacts": ["*"], "metric": "answer", "percent": fit.target.percent,
                       "within": _duration(fit.target.within_s)}],
        "pools": [],
    }
    notes: dict[str, list[str]] = {}
    for row in fit.queues.itertuples():
        name = f"{row.queue}/{TIER}"
        cells = fit.cells[fit.cells["queue"] == row.queue]
        cv = disp.loc[row.queue, "cv"] if row.queue in disp.index else np.nan
        data["channels"][row.queue] = {"kind": "immediate"}
        spec: dict = {
            "arrivals": {"volumes": {"start": "00:00", "values": [
                round(float(v), 2) for v in cells["offered"]]},
                "forecast_cv": round(float(cv), 3) if np.isfinite(cv) else 0.0},
            "handle_time": {"dist": "exponential", "mean": f"{row.aht_s:.1f}s"}}
        lines = [f"arrivals: mean contacts offered per interval over the report's days; "
                 f"{cells['offered'].sum():,.0f} in the horizon",
                 f"handle time: mean {row.aht_s:.1f} s (AHT weighted by answered); a report "
                 "gives no spread, so exponential (cv 1) is assumed: edit it if you know it"]
        if np.isfinite(row.patience_s):
            spec["patience"] = {"dist": "exponential", "mean": f"{row.patience_s:.1f}s"}
            lines.append(
                f"patience: mean {row.patience_s:.1f} s by Erlang A from abandonment and "
                f"service level ({row.identified_intervals} of {row.open_intervals} open "
                f"intervals show queueing; the matches there are off by "
                f"{row.gap_abandon:.1f} points of abandonment and {row.gap_service:.1f} of "
                "service level on average); no interval: a report holds no waits")
        else:
            lines.append("patience: not fitted (no interval shows queueing); callers wait")
        data["contact_types"][name] = spec
        notes[name] = lines
        data["pools"].append({"name": str(row.queue), "skills": [{"contacts": f"{row.queue}/*"}],
                              "staffing": {"start": "00:00",
                                           "values": [int(v) for v in cells["agents"]]}})
    text = _yaml(fit, data, notes)
    return data, text


def _yaml(fit: ReportFit, data: dict, notes: dict[str, list[str]]) -> str:
    agents = [c for c in ("agents_available", "agents_logged_in")
              if c in fit.cells and fit.cells[c].notna().any()]
    compare = ""
    if agents:
        open_ = fit.cells[fit.cells["offered"] > 0]
        compare = (f"; the report's {agents[0].replace('_', ' ')} average "
                   f"{open_[agents[0]].mean():.1f} per open interval against "
                   f"{open_['agents'].mean():.1f} effective")
    out = _comment([f"Fitted by svcsim fit from the interval report {fit.report.source}.",
                    "Every number below is fitted from it unless a comment says otherwise; "
                    "fit_staffing.csv and fit_queues.csv hold the match interval by interval.",
                    *fit.notes], 0) + "\n"
    out += _dump({k: data[k] for k in ("name", "description", "horizon", "channels",
                                       "tiers")}, 0)
    out += "\ncontact_types:\n"
    for name, spec in data["contact_types"].items():
        out += _comment(notes[name], 2) + _dump({name: spec}, 2)
    out += "\n" + _comment(["your target, not fitted: edit it to the standard you plan to "
                            "(answered_within in the report is read at its threshold)"], 0)
    out += _dump({"standards": data["standards"]}, 0) + "\n"
    out += _comment(["effective agents on duty per interval: those at which Erlang A matches "
                     "the interval's abandonment and service level, at the fitted patience "
                     f"(where nobody queued: the fewest that match){compare}"], 0)
    out += _dump({"pools": data["pools"]}, 0)
    return out


def write_report_fit(fit: ReportFit, scenario_path: str | Path) -> list[Path]:
    """Write the scenario YAML (after checking it loads), fit_staffing.csv,
    fit_queues.csv and fit_overdispersion.csv beside it."""
    scenario_path = Path(scenario_path)
    _, text = report_scenario(fit)
    scenario_from_dict(yaml.safe_load(text), source=str(scenario_path),
                       base_dir=scenario_path.parent)
    folder = scenario_path.parent
    written = [write_text(folder / "fit_staffing.csv", fit.cells.to_csv(index=False)),
               write_text(folder / "fit_queues.csv", fit.queues.to_csv(index=False)),
               write_text(folder / "fit_overdispersion.csv", fit.dispersion.to_csv(index=False))]
    written.append(write_text(scenario_path, text))
    return written


def report_summary(fit: ReportFit) -> str:
    """One line per queue: contacts, AHT, patience and the match."""
    rows = fit.report.rows
    lines = [f"{fit.report.source}: interval report, {int(rows['offered'].sum()):,} offered on "
             f"{rows['date'].nunique()} days, {len(fit.queues)} queue(s), "
             f"{fit.report.interval_s / 60:g}-minute intervals",
             f"{'queue':<20}{'AHT s':>8}{'patience s':>12}{'abandon':>9}{'identified':>12}"
             f"{'gap ab.':>9}{'gap SL':>8}"]
    for row in fit.queues.itertuples():
        mine = rows[rows["queue"] == row.queue]
        share = mine["abandoned"].sum() / max(mine["offered"].sum(), 1)
        lines.append(f"{str(row.queue):<20}{row.aht_s:>8.1f}{row.patience_s:>12.1f}"
                     f"{_pct(share):>9}{row.identified_intervals:>6} of {row.open_intervals:<3}"
                     f"{row.gap_abandon:>9.1f}{row.gap_service:>8.1f}")
    lines.append("patience by Erlang A from abandonment and service level; effective agents\n"
                 "per interval where they match (fit_staffing.csv); gaps: mean points off over "
                 "the identified intervals")
    return "\n".join(lines)
