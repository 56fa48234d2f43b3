"""Staff to a stated chance: raise the quantile day a roster is sized on
until its P(meet) on random days is shown at the stated chance, or a cap.

:func:`svcsim.plan.plan` hands a stated ``meet_probability`` here; the
quantile day, P(meet) and its verdicts are :mod:`svcsim.history.risk`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from svcsim.history.risk import (
    RiskCheck,
    Sizing,
    day_attainment,
    every_standard_met,
    p_meet_table,
    p_meet_verdicts,
    percent_label,
    percentile_label,
    size_to_probability,
)
from svcsim.scenario import Scenario

MORE_DAYS = 4
"""While a P(meet) is not shown either way (and none is missed), the days
drawn are doubled, up to this many times ``days``, before the quantile is
raised: more days cost less than another plan."""
MAX_RAISES = 4
"""Raises of the sizing quantile at most: each halves the chance that a day
is busier than the day sized on, so the cap is the ``1 - (1 - p) / 16``
quantile (0.99375 for a stated 0.9)."""
REFINE = 1
"""Bisections between the last quantile not shown and the first shown."""


def staff_to_risk(scenario: Scenario, probability: float, plan_at: Callable, days: int = 200,
                  seed: int = 7, workers: int = 1, say: Callable[[str], None] | None = None,
                  max_raises: int = MAX_RAISES, max_days: int | None = None):
    """Plan to a stated chance of meeting every standard on a random day.

    Sizes on the ``probability`` quantile day, plans it with ``plan_at`` and
    measures the roster's P(meet) over ``days`` days drawn from
    ``scenario``'s forecast (:func:`chance_of_meeting`); while a standard's
    P(meet) is not shown either way and none is missed, the days are
    doubled up to ``max_days``. While some standard's P(meet) is still not
    met (its 95 % interval does not lie at or above the stated chance), the
    quantile sized on is raised: the chance a day is busier than the sized
    one, ``1 - q``, is halved, up to ``max_raises`` times, and then bisected
    once (in ``log(1 - q)``) between the last quantile not met and the
    first met. Every roster is
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
    max_days : int, optional
        Days drawn at most for one roster (default ``MORE_DAYS`` x ``days``).

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
    tried: list[tuple[float, object, Sizing, pd.DataFrame, tuple[int, int]]] = []

    def attempt(level: float) -> bool:
        quantile = 1.0 - tail / 2.0**level
        sizing = size_to_probability(scenario, quantile)
        same = [t for t in tried if t[2].factors["sized"].equals(sizing.factors["sized"])]
        if same:  # the same quantile day: the same roster and days
            plan, table, every = same[0][1], same[0][3], same[0][4]
        else:
            say(f"planning the {percentile_label(quantile)}-percentile day for a "
                f"{percent_label(probability)} chance")
            plan = plan_at(sizing.scenario)
            table, every = _measure(scenario, staffing_of(plan.roster), probability, days,
                                    max_days or MORE_DAYS * days, seed, workers, say)
        tried.append((quantile, plan, sizing, table, every))
        return all(v == "met" for v in p_meet_verdicts(table, probability))

    shown = attempt(0)
    level, stop = 0, ""
    while not shown and level < max_raises:
        if tried[-1][1].stuck:
            stop = (f"not raised beyond the {percentile_label(tried[-1][0])}-percentile day: staffing "
                    "cannot move every standard on it (see the notes)")
            break
        level += 1
        shown = attempt(level)
    if not shown and not stop:
        stop = (f"P(meet) not shown at the stated chance by the {percentile_label(tried[-1][0])}-"
                f"percentile day, the cap ({max_raises} raises)" if max_raises else "")
    low = level - 1.0
    for _ in range(REFINE if shown and level > 0 else 0):
        middle = (low + level) / 2
        if attempt(middle):
            level = middle
        else:
            low = middle
    return _kept(scenario, probability, tried, stop)


def _measure(scenario: Scenario, staffing, probability: float, days: int, max_days: int,
             seed: int, workers: int, say: Callable[[str], None]
             ) -> tuple[pd.DataFrame, tuple[int, int]]:
    """P(meet) of ``staffing`` over ``days`` drawn days, doubled (up to
    ``max_days``) while some standard is not shown either way and none is
    missed; with the days every standard was met (:func:`every_standard_met`)."""
    say(f"measuring P(meet) over {days} days drawn from the forecast")
    per_day = day_attainment(scenario, staffing, days, seed, workers)
    table = p_meet_table(scenario, per_day)
    measured = days
    while measured < max_days:
        verdicts = p_meet_verdicts(table, probability)
        if "missed" in verdicts or "not shown" not in verdicts:
            break
        more = min(measured, max_days - measured)
        say(f"P(meet) not shown either way: {more} more days")
        per_day = pd.concat([per_day, day_attainment(scenario, staffing, more, seed, workers,
                                                      first=measured)], ignore_index=True)
        measured += more
        table = p_meet_table(scenario, per_day)
    return table, every_standard_met(scenario, per_day)


def _kept(scenario: Scenario, probability: float, tried: list, stop: str):
    """The plan kept from the sizings tried, with its risk check, history
    rows and notes."""
    steps = pd.concat([_step_rows(k, q, plan, table, probability)
                       for k, (q, plan, _, table, _) in enumerate(tried, start=1)],
                      ignore_index=True)

    def key(k):
        quantile, plan, _, table, _ = tried[k]
        verdicts = p_meet_verdicts(table, probability)
        if all(v == "met" for v in verdicts):
            return (0, plan.roster.headcount, plan.roster.cost, quantile)
        lowest = table["p_meet_low"].fillna(0).min() if len(table) else 0.0
        return (1, -verdicts.count("met"), -lowest, quantile)

    best = min(range(len(tried)), key=key)
    quantile, plan, sizing, table, every = tried[best]
    steps["kept"] = steps["step"] == best + 1
    check = RiskCheck(sizing, table, probability, steps, stop, every)
    history = pd.concat([plan.history, _history_rows(scenario, steps)], ignore_index=True)
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


def _history_rows(scenario: Scenario, steps: pd.DataFrame) -> pd.DataFrame:
    """The plan history's rows for the sizings tried: attainment is P(meet),
    target the stated chance, replications the days drawn."""
    scopes = [standard.scope for standard in scenario.standards]
    return pd.DataFrame({
        "iteration": [f"risk {k}" for k in steps["step"]],
        "action": [f"P(meet) of the {percentile_label(q)}-percentile day's roster"
                   + (" (kept)" if kept else "")
                   for q, kept in zip(steps["quantile"], steps["kept"], strict=True)],
        "headcount": steps["headcount"], "cost": steps["cost"],
        "roster_status": steps["roster_status"], "roster_gap": steps["roster_gap"],
        "replications": steps["days"], "standard": steps["standard"],
        "scope": np.tile(scopes, steps["step"].nunique()),
        "target": steps["stated"], "attainment": steps["p_meet"],
        "attainment_low": steps["p_meet_low"], "attainment_high": steps["p_meet_high"],
        "lowest_interval": np.nan, "verdict": steps["verdict"]})
