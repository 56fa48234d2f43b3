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
it sizes on (:func:`staff_to_risk`), up to a stated cap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

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
    per_day = _day_attainment(scenario, staffing, days, seed, workers)
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


def _day_attainment(scenario: Scenario, staffing, days: int, seed: int,
                    workers: int) -> pd.DataFrame:
    """Each replication's attainment of each standard over the horizon: the
    numbers :func:`svcsim.simulate` gives in ``replication_attainment``,
    without summarising every interval across replications (most of its
    cost when only the day figures are wanted)."""
    from svcsim.sim.replications import run_all
    from svcsim.sim.result import _per_replication, _stack
    from svcsim.sim.staffing import on_duty, scheduled_staffing
    from svcsim.sim.streams import root_entropy

    agents = on_duty(scenario, scheduled_staffing(scenario, staffing))
    runs = run_all(scenario, agents, root_entropy(seed), days, 0, False, workers)
    return _per_replication(_stack([run.attainment for run in runs]))


@dataclass(frozen=True)
class Sizing:
    """A scenario sized to a stated chance of meeting its standards.

    Attributes
    ----------
    probability : float
        The stated chance (0.9 for 90 %).
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
    """

    sizing: Sizing
    p_meet: pd.DataFrame
    stated: float | None = None  # the stated chance (None: the sizing's quantile)
    steps: pd.DataFrame = field(default_factory=pd.DataFrame)  # every sizing tried
    stop: str = ""  # why the search ended

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
    days is measured afterwards (:func:`check_risk`). The sized scenario
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


def check_risk(sizing: Sizing, scenario: Scenario, staffing, days: int = 200, seed: int = 7,
               workers: int = 1) -> RiskCheck:
    """P(meet) of ``staffing`` (a roster's) over ``days`` days drawn from
    ``scenario``'s forecast distribution; see :func:`chance_of_meeting`."""
    return RiskCheck(sizing, chance_of_meeting(scenario, staffing, days, seed, workers))


MAX_RAISES = 4
"""Raises of the sizing quantile at most: each halves the chance that a day
is busier than the day sized on, so the cap is the ``1 - (1 - p) / 16``
quantile (0.99375 for a stated 0.9)."""
REFINE = 1
"""Bisections between the last quantile not shown and the first shown."""


def staff_to_risk(scenario: Scenario, probability: float, plan_at: Callable, days: int = 200,
                  seed: int = 7, workers: int = 1, say: Callable[[str], None] | None = None,
                  max_raises: int = MAX_RAISES):
    """Plan to a stated chance of meeting every standard on a random day.

    Sizes on the ``probability`` quantile day, plans it with ``plan_at`` and
    measures the roster's P(meet) over ``days`` days drawn from
    ``scenario``'s forecast (:func:`chance_of_meeting`). While some
    standard's P(meet) is not shown at the stated chance (its 95 % interval
    does not lie at or above it), the quantile sized on is raised: the
    chance a day is busier than the sized one, ``1 - q``, is halved, up to
    ``max_raises`` times, and then bisected once (in ``log(1 - q)``) between
    the last quantile not shown and the first shown. Every roster is
    measured on the same drawn days (same seed: common random numbers), so
    two quantiles differ by their rosters, not by the days. The search stops
    early when the plan on the quantile day finds a standard staffing cannot
    move (not staffing-limited, or held back by the shift rules: a busier
    day cannot help). The roster kept is the cheapest shown (fewest
    agents, then cost, then lowest quantile); if none is, the one with the
    most standards shown and then the highest lowest P(meet).

    Parameters
    ----------
    scenario : Scenario
        As asked: with its ``forecast_cv``.
    probability : float
        Stated chance, strictly between 0 and 1.
    plan_at : callable
        ``plan_at(sized_scenario) -> Plan``: plans the quantile day.
    days : int
        Days drawn to measure P(meet) (replications of the forecast).
    seed, workers : int
        Of the P(meet) simulations.
    say : callable, optional
        Receives a line per step.
    max_raises : int
        Raises of the quantile at most (0: measure only).

    Returns
    -------
    Plan
        The plan kept, with ``risk`` (a :class:`RiskCheck` holding every
        sizing tried in ``steps``), one history row per sizing tried and
        standard (iteration ``risk k``: target the stated chance, attainment
        P(meet) and its interval, verdict), a note per standard whose
        P(meet) is not met, and ``met`` only when its P(meet) are.
    """
    from svcsim.plan import staffing_of

    say = say or (lambda line: None)
    tail = 1.0 - probability
    tried: list[tuple[float, object, Sizing, pd.DataFrame]] = []

    def attempt(level: float) -> bool:
        quantile = 1.0 - tail / 2.0**level
        sizing = size_to_probability(scenario, quantile)
        same = [t for t in tried if t[2].factors["sized"].equals(sizing.factors["sized"])]
        if same:  # the same quantile day: the same roster and days
            plan, table = same[0][1], same[0][3]
        else:
            say(f"planning the {_th(quantile)}-percentile day for a {_pct(probability)} chance")
            plan = plan_at(sizing.scenario)
            say(f"measuring P(meet) over {days} days drawn from the forecast")
            table = chance_of_meeting(scenario, staffing_of(plan.roster), days, seed, workers)
        tried.append((quantile, plan, sizing, table))
        return all(v == "met" for v in p_meet_verdicts(table, probability))

    shown = attempt(0)
    level, stop = 0, ""
    while not shown and level < max_raises:
        if tried[-1][1].stuck:
            stop = (f"not raised beyond the {_th(tried[-1][0])}-percentile day: staffing "
                    "cannot move every standard on it (see the notes)")
            break
        level += 1
        shown = attempt(level)
    if not shown and not stop:
        stop = (f"P(meet) not shown at the stated chance by the {_th(tried[-1][0])}-"
                f"percentile day, the cap ({max_raises} raises)" if max_raises else "")
    low = level - 1.0
    for _ in range(REFINE if shown and level > 0 else 0):
        middle = (low + level) / 2
        if attempt(middle):
            level = middle
        else:
            low = middle
    return _kept(scenario, probability, tried, days, stop)


