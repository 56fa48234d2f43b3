"""The sim-in-the-loop planner: requirements -> roster -> simulate -> repair.

Analytic requirements ignore priorities, shared pools, chat concurrency and
the queue carried from one interval to the next; the simulation does not.
A standard of scope ``day`` or ``week`` on immediate work is held over its
scope, not in every interval: the roster model trades a quiet interval's
surplus against a busy one's deficit (Erlang curves per interval, see
:mod:`svcsim.queueing.curves`), above each interval's floor.
So the planner rosters the analytic requirement, simulates the roster, and
where a standard is not met raises the requirement of the pools serving it
in the intervals where it falls short, and re-solves. The verdict is
certified at the standard's scope (each interval for ``scope: interval``,
each day for ``day``, the horizon for ``week``): a standard is ``met`` when
the one-sided confidence bound (at ``confidence``, 95 % by default) clears
the target in every unit, ``missed`` when a unit's upper bound lies below
it, ``not shown`` otherwise, and the repair chases every standard not met;
replications are added
(replication k always draws the same streams) until every standard is
decided or ``max_replications`` is reached. A raise judged on fewer
replications than that (a standard missed somewhere stops them) leaves
alone an interval whose mean the replications to come should show
(:func:`svcsim.repair.agents_to_close`). Once every standard holds it
tries taking one agent out where every standard the pool serves has slack
(for a pool whose standards are all held in every interval: one agent's
intervals, where the calibrated curve says the standard still certifies;
not solved when the relaxation of the trimmed requirement needs as many
agents), keeping each cut only if the simulation still meets every
standard. Every
simulation uses the same seed, so two iterations differ by their staffing,
not by noise (common random numbers).

Each roster solve starts from the previous roster (plus greedy shifts for
a raise), which is kept unless the search beats it: a raise never returns a
roster worse than the previous one plus the raise. A roster's solver status
and headcount gap go into the history and the headline; a gap above the
solver's ``gap_limit`` is solved again with more time, and said if it stays.

A standard that does not move when staff is added (a promise the process
cannot keep, e.g. progress updates every 8 h on work that waits 8 h for the
customer) is reported as not staffing-limited instead of being chased.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from svcsim.arguments import check_arguments
from svcsim.queueing import service_plan
from svcsim.queueing.streams import work_streams
from svcsim.repair import agents_to_close, agents_to_spare
from svcsim.roster import Roster, SolverSettings, schedule_roster
from svcsim.roster.scheduler import pool_relaxed_headcount, pools_to_search
from svcsim.scenario import Scenario
from svcsim.sim import SimulationResult
from svcsim.sim.replications import run_all
from svcsim.sim.result import standard_verdicts, summarise
from svcsim.sim.staffing import on_duty, scheduled_staffing
from svcsim.sim.streams import root_entropy

if TYPE_CHECKING:
    from svcsim.history.risk import RiskCheck

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
        Positions of the standards the repair stopped chasing: found not
        staffing-limited (more agents where they fell short did not move
        them), or held back by the shift rules (a cap or the shift windows
        leave no room for the agents they need).
    confidence : float
        Confidence of the verdicts (0.95: one-sided 95 %).
    requirement : dict of str to numpy.ndarray
        Agents scheduled per pool per interval the final roster was solved
        for (its floors, when standards are held over their scope).
    """

    roster: Roster
    simulation: SimulationResult
    history: pd.DataFrame
    analytic_headcount: int
    met: bool
    notes: list[str]
    interval_headcount: int = 0
    stuck: tuple[int, ...] = ()
    confidence: float = 0.95
    requirement: dict[str, np.ndarray] = field(default_factory=dict)
    risk: RiskCheck | None = None  # staffed to a stated chance: the P(meet) measured

    @property
    def verdicts(self) -> list[str]:
        """Each standard's certified verdict: met, not shown or missed."""
        return self.simulation.standards["verdict"].tolist()


