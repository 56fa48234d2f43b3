"""Rosters at minimum headcount: requirements + shift rules -> Roster."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from svcsim.arguments import checked_settings
from svcsim.files import write_text
from svcsim.roster import evaluate
from svcsim.roster.model import PoolSolution, SolverSettings, solve_pool
from svcsim.roster.relaxation import relaxed_headcount
from svcsim.roster.requirements_file import checked_requirements
from svcsim.roster.service import ServiceTarget
from svcsim.roster.shifts import ShiftOption, shift_options
from svcsim.roster.tours import Tours, assign_tours
from svcsim.roster.warm import extend_to_cover
from svcsim.scenario import Scenario
from svcsim.scenario.errors import ScenarioError, shown
from svcsim.scenario.units import format_clock
from svcsim.sim.replications import map_ordered


@dataclass(frozen=True)
class Roster:
    """A solved roster.

    Attributes
    ----------
    status : str
        OPTIMAL (every pool proved optimal), FEASIBLE (a roster, not proved
        optimal within the time limit) or TIME_LIMIT (no roster found).
    shifts : pandas.DataFrame
        pool, day, shift, start, end, breaks (``name HH:MM``), count.
    agents : pandas.DataFrame
        The rota: one row per agent (pool, agent, then per day the shift
        ``HH:MM-HH:MM`` with its breaks, or ``off``), days and paid hours.
    coverage : pandas.DataFrame
        interval x pool: ``required``, ``scheduled`` (agents present, breaks
        taken out, in agent equivalents), ``on_break``, ``surplus``,
        ``shortfall``; for pools held to service targets, ``required`` is
        the interval floor and ``interval_need`` what holding the targets in
        every interval would need.
    pools : pandas.DataFrame
        Per pool: status, headcount (agents), shifts (agent-days),
        added_for_rest (agents beyond the day limit's bound), paid hours,
        cost, shortfall, the
        solver's bound on headcount and the gap, runtime (s) and the part of it
        until the headcount was settled (``headcount_solve_s``).
    explanations : list of str
        For each pool whose requirement no roster can meet: which intervals
        and why.
    service : pandas.DataFrame
        For rosters held to service targets over a day or the horizon: per
        pool, standard and scope unit (``day``, 0 for the horizon), the
        target, the analytic attainment of this roster and its lowest
        interval service level.
    settings : SolverSettings
        The parameters used.
    solutions : dict of str to PoolSolution
        Each pool's solver solution (shift option counts and break starts):
        the warm start of a later solve (``schedule_roster(start=...)``).
    tours : dict of str to Tours
        Each pool's named agents, kept with ``solutions`` so that a later
        solve of an unchanged pool reuses both.
    agent_days : pandas.DataFrame
        The rota as data: one row per agent and working day: pool, agent,
        day (1-based), shift, part_time, start_s and end_s (seconds from the
        start of the horizon), paid_hours, and breaks (a tuple of
        ``(name, start_s, length_s)``).
    """

    status: str
    shifts: pd.DataFrame
    agents: pd.DataFrame
    coverage: pd.DataFrame
    pools: pd.DataFrame
    explanations: list[str] = field(default_factory=list)
    settings: SolverSettings = field(default_factory=SolverSettings)
    service: pd.DataFrame = field(default_factory=pd.DataFrame)
    solutions: dict[str, PoolSolution] = field(default_factory=dict, repr=False, compare=False)
    agent_days: pd.DataFrame = field(default_factory=pd.DataFrame)
    tours: dict[str, Tours] = field(default_factory=dict, repr=False, compare=False)

    @property
    def headcount(self) -> int:
        """Agents on the rota (over a week, each works several shifts); a
        pool without a roster (``TIME_LIMIT``) counts none."""
        return int(self.pools["headcount"].sum())

    @property
    def gap(self) -> float:
        """Share of the headcount above the solvers' proved bounds, over all
        pools (0 when every pool is proved optimal; nan when a pool has no
        roster or no bound)."""
        bound = self.pools["headcount_bound"]
        if self.headcount == 0 or bound.isna().any():
            return float("nan") if self.status != "OPTIMAL" else 0.0
        return max(0.0, float((self.headcount - np.ceil(bound - 1e-6).sum()) / self.headcount))

    @property
    def found(self) -> bool:
        """Every pool has a roster (no pool ran out of time before finding one)."""
        return not (self.pools["status"] == "TIME_LIMIT").any()

    @property
    def shift_count(self) -> int:
        """Shifts worked over the horizon (agent-days)."""
        return int(self.pools["shifts"].sum())

    @property
    def cost(self) -> float:
        return float(self.pools["cost"].sum())

    @property
    def paid_hours(self) -> float:
        return float(self.pools["paid_hours"].sum())

    @property
    def meets_requirements(self) -> bool:
        return bool((self.coverage["shortfall"] <= 1e-9).all())


def schedule_roster(scenario: Scenario, required: dict[str, np.ndarray] | pd.DataFrame,
                    settings: SolverSettings | None = None,
                    targets: dict[str, tuple[ServiceTarget, ...]] | None = None,
                    start: Roster | None = None) -> Roster:
    """Roster every pool in ``required`` at minimum headcount.

    Parameters
    ----------
    scenario : Scenario
        Supplies the grid and each pool's shift rules and caps.
    required : dict of str to numpy.ndarray, or pandas.DataFrame
        Agents needed in every interval per pool (scheduled, i.e. after
        shrinkage), e.g. ``svcsim.requirements(scenario).staffing()`` (a
        table with a ``start`` column and one column per pool).
    settings : SolverSettings, optional
        Time limit (per pool), workers and seed; defaults are fixed, so a
        run repeats.
    targets : dict of str to tuple of ServiceTarget, optional
        Per pool, standards to hold over a day or the horizon (see
        :func:`svcsim.queueing.service_plan`); ``required`` is then the
        floor every interval must have on its own.
    start : Roster, optional
        A roster of the same scenario to start from: each pool starts from
        its roster plus the shifts a greedy cover adds for any raise in
        ``required``, and keeps that roster unless the search beats it; a
        pool whose requirement did not change keeps its roster as it is
        when the settings are the same, its gap is within their limit, or
        it is held to ``targets`` and its bound already reaches their
        linear relaxation's.

    Raises
    ------
    ScenarioError
        ``required`` names a pool without shift rules or is not one finite
        number >= 0 per interval (a ``StaffingError``), or ``settings`` are
        out of range.
    """
    settings = checked_settings("schedule_roster", settings or SolverSettings())
    required = checked_requirements(scenario, required)  # e.g. Requirements.staffing()
    targets = targets or {}
    shifts, rota, coverage, summary, explanations, service = [], [], [], [], [], []
    solutions = {}
    named: dict[str, Tours] = {}
    worked = []
    needs = {pool: _whole(need) for pool, need in required.items()}
    solved = _solve_pools(scenario, needs, settings, targets, start)
    for pool, need in needs.items():
        options = shift_options(scenario, pool)
        spec = scenario.pool(pool)
        mine = tuple(targets.get(pool, ()))
        solution, tours = solved[pool]
        solutions[pool] = solution
        named[pool] = tours
        shifts.append(_shift_table(scenario, options, solution))
        rota.append(_rota(scenario, options, solution, tours))
        worked.append(_agent_days(scenario, options, solution, tours))
        table = _coverage_table(scenario, options, solution, need)
        if mine:  # what holding the standards in every interval would need
            table["interval_need"] = np.maximum.reduce(
                [need] + [t.interval_need() for t in mine]).astype(float)
        coverage.append(table)
        summary.append(_summary(scenario, options, solution, tours, table))
        explanations += _explain(scenario, pool, options, table, spec.max_agents, solution)
        explanations += list(tours.notes)
        reached = _service_table(pool, mine, np.floor(table["scheduled"].to_numpy() + 1e-9))
        service.append(reached)
        if solution.status != "TIME_LIMIT":  # an empty roster is no fault of the rules
            explanations += _explain_service(scenario, reached)
    pools = pd.DataFrame(summary)
    status = ("TIME_LIMIT" if (pools["status"] == "TIME_LIMIT").any() else
              "FEASIBLE" if (pools["status"] == "FEASIBLE").any() else "OPTIMAL")
    return Roster(status, pd.concat(shifts, ignore_index=True), pd.concat(rota, ignore_index=True),
                  pd.concat(coverage, ignore_index=True), pools, explanations, settings,
                  pd.concat(service, ignore_index=True), solutions=solutions,
                  agent_days=pd.concat(worked, ignore_index=True), tours=named)


def _solve_pools(scenario: Scenario, needs: dict[str, np.ndarray], settings: SolverSettings,
                 targets: dict[str, tuple[ServiceTarget, ...]],
                 start: Roster | None) -> dict[str, tuple[PoolSolution, Tours]]:
    """Each pool's solution and named agents: a pool whose requirement did
    not change keeps ``start``'s; the others are solved on up to
    ``settings.processes`` local processes at once.

    The pools share nothing, and each solve stops on CP-SAT's deterministic
    time with one worker, so a pool's roster is the same whichever process
    solves it, and in what order: the same bytes as a serial solve."""
    done: dict[str, tuple[PoolSolution, Tours]] = {}
    tasks = []
    for pool, need in needs.items():
        if _unchanged(scenario, start, pool, need, settings, tuple(targets.get(pool, ()))):
            # the same requirement and settings: the same roster, not searched again
            done[pool] = (start.solutions[pool], start.tours[pool])  # type: ignore[union-attr]
            continue
        begin = None
        if start is not None and pool in start.solutions and start.solutions[pool].agents:
            before = start.solutions[pool]
            begin = (before.agents, before.breaks)
        tasks.append((scenario, pool, need, settings, tuple(targets.get(pool, ())), begin))
    # the longest solves first, so that the last one does not run alone
    tasks.sort(key=lambda task: -_work(task[0], task[1], task[4], task[5]))
    results = map_ordered(_solve_one, tasks, _processes(settings, len(tasks)))
    done.update({task[1]: result for task, result in zip(tasks, results, strict=True)})
    return done


def _work(scenario: Scenario, pool: str, targets: tuple, begin) -> float:
    """A solve's expected cost, to order the solves (model size; a pool held
    to service targets from nothing solves twice: its interval-by-interval
    start, then the held model)."""
    size = scenario.n_intervals * len(shift_options(scenario, pool))
    return size * (2 if targets and begin is None else 1)


def _processes(settings: SolverSettings, tasks: int) -> int:
    """Local processes for ``tasks`` pool solves: ``settings.processes``, or
    by default one per core; none from a daemonic process (a Dask worker's
    or a pool's), which may not start children."""
    wanted = settings.processes
    if wanted is not None and (isinstance(wanted, bool) or not isinstance(wanted, int)
                               or wanted < 1):
        raise ScenarioError("schedule_roster()", [(
            "settings.processes", f"must be a whole number >= 1, or None for one per core, "
            f"got {shown(wanted)}")])
    if tasks <= 1 or multiprocessing.current_process().daemon:
        return 1
    wanted = wanted if wanted is not None else (os.cpu_count() or 1)
    return max(1, min(wanted, tasks))


def _solve_one(scenario: Scenario, pool: str, need: np.ndarray, settings: SolverSettings,
               targets: tuple[ServiceTarget, ...], begin) -> tuple[PoolSolution, Tours]:
    """One pool's roster and named agents (module level, so processes can run it);
    ``begin`` is the previous roster, extended here by a greedy cover of any raise."""
    options = shift_options(scenario, pool)
    spec = scenario.pool(pool)
    rules = scenario.shift_rules[spec.shift_rules]  # type: ignore[index]
    if begin is not None:
        begin = extend_to_cover(options, begin, need, scenario.interval_s, spec.max_agents)
    solution = solve_pool(pool, options, need, scenario.interval_s, rules, spec.max_agents,
                          settings, targets, begin)
    # the rota's own solves take this pool's (scaled) limit
    fixed = replace(settings, time_limit_s=settings.limit_for(len(need) * len(options)))
    tours = assign_tours(options, solution.agents, scenario.horizon.days,
                         scenario.interval_s, rules, fixed)
    return solution, tours


def _unchanged(scenario: Scenario, start: Roster | None, pool: str, need: np.ndarray,
               settings: SolverSettings, targets: tuple[ServiceTarget, ...]) -> bool:
    """Whether ``start`` solved this pool for the same requirement, with the
    same settings or to a gap within their limit, so that searching again
    cannot be asked for; or to the bound of its linear relaxation (with its
    service ``targets``, when held to them), which a longer search did not
    raise where measured (:func:`proved_as_relaxed`; targets are the
    caller's to keep the same)."""
    if start is None or pool not in start.solutions or pool not in start.tours:
        return False
    before = start.solutions[pool]
    if before.status == "TIME_LIMIT":
        return False
    rows = start.coverage[start.coverage["pool"] == pool].sort_values("interval")
    if not np.array_equal(rows["required"].to_numpy(), need):
        return False
    if start.settings == settings or before.gap <= settings.gap_limit:
        return True
    return proved_as_relaxed(scenario, pool, need, targets, before)


def proved_as_relaxed(scenario: Scenario, pool: str, need: np.ndarray,
                      targets: tuple[ServiceTarget, ...], solution: PoolSolution) -> bool:
    """Whether the solver's bound on a pool's headcount already reaches the
    linear relaxation's (rounded up): what is left of the gap is the
    relaxation's (held to service targets, mostly its curves taken under
    their concave hull; else the integrality of shifts and days) and a
    longer search proves no more (benchmarks/README.md: on the e-commerce
    day a search at twice the time kept the bound, and the fewer agents it
    found on the same curves missed in simulation; on the 24x7 week, one
    pool without targets, it kept both the bound and the roster)."""
    bound = solution.bounds.get("headcount", np.nan)
    if not np.isfinite(bound):
        return False
    relaxed = pool_relaxed_headcount(scenario, pool, need, targets)
    return bool(np.isfinite(relaxed)) and np.ceil(bound - 1e-6) >= np.ceil(relaxed - 1e-6)


def pool_relaxed_headcount(scenario: Scenario, pool: str, need: np.ndarray,
                           targets: tuple[ServiceTarget, ...] = ()) -> float:
    """The linear relaxation's headcount of ``pool`` rostered to ``need``
    (agents scheduled per interval) under its shift rules: no roster of it
    has fewer agents than this, rounded up (inf when it has none)."""
    spec = scenario.pool(pool)
    return relaxed_headcount(shift_options(scenario, pool), need, scenario.interval_s,
                             scenario.shift_rules[spec.shift_rules],  # type: ignore[index]
                             scenario.horizon.days, targets)


def pools_to_search(scenario: Scenario, required: dict[str, np.ndarray] | pd.DataFrame,
                    settings: SolverSettings, targets: dict[str, tuple[ServiceTarget, ...]],
                    start: Roster) -> list[str]:
    """The pools :func:`schedule_roster` would search again from ``start``
    (the others keep its roster), e.g. to skip a final polish that has
    nothing to search."""
    needs = checked_requirements(scenario, required)
    return [pool for pool, need in needs.items()
            if not _unchanged(scenario, start, pool, _whole(need), settings,
                              tuple(targets.get(pool, ())))]


def _whole(need) -> np.ndarray:
    """Agents needed per interval, as whole agents (rounded up)."""
    return np.ceil(np.asarray(need, dtype=float) - 1e-9).astype(int)


def _agent_breaks(scenario: Scenario, options: list[ShiftOption], solution: PoolSolution,
                  k: int) -> list[list[str]]:
    """The breaks (``name HH:MM``) of each agent working option ``k``: paired
    in start order, so each agent's breaks come in the order of their windows."""
    step = scenario.interval_s
    per_agent: list[list[str]] = [[] for _ in range(solution.agents[k])]
    for b, rule in enumerate(options[k].breaks):
        starts = sorted(s for s, c in solution.breaks.get((k, b), {}).items() for _ in range(c))
        for agent, start in enumerate(starts):
            per_agent[agent].append(f"{rule.name} {format_clock(start * step)}")
    return per_agent


def _shift_table(scenario: Scenario, options: list[ShiftOption],
                 solution: PoolSolution) -> pd.DataFrame:
    """One row per (shift, breaks) pattern."""
    step = scenario.interval_s
    per_day = 86400 / step
    rows = []
    for k in sorted(solution.agents, key=lambda k: options[k].start):
        option = options[k]
        per_agent = _agent_breaks(scenario, options, solution, k)
        for pattern in sorted(set(map(tuple, per_agent))):
            rows.append({
                "pool": option.pool, "day": option.day + 1, "shift": option.shift,
                "start": format_clock(option.start * step),
                "end": format_clock((option.start + option.length) * step),
                "breaks": ", ".join(pattern),
                "count": sum(1 for p in per_agent if tuple(p) == pattern),
                "crosses_midnight": option.start // per_day !=
                (option.start + option.length - 1) // per_day,
            })
    return pd.DataFrame(rows, columns=["pool", "day", "shift", "start", "end", "breaks",
                                       "count", "crosses_midnight"])


def _rota(scenario: Scenario, options: list[ShiftOption], solution: PoolSolution,
          tours: Tours) -> pd.DataFrame:
    """One row per agent: the shift worked each day, with its breaks, or off."""
    step = scenario.interval_s
    days = scenario.horizon.days
    breaks = {k: iter(_agent_breaks(scenario, options, solution, k)) for k in solution.agents}
    rows = []
    pool = options[0].pool if options else ""
    for number, line in enumerate(sorted(tours.lines, key=lambda line: _line_key(options, line)),
                                  start=1):
        row: dict = {"pool": pool, "agent": f"{pool}-{number:03d}"}
        for d, k in enumerate(line):
            if k is None:
                row[f"day {d + 1}"] = "off"
                continue
            option = options[k]
            text = (f"{format_clock(option.start * step % 86400)}-"
                    f"{format_clock((option.start + option.length) * step % 86400)}")
            taken = next(breaks[k])
            row[f"day {d + 1}"] = text + (f" ({', '.join(taken)})" if taken else "")
        worked = [options[k] for k in line if k is not None]
        row["days"] = len(worked)
        row["paid_hours"] = sum(o.paid_hours for o in worked)
        rows.append(row)
    columns = ["pool", "agent", *[f"day {d + 1}" for d in range(days)], "days", "paid_hours"]
    return pd.DataFrame(rows, columns=columns)


def _agent_days(scenario: Scenario, options: list[ShiftOption], solution: PoolSolution,
                tours: Tours) -> pd.DataFrame:
    """The rota as data: one row per agent and working day, agents numbered
    as in :func:`_rota`, breaks paired to agents in the same order."""
    step = scenario.interval_s
    starts = {}
    for k in solution.agents:
        per_rule = [sorted(s for s, c in solution.breaks.get((k, b), {}).items()
                           for _ in range(c)) for b in range(len(options[k].breaks))]
        starts[k] = iter(list(zip(*per_rule, strict=False)) if per_rule
                         else [()] * solution.agents[k])
    rows = []
    pool = options[0].pool if options else ""
    for number, line in enumerate(sorted(tours.lines, key=lambda line: _line_key(options, line)),
                                  start=1):
        for d, k in enumerate(line):
            if k is None:
                continue
            option = options[k]
            taken = next(starts[k])
            rows.append({
                "pool": pool, "agent": f"{pool}-{number:03d}", "day": d + 1,
                "shift": option.shift, "part_time": option.part_time,
                "start_s": option.start * step, "end_s": (option.start + option.length) * step,
                "paid_hours": option.paid_hours,
                "breaks": tuple((rule.name, s * step, rule.length_s)
                                for rule, s in zip(option.breaks, taken, strict=True))})
    return pd.DataFrame(rows, columns=["pool", "agent", "day", "shift", "part_time", "start_s",
                                       "end_s", "paid_hours", "breaks"])


def _line_key(options: list[ShiftOption], line: list[int | None]) -> tuple:
    """Agents listed by their first shift's start, then the following days'."""
    return tuple((0, options[k].start) if k is not None else (1, 0) for k in line)


def _coverage_table(scenario, options, solution, need) -> pd.DataFrame:
    n, step_min = scenario.n_intervals, scenario.interval_s / 60
    present, on_break = evaluate.coverage(options, solution.agents, solution.breaks, n,
                                          scenario.interval_s)
    scheduled = present / step_min
    return pd.DataFrame({
        "interval": np.arange(n), "start": scenario.interval_labels(),
        "pool": options[0].pool if options else "", "required": need,
        "scheduled": scheduled, "on_break": on_break / step_min,
        "surplus": np.maximum(scheduled - need, 0.0),
        "shortfall": np.maximum(need - scheduled, 0.0),
    })


def _summary(scenario: Scenario, options: list[ShiftOption], solution: PoolSolution,
             tours: Tours, table: pd.DataFrame) -> dict:
    """One pool's row: a pool without a roster has no headcount, bound or gap
    (blank, not 0), so nobody reads it as a pool that needs no one."""
    pool = table["pool"].iloc[0]
    if solution.status == "TIME_LIMIT":
        return {"pool": pool, "status": "TIME_LIMIT", "headcount": np.nan, "shifts": np.nan,
                "added_for_rest": np.nan, "paid_hours": np.nan, "cost": np.nan,
                "shortfall_agent_hours": np.nan, "headcount_bound": np.nan, "gap": np.nan,
                "runtime_s": solution.runtime_s, "headcount_solve_s": solution.headcount_s}
    headcount = len(tours.lines)
    bound = solution.bounds.get("headcount", np.nan)
    # agents added for the rest rule are not proved necessary: another choice
    # of shifts might have needed none
    status = "FEASIBLE" if tours.extra and solution.status == "OPTIMAL" else solution.status
    low = np.ceil(bound - 1e-6) if np.isfinite(bound) else np.nan
    if not headcount:
        gap = 0.0 if status == "OPTIMAL" else np.nan
    else:  # no bound: gap unknown (max() would hide the nan)
        gap = max(0.0, (headcount - low) / headcount) if np.isfinite(low) else np.nan
    return {"pool": pool, "status": status, "headcount": headcount,
            "shifts": sum(solution.agents.values()), "added_for_rest": tours.extra,
            "paid_hours": evaluate.paid_hours(options, solution.agents),
            "cost": evaluate.cost(options, solution.agents),
            "shortfall_agent_hours": float(table["shortfall"].sum()) * scenario.interval_s / 3600,
            "headcount_bound": bound,
            "gap": gap,
            "runtime_s": solution.runtime_s, "headcount_solve_s": solution.headcount_s}


def _explain(scenario: Scenario, pool: str, options: list[ShiftOption],
             table: pd.DataFrame, max_agents: int | None, solution: PoolSolution) -> list[str]:
    if solution.status == "TIME_LIMIT":
        return [f"{pool}: no roster found in the time limit (status TIME_LIMIT, gap "
                "unknown): give the solver more time "
                "(--time-limit) - the shift rules are not shown to be at fault"]
    short = table[table["shortfall"] > 1e-9]
    if short.empty:
        return []
    n = scenario.n_intervals
    covered = np.zeros(n, dtype=bool)
    for option in options:
        covered[option.covers(n)] = True
    reasons = []
    uncovered = short[~covered[short["interval"].to_numpy()]]
    if not uncovered.empty:
        reasons.append(f"no shift of the rules can be on duty at {_spans(uncovered)} "
                       "(earliest/latest start and shift lengths leave it uncovered)")
    capped = short[covered[short["interval"].to_numpy()]]
    if max_agents is not None and not capped.empty:
        reasons.append(f"max_agents {max_agents} caps the pool below the requirement at "
                       f"{_spans(capped)}")
    elif not capped.empty:
        reasons.append(f"the break windows and part-time share leave {_spans(capped)} short")
    total = float(short["shortfall"].sum()) * scenario.interval_s / 3600
    return [f"{pool}: {total:.1f} agent-hours of requirement cannot be rostered: "
            + "; ".join(reasons)]


def _service_table(pool: str, targets: tuple[ServiceTarget, ...],
                   scheduled: np.ndarray) -> pd.DataFrame:
    rows = []
    for target in targets:
        levels = target.interval_levels(scheduled)
        for unit, attained in target.attainment(scheduled).items():
            mine = levels[target.units == unit]
            rows.append({"pool": pool, "standard": target.label, "unit": unit,
                         "target": target.target, "attainment": attained,
                         "lowest_interval": float(np.nanmin(mine)) if np.isfinite(mine).any()
                         else np.nan})
    return pd.DataFrame(rows, columns=["pool", "standard", "unit", "target", "attainment",
                                       "lowest_interval"])


def _explain_service(scenario: Scenario, table: pd.DataFrame) -> list[str]:
    short = table[table["attainment"] < table["target"] - 1e-9]
    days = scenario.horizon.days
    return [f"{row.pool}: {row.standard}: the best roster within the rules reaches "
            f"{row.attainment:.1%} against {row.target:.0%}"
            + (f" on day {row.unit + 1}" if days > 1 and row.unit >= 0 else "")
            + " (caps or shift windows hold it back)" for row in short.itertuples()]


def _spans(rows: pd.DataFrame) -> str:
    labels = rows["start"].tolist()
    return ", ".join(labels[:6]) + (f" and {len(labels) - 6} more intervals"
                                     if len(labels) > 6 else "")


WALL_CLOCK = ("runtime_s", "headcount_solve_s")
"""Columns of ``Roster.pools`` measured in wall time (kept in memory, not written)."""


def write_roster(roster: Roster, folder: str | Path, stem: str = "roster") -> list[Path]:
    """Write ``<stem>_shifts.csv``, ``<stem>_agents.csv``, ``<stem>_coverage.csv``
    and ``<stem>_pools.csv`` into ``folder``, atomically. The workbook to send
    on is :func:`svcsim.report.workbook.write_workbook`. The files hold no
    wall-clock times (the solver's runtime varies with the machine's load), so
    the same input and seed write the same bytes."""
    folder = Path(folder)
    views = {"shifts": roster.shifts, "agents": roster.agents, "coverage": roster.coverage,
             "pools": roster.pools.drop(columns=list(WALL_CLOCK))}
    return [write_text(folder / f"{stem}_{name}.csv", table.to_csv(index=False))
            for name, table in views.items()]


__all__ = ["Roster", "pools_to_search", "schedule_roster", "write_roster"]
