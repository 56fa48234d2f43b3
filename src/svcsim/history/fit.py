"""Fit a scenario to a contact log and write it as YAML a planner can read:
every fitted item carries a comment with its source and how well it fits.

The fitted scenario has one contact type per observed ``channel/tier``, a
horizon of the observed weekdays (one day when the log holds one weekday,
else a week from Monday), the pools the agent ids show (one serving every
contact type without them) serving by tier priority, and the standard the
planner names (``target``), which is a target, not a fitted number.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from svcsim.files import write_text
from svcsim.history import arrivals as arr
from svcsim.history.concurrency import ConcurrencyFit, fit_concurrency
from svcsim.history.handle_time import HandleFit, fit_handle_time, handle_table
from svcsim.history.logs import ContactLog
from svcsim.history.patience import PatienceFit, fit_patience, patience_table
from svcsim.history.pools import PoolSplit, split_pools
from svcsim.history.retrials import Retrials, link_retrials
from svcsim.scenario import Scenario, scenario_from_dict
from svcsim.scenario.calendar import WEEKDAYS

DEFERRED_CHANNELS = ("email", "ticket", "web_ticket", "letter", "case")
"""Channels read as deferred work (no patience) by name."""
TIER_WAIT_GAP = 0.2
"""Tiers whose mean waits differ by less than this share get the same priority."""


@dataclass(frozen=True)
class Target:
    """The standard written to a fitted scenario: ``percent`` answered within
    ``within_s`` seconds (the planner's target, not a fitted number)."""

    percent: float = 80.0
    within_s: float = 20.0


@dataclass
class HistoryFit(arr.FittedHorizon):
    """Everything fitted from one contact log.

    Attributes
    ----------
    log : ContactLog
    interval_s : float
    daily : DailyCounts
        Fresh contacts (linked retrials left out) per type, day and interval.
    profile, levels, mix, dispersion : pandas.DataFrame
        See :mod:`svcsim.history.arrivals`.
    handle : list of HandleFit
    patience : list of PatienceFit
    retrials : Retrials
    kinds : dict of str to str
        ``immediate`` or ``deferred`` per channel.
    priorities : dict of str to int
        Tier priorities, from the observed waits.
    pools : PoolSplit
        The pools and the channels each serves (one pool without agent ids).
    concurrency : ConcurrencyFit
        Contacts an agent holds at once, per channel (from agent ids).
    staffing : pandas.DataFrame or None
        Effective staffing per pool and interval of the horizon (``pool``,
        ``interval``, ``agents``, ...), when calibrated.
    notes : list of str
        What the fit could not do or chose, for the report and the YAML.
    """

    log: ContactLog
    interval_s: float
    target: Target
    daily: arr.DailyCounts
    profile: pd.DataFrame
    levels: pd.DataFrame
    mix: pd.DataFrame
    dispersion: pd.DataFrame
    handle: list[HandleFit]
    patience: list[PatienceFit]
    retrials: Retrials
    kinds: dict[str, str]
    priorities: dict[str, int]
    pools: PoolSplit
    concurrency: ConcurrencyFit
    staffing: pd.DataFrame | None = None
    staffing_note: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def n_intervals(self) -> int:
        return self.horizon_days * self.daily.per_day

    def horizon_weekday(self, interval: np.ndarray) -> np.ndarray:
        """Weekday of each horizon interval."""
        return (self.first_weekday + np.asarray(interval) // self.daily.per_day) % 7

    def expected_volumes(self, contact_type: str) -> np.ndarray:
        """Mean fresh contacts per horizon interval (0 on unobserved weekdays)."""
        t = self.daily.types.index(contact_type)
        out = np.zeros(self.n_intervals)
        for d in range(self.horizon_days):
            w = (self.first_weekday + d) % 7
            mine = self.daily.counts[t, self.daily.weekdays == w, :]
            if mine.shape[0]:
                out[d * self.daily.per_day:(d + 1) * self.daily.per_day] = mine.mean(axis=0)
        return out

    # -- tables ---------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """Named tables of the fit (written as ``fit_<name>.csv``)."""
        out = {"arrival_profile": self.profile, "daily_levels": self.levels,
               "tier_mix": self.mix, "overdispersion": self.dispersion,
               "handle_time": handle_table(self.handle),
               **({"handle_profile": pd.concat(
                   [h.profile_table.assign(contact_type=h.contact_type) for h in self.handle
                    if h.profile_table is not None], ignore_index=True)}
                  if any(h.profile_table is not None for h in self.handle) else {}),
               "patience": patience_table(self.patience)}
        curves = [p.curve.assign(contact_type=p.contact_type) for p in self.patience
                  if len(p.curve)]
        if curves:
            out["patience_curve"] = pd.concat(curves, ignore_index=True)
        if self.retrials.linked:
            out["retrials"] = self.retrials.table
        if self.pools.several:
            out["pools"] = self.pools.agents
        if (self.concurrency.table["agents"] > 0).any():
            out["concurrency"] = self.concurrency.table
        if self.staffing is not None:
            out["staffing"] = self.staffing
        return out

    # -- the scenario ---------------------------------------------------------
    def scenario_data(self) -> dict:
        """The fitted scenario as a mapping (what the YAML holds, no comments)."""
        return _scenario_sections(self, with_comments=False)[0]

    def scenario(self) -> Scenario:
        """The fitted scenario, validated by svcsim's own loader."""
        return scenario_from_dict(self.scenario_data(), source=f"fit of {self.log.source}")

    def yaml_text(self) -> str:
        """The fitted scenario as commented YAML."""
        return _scenario_sections(self, with_comments=True)[1]


def fit_history(log: ContactLog, interval_s: float = 1800.0, target: Target | None = None,
                seed: int = 0, level: float = 0.95, window_s: float | None = None) -> HistoryFit:
    """Fit arrivals, handle time, patience and retrials to a contact log.

    Parameters
    ----------
    log : ContactLog
        The history (:func:`svcsim.history.read_contact_log`).
    interval_s : float
        Planning interval of the fitted scenario, seconds: 900 or 1800.
    target : Target, optional
        The standard to write (default 80 % answered within 20 s).
    seed : int
        Seed of the bootstrap confidence intervals.
    level : float
        Confidence level of every interval reported.
    window_s : float, optional
        Longest gap between an abandon and its retry, seconds.
    """
    retrials = link_retrials(log, window_s) if window_s else link_retrials(log)
    c = log.contacts
    offered = ~c["outcome"].isin(("short_abandon", "blocked")).to_numpy()
    daily = arr.daily_counts(log, interval_s, fresh=offered & ~retrials.is_retrial)
    kinds = {ch: _kind(ch, c[c["channel"] == ch]) for ch in sorted(c["channel"].unique())}
    handle, patience = [], []
    for name in log.contact_types:
        mine = c[c["contact_type"] == name]
        answered = mine[(mine["outcome"] == "answered") & (mine["handle_s"] > 0)]
        if len(answered) >= 2:
            handle.append(fit_handle_time(name, answered["handle_s"].to_numpy(),
                                          answered["clock_s"].to_numpy(), seed, level,
                                          interval_s))
        if kinds[name.partition("/")[0]] == "immediate":
            queued = mine[mine["outcome"].isin(("answered", "abandoned"))]
            patience.append(fit_patience(name, queued["wait_s"].to_numpy(),
                                         (queued["outcome"] == "abandoned").to_numpy(), level))
    fit = HistoryFit(log, interval_s, target or Target(), daily, arr.weekday_profile(daily, level),
                     arr.daily_levels(daily), arr.tier_mix(daily),
                     arr.overdispersion(daily, level), handle, patience, retrials, kinds,
                     _tier_priorities(c, kinds), split_pools(c), fit_concurrency(c))
    missing = [n for n in log.contact_types if n not in {h.contact_type for h in handle}]
    if missing:
        fit.notes.append(f"no handle times for {', '.join(missing)}: fewer than 2 answered "
                         "contacts with a handle time; give them by hand")
    return fit


def calibrate_fit(fit: HistoryFit, replications: int = 20, seed: int = 0,
                  workers: int = 1) -> HistoryFit:
    """Add effective staffing, calibrated against the simulator
    (:func:`svcsim.history.staffing.calibrate`), to ``fit`` (in place) and
    return it."""
    from svcsim.history.staffing import calibrate
    from svcsim.history.staffing_note import staffing_note

    calibration = calibrate(fit, replications, seed, workers)
    fit.staffing = calibration.table
    fit.staffing_note = staffing_note(calibration)
    return fit


def _kind(channel: str, mine: pd.DataFrame) -> str:
    if channel.lower() in DEFERRED_CHANNELS:
        return "deferred"
    abandons = mine["outcome"].isin(("abandoned", "short_abandon")).any()
    if not abandons and mine["wait_s"].median() > 3600:
        return "deferred"
    return "immediate"


def _tier_priorities(c: pd.DataFrame, kinds: dict[str, str]) -> dict[str, int]:
    """Priority 1 for the tier waiting least; tiers within ``TIER_WAIT_GAP``
    of the previous one share its priority."""
    immediate = c[c["channel"].map(kinds) == "immediate"]
    queued = immediate[immediate["outcome"].isin(("answered", "abandoned"))]
    waits = queued.groupby("tier")["wait_s"].mean().sort_values()
    priorities, level, previous = {}, 1, None
    for tier, wait in waits.items():
        if previous is not None and wait > previous * (1 + TIER_WAIT_GAP) + 1.0:
            level += 1
        priorities[tier] = level
        previous = wait
    for tier in sorted(set(c["tier"]) - set(priorities)):
        priorities[tier] = level
    return priorities


# -- writing ---------------------------------------------------------------
def _duration(seconds: float) -> str:
    return f"{seconds / 60:g}m" if seconds % 60 == 0 else f"{seconds:g}s"


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _scenario_sections(fit: HistoryFit, with_comments: bool) -> tuple[dict, str]:
    log = fit.log
    dates = log.dates
    source = Path(log.source).name
    data: dict = {
        "name": f"Fitted from {source}",
        "description": (f"Fitted by svcsim fit from {len(log.contacts):,} contacts on "
                        f"{len(dates)} observed days ({dates[0]:%Y-%m-%d} to "
                        f"{dates[-1]:%Y-%m-%d})."),
        "horizon": {"days": fit.horizon_days, "interval": _duration(fit.interval_s),
                    "first_day": WEEKDAYS[fit.first_weekday]},
        "channels": {ch: {"kind": kind, **({"concurrency": fit.concurrency.of(ch)}
                                           if fit.concurrency.of(ch) > 1 else {})}
                     for ch, kind in fit.kinds.items()},
        "tiers": {t: {"priority": p} for t, p in sorted(fit.priorities.items(),
                                                      key=lambda kv: (kv[1], kv[0]))},
    }
    types, type_notes = _contact_types(fit)
    data["contact_types"] = types
    immediate = [f"{ch}/*" for ch, k in fit.kinds.items() if k == "immediate"]
    data["standards"] = [{
        "name": f"{fit.target.percent:g}/{fit.target.within_s:g}",
        "contacts": immediate or [f"{ch}/*" for ch in fit.kinds],
        "metric": "answer" if immediate else "response",
        "percent": fit.target.percent, "within": _duration(fit.target.within_s)}]
    data["pools"] = _pools(fit)
    if shared_forecast_cv(fit) is not None:
        data["shared_forecast_cv"] = shared_forecast_cv(fit)
    text = _yaml(fit, data, type_notes) if with_comments else ""
    return data, text


def _contact_types(fit: HistoryFit) -> tuple[dict, dict[str, list[str]]]:
    handle = {h.contact_type: h for h in fit.handle}
    patience = {p.contact_type: p for p in fit.patience}
    disp = fit.dispersion.set_index("contact_type")
    shared = disp.loc["shared"]
    retry = fit.retrials.table.set_index("contact_type") if fit.retrials.linked else None
    out, notes = {}, {}
    days = {w: int((fit.daily.weekdays == w).sum()) for w in fit.weekdays}
    seen = ", ".join(f"{days[w]} {WEEKDAYS[w].capitalize()}" for w in fit.weekdays)
    for name in fit.daily.types:
        volumes = fit.expected_volumes(name)
        cv = disp.loc[name, "cv"]
        spec: dict = {"arrivals": {"volumes": {"start": "00:00",
                                               "values": [round(float(v), 2) for v in volumes]},
                                   "forecast_cv": round(float(cv), 3) if np.isfinite(cv) else 0.0}}
        lines = [f"arrivals: mean fresh contacts per interval over the observed days ({seen}); "
                 f"{volumes.sum():,.0f} in the horizon",
                 _cv_note(disp.loc[name], shared, alone=len(fit.daily.types) == 1)]
        if name in handle:
            h = handle[name]
            spec["handle_time"] = h.spec
            lines.append(
                f"handle time: {h.n:,} answered; mean {h.mean_s:.1f} s (95 % CI {h.mean_low:.1f}-"
                f"{h.mean_high:.1f}), cv {h.cv:.2f} (CI {h.cv_low:.2f}-{h.cv_high:.2f}); "
                f"{h.chosen}, matched on the mean (KS distance lognormal "
                f"{h.ks['lognormal']:.3f}, gamma {h.ks['gamma']:.3f})")
            if h.profile is not None:
                spec["handle_time_profile"] = h.profile
                lines.append(f"handle_time_profile: handle time varies by time of day (hour means "
                             f"up to {_pct(h.by_hour_spread)} from the mean, Kruskal-Wallis p = "
                             f"{h.by_hour_p:.1g}): each interval's mean / the overall mean "
                             "(fit_handle_profile.csv); the cv above is within an interval")
        if name in patience and patience[name].spec is not None:
            p = patience[name]
            spec["patience"] = p.spec
            lines.append(
                f"patience: {p.abandons:,} abandons of {p.queued:,} answered or abandoned "
                f"({_pct(p.abandons / p.queued)}); exponential mean {p.mean_s:.1f} s (95 % CI "
                f"{p.mean_low:.1f}-{p.mean_high:.1f}) = time waited / abandons; Kaplan-Meier "
                f"median {p.km_median_s:.0f} s; the curves differ by up to {p.gap:.3f} "
                f"-> {p.chosen}")
        elif name in patience:
            lines.append("patience: nobody abandoned, so none is given (callers wait)")
        if retry is not None and name in retry.index and retry.loc[name, "retried"] > 0:
            r = retry.loc[name]
            spec["retry"] = {"share": round(float(r["share"]), 3),
                             "delay": {"dist": "exponential",
                                       "mean": f"{r['mean_delay_s']:.0f}s"}}
            lines.append(f"retry: {int(r['retried']):,} of {int(r['abandons']):,} abandons called "
                         f"again (caller ids) within the window ({_pct(r['share'])}, CI "
                         f"{_pct(r['share_low'])}-{_pct(r['share_high'])}); mean delay "
                         f"{r['mean_delay_s']:.0f} s, taken as exponential; retrials are left "
                         "out of the arrivals above")
        out[name] = spec
        notes[name] = lines
    return out, notes


def _cv_note(row: pd.Series, shared: pd.Series, alone: bool = False) -> str:
    if not np.isfinite(row["cv"]):
        return "forecast_cv: not fitted (each weekday seen once); 0 = Poisson only"
    whole = (f"forecast_cv: day-to-day cv {row['cv']:.3f} (95 % CI {row['cv_low']:.3f}-"
             f"{row['cv_high']:.3f})")
    if alone:
        return whole
    return (f"{whole}; of it, a day factor with cv {shared['cv']:.3f} (CI "
            f"{shared['cv_low']:.3f}-{shared['cv_high']:.3f}) is shared by every contact type "
            f"(shared_forecast_cv) and the rest is its own (cv {row['own_cv']:.3f})")


def shared_forecast_cv(fit: HistoryFit) -> float | None:
    """The scenario's ``shared_forecast_cv``: the fitted shared day factor's
    cv, when there is one to share (two or more contact types, cv > 0)."""
    disp = fit.dispersion.set_index("contact_type")
    shared = disp.loc["shared", "cv"]
    if len(fit.daily.types) < 2 or not np.isfinite(shared) or round(float(shared), 3) <= 0:
        return None
    return round(float(shared), 3)


def _pools(fit: HistoryFit) -> list[dict]:
    """The pools: one serving every contact type by tier priority (skills
    ``*/tier``), or those the agent ids show, each serving its channels'
    contact types by tier priority."""
    pools = []
    for name, channels in fit.pools.pools.items():
        levels: dict[int, list[str]] = {}
        if fit.pools.several:
            for contact_type in fit.daily.types:
                channel, _, tier = contact_type.partition("/")
                if channel in channels:
                    levels.setdefault(fit.priorities[tier], []).append(contact_type)
        else:
            for tier, p in fit.priorities.items():
                levels.setdefault(p, []).append(f"*/{tier}")
        pool: dict = {"name": name,
                      "skills": [{"contacts": sorted(levels[p]), "priority": p}
                                 for p in sorted(levels)]}
        if fit.staffing is not None:
            mine = fit.staffing[fit.staffing["pool"] == name]
            pool["staffing"] = {"start": "00:00", "values": [int(v) for v in mine["agents"]]}
        pools.append(pool)
    return pools


def _dump(value: object, indent: int) -> str:
    text = yaml.safe_dump(value, sort_keys=False, default_flow_style=None, width=96,
                          allow_unicode=True)
    pad = " " * indent
    return "".join(pad + line + "\n" for line in text.splitlines())


def _comment(lines: list[str], indent: int) -> str:
    pad = " " * indent + "# "
    return "".join(textwrap.fill(line, 96, initial_indent=pad, subsequent_indent=pad + "  ",
                                 break_on_hyphens=False) + "\n" for line in lines)


def _yaml(fit: HistoryFit, data: dict, type_notes: dict[str, list[str]]) -> str:
    log = fit.log
    counts = log.counts()
    head = [
        f"Fitted by svcsim fit from {log.source}.",
        f"{len(log.contacts):,} contacts: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()
                                                      if n) + ".",
        f"Observed days: {len(log.dates)} ({log.dates[0]:%Y-%m-%d} to "
        f"{log.dates[-1]:%Y-%m-%d}); days missing from the log are missing, not zero.",
    ]
    if log.reclassified:
        head.append(f"{log.reclassified:,} abandons under {log.short_abandon_s:g} s were counted "
                    "as short abandons and left out of patience.")
    if counts["short_abandon"] or counts["blocked"]:
        head.append(f"Short abandons ({counts['short_abandon']:,}) and blocked contacts "
                    f"({counts['blocked']:,}) are left out of the arrivals and the patience fit "
                    "(they never queued for an agent).")
    head += ["Every number below is fitted from that history unless a comment says otherwise;",
             "the tables behind each comment are the fit_*.csv files written beside it.",
             *fit.notes]
    out = _comment(head, 0) + "\n"
    out += _dump({k: data[k] for k in ("name", "description", "horizon")}, 0) + "\n"
    kinds = ", ".join(f"{ch} {k}" for ch, k in fit.kinds.items())
    out += _comment([f"channel kinds: {kinds} (deferred: named email/ticket, or nobody abandons "
                     "and the median wait is over an hour)", fit.concurrency.note], 0)
    out += _dump({"channels": data["channels"]}, 0)
    out += _comment(["tier priorities from the observed mean waits (shortest first; within "
                     f"{TIER_WAIT_GAP:.0%} share a priority)"], 0)
    out += _dump({"tiers": data["tiers"]}, 0) + "\ncontact_types:\n"
    for name, spec in data["contact_types"].items():
        out += _comment(type_notes[name], 2) + _dump({name: spec}, 2)
    out += "\n" + _comment(["your target, not fitted: edit it to the standard you plan to"], 0)
    out += _dump({"standards": data["standards"]}, 0) + "\n"
    out += _comment([fit.pools.note, fit.staffing_note or "no staffing fitted: give 'headcount' "
                     "or 'staffing', or let svcsim plan it"], 0)
    out += _dump({"pools": data["pools"]}, 0)
    if "shared_forecast_cv" in data:
        disp = fit.dispersion.set_index("contact_type")
        shared, whole = disp.loc["shared"], disp.loc["all"]
        out += "\n" + _comment([
            f"shared_forecast_cv: a day factor with cv {shared['cv']:.3f} (95 % CI "
            f"{shared['cv_low']:.3f}-{shared['cv_high']:.3f}, bootstrap over days) moves every "
            "contact type together, from the covariance of their daily totals; the whole "
            f"centre's day-to-day cv is {whole['cv']:.3f}"], 0)
        out += f"shared_forecast_cv: {data['shared_forecast_cv']}\n"
    return out


def write_fit(fit: HistoryFit, scenario_path: str | Path, tables_dir: str | Path | None = None
              ) -> list[Path]:
    """Write the scenario YAML (after checking it loads) and the fit tables.

    Returns the paths written.
    """
    scenario_path = Path(scenario_path)
    text = fit.yaml_text()
    scenario_from_dict(yaml.safe_load(text), source=str(scenario_path),
                       base_dir=scenario_path.parent)
    folder = Path(tables_dir) if tables_dir is not None else scenario_path.parent
    written = [write_text(folder / f"fit_{name}.csv", table.to_csv(index=False))
               for name, table in fit.tables().items()]
    written.append(write_text(scenario_path, text))
    return written
