"""The sim-in-the-loop planner: requirements -> roster -> simulate -> repair.

Analytic requirements ignore priorities, shared pools, chat concurrency and
the queue carried from one interval to the next; the simulation does not.
A standard of scope ``day`` or ``week`` on immediate work is held over its
scope, not in every interval: the roster model trades a quiet interval's
surplus against a busy one's deficit (Erlang curves per interval, see
:mod:`svcsim.queueing.curves`), above each interval's floor.
So the planner rosters the analytic requirement, simulates the roster, and
where a standard is not met raises the requirement of the pools serving it
in the intervals where it falls short, and re-solves. A standard is met when
its mean simulated attainment reaches the target in every unit of its scope
(each interval for ``scope: interval``, each day for ``day``, the horizon for
``week``); its confidence interval is reported beside it (more replications
narrow it). Once every
standard holds it tries taking one agent out where every standard the pool
serves has slack, keeping each cut only if the simulation still meets every
standard. Every simulation uses the same seed, so two iterations differ by
their staffing, not by noise (common random numbers).

A standard that does not move when staff is added (a promise the process
cannot keep, e.g. progress updates every 8 h on work that waits 8 h for the
customer) is reported as not staffing-limited instead of being chased.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from svcsim.queueing import service_plan
from svcsim.roster import Roster, SolverSettings, schedule_roster
from svcsim.scenario import Scenario
from svcsim.sim import SimulationResult, simulate

Progress = Callable[[str], None]
"""Called with a one-line description of each step."""


@dataclass(frozen=True)
class Plan:
    """A roster verified in simulation.

    Attributes
    ----------
    roster : Roster
        The final roster.
    simulation : SimulationResult
        The final roster's simulated attainment (what gets reported).
    history : pandas.DataFrame
        One row per iteration x standard: action, headcount, cost,
        attainment with CI, verdict.
    analytic_headcount : int
        Headcount of the roster of the analytic requirement (iteration 0).
    interval_headcount : int
        Headcount of a roster holding every standard interval by interval;
        with standards held over a day or the week, what the usual method
        would have needed (equal to ``analytic_headcount`` otherwise).
    met : bool
        Every standard is met in simulation (False when one is missed,
        whether staffing could move it or not: see ``notes``).
    notes : list of str
        Standards that could not be met, and why.
    stuck : tuple of int
        Positions of the standards found not staffing-limited: more agents
        where they fell short did not move them.
    """

    roster: Roster
    simulation: SimulationResult
    history: pd.DataFrame
    analytic_headcount: int
    met: bool
    notes: list[str]
    interval_headcount: int = 0
    stuck: tuple[int, ...] = ()


def plan(scenario: Scenario, replications: int = 10, seed: int = 7, max_iterations: int = 8,
         settings: SolverSettings | None = None, workers: int = 1,
         progress: Progress | None = None, by_scope: bool = True) -> Plan:
    """Plan a roster that meets every standard in simulation.

    Parameters
    ----------
    scenario : Scenario
        Its pools must name shift rules.
    replications : int
        Replications per simulation.
    seed : int
        Seed of every simulation (common random numbers across iterations).
    max_iterations : int
        Repair iterations before giving up on a standard.
    settings : SolverSettings, optional
        Roster solver settings.
    workers : int
        Local processes for the replications.
    progress : callable, optional
        Receives a line per step.
    by_scope : bool
        Hold standards of scope ``day`` or ``week`` on immediate work over
        their scope (fewer agents: see :func:`svcsim.queueing.service_plan`);
        False holds every standard in every interval.
    """
    settings = settings or SolverSettings()
    say = progress or (lambda line: None)
    held = service_plan(scenario)
    targets = held.targets if by_scope else {}
    need = held.floors if targets else held.interval_need
    history: list[pd.DataFrame] = []
    stuck: dict[int, str] = {}

    def evaluate(need, iteration, action):
        say(f"iteration {iteration}: {action}; rostering")
        roster = schedule_roster(scenario, need, settings, targets)
        say(f"iteration {iteration}: {roster.headcount} agents; simulating")
        result = simulate(scenario, staffing=staffing_of(roster), replications=replications,
                          seed=seed, workers=workers)
        history.append(_history_rows(iteration, action, roster, result))
        return roster, result

    roster, result = evaluate(need, 0, "analytic requirement" + (
        ", day and week standards held over their scope" if targets else ""))
    analytic_headcount = roster.headcount
    tried = [(roster, result, need)]
    iteration = 0
    flat: dict[int, int] = {}
    while iteration < max_iterations:
        missed = _missed(scenario, result, stuck)
        if not missed:
            break
        iteration += 1
        need = _raise(scenario, result, roster, need, missed)
        previous = result
        roster, result = evaluate(need, iteration, "raise where "
                                  + "; ".join(scenario.standards[i].label for i in missed))
        _mark_stuck(scenario, previous, result, missed, stuck, flat)
        tried.append((roster, result, need))
    roster, result, need = _cheapest_best(scenario, tried, stuck)
    trims = 0
    while not _missed(scenario, result, stuck) and trims < max_iterations:
        trims += 1
        evaluated = len(history)
        trimmed = _trim(scenario, roster, result, need, evaluate, say, f"trim {trims}",
                        held.floors if targets else None)
        if trimmed is None:
            if len(history) > evaluated:  # tried and rejected: say so in the history
                history[-1]["action"] += " (undone: not kept)"
            break
        roster, result, need = trimmed
    notes = [f"{scenario.standards[i].label}: {why}" for i, why in stuck.items()]
    still = _missed(scenario, result, stuck)
    notes += [f"{scenario.standards[i].label}: still missed after {max_iterations} iterations"
              for i in still]
    interval_headcount = analytic_headcount
    if targets:
        say("rostering interval by interval, for comparison")
        interval_headcount = schedule_roster(scenario, held.interval_need, settings).headcount
    return Plan(roster, result, pd.concat(history, ignore_index=True), analytic_headcount,
                met=not still and not stuck, notes=notes, interval_headcount=interval_headcount,
                stuck=tuple(sorted(stuck)))


def _cheapest_best(scenario: Scenario, tried: list, stuck: dict[int, str]):
    """Of the rosters tried, the one closest to every standard staffing can
    move, and the cheapest in headcount among equals: agents added for a
    standard later found not staffing-limited are given back."""
    movable = [i for i in range(len(scenario.standards)) if i not in stuck]

    def key(item):
        roster, result, _ = item
        gap = sum(deficit(scenario, result, i) for i in movable)
        return round(gap, 6), roster.headcount

    return min(tried, key=key)


def staffing_of(roster: Roster) -> dict[str, np.ndarray]:
    """Agents scheduled and not on break per interval (whole agents)."""
    return {pool: np.floor(rows.sort_values("interval")["scheduled"].to_numpy() + 1e-9)
            for pool, rows in roster.coverage.groupby("pool", sort=False)}


def deficit(scenario: Scenario, result: SimulationResult, index: int) -> float:
    """How far standard ``index`` is from its target at its scope: the summed
    shortfall of mean attainment below target over the scope's units (0 when
    met everywhere)."""
    standard = scenario.standards[index]
    rows = result.standard_intervals
    rows = rows[(rows["standard"] == index) & (rows["covered"] > 0)]
    if rows.empty:
        return 0.0
    if standard.scope == "interval":
        units = rows[rows["interval"] >= 0]["attainment"].to_numpy()
    elif standard.scope == "day" and scenario.horizon.days > 1:
        per_day = int(round(86400 / scenario.interval_s))
        parts = rows[rows["interval"] >= 0].assign(
            day=lambda t: t["interval"] // per_day,
            met=lambda t: t["attainment"] * t["covered"])
        days = parts.groupby("day")[["met", "covered"]].sum()
        units = (days["met"] / days["covered"]).to_numpy()
    else:
        units = rows[rows["interval"] == -1]["attainment"].to_numpy()
    return float(np.clip(standard.target - units, 0.0, None).sum())


def _missed(scenario: Scenario, result: SimulationResult, stuck: dict[int, str]) -> list[int]:
    return [i for i in range(len(scenario.standards))
            if i not in stuck and deficit(scenario, result, i) > 1e-9]


def _pools_of(scenario: Scenario, index: int) -> set[str]:
    standard = scenario.standards[index]
    pools = set()
    for contact in scenario.match(standard.contacts):
        for stage in contact.stage_names:
            pools.add(scenario.serving_pools(contact, stage)[0][0].name)
    return pools


def _short_intervals(scenario: Scenario, result: SimulationResult, index: int) -> np.ndarray:
    """Intervals where standard ``index`` falls short: below target by its CI;
    if none is (a horizon-level miss), the tenth with the lowest attainment."""
    target = scenario.standards[index].target
    rows = result.standard_intervals
    rows = rows[(rows["standard"] == index) & (rows["interval"] >= 0) & (rows["covered"] > 0)]
    short = rows[rows["attainment_low"] < target]
    if short.empty:
        return np.array([], dtype=int)
    below = short[short["attainment"] < target]
    if below.empty:
        below = short.nsmallest(max(1, len(short) // 10), "attainment")
    return below["interval"].to_numpy(dtype=int)


def _raise(scenario: Scenario, result: SimulationResult, roster: Roster,
           need: dict[str, np.ndarray], missed: list[int]) -> dict[str, np.ndarray]:
    """One more agent on duty, above what the roster gives now, where each
    missed standard falls short, in the pools serving it. A deferred
    standard's misses show at arrival while its work is done later, so its
    pools are raised over the whole open day instead."""
    present = staffing_of(roster)
    need = {pool: np.maximum(values, present.get(pool, values)).astype(int)
            for pool, values in need.items()}
    for index in missed:
        intervals = _short_intervals(scenario, result, index)
        for pool in _pools_of(scenario, index):
            if pool not in need:
                continue
            deferred = all(c.kind == "deferred"
                           for c in scenario.match(scenario.standards[index].contacts))
            if deferred or len(intervals) == 0:
                raise_at = np.nonzero(need[pool] > 0)[0]
            else:
                raise_at = intervals
            # scheduled agents for one more on duty after shrinkage
            step = int(np.ceil(1.0 / (1.0 - scenario.pool(pool).shrinkage) - 1e-9))
            need[pool][raise_at] += step
    return need


def _mark_stuck(scenario: Scenario, before: SimulationResult, after: SimulationResult,
                missed: list[int], stuck: dict[int, str], flat: dict[int, int]) -> None:
    """A missed standard whose deficit did not shrink in two raises running is
    not staffing-limited."""
    for index in missed:
        if deficit(scenario, after, index) < 0.9 * deficit(scenario, before, index):
            flat[index] = 0
            continue
        flat[index] = flat.get(index, 0) + 1
        if flat[index] >= 2:
            level = after.standards["attainment"].iloc[index]
            stuck[index] = (f"not staffing-limited: two more agents where it fell short did "
                            f"not move it ({100 * level:.1f}% against "
                            f"{scenario.standards[index].percent:g}%)")


def _trim(scenario: Scenario, roster: Roster, result: SimulationResult,
          need: dict[str, np.ndarray], evaluate, say: Progress, label: str,
          floors: dict[str, np.ndarray] | None = None):
    """Take one agent out of each pool in the intervals where every standard it
    serves has slack, never below ``floors`` (the interval floors of standards
    held over a day); return the cut (roster, result, need) if no standard is
    worse off, else None."""
    candidate = {pool: values.copy() for pool, values in need.items()}
    changed = False
    for pool in candidate:
        served = [i for i in range(len(scenario.standards)) if pool in _pools_of(scenario, i)]
        slack = np.ones(scenario.n_intervals, dtype=bool)
        for index in served:
            target = scenario.standards[index].target
            rows = result.standard_intervals
            rows = rows[(rows["standard"] == index) & (rows["interval"] >= 0)]
            low = np.full(scenario.n_intervals, np.inf)
            low[rows["interval"].to_numpy(dtype=int)] = rows["attainment_low"].fillna(
                np.inf).to_numpy()
            slack &= low >= target + 0.02
        present = staffing_of(roster).get(pool, candidate[pool])
        candidate[pool] = np.minimum(candidate[pool], present.astype(int))
        lowest = floors[pool] if floors is not None else 0
        cut = slack & (candidate[pool] > lowest)
        if cut.any():
            candidate[pool][cut] -= 1
            changed = True
    if not changed:
        return None
    trimmed_roster, trimmed = evaluate(candidate, label, "take one agent out where "
                                       "every standard has slack")
    worse = any(deficit(scenario, trimmed, i) > deficit(scenario, result, i) + 1e-9
                for i in range(len(scenario.standards)))
    # fewest agents first, then least cost: the roster model's own order
    cheaper = (trimmed_roster.headcount, trimmed_roster.cost) < (roster.headcount, roster.cost)
    if not worse and cheaper:
        say(f"trim kept: {trimmed_roster.headcount} agents, cost {trimmed_roster.cost:,.0f}")
        return trimmed_roster, trimmed, candidate
    say("trim undone: " + ("a standard slipped" if worse else "no fewer agents, no lower cost"))
    return None


def _history_rows(iteration, action: str, roster: Roster,
                  result: SimulationResult) -> pd.DataFrame:
    table = result.standards[["standard", "scope", "target", "attainment", "attainment_low",
                              "attainment_high", "verdict"]].copy()
    table.insert(0, "iteration", iteration)
    table.insert(1, "action", action)
    table.insert(2, "headcount", roster.headcount)
    table.insert(3, "cost", roster.cost)
    return table
