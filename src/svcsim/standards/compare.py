"""Comparing a proposed standard (or load) with today's: the pilot before rollout.

For each variant of a study, two answers:

* what it needs: the planned roster (``svcsim.plan``) that meets the
  variant's standards in simulation, its headcount and cost, and the change
  from the base plan;
* what happens on day one if the promise (or the load) changes but the staff
  does not: the base plan's roster simulated under the variant, attainment
  of each of the variant's standards, and the change from the base roster
  under the base scenario.

Every simulation uses the study's seed, and svcsim keys each random stream
by replication, contact type and purpose, so the base and a variant see the
same customers wherever the variant leaves them alone (common random
numbers): a change in attainment is the variant's, not noise. Its
confidence interval is taken over the paired per-replication differences.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from svcsim.plan import CERTIFIED, REPLICATION_CAP, Plan, certified, deficit, plan, staffing_of
from svcsim.roster import SolverSettings
from svcsim.scenario import Scenario
from svcsim.sim import SimulationResult, simulate
from svcsim.sim.replications import Progress, map_ordered, t_interval
from svcsim.standards.overlays import factor_of
from svcsim.standards.study import LoadedStudy

BASE = "base"


@dataclass(frozen=True)
class Comparison:
    """What each variant of a study needs, and what today's roster reaches.

    Attributes
    ----------
    plans : pandas.DataFrame
        One row per variant (``base`` first): planned ``headcount``,
        ``cost``, ``paid_hours``, their change from the base plan, ``met``
        (every standard met in simulation by the variant's plan), and
        ``todays_roster``: True when today's roster is the answer, as it
        does in simulation as well as the variant's own plan on every
        standard staffing moves, for less (``own_plan_headcount`` is that
        plan's headcount, ``own_plan_cost`` its cost); ``roster_of``, the variant whose plan gave the
        roster (today's answer is a variant's roster when that does as well
        under today's standards with fewer agents); ``not_staffing_limited``,
        the labels of the standards more agents did not move (joined by
        ``"; "``).
    day_one : pandas.DataFrame
        Variant x standard: the base roster's ``attainment`` over the
        horizon with its CI under the variant, the ``target``, the share of
        intervals whose mean meets it (``intervals_meeting_target``), the
        ``verdict`` at the standard's scope, and ``change`` in attainment
        from the base with its paired CI
        (``change_low``, ``change_high``); and ``planned_attainment``, the
        variant's own plan's attainment of the standard.
    """

    plans: pd.DataFrame
    day_one: pd.DataFrame


def compare(loaded: LoadedStudy, settings: SolverSettings | None = None, workers: int = 1,
            progress: Progress | None = None, backend: str = "local",
            client: Any = None) -> Comparison:
    """Plan every variant of a study and simulate today's roster under it.

    ``progress(done, total)`` is called before the first plan and after each
    plan and simulation. ``backend="dask"`` plans the variants on a Dask
    cluster (``client``), as replications can run.
    """
    study = loaded.study
    scenarios = {BASE: loaded.base, **loaded.variants}
    step = steps(2 * len(scenarios), progress)
    plans = plan_each(scenarios, loaded, settings, workers, step, backend, client)
    todays = _fewest_for_today(loaded.base, plans, study.replications, study.seed, workers)
    staffing = staffing_of(todays.roster)
    today: dict[str, SimulationResult] = {}
    for name, scenario in scenarios.items():
        if name == BASE and _simulated_as_today(todays, study.replications):
            today[name] = todays.simulation  # the same runs: not simulated twice
        else:
            today[name] = simulate(scenario, staffing=staffing, replications=study.replications,
                                   seed=study.seed, workers=workers)
        step()
    answers = {name: todays if name == BASE else
               _todays_if_enough(scenarios[name], planned, todays, today[name])
               for name, planned in plans.items()}
    return Comparison(_plans_table(scenarios, answers, plans), _day_one_table(scenarios, today, answers))


def _fewest_for_today(base: Scenario, plans: dict[str, Plan], replications: int, seed: int,
                      workers: int) -> Plan:
    """Today's answer: the base plan, or a variant's roster with fewer agents
    (or as many for less) that, simulated under today's standards (with
    replications added as a plan adds them), is certified as close to
    every target as the base plan's own roster
    (standards the base plan found not staffing-limited aside), the
    cheapest of them.

    Each plan climbs its own path, so two plans of nearly the same promise
    can end a few agents apart: on the tiered desk the base plan ended at
    230 agents and the plan holding tier 1 to 20 minutes instead of 30 at
    226, which also holds today's 30. Reported as they were, a stricter
    target would have "saved" 4 agents."""
    planned = plans[BASE]
    key = (planned.roster.headcount, planned.roster.cost)
    fewer = sorted((p for name, p in plans.items() if name != BASE
                    and (p.roster.headcount, p.roster.cost) < key),
                   key=lambda p: (p.roster.headcount, p.roster.cost))
    for variant in fewer:
        # certified as the plans are: replications added while a verdict is not shown
        today = certified(base, variant.roster, replications, REPLICATION_CAP * replications,
                          seed, workers, planned.confidence)
        if _as_well(base, planned, today, CERTIFIED):
            return _answered_by(base, planned, variant.roster, today, CERTIFIED, (
                f"a variant's plan ({variant.roster.headcount} agents) does as well in "
                f"simulation under today's standards as today's own plan "
                f"({planned.roster.headcount} agents)"))
    return planned


def _as_well(scenario: Scenario, planned: Plan, simulated: SimulationResult,
             column: str) -> bool:
    """Whether ``simulated`` is no further from any target of ``scenario``
    than ``planned``'s own simulation, by :func:`svcsim.plan.deficit` of
    ``column`` (standards the plan found not staffing-limited aside)."""
    return all(deficit(scenario, simulated, i, column)
               <= deficit(scenario, planned.simulation, i, column) + 1e-9
               for i in range(len(scenario.standards)) if i not in planned.stuck)


def _answered_by(scenario: Scenario, planned: Plan, roster, simulated: SimulationResult,
                 column: str, why: str) -> Plan:
    """``planned`` with another ``roster`` and its simulation under
    ``scenario``, ``why`` first among its notes."""
    met = not planned.stuck and all(deficit(scenario, simulated, i, column) <= 1e-9
                                    for i in range(len(scenario.standards)))
    return replace(planned, roster=roster, simulation=simulated, met=met,
                   notes=[why, *planned.notes])


def _simulated_as_today(base: Plan, replications: int) -> bool:
    """Whether the base plan's own simulation is the one of today's roster
    under the base: the same scenario (not a quantile day staffed to a
    stated chance), replications, seed and confidence level, so the same
    runs (each replication's streams depend on the seed and its number only)."""
    result = base.simulation
    return (base.risk is None and result.replications == replications
            and result.level == 0.95)


def _todays_if_enough(scenario: Scenario, planned: Plan, base: Plan,
                      today: SimulationResult) -> Plan:
    """The variant's answer: today's roster when, simulated under the variant,
    it is no further from any target than the variant's own plan (standards
    the plan found not staffing-limited aside) and is fewer agents or as many
    for less; else the variant's plan.

    The planner climbs from the variant's analytic requirement, which may
    overshoot a staged or deferred standard that today's roster already
    holds, so a variant must never be reported to need more than today."""
    if planned is base:
        return planned
    cheaper = (base.roster.headcount, base.roster.cost) < (planned.roster.headcount,
                                                            planned.roster.cost)
    if not (cheaper and _as_well(scenario, planned, today, "attainment")):
        return planned
    return _answered_by(scenario, planned, base.roster, today, "attainment", (
        f"today's roster ({base.roster.headcount} agents) does as well in simulation as "
        f"the variant's own plan ({planned.roster.headcount} agents)"))


def plan_each(scenarios: dict[str, Scenario], loaded: LoadedStudy,
              settings: SolverSettings | None, workers: int,
              step: Callable[[], None], backend: str = "local",
              client: Any = None) -> dict[str, Plan]:
    """The plan of each scenario, with the study's replications and seed.

    A scenario equal to one already planned (a sweep's ``x1.0`` point is the
    base) reuses its plan: the same scenario and seed plan the same. With
    ``workers`` above 1 and several scenarios to plan, the plans run side by
    side on that many local processes (a plan is mostly roster solving on one
    core, which replications in parallel would not speed up); every plan is
    the same as when planned alone. They go through the executor seam of
    the replications (:func:`svcsim.sim.replications.map_ordered`), so
    ``backend="dask"`` plans them on a Dask cluster (``client``).
    ``step()`` is called as each plan ends.
    """
    firsts: dict[str, str] = {}  # scenario name -> the first equal scenario's name
    for name, scenario in scenarios.items():
        firsts[name] = next(done for done in scenarios if scenarios[done] == scenario)
    study = loaded.study
    keys = {name: (scenarios[name], study.replications, study.seed, settings or SolverSettings())
            for name in scenarios if firsts[name] == name}
    planned = {name: known for name, key in keys.items()
               if (known := _recalled(key)) is not None}
    distinct = [name for name in keys if name not in planned]
    side_by_side = backend == "dask" or (workers > 1 and len(distinct) > 1)
    args = [(scenarios[name], study.replications, study.seed, settings,
             1 if side_by_side else workers) for name in distinct]
    done = map_ordered(_plan_one, args, workers if side_by_side else 1, backend, client,
                       lambda finished, total: step())
    for name, new in zip(distinct, done, strict=True):
        planned[name] = new
        _remember(keys[name], new)
    for _ in range(len(scenarios) - len(distinct)):
        step()
    return {name: planned[firsts[name]] for name in scenarios}


REMEMBERED = 8
"""Plans a process keeps for the studies it plans next: a frontier after a
comparison of the same base (a notebook's usual order) plans the base once.
A plan is a function of its scenario, replications, seed and solver
settings alone (deterministic limits, common random numbers)."""

_remembered: list[tuple[tuple, Plan]] = []


def _recalled(key: tuple) -> Plan | None:
    return next((known for seen, known in _remembered if seen == key), None)


def _remember(key: tuple, planned: Plan) -> None:
    _remembered.append((key, planned))
    del _remembered[:-REMEMBERED]


def forget_plans() -> None:
    """Forget the plans this process remembers (a study then plans afresh)."""
    _remembered.clear()


def _plan_one(scenario: Scenario, replications: int, seed: int,
              settings: SolverSettings | None, workers: int) -> Plan:
    """One variant's plan (a module-level function, so processes can run it)."""
    return plan(scenario, replications=replications, seed=seed, settings=settings,
                workers=workers, interval_comparison=False)  # a study does not show it


def steps(total: int, progress: Progress | None) -> Callable[[], None]:
    """A callable to call after each of ``total`` steps: reports to
    ``progress``, first ``(0, total)`` at once."""
    done = itertools.count(1)
    if progress is not None:
        progress(0, total)

    def step() -> None:
        count = next(done)
        if progress is not None:
            progress(count, total)

    return step


def _plans_table(scenarios: dict[str, Scenario], plans: dict[str, Plan],
                 own: dict[str, Plan]) -> pd.DataFrame:
    rows = []
    base = plans[BASE].roster
    for name, planned in plans.items():
        roster = planned.roster
        rows.append({"variant": name, "headcount": roster.headcount, "cost": roster.cost,
                     "paid_hours": roster.paid_hours,
                     "headcount_change": roster.headcount - base.headcount,
                     "cost_change": roster.cost - base.cost, "met": planned.met,
                     "todays_roster": (name != BASE and roster is base
                                       and own[name].roster is not roster),
                     "own_plan_headcount": own[name].roster.headcount,
                     "own_plan_cost": own[name].roster.cost,
                     # today's answer may be a variant's roster (_fewest_for_today)
                     "roster_of": next(other for other, mine in own.items()
                                       if mine.roster is roster),
                     "not_staffing_limited": "; ".join(
                         scenarios[name].standards[i].label for i in planned.stuck)})
    return pd.DataFrame(rows)


def _day_one_table(scenarios: dict[str, Scenario], today: dict[str, SimulationResult],
                   plans: dict[str, Plan]) -> pd.DataFrame:
    base = today[BASE].replication_attainment
    level = today[BASE].level
    rows = []
    for name, result in today.items():
        mine = result.replication_attainment
        planned = plans[name].simulation.standards
        for i, standard in enumerate(scenarios[name].standards):
            row = result.standards.iloc[i]
            ours = mine[mine["standard"] == i].sort_values("replication")["attainment"]
            theirs = base[base["standard"] == i].sort_values("replication")["attainment"]
            if theirs.empty:  # a standard the variant adds: today's has nothing to pair
                mean = low = high = float("nan")
            else:
                mean, low, high = t_interval(ours.to_numpy() - theirs.to_numpy(), level)
            rows.append({"variant": name, "standard": standard.label,
                         "target": standard.target, "attainment": row["attainment"],
                         "attainment_low": row["attainment_low"],
                         "attainment_high": row["attainment_high"],
                         "intervals_meeting_target": row["intervals_meeting_target"],
                         "verdict": row["verdict"],
                         "change": mean, "change_low": low, "change_high": high,
                         "planned_attainment": planned.iloc[i]["attainment"]})
    return pd.DataFrame(rows)


def standard_positions(day_one: pd.DataFrame) -> pd.Series:
    """Each day-one row's standard by its position in its variant's scenario
    (a variant keeps the base's standards in order, changed or not)."""
    return day_one.groupby("variant", sort=False).cumcount()


def moved_standards(day_one: pd.DataFrame, least: float = 0.0005) -> list[int]:
    """Positions of the standards a study is about: those some variant
    changes (its label differs from the base's) or moves (today's roster's
    attainment changes by ``least`` or more, 0.05 points by default); every
    standard when none is. What the printed table and the chart show of a
    study of many standards."""
    position = standard_positions(day_one)
    base = day_one[day_one["variant"] == BASE].set_index(position[day_one["variant"] == BASE])
    label = base["standard"].reindex(position).to_numpy()  # NaN: a standard a variant adds
    moved = (day_one["standard"].to_numpy() != label) | (day_one["change"].abs() >= least)
    shown = sorted(set(position[moved]))
    return shown or sorted(set(position))


def sweep_table(result: Comparison, loaded: LoadedStudy) -> pd.DataFrame:
    """One row per sweep point: the swept values (numbers where they read as
    one: ``x1.2`` as 1.2, ``15s`` as 15 seconds, ``80%`` as 80), the planned
    headcount and cost, and per standard of the base (named by its label
    there, whatever target or threshold the point gives it) the attainment
    of today's roster (``today: ...``) and of the point's own plan
    (``planned: ...``)."""
    plans = result.plans.set_index("variant")
    day = result.day_one
    rows = []
    for name, values in loaded.points.items():
        row = {key: as_number(value) for key, value in values.items()}
        row.update(plans.loc[name, ["headcount", "cost", "paid_hours", "met"]].to_dict())
        mine = day[day["variant"] == name]
        for standard, item in zip(loaded.base.standards, mine.itertuples(), strict=True):
            row[f"today: {standard.label}"] = item.attainment
        for standard, item in zip(loaded.base.standards, mine.itertuples(), strict=True):
            row[f"planned: {standard.label}"] = item.planned_attainment
        rows.append(row)
    return pd.DataFrame(rows)


def as_number(value):
    """A swept value as a number where it reads as one, else unchanged."""
    from svcsim.scenario.units import parse_duration

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    factor = factor_of(value)
    if factor is not None:
        return factor
    text = str(value).strip()
    if text.endswith("%"):
        try:
            return float(text[:-1])
        except ValueError:
            return value
    try:
        return parse_duration(text)
    except ValueError:
        return value


__all__ = ["Comparison", "as_number", "compare", "plan_each", "steps", "sweep_table"]