def _kept(scenario: Scenario, probability: float, tried: list, days: int, stop: str):
    """The plan kept from the sizings tried, with its risk check, history
    rows and notes."""
    steps = pd.concat([_step_rows(k, q, plan, table, probability)
                       for k, (q, plan, _, table) in enumerate(tried, start=1)],
                      ignore_index=True)

    def key(k):
        quantile, plan, _, table = tried[k]
        verdicts = p_meet_verdicts(table, probability)
        if all(v == "met" for v in verdicts):
            return (0, plan.roster.headcount, plan.roster.cost, quantile)
        lowest = table["p_meet_low"].fillna(0).min() if len(table) else 0.0
        return (1, -verdicts.count("met"), -lowest, quantile)

    best = min(range(len(tried)), key=key)
    quantile, plan, sizing, table = tried[best]
    steps["kept"] = steps["step"] == best + 1
    check = RiskCheck(sizing, table, probability, steps, stop)
    history = pd.concat([plan.history, _history_rows(scenario, steps, days)], ignore_index=True)
    notes = [f"{row.standard}: P(meet) {row.p_meet:.2f} ({row.p_meet_low:.2f}-"
             f"{row.p_meet_high:.2f}) against {probability:.2f} stated: {verdict}"
             + (f"; {stop}" if stop else "")
             for row, verdict in zip(table.itertuples(), check.verdicts, strict=True)
             if verdict != "met"]
    return replace(plan, risk=check, history=history, notes=plan.notes + notes,
                   met=plan.met and not notes)


def _step_rows(step: int, quantile: float, plan, table: pd.DataFrame,
               probability: float) -> pd.DataFrame:
    rows = table.copy()
    rows.insert(0, "step", step)
    rows.insert(1, "quantile", quantile)
    rows.insert(2, "headcount", plan.roster.headcount)
    rows.insert(3, "cost", plan.roster.cost)
    rows.insert(4, "roster_status", plan.roster.status)
    rows.insert(5, "roster_gap", plan.roster.gap)
    rows["verdict"] = p_meet_verdicts(table, probability)
    rows["stated"] = probability
    return rows


def _history_rows(scenario: Scenario, steps: pd.DataFrame, days: int) -> pd.DataFrame:
    """The plan history's rows for the sizings tried: attainment is P(meet),
    target the stated chance, replications the days drawn."""
    scopes = [standard.scope for standard in scenario.standards]
    return pd.DataFrame({
        "iteration": [f"risk {k}" for k in steps["step"]],
        "action": [f"P(meet) of the {_th(q)}-percentile day's roster"
                   + (" (kept)" if kept else "")
                   for q, kept in zip(steps["quantile"], steps["kept"], strict=True)],
        "headcount": steps["headcount"], "cost": steps["cost"],
        "roster_status": steps["roster_status"], "roster_gap": steps["roster_gap"],
        "replications": days, "standard": steps["standard"],
        "scope": np.tile(scopes, steps["step"].nunique()),
        "target": steps["stated"], "attainment": steps["p_meet"],
        "attainment_low": steps["p_meet_low"], "attainment_high": steps["p_meet_high"],
        "lowest_interval": np.nan, "verdict": steps["verdict"]})


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
    lines = [f"  staffed to a {_pct(stated)} chance of meeting each standard on a random day:",
             f"    volumes at their {_th(check.sizing.probability)}-percentile day "
             f"(x{_scale(check.sizing):.3f} the expected); the verdicts above are on that day"]
    if len(check.steps) and check.steps["step"].nunique() > 1:
        lines.append("    quantile days tried, by the P(meet) of their roster: " + "; ".join(
            f"{_th(rows['quantile'].iloc[0])} ({rows['headcount'].iloc[0]} agents): "
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
    return lines


def _worst(verdicts) -> str:
    """The worst of some P(meet) verdicts."""
    return next((v for v in ("missed", "not shown") if v in set(verdicts)), "met")


def _pct(share: float) -> str:
    return f"{100 * share:g} %"


def _th(quantile: float) -> str:
    return f"{100 * quantile:.4g}th"


def _scale(sizing: Sizing) -> float:
    factors = sizing.factors
    return float(factors["sized"].sum() / factors["expected"].sum()) if len(factors) else 1.0
