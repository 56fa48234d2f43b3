"""Staff to risk: the chance that a staffing (or a roster's) meets a standard
on a random day drawn from the forecast distribution.

A forecast is a distribution, not a number: each contact type's day has a
gamma factor with the forecast's ``forecast_cv`` (the engine draws one per
replication). Each replication is then one random day, and P(meet) is the
share of days whose attainment over the horizon reaches the standard's
target, with a Wilson interval over the days simulated.

Staffing to a stated P(meet) (``svcsim plan --meet-probability 0.9``) sizes
the roster on the scenario's quantile day (:func:`size_to_probability`),
measures by :func:`chance_of_meeting` what the roster reaches on random days,
and where that is not shown to reach the stated chance raises the quantile
it sizes on (:func:`svcsim.history.risk_search.staff_to_risk`), up to a
stated cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from svcsim.history.retrials import wilson
from svcsim.scenario import Scenario
from svcsim.scenario.arrivals import Arrivals
from svcsim.scenario.channels import ContactTypeSpec


def chance_of_meeting(scenario: Scenario, staffing=None, days: int = 200, seed: int = 7,
                      workers: int = 1) -> pd.DataFrame:
    """P(meet) of every standard over ``days`` random days.

    Parameters
    ----------
    scenario : Scenario
        With ``forecast_cv`` on its arrivals (e.g. ``svcsim forecast
        --scenario``); with ``forecast_cv`` 0 only Poisson noise varies.
    staffing : optional
        As :func:`svcsim.simulate` takes it (a roster's ``staffing_of``, a
        table, None for the scenario's own).
    days : int
        Days (replications) drawn.

    Returns
    -------
    pandas.DataFrame
        Per standard: ``target``, ``days``, ``days_met``, ``p_meet`` with
        ``p_meet_low`` / ``p_meet_high`` (95 % Wilson), and the 10th, 50th
        and 90th percentiles of the day's attainment. A day counts as met
        when its attainment over the horizon reaches the target.
    """
    from svcsim.arguments import check_arguments

    check_arguments("chance_of_meeting", counts={"days": (days, 1), "workers": (workers, 1)},
                    seed=seed)
    return p_meet_table(scenario, day_attainment(scenario, staffing, days, seed, workers))


def p_meet_table(scenario: Scenario, per_day: pd.DataFrame) -> pd.DataFrame:
    """:func:`chance_of_meeting`'s table from each day's attainment."""
    rows = []
    for i, standard in enumerate(scenario.standards):
        mine = per_day[per_day["standard"] == i]["attainment"].dropna().to_numpy()
        met = int((mine >= standard.target).sum())
        low, high = wilson(met, len(mine))
        q10, q50, q90 = np.quantile(mine, [0.1, 0.5, 0.9]) if len(mine) else (np.nan,) * 3
        rows.append({"standard": standard.label, "target": standard.target, "days": len(mine),
                     "days_met": met, "p_meet": met / len(mine) if len(mine) else np.nan,
                     "p_meet_low": low, "p_meet_high": high, "attainment_p10": q10,
                     "attainment_p50": q50, "attainment_p90": q90})
    return pd.DataFrame(rows)


def every_standard_met(scenario: Scenario, per_day: pd.DataFrame) -> tuple[int, int]:
    """Days (replications) on which every standard measured that day reached
    its target, and days on which any was measured, from
    :func:`day_attainment`'s table."""
    targets = np.array([standard.target for standard in scenario.standards])
    wide = per_day.pivot(index="replication", columns="standard", values="attainment")
    met = wide.ge(targets[wide.columns.to_numpy(dtype=int)]) | wide.isna()
    measured = wide.notna().any(axis=1)
    return int((met.all(axis=1) & measured).sum()), int(measured.sum())


def day_attainment(scenario: Scenario, staffing, days: int, seed: int,
                    workers: int, first: int = 0) -> pd.DataFrame:
    """Each replication's attainment of each standard over the horizon: the
    numbers :func:`svcsim.simulate` gives in ``replication_attainment``,
    without summarising every interval across replications (most of its
    cost when only the day figures are wanted); replications ``first`` to
    ``first + days - 1``, so more days added later are those of one longer
    run."""
    from svcsim.sim.replications import run_all
    from svcsim.sim.result import _per_replication, _stack
    from svcsim.sim.staffing import on_duty, scheduled_staffing
    from svcsim.sim.streams import root_entropy

    agents = on_duty(scenario, scheduled_staffing(scenario, staffing))
    runs = run_all(scenario, agents, root_entropy(seed), days, 0, False, workers, first=first)
    table = _per_replication(_stack([run.attainment for run in runs]))
    return table.assign(replication=table["replication"] + first)


@dataclass(frozen=True)
class Sizing:
    """A scenario sized to a stated chance of meeting its standards.

    Attributes
    ----------
    probability : float
        The quantile day sized on (0.9 for the 90th percentile): the stated
        chance, or a higher one :func:`staff_to_risk` raised it to.
    scenario : Scenario
        The scenario at its ``probability`` quantile day: every contact
        type's volumes scaled, day by day, so that the day's total is the
        quantile of its forecast distribution; no forecast uncertainty left.
    factors : pandas.DataFrame
        Per contact type and day: ``expected`` (contacts reaching an
        agent), ``sized`` (the quantile), ``factor`` (sized / expected),
        ``forecast_cv``.
    """

    probability: float
    scenario: Scenario
    factors: pd.DataFrame


@dataclass(frozen=True)
class RiskCheck:
    """The chance the final roster meets each standard on a random day.

    Attributes
    ----------
    sizing : Sizing
        What the roster was sized to.
    p_meet : pandas.DataFrame
        :func:`chance_of_meeting` of the roster on the scenario as given
        (days drawn from its forecast distribution).
    stated : float, optional
        The stated chance (None: the sizing's quantile).
    steps : pandas.DataFrame
        Every quantile day tried (:func:`svcsim.history.risk_search.staff_to_risk`):
        ``step``, ``quantile``, ``headcount``, ``cost``, the roster's status
        and gap, its P(meet) table, ``verdict`` against ``stated`` and
        ``kept``.
    stop : str
        Why the search stopped short of showing the stated chance (empty
        when it did not).
    every_standard : tuple of int, optional
        Days on which every standard was met, and days measured
        (:func:`every_standard_met`): for information, the stated chance is
        each standard's.
    """

    sizing: Sizing
    p_meet: pd.DataFrame
    stated: float | None = None
    steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    stop: str = ""
    every_standard: tuple[int, int] | None = None

    @property
    def chance(self) -> float:
        """The stated chance of meeting each standard."""
        return self.sizing.probability if self.stated is None else self.stated

    @property
    def verdicts(self) -> list[str]:
        """Each standard's P(meet) verdict against the stated chance."""
        return p_meet_verdicts(self.p_meet, self.chance)


def size_to_probability(scenario: Scenario, probability: float) -> Sizing:
    """The scenario's ``probability`` quantile day (chance-constrained staffing).

    A day's contacts of one type are Poisson given a gamma day factor with
    mean 1 and cv ``forecast_cv``: negative binomial with variance
    ``mu + cv^2 mu^2`` about the day's expected ``mu``. Each contact type's
    volumes on each day are scaled by ``q / mu``, where ``q`` is that
    distribution's ``probability`` quantile (Poisson when ``forecast_cv`` is
    0), and the forecast uncertainty is removed: a roster that meets a
    standard on that day meets it on every quieter one. Taking each type at
    its own quantile is exact when the types' day factors are fully shared
    and errs on the safe side otherwise; what the roster reaches on random
    days is measured afterwards (:func:`chance_of_meeting`). The sized scenario
    states no ``planning.meet_probability`` of its own.

    Parameters
    ----------
    scenario : Scenario
    probability : float
        Stated chance, strictly between 0 and 1.

    Raises
    ------
    ValueError
        When ``probability`` is not strictly between 0 and 1.
    """
    if not 0 < probability < 1:
        raise ValueError(f"meet probability must be strictly between 0 and 1 (e.g. 0.9 or 90%), "
                         f"got {probability!r}")
    per_day = int(round(86400 / scenario.interval_s))
    overrides, rows = {}, []
    for contact in scenario.resolved_contact_types:
        if contact.follow_up is not None or not contact.volumes.sum() > 0:
            continue  # follow-up work scales with the contacts it follows
        days = contact.assisted_volumes.reshape(-1, per_day).sum(axis=1)
        sized = _day_quantile(days, contact.forecast_cv, probability)
        factor = np.divide(sized, days, out=np.ones_like(days), where=days > 0)
        volumes = contact.volumes * np.repeat(factor, per_day)
        overrides[contact.name] = [round(float(v), 4) for v in volumes]
        rows += [{"contact_type": contact.name, "day": d + 1, "expected": days[d],
                  "sized": sized[d], "factor": factor[d], "forecast_cv": contact.forecast_cv}
                 for d in range(len(days)) if days[d] > 0]
    types = dict(scenario.contact_types)
    for name, values in overrides.items():
        spec = types.get(name)
        arrivals = Arrivals(volumes=values)
        types[name] = (spec.model_copy(update={"arrivals": arrivals}) if spec is not None
                       else ContactTypeSpec(arrivals=arrivals))
    planning = scenario.planning.model_copy(update={"meet_probability": None})
    sized_scenario = scenario.replace(contact_types=types, shared_forecast_cv=0.0,
                                      planning=planning)
    return Sizing(probability, sized_scenario, pd.DataFrame(rows))


def _day_quantile(mean: np.ndarray, cv: float, probability: float) -> np.ndarray:
    """``probability`` quantile of a day's count: negative binomial with
    mean ``mean`` and gamma day-factor cv ``cv`` (Poisson when 0)."""
    mean = np.asarray(mean, dtype=float)
    if cv <= 0:
        return np.where(mean > 0, stats.poisson.ppf(probability, mean), 0.0)
    shape = 1.0 / cv**2
    return np.where(mean > 0, stats.nbinom.ppf(probability, shape,
                                               shape / (shape + np.maximum(mean, 1e-12))), 0.0)


def p_meet_verdicts(table: pd.DataFrame, stated: float) -> list[str]:
    """Each standard's P(meet) against the stated chance, in the plan's
    words: ``met`` when its 95 % interval lies at or above it, ``missed``
    when the interval lies below it, ``not shown`` otherwise (or no day
    measured it)."""
    return ["met" if row.days and row.p_meet_low >= stated else
            "missed" if row.days and row.p_meet_high < stated else "not shown"
            for row in table.itertuples()]


def risk_lines(check: RiskCheck) -> list[str]:
    """The headline lines of a plan staffed to risk: the quantile day it was
    sized on (and the ones tried before), and each standard's P(meet) with
    its 95 % interval and verdict against the stated chance."""
    stated = check.chance
    days = int(check.p_meet["days"].max()) if len(check.p_meet) else 0
    lines = [f"  staffed to a stated {percent_label(stated)} chance of meeting each standard on a "
             "random day:",
             f"    volumes at their {percentile_label(check.sizing.probability)}-percentile day "
             f"(x{_scale(check.sizing):.3f} the expected); the verdicts above are on that day"]
    if len(check.steps) and check.steps["step"].nunique() > 1:
        lines.append("    quantile days tried, by the P(meet) of their roster: " + "; ".join(
            f"{percentile_label(rows['quantile'].iloc[0])} ({rows['headcount'].iloc[0]} agents): "
            + _worst(rows["verdict"]) + (" (kept)" if rows["kept"].iloc[0] else "")
            for _, rows in check.steps.groupby("step", sort=True)))
    if check.stop:
        lines.append(f"    {check.stop}")
    lines.append(f"  P(meet) of this roster on a random day ({days} days drawn from the "
                 "forecast, 95 % CI):")
    for row, verdict in zip(check.p_meet.itertuples(), check.verdicts, strict=True):
        if not row.days:
            lines.append(f"    {row.standard}: not shown (no day measured it)")
            continue
        lines.append(f"    {row.standard}: {row.p_meet:.2f} ({row.p_meet_low:.2f}-"
                     f"{row.p_meet_high:.2f}) against {stated:.2f} stated: {verdict}")
    if check.every_standard is not None and len(check.p_meet) > 1 and check.every_standard[1]:
        met, measured = check.every_standard
        low, high = wilson(met, measured)
        lines.append(f"    every standard on the same day: {met / measured:.2f} ({low:.2f}-"
                     f"{high:.2f}); for information: the stated chance is each standard's")
    return lines


def _worst(verdicts) -> str:
    """The worst of some P(meet) verdicts."""
    return next((v for v in ("missed", "not shown") if v in set(verdicts)), "met")


def percent_label(share: float) -> str:
    """A share as a percentage: 0.9 -> '90 %'."""
    return f"{100 * share:g} %"


def percentile_label(quantile: float) -> str:
    """A quantile as a percentile: 0.975 -> '97.5th'."""
    return f"{100 * quantile:.4g}th"


def _scale(sizing: Sizing) -> float:
    factors = sizing.factors
    return float(factors["sized"].sum() / factors["expected"].sum()) if len(factors) else 1.0