def plan(scenario: Scenario, replications: int = 10, seed: int = 7, max_iterations: int = 8,
         settings: SolverSettings | None = None, workers: int = 1,
         progress: Progress | None = None, by_scope: bool = True,
         confidence: float = 0.95, max_replications: int | None = None,
         meet_probability: float | None = None, risk_days: int = 200,
         interval_comparison: bool = True) -> Plan:
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
    confidence : float
        Confidence of the one-sided verdicts (0.95 for 95 %).
    max_replications : int, optional
        Cap on replications per simulation while some standard is not shown
        either way (default 8 x ``replications``: a CI about 2.8 times narrower).
    meet_probability : float, optional
        Stated chance (0.9 for 90 %) of meeting each standard on a random
        day (default: the scenario's ``planning.meet_probability``, else
        none): the roster is planned on the scenario's quantile day and its
        P(meet) measured over ``risk_days`` days drawn from the forecast;
        while P(meet) is not shown at the stated chance, the quantile is
        raised, up to a cap (:func:`svcsim.history.risk_search.staff_to_risk`).
    risk_days : int
        Days drawn to measure P(meet).
    interval_comparison : bool
        With standards held over their scope, also roster every standard
        interval by interval, for ``Plan.interval_headcount`` (what the usual
        method would need); False skips that roster (studies do not show it)
        and leaves ``interval_headcount`` at 0.
    """
    check_arguments("plan_roster", counts={"replications": (replications, 1), "workers": (workers, 1),
                                           "max_iterations": (max_iterations, 0),
                                           "risk_days": (risk_days, 2),
                                           **({} if max_replications is None else
                                              {"max_replications": (max_replications, 1)})},
                    shares={"confidence": confidence,
                            **({} if meet_probability is None else
                               {"meet_probability": meet_probability})}, seed=seed)
    meet_probability = meet_probability or scenario.planning.meet_probability
    if meet_probability is not None:  # plan quantile days until P(meet) is shown
        from svcsim.history.risk_search import staff_to_risk

        return staff_to_risk(scenario, meet_probability, lambda sized: plan(
            sized, replications, seed, max_iterations, settings, workers, progress, by_scope,
            confidence, max_replications), risk_days, seed, workers, progress)
    settings = settings or SolverSettings()
    final_settings = settings
    # the iterations solve once each; only the final roster is solved again
    # with more time while its gap is above the limit (see _polish)
    settings = replace(settings, max_rounds=1)
    cap = max(replications, max_replications or REPLICATION_CAP * replications)
    say = progress or (lambda line: None)
    held = service_plan(scenario)
    targets = held.targets if by_scope else {}
    need = held.floors if targets else held.interval_need
    history: list[pd.DataFrame] = []
    stuck: dict[int, str] = {}

    def evaluate(need, iteration, action, start=None, solver=None, fewer=False,
                 simulate_if=None):
        """Roster ``need`` and certify it in simulation; a roster for which
        ``simulate_if`` is false (one that could not be kept whatever its
        simulation showed) is not simulated: (roster, None)."""
        say(f"iteration {iteration}: {action}; rostering")
        roster = schedule_roster(scenario, need, solver or settings, targets, start)
        if fewer and _search_longer(roster, start, solver or settings):
            say(f"iteration {iteration}: {roster.headcount} agents, no fewer; rostering "
                "again with the whole time limit")
            roster = schedule_roster(scenario, need, replace(solver or settings, warm_share=1.0),
                                     targets, start)
        if simulate_if is not None and not simulate_if(roster):
            say(f"iteration {iteration}: {roster.headcount} agents, cost {roster.cost:,.0f} "
                f"({roster.status}); not simulated: no fewer agents, no lower cost")
            history.append(_history_rows(iteration, action, roster, None, scenario))
            return roster, None
        say(f"iteration {iteration}: {roster.headcount} agents ({roster.status}, gap "
            f"{_gap_text(roster.gap)}); simulating")
        result = certified(scenario, roster, replications, cap, seed, workers, confidence)
        history.append(_history_rows(iteration, action, roster, result, scenario))
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
        raised_from, before, need_before = roster, result, need
        need = _raise(scenario, before, raised_from, need_before, missed, cap)
        roster, result = evaluate(need, iteration, "raise where "
                                  + "; ".join(scenario.standards[i].label for i in missed),
                                  raised_from)
        _mark_stuck(scenario, before, result, missed, stuck, flat, roster)
        tried.append((roster, result, need))
        chased = [i for i in missed if i not in stuck]
        if len(chased) < len(missed) and chased and iteration < max_iterations:
            # the raise again without the agents it added for standards it
            # found staffing does not move. On the tiered desk one raise
            # added 38 agents, most of them for five deferred standards;
            # trims gave back 10 (a trim needs slack on every standard a
            # pool serves), where the raise made again needed 4
            iteration += 1
            need = _raise(scenario, before, raised_from, need_before, chased, cap)
            roster, result = evaluate(need, iteration, "raise again where " + "; ".join(
                scenario.standards[i].label for i in chased), raised_from)
            tried.append((roster, result, need))
    roster, result, need = _cheapest_best(scenario, tried, stuck)
    trims = 0
    while not _missed(scenario, result, stuck) and trims < max_iterations:
        trims += 1
        evaluated = len(history)
        skipped: list[str] = []
        trimmed = _trim(scenario, roster, result, need, evaluate, say, f"trim {trims}",
                        held.floors if targets else None, skipped.append)
        if trimmed is None:
            if skipped:  # ruled out before any solve: the roster kept, not simulated
                history.append(_history_rows(f"trim {trims}", skipped[0], roster, None,
                                             scenario))
            elif len(history) > evaluated:  # tried and rejected: say so in the history
                history[-1]["action"] += " (undone: not kept)"
            break
        roster, result, need = trimmed
    if not roster.gap <= settings.gap_limit and settings.time_limit_s is None:
        # one solve at twice the limit, of the pools whose gap is above it
        polished = _polish(scenario, roster, result, need, evaluate,
                           replace(final_settings, max_rounds=min(final_settings.max_rounds, 2)),
                           targets, say)
        if polished is not None:
            roster, result = polished
    notes = [f"{scenario.standards[i].label}: {why}" for i, why in stuck.items()]
    still = _missed(scenario, result, stuck)
    notes += [f"{scenario.standards[i].label}: still missed after {max_iterations} iterations"
              for i in still]
    interval_headcount = analytic_headcount
    if targets and not interval_comparison:
        interval_headcount = 0
    elif targets:
        say("rostering interval by interval, for comparison")
        interval_headcount = schedule_roster(scenario, held.interval_need,
                                             replace(settings, last_level="headcount")).headcount
    notes += _solver_notes(roster, final_settings)
    notes += [note for i, note in _scope_notes(scenario, result) if i not in stuck]
    return Plan(roster, result, pd.concat(history, ignore_index=True), analytic_headcount,
                met=not still and not stuck, notes=notes, interval_headcount=interval_headcount,
                stuck=tuple(sorted(stuck)), confidence=confidence, requirement=need)


def _search_longer(roster: Roster, start: Roster, settings: SolverSettings) -> bool:
    """Whether a trim's roster, solved from ``start`` in a share of a fixed
    time limit (``settings.warm_share``), has no fewer agents, so that the
    trim is searched again with the whole limit before it is given up (a
    trim is for fewer agents; under scaled limits a trim keeps its share).
    A roster proved optimal is not: no longer search can beat it."""
    return (settings.time_limit_s is not None and settings.warm_share < 1
            and roster.status != "OPTIMAL" and roster.headcount >= start.headcount)


def certified(scenario: Scenario, roster: Roster, replications: int, cap: int, seed: int,
              workers: int = 1, confidence: float = 0.95) -> SimulationResult:
    """Simulate ``roster`` with ``replications``, doubling them (up to ``cap``)
    while some standard's verdict is ``not shown`` at ``confidence``.
    Replication k draws the same streams whenever it runs, so the added
    replications are those of one longer run (common random numbers)."""
    agents = on_duty(scenario, scheduled_staffing(scenario, staffing_of(roster)))
    entropy = root_entropy(seed)
    runs = run_all(scenario, agents, entropy, replications, 0, False, workers)
    while "not shown" in standard_verdicts(scenario, runs, confidence)["verdict"].tolist() \
            and len(runs) < cap:
        more = min(len(runs), cap - len(runs))
        runs += run_all(scenario, agents, entropy, more, 0, False, workers, first=len(runs))
    return summarise(scenario, runs, entropy, confidence,
                     {"replications": len(runs), "workers": workers, "backend": "local",
                      "warmup_cycles": 0, "level": confidence})


def _gap_text(gap: float) -> str:
    return "unknown" if not np.isfinite(gap) else f"{100 * gap:.1f} %"


def _solver_notes(roster: Roster, settings: SolverSettings) -> list[str]:
    """What the solver did not prove about the final roster."""
    notes = []
    for row in roster.pools.itertuples():
        if row.status == "TIME_LIMIT":
            notes.append(f"{row.pool}: no roster found in the time limit (status TIME_LIMIT, "
                         "gap unknown); give the solver more time (--time-limit)")
        elif not np.isfinite(row.gap):
            notes.append(f"{row.pool}: roster not proved (status {row.status}, gap unknown: "
                         "the search found no bound on its headcount in the time limit)")
        elif row.gap > settings.gap_limit:
            notes.append(f"{row.pool}: roster gap {100 * row.gap:.0f} %, not proved: as few as "
                         f"{row.headcount_bound:.0f} agents might do (more --time-limit "
                         "may find fewer)")
    return notes


def unfloored(scenario: Scenario) -> list[int]:
    """Positions of the standards held over a day or the week, on immediate
    work, with no ``interval_floor``: single intervals may fall anywhere
    (``svcsim validate`` warns, ``svcsim plan`` names the lowest)."""
    return [i for i, standard in enumerate(scenario.standards)
            if standard.scope != "interval" and standard.interval_floor is None
            and all(c.kind == "immediate" for c in scenario.match(standard.contacts))]


def _scope_notes(scenario: Scenario, result: SimulationResult) -> list[tuple[int, str]]:
    """A standard held over a day or the week with no ``interval_floor`` lets
    single intervals fall anywhere: name its lowest simulated interval."""
    rows = result.standards
    return [(i, f"{scenario.standards[i].label}: held over the {scenario.standards[i].scope} "
                f"with no interval_floor; its lowest simulated interval reaches "
                f"{_share(rows['lowest_interval'].iloc[i])} (set interval_floor to bound it)")
            for i in unfloored(scenario)]


def _share(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{100 * value:.1f} %"


def _polish(scenario: Scenario, roster: Roster, result: SimulationResult,
            need: dict[str, np.ndarray], evaluate, settings: SolverSettings,
            targets: dict, say: Progress):
    """Solve the final roster's requirement again from it, with up to
    ``settings.max_rounds`` solves of doubling time, while its gap is above
    ``settings.gap_limit``; keep the result when it has no more agents and
    cost no more, and the simulation certifies every standard as before.

    Only pools a longer search could improve are solved again: not those
    whose gap is within the limit, nor those held to service targets whose
    bound already reaches their linear relaxation's
    (:func:`svcsim.roster.scheduler.proved_as_relaxed`); with none left, no
    time is spent and the gap stays in the headline, not proved."""
    if not pools_to_search(scenario, need, settings, targets, roster):
        say(f"polish skipped: no pool that a longer search could improve (gap "
            f"{_gap_text(roster.gap)}, not proved)")
        return None
    # as many agents for as much is kept too: the same roster, with the
    # solver's better bound on it
    polished, simulated = evaluate(
        need, "polish", f"solve the final roster again, longer (gap {_gap_text(roster.gap)})",
        roster, settings,
        simulate_if=lambda found: (found.headcount, found.cost) <= (roster.headcount, roster.cost))
    if simulated is None:
        return None
    worse = any(deficit(scenario, simulated, i, CERTIFIED)
                > deficit(scenario, result, i, CERTIFIED) + 1e-9
                for i in range(len(scenario.standards)))
    if not worse:
        return polished, simulated
    return None


def _cheapest_best(scenario: Scenario, tried: list, stuck: dict[int, str]):
    """Of the rosters tried, the one closest to every standard staffing can
    move, and the cheapest in headcount among equals: agents added for a
    standard later found not staffing-limited are given back."""
    movable = [i for i in range(len(scenario.standards)) if i not in stuck]

    def key(item):
        roster, result, _ = item
        gap = sum(deficit(scenario, result, i, CERTIFIED) for i in movable)
        return round(gap, 6), roster.headcount

    return min(tried, key=key)


def staffing_of(roster: Roster) -> dict[str, np.ndarray]:
    """Agents scheduled and not on break per interval (whole agents)."""
    return {pool: np.floor(rows.sort_values("interval")["scheduled"].to_numpy() + 1e-9)
            for pool, rows in roster.coverage.groupby("pool", sort=False)}


def deficit(scenario: Scenario, result: SimulationResult, index: int,
            column: str = "attainment", intervals: np.ndarray | None = None) -> float:
    """How far standard ``index`` is from its target at its scope: the summed
    shortfall of ``column`` below target over the scope's units (0 when met
    everywhere). ``column="attainment"`` measures the mean;
    ``"one_sided_low"`` the certified level (0 when the verdict is met).
    ``intervals`` keeps only those units of a standard held in every
    interval."""
    standard = scenario.standards[index]
    rows = result.standard_intervals
    rows = rows[(rows["standard"] == index) & (rows["covered"] > 0)]
    if rows.empty:
        return 0.0
    if standard.scope == "interval":
        rows = rows[rows["interval"] >= 0]
        if intervals is not None:
            rows = rows[rows["interval"].isin(intervals)]
        units = rows[column].to_numpy()
    elif standard.scope == "day" and scenario.horizon.days > 1:
        days = result.standard_days
        units = days[(days["standard"] == index) & (days["covered"] > 0)][column].to_numpy()
    else:
        units = rows[rows["interval"] == -1][column].to_numpy()
    units = np.where(np.isfinite(units), units, 0.0)  # no bound yet: nothing is shown
    return float(np.clip(standard.target - units, 0.0, None).sum())


REPLICATION_CAP = 8
"""Replications at most, as a multiple of those asked for, while a verdict
is not shown either way (a CI about 2.8 times narrower)."""

CERTIFIED = "one_sided_low"
"""The column the repair chases: a standard is repaired until its one-sided
confidence bound clears the target (or it is found not staffing-limited)."""


def _missed(scenario: Scenario, result: SimulationResult, stuck: dict[int, str]) -> list[int]:
    """Standards not certified met (and not found staffing-proof)."""
    return [i for i in range(len(scenario.standards))
            if i not in stuck and deficit(scenario, result, i, CERTIFIED) > 1e-9]


def _pools_of(scenario: Scenario, index: int) -> set[str]:
    standard = scenario.standards[index]
    pools = set()
    for contact in scenario.match(standard.contacts):
        for stage in contact.stage_names:
            pools.add(scenario.serving_pools(contact, stage)[0][0].name)
    return pools


def _short_intervals(scenario: Scenario, result: SimulationResult, index: int) -> np.ndarray:
    """Intervals where standard ``index`` falls short: its certified bound
    below target. Held in every interval, each such interval is its own
    unit, so all of them (a mean above target with a bound below is not yet
    shown, and more replications alone did not show it). Held over a day or
    the week, those whose mean is below target; if none is, the tenth with
    the lowest attainment."""
    standard = scenario.standards[index]
    target = standard.target
    rows = result.standard_intervals
    rows = rows[(rows["standard"] == index) & (rows["interval"] >= 0) & (rows["covered"] > 0)]
    short = rows[rows[CERTIFIED] < target]
    if short.empty or standard.scope == "interval":
        return short["interval"].to_numpy(dtype=int)
    below = short[short["attainment"] < target]
    if below.empty:
        below = short.nsmallest(max(1, len(short) // 10), "attainment")
    return below["interval"].to_numpy(dtype=int)


def _raise(scenario: Scenario, result: SimulationResult, roster: Roster,
           need: dict[str, np.ndarray], missed: list[int], cap: int) -> dict[str, np.ndarray]:
    """Raise, above what the roster gives now, the pools serving the contact
    types that missed each missed standard, in the intervals where it falls
    short, by the agents the calibrated analytic curve says close the
    shortfall (:func:`svcsim.repair.agents_to_close`), judged as it will be
    with up to ``cap`` replications. A deferred standard's
    misses show at arrival while its work is done later, so its pools get
    one more agent over the whole open day instead."""
    present = staffing_of(roster)
    need = {pool: np.maximum(values, present.get(pool, values)).astype(int)
            for pool, values in need.items()}
    streams = work_streams(scenario)
    narrowing = float(np.sqrt(result.replications / max(cap, result.replications)))
    for index in missed:
        intervals = _short_intervals(scenario, result, index)
        levels = _levels(scenario, result, index)
        deferred = _deferred(scenario, index)
        for pool in _missed_pools(scenario, result, index, intervals):
            if pool not in need:
                continue
            shrinkage = scenario.pool(pool).shrinkage
            if deferred or len(intervals) == 0:
                raise_at = np.nonzero(need[pool] > 0)[0]
                need[pool][raise_at] += int(np.ceil(1.0 / (1.0 - shrinkage) - 1e-9))
                continue
            for i in intervals:
                mean, low = levels.get(int(i), (np.nan, np.nan))
                scheduled = int(present.get(pool, need[pool])[i])
                duty = _on_duty(scheduled, shrinkage)
                extra = agents_to_close(scenario, pool, index, int(i), duty, mean, low, streams,
                                        narrowing)
                if extra == 0:  # the replications to come should show it
                    continue
                # the fewest scheduled agents that put that many more on duty
                more = 1
                while _on_duty(scheduled + more, shrinkage) < duty + extra:
                    more += 1
                need[pool][i] = max(need[pool][i], scheduled + more)
    return need


def _deferred(scenario: Scenario, index: int) -> bool:
    """Whether every contact type standard ``index`` holds is deferred work."""
    return all(c.kind == "deferred" for c in scenario.match(scenario.standards[index].contacts))


def _on_duty(scheduled: int, shrinkage: float) -> int:
    """Agents on duty of ``scheduled``, as the simulation counts them."""
    return int(np.floor(scheduled * (1.0 - shrinkage) + 1e-9))


def _levels(scenario: Scenario, result: SimulationResult,
            index: int) -> dict[int, tuple[float, float]]:
    """Per interval, standard ``index``'s simulated mean there, and the
    certified bound the raise must lift: the interval's own for a standard
    held in every interval, else its scope unit's (the day's, or the
    horizon's), so a day's shortfall is shared over its short intervals
    instead of charged to each of them."""
    standard = scenario.standards[index]
    rows = result.standard_intervals
    mine = rows[rows["standard"] == index]
    intervals = mine[mine["interval"] >= 0]
    means = dict(zip(intervals["interval"].astype(int), intervals["attainment"], strict=True))
    if standard.scope == "interval":
        lows = dict(zip(intervals["interval"].astype(int), intervals[CERTIFIED], strict=True))
        return {i: (means[i], lows[i]) for i in means}
    per_day = int(round(86400 / scenario.interval_s))
    days = result.standard_days
    days = days[days["standard"] == index].set_index("day")[CERTIFIED] \
        if standard.scope == "day" and scenario.horizon.days > 1 and not days.empty else None
    whole = mine.loc[mine["interval"] == -1, CERTIFIED]
    horizon = float(whole.iloc[0]) if len(whole) else np.nan
    return {i: (means[i], float(days.get(i // per_day, np.nan)) if days is not None
                else horizon) for i in means}


def _missed_pools(scenario: Scenario, result: SimulationResult, index: int,
                  intervals: np.ndarray) -> set[str]:
    """The first-choice pools of the contact types that missed standard
    ``index`` in ``intervals`` (all its contact types' pools when the
    simulation does not break it down by contact type)."""
    standard = scenario.standards[index]
    rows = result.intervals
    rows = rows[(rows["standard"] == standard.label) & rows["interval"].isin(intervals)]
    contacts = scenario.match(standard.contacts)
    if not rows.empty:
        short = set(rows.loc[rows["service_level_low"] < standard.target, "contact_type"])
        missed = [c for c in contacts if c.name in short]
        contacts = missed or contacts
    return {scenario.serving_pools(contact, stage)[0][0].name
            for contact in contacts for stage in contact.stage_names}


def _mark_stuck(scenario: Scenario, before: SimulationResult, after: SimulationResult,
                missed: list[int], stuck: dict[int, str], flat: dict[int, int],
                roster: Roster) -> None:
    """A missed standard whose deficit did not shrink in two raises running is
    not staffing-limited; unless the roster could not take the raises (its
    pools are short of their requirement where the standard falls short: a
    cap or the shift windows), when the rules hold it back.

    A standard held in every interval is judged where it was raised, the
    intervals short before: others that slip meanwhile (each certified
    alone, under another roster) are new shortfalls, not a sign that agents
    do not help. On the 24x7 week, raises that closed every half hour they
    raised, while two or three others slipped under 80 % each time, were
    called "not staffing-limited" (benchmarks/README.md).

    A deferred standard is judged after one raise: its raise adds agents
    over the whole open day in every pool serving it, the most the repair
    gives, so a second one tells nothing new. On the tiered desk the second
    raise took the roster from 264 to 303 agents, and moved none of the
    five deferred standards it chased by a tenth of a point."""
    for index in missed:
        raised = (_short_intervals(scenario, before, index)
                  if scenario.standards[index].scope == "interval" else None)
        if (deficit(scenario, after, index, CERTIFIED, raised)
                < 0.9 * deficit(scenario, before, index, CERTIFIED, raised)):
            flat[index] = 0
            continue
        flat[index] = flat.get(index, 0) + 1
        raises = 1 if _deferred(scenario, index) else 2
        if flat[index] >= raises:
            level = after.standards["attainment"].iloc[index]
            against = f"{100 * level:.1f}% against {scenario.standards[index].percent:g}%"
            intervals = _short_intervals(scenario, after, index)
            pools = sorted(_missed_pools(scenario, after, index, intervals))
            coverage = roster.coverage[roster.coverage["pool"].isin(pools)]
            if len(intervals):
                coverage = coverage[coverage["interval"].isin(intervals)]
            if (coverage["shortfall"] > 1e-9).any():
                stuck[index] = (f"held back by the shift rules ({against}): the roster cannot "
                                "add the agents it needs where it falls short (see the note "
                                f"on {', '.join(pools)})")
            else:
                which = ("a raise over the whole day" if raises == 1
                         else "two raises where it fell short")
                stuck[index] = f"not staffing-limited: {which} did not move it ({against})"


def _trim(scenario: Scenario, roster: Roster, result: SimulationResult,
          need: dict[str, np.ndarray], evaluate, say: Progress, label: str,
          floors: dict[str, np.ndarray] | None = None, record: Progress | None = None):
    """Take agents out where every standard a pool serves has slack, never
    below ``floors`` (the interval floors of standards held over a day);
    return the cut (roster, result, need) if no standard is worse off, else
    None.

    A pool whose standards are all held in every interval loses one
    agent's week (or day) of intervals at most: one agent in each interval
    where its calibrated curve says the standard still certifies with one
    on duty fewer (:func:`svcsim.repair.agents_to_spare`), most slack
    first, as many intervals as one agent of the roster works on average.
    A cut in every interval with slack took several agents out at once on
    the 24x7 week (35 to 32) and missed. When the relaxation of such a
    trimmed requirement needs as many agents as the roster has, no roster
    of it has fewer, and the trim is not solved: ``record`` gets its action,
    ending ``(skipped: needs N)``, N the roster's agents. Other pools lose one
    agent in every interval where each standard they serve has slack."""
    candidate = {pool: values.copy() for pool, values in need.items()}
    present = staffing_of(roster)
    streams = work_streams(scenario)
    aimed, changed = [], []
    for pool in candidate:
        served = [i for i in range(len(scenario.standards)) if pool in _pools_of(scenario, i)]
        mine = present.get(pool, candidate[pool])
        candidate[pool] = np.minimum(candidate[pool], mine.astype(int))
        lowest = floors[pool] if floors is not None else 0
        slack = _slack(scenario, result, served)
        cut = (slack >= TRIM_MARGIN) & (candidate[pool] > lowest)
        if served and all(scenario.standards[i].scope == "interval" for i in served):
            cut &= _spare(scenario, result, pool, served, mine, streams)
            cut = _one_agent(cut, slack, mine, roster, pool)
            aimed.append(pool)
        candidate[pool][cut] -= 1
        if cut.any():
            changed.append(pool)
    if not changed:
        return None
    if set(changed) <= set(aimed) and not _fewer_possible(scenario, roster, candidate, changed):
        say("trim skipped: the trimmed requirement's relaxation needs as many agents")
        if record is not None:
            record(f"{TRIM_ACTION} (skipped: needs {roster.headcount})")
        return None
    # fewest agents first, then least cost: the roster model's own order
    trimmed_roster, trimmed = evaluate(
        candidate, label, TRIM_ACTION, roster,
        fewer=True,
        simulate_if=lambda found: (found.headcount, found.cost) < (roster.headcount, roster.cost))
    if trimmed is None:
        say("trim undone: no fewer agents, no lower cost")
        return None
    worse = any(deficit(scenario, trimmed, i, CERTIFIED)
                > deficit(scenario, result, i, CERTIFIED) + 1e-9
                for i in range(len(scenario.standards)))
    if not worse:
        say(f"trim kept: {trimmed_roster.headcount} agents, cost {trimmed_roster.cost:,.0f}")
        return trimmed_roster, trimmed, candidate
    say("trim undone: a standard slipped")
    return None


TRIM_ACTION = "take one agent out where every standard has slack"

TRIM_MARGIN = 0.02
"""Share (0-1) by which every standard's two-sided lower bound must clear
its target in an interval for a trim to take an agent out there."""


def _slack(scenario: Scenario, result: SimulationResult, served: list[int]) -> np.ndarray:
    """Per interval, the least margin (share) by which the standards
    ``served`` clear their targets at their two-sided lower bound (inf
    where none is measured)."""
    slack = np.full(scenario.n_intervals, np.inf)
    rows = result.standard_intervals
    for index in served:
        mine = rows[(rows["standard"] == index) & (rows["interval"] >= 0)]
        low = np.full(scenario.n_intervals, np.inf)
        low[mine["interval"].to_numpy(dtype=int)] = mine["attainment_low"].fillna(
            np.inf).to_numpy()
        slack = np.minimum(slack, low - scenario.standards[index].target)
    return slack


def _spare(scenario: Scenario, result: SimulationResult, pool: str, served: list[int],
           present: np.ndarray, streams) -> np.ndarray:
    """Intervals where ``pool`` can give up one scheduled agent: each
    standard ``served`` (held in every interval) still certifies there with
    the agents on duty one scheduled agent fewer leaves, by its curve
    calibrated to the simulation (:func:`svcsim.repair.agents_to_spare`)."""
    shrinkage = scenario.pool(pool).shrinkage
    spare = np.ones(scenario.n_intervals, dtype=bool)
    rows = result.standard_intervals
    for index in served:
        mine = rows[(rows["standard"] == index) & (rows["interval"] >= 0)]
        for row in mine.itertuples():
            i = int(row.interval)
            if not spare[i] or not np.isfinite(row.attainment_low):
                continue
            scheduled = int(present[i])
            duty = _on_duty(scheduled, shrinkage)
            lost = duty - _on_duty(max(scheduled - 1, 0), shrinkage)
            spare[i] = scheduled > 0 and agents_to_spare(
                scenario, pool, index, i, duty, row.attainment, row.attainment_low,
                TRIM_MARGIN, streams) >= lost
    return spare


def _one_agent(cut: np.ndarray, slack: np.ndarray, present: np.ndarray, roster: Roster,
               pool: str) -> np.ndarray:
    """Of the intervals ``cut``, those with the most ``slack``, as many as
    one agent of ``pool``'s roster is scheduled in on average."""
    people = roster.pools.set_index("pool")["headcount"].get(pool, np.nan)
    most = int(round(present.sum() / max(people, 1))) if np.isfinite(people) else 0
    kept = np.zeros_like(cut)
    order = [i for i in np.argsort(-slack, kind="stable") if cut[i]]
    kept[order[:most]] = True
    return kept


def _fewer_possible(scenario: Scenario, roster: Roster, need: dict[str, np.ndarray],
                    pools: list[str]) -> bool:
    """Whether the linear relaxation of ``need`` leaves room for fewer
    agents than ``roster`` has in some pool of ``pools`` (its bound,
    rounded up, is a bound on any roster of it)."""
    heads = roster.pools.set_index("pool")["headcount"]
    for pool in pools:
        bound = pool_relaxed_headcount(scenario, pool, need[pool])
        if not np.isfinite(bound) or np.ceil(bound - 1e-6) < heads[pool]:
            return True
    return False


def _history_rows(iteration, action: str, roster: Roster, result: SimulationResult | None,
                  scenario: Scenario) -> pd.DataFrame:
    """One row per standard of a roster tried; a roster not simulated
    (``result`` None) has no attainment and the verdict ``not simulated``."""
    columns = ["standard", "scope", "target", "attainment", "attainment_low",
               "attainment_high", "lowest_interval", "verdict"]
    if result is None:
        table = pd.DataFrame({"standard": [s.label for s in scenario.standards],
                              "scope": [s.scope for s in scenario.standards],
                              "target": [s.target for s in scenario.standards]})
        table[columns[3:7]] = np.nan
        table["verdict"] = "not simulated"
    else:
        table = result.standards[columns].copy()
    table.insert(0, "iteration", iteration)
    table.insert(1, "action", action)
    table.insert(2, "headcount", roster.headcount)
    table.insert(3, "cost", roster.cost)
    table.insert(4, "roster_status", roster.status)
    table.insert(5, "roster_gap", roster.gap)
    table.insert(6, "replications", result.replications if result is not None else 0)
    return table
