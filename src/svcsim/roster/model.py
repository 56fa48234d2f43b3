"""The shift-scheduling model (OR-Tools CP-SAT) for one pool.

Decision: how many agents work each shift option (``agents[k]``) and, for
each of its breaks, how many take it at each allowed start
(``break_starts[k, b, o]``). Coverage is counted in agent-minutes per
interval: agents on a shift give the whole interval, a break takes back the
minutes it overlaps, so a 15-minute break in a 30-minute interval counts half.

Objective, lexicographic (one solve per level, each fixing the level above
at its best value): least shortfall (agent-minutes of requirement no roster
within the rules can cover: zero when the rules allow it), then fewest
agents, then least paid cost, then fewest shifts, then least over-coverage.
On a one-day horizon agents and shifts are the same; over several days an
agent works several shifts, at most ``max_days_per_week`` of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.sat.python import cp_model

from svcsim.roster import evaluate
from svcsim.roster.relaxation import relaxed_roster, upper_hull
from svcsim.roster.rota import contract_bound
from svcsim.roster.service import ServiceTarget
from svcsim.roster.shifts import ShiftOption, break_minutes
from svcsim.roster.warm import Found, cover_from_counts, extend_to_cover
from svcsim.roster.windows import WINDOW_LIMIT_S, improve_by_windows
from svcsim.scenario.shifts import ShiftRules

LEVELS = ("shortfall", "headcount", "cost", "shifts", "over_coverage")


@dataclass(frozen=True)
class SolverSettings:
    """CP-SAT parameters per pool: a time limit (s, in CP-SAT's deterministic
    time only, so a limited search is the same whatever the machine's load),
    workers, random seed, and the gap a roster may keep without more time.

    ``time_limit_s=None`` (the default) scales the limit with the model:
    :data:`BASE_LIMIT_S` plus :data:`LIMIT_PER_SIZE_S` per thousand
    (interval x shift option) pairs. A pool whose headcount gap is above
    ``gap_limit`` is solved again from its best roster with twice the time,
    up to ``max_rounds`` solves in all; a gap still above it is reported
    (the roster's ``gap`` column, and the plan's headline). Several workers
    search interleaved, so that the same settings give the same roster on
    any machine load; one worker is the default, as it proves a day's
    roster several times faster than two interleaved (benchmarks/README.md)
    and leaves a core free. ``last_level`` ends the search after that level
    (e.g. ``"headcount"`` when only the headcount is wanted). ``processes``
    local processes solve a roster's pools side by side (default: one per
    core); it changes how fast, never which roster, so settings that differ
    only in it are equal. ``warm_share`` is the share of the limit a single
    solve from a start (a planner's raise or trim) takes; settings that
    differ only in it are equal too, so that a pool whose requirement did
    not change keeps its roster when a trim is searched again longer."""

    time_limit_s: float | None = None
    num_workers: int = 1
    seed: int = 0
    gap_limit: float = 0.02
    max_rounds: int = 3
    last_level: str = LEVELS[-1]
    processes: int | None = field(default=None, compare=False)
    warm_share: float = field(default=0.25, compare=False)

    def limit_for(self, size: int) -> float:
        """Time limit (s, deterministic) for a model of ``size`` (interval x
        shift option) pairs."""
        if self.time_limit_s is not None:
            return self.time_limit_s
        return BASE_LIMIT_S + LIMIT_PER_SIZE_S * size / 1000

    def solver(self, time_limit_s: float | None = None) -> cp_model.CpSolver:
        """A CP-SAT solver with these parameters (``time_limit_s`` overrides)."""
        limit = self.limit_for(0) if time_limit_s is None else time_limit_s
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = self.num_workers
        solver.parameters.interleave_search = True
        solver.parameters.random_seed = self.seed
        solver.parameters.max_deterministic_time = limit
        solver.parameters.catch_sigint_signal = False
        return solver


BASE_LIMIT_S = 10.0
"""Time limit of the smallest model, s (deterministic)."""
LIMIT_PER_SIZE_S = 0.05
"""Extra time limit per thousand (interval x shift option) pairs, s: a week
of 30-minute intervals with three shift types starting every half hour
(336 x 1,008 = 339,000 pairs) gets 27 s; a day of 30-minute intervals with
a few dozen starts, about 10 s."""


WARM_SHARE = SolverSettings.warm_share
"""Share of the limit (scaled or fixed) of a single solve from a start (the
previous roster plus a raise, or minus a trim): the start is kept unless the
search beats it. On the tiered desk's week (a study's fixed 10 s) the
premier pool's raises and trims found the same rosters in a quarter of the
limit as in all of it, but for one trim (benchmarks/README.md), so a trim
that finds no fewer agents is searched again with the whole limit."""
WINDOWS_SHARE = 0.5
"""Share of a week model's unscaled limit its window searches (a day of
shift starts at a time, :mod:`svcsim.roster.windows`) may take at most,
before the level-by-level search."""
LOWER_SHARE = 0.2
"""Share of a pool's time limit each level below headcount (cost, shifts,
over-coverage) may take at most."""
LOWER_GAP = 0.005
"""Relative gap at which a level below headcount stops searching."""


@dataclass
class PoolSolution:
    """The solved roster of one pool, with what the solver proved."""

    pool: str
    status: str
    agents: dict[int, int]  # option index -> agents
    breaks: dict[tuple[int, int], dict[int, int]]  # (option, break) -> start -> agents
    objectives: dict[str, float] = field(default_factory=dict)
    bounds: dict[str, float] = field(default_factory=dict)
    runtime_s: float = 0.0
    level_s: dict[str, float] = field(default_factory=dict)  # wall time per level

    @property
    def gap(self) -> float:
        """Share of the headcount above the solver's proved bound (0 when
        proved optimal; nan when no roster or no bound was found)."""
        best = self.objectives.get("headcount")
        bound = self.bounds.get("headcount")
        if not self.agents or best is None or bound is None or not np.isfinite(bound):
            return float("nan")
        low = int(np.ceil(bound - 1e-6))
        return max(0.0, (best - low) / best) if best > 0 else 0.0

    @property
    def headcount_s(self) -> float:
        """Wall time, s, until the headcount level ended (proved, or time up)."""
        return self.level_s.get("shortfall", 0.0) + self.level_s.get("headcount", 0.0)


class PoolModel:
    """CP-SAT model of one pool's shift scheduling problem."""

    def __init__(self, pool: str, options: list[ShiftOption], required: np.ndarray,
                 interval_s: float, rules: ShiftRules, max_agents: int | None,
                 targets: tuple[ServiceTarget, ...] = ()):
        self.pool, self.options, self.rules = pool, options, rules
        self.targets = targets
        self.max_agents = max_agents
        self.required = np.asarray(required, dtype=int)
        self.n = len(self.required)
        self.step_min = int(round(interval_s / 60))
        self.interval_s = interval_s
        self.model = cp_model.CpModel()
        # No option needs more agents than the peak need plus those away on breaks.
        self.upper = max([int(self.required.max(initial=0)) * 2 + 1]
                         + [2 * t.most_agents + 1 for t in targets])
        self.days = max(1, int(round(self.n * interval_s / 86400)))
        self.relaxed_people = float("nan")  # the relaxation's people, once solved
        self.size = self.n * len(options)
        self._variables()
        self._coverage(max_agents)
        self._service()
        self._part_time()
        self._people()

    def _variables(self) -> None:
        m = self.model
        self.agents = [m.new_int_var(0, self.upper, f"agents[{o.shift}@{o.start}]")
                       for o in self.options]
        self.break_starts: dict[tuple[int, int], dict[int, cp_model.IntVar]] = {}
        for k, option in enumerate(self.options):
            for b, rule in enumerate(option.breaks):
                starts = {s: m.new_int_var(0, self.upper, f"break[{rule.name}@{option.start}->{s}]")
                          for s in rule.starts}
                m.add(sum(starts.values()) == self.agents[k])
                self.break_starts[k, b] = starts
        self.shortfall = [m.new_int_var(0, int(r) * self.step_min, f"shortfall[{self.pool},{i}]")
                          for i, r in enumerate(self.required)]

    def _coverage(self, max_agents: int | None) -> None:
        terms: list[list] = [[] for _ in range(self.n)]
        present: list[list] = [[] for _ in range(self.n)]
        for k, option in enumerate(self.options):
            for i in option.covers(self.n):
                terms[i].append(self.step_min * self.agents[k])
                present[i].append(self.agents[k])
            for b, rule in enumerate(option.breaks):
                for start, var in self.break_starts[k, b].items():
                    for interval, minutes in break_minutes(rule, start, self.interval_s).items():
                        terms[interval % self.n].append(-minutes * var)
        self.coverage = [sum(t) if t else 0 for t in terms]
        self.over = []
        for i in range(self.n):
            need = int(self.required[i]) * self.step_min
            self.model.add(self.coverage[i] + self.shortfall[i] >= need)
            self.over.append(self.coverage[i] + self.shortfall[i] - need)
            if max_agents is not None and present[i]:
                self.model.add(sum(present[i]) <= max_agents)

    def _service(self) -> None:
        """Each target's on-time contacts, read off its table at the agents on
        duty in every interval, must add up to its goal over each scope unit
        (``service_short`` takes up what no roster can reach)."""
        self.service_short: list[cp_model.IntVar] = []
        self.answered: dict[tuple[int, int], tuple[cp_model.IntVar, list[int]]] = {}
        self.units: list[tuple[int, int, int, cp_model.IntVar]] = []  # target, unit, goal, short
        if not self.targets:
            return
        m = self.model
        self.most = max(t.most_agents for t in self.targets)
        self.on_duty = [m.new_int_var(0, self.most, f"on_duty[{i}]") for i in range(self.n)]
        for i in range(self.n):
            m.add(self.step_min * self.on_duty[i] <= self.coverage[i])
        for t, target in enumerate(self.targets):
            for i in range(self.n):
                if target.volumes[i] <= 0:
                    continue
                table = target.table(i)
                table += [table[-1]] * (self.most + 1 - len(table))
                answered = m.new_int_var(0, table[-1], f"answered[{t},{i}]")
                m.add_element(self.on_duty[i], table, answered)
                self._hull_cuts(answered, self.on_duty[i], table)
                self.answered[t, i] = (answered, table)
            for unit in np.unique(target.units):
                goal = target.goal(int(unit))
                short = m.new_int_var(0, goal, f"service_short[{t},{unit}]")
                m.add(sum(var for (tt, i), (var, _) in self.answered.items()
                          if tt == t and target.units[i] == unit) + short >= goal)
                self.service_short.append(short)
                self.units.append((t, int(unit), goal, short))

    def _hull_cuts(self, answered, on_duty, table: list[int]) -> None:
        """Redundant cuts under the table's upper concave hull: the element
        constraint alone gives the LP relaxation no bound on service, and
        without one the search cannot prove a headcount."""
        hull = upper_hull(table)
        for a0, a1 in zip(hull, hull[1:], strict=False):
            rise, run = table[a1] - table[a0], a1 - a0
            self.model.add(run * answered <= run * table[a0] + rise * (on_duty - a0))

    def _part_time(self) -> None:
        share = self.rules.max_part_time_share
        if share >= 1:
            return
        part = [a for a, o in zip(self.agents, self.options, strict=True) if o.part_time]
        if part:
            percent = int(round(100 * share))
            self.model.add(100 * sum(part) <= percent * sum(self.agents))

    def _people(self) -> None:
        """Agents needed when nobody works more than ``max_days_per_week`` of
        the horizon's days and each keeps one contract kind (full-time or
        part-time shifts): per kind, at least each day's shifts and all its
        shifts over the days one agent may work (the bound
        :func:`svcsim.roster.rota.contract_bound` that the rota attains
        unless the rest rule needs more)."""
        shifts = sum(self.agents)
        if self.days == 1:
            self.people = shifts
            return
        most = min(self.rules.max_days_per_week, self.days)
        self.kinds = []
        for part in (False, True):
            mine = [(a, o) for a, o in zip(self.agents, self.options, strict=True)
                    if o.part_time is part]
            if not mine:
                continue
            people = self.model.new_int_var(0, len(mine) * self.upper,
                                            "people_part_time" if part else "people_full_time")
            for d in range(self.days):
                self.model.add(people >= sum(a for a, o in mine if o.day == d))
            self.model.add(most * people >= sum(a for a, _ in mine))
            self.kinds.append((part, people))
        self.people = sum(people for _, people in self.kinds)

    def objective(self, level: str):
        if level == "shortfall":  # agent-minutes, and hundredths of on-time contacts
            return sum(self.shortfall) + sum(self.service_short)
        if level == "headcount":
            return self.people
        if level == "shifts":
            return sum(self.agents)
        if level == "cost":  # in cents, so the objective stays integral
            return sum(int(round(100 * o.cost)) * a for o, a in
                       zip(self.options, self.agents, strict=True))
        return sum(self.over)

    def solve(self, settings: SolverSettings, start: Found | None = None,
              time_limit_s: float | None = None) -> PoolSolution:
        """Solve level by level within the time limit in all
        (``settings.limit_for(self.size)`` unless ``time_limit_s`` is given).

        ``start`` (a roster of this pool, e.g. the previous roster plus a
        raise) starts the search and is returned whenever the search does not
        beat it. The status is OPTIMAL when every level was proved optimal,
        FEASIBLE when a roster was found but some level was not proved,
        TIME_LIMIT when time ran out before any roster was found.
        """
        limit = settings.limit_for(self.size) if time_limit_s is None else time_limit_s
        began = time.perf_counter()
        spent = 0.0
        fallback, plain = None, None
        floors: dict[str, tuple[float, float]] = {}  # levels settled before the search
        if self.targets and not (start is not None and start[0]):
            plain = self._hint_interval_by_interval(settings, limit)
        else:
            if not (start is not None and start[0]):
                start = self._first_start()
            elif self.days > 1:
                # a raise's greedy shifts scatter over the week; the
                # relaxation's roster of the raised need may take fewer people
                start = min((start, self._first_start()),
                            key=lambda found: (not self._share_kept(found[0]),
                                               _key(self.scored(found).objectives)))
            if self._windowed(settings):
                start, floors = self._windows(start, settings)
            # a start that breaks the part-time share only starts the search
            fallback = self.scored(start) if self._share_kept(start[0]) else None
            self._hint(start)
        proved, objectives, bounds, found = True, {}, {}, None
        level_s: dict[str, float] = {}
        # after the window searches the levels below headcount only trade
        # cost and over-coverage at the same people: a warm solve's share
        lower_limit = min(limit, settings.warm_share * settings.limit_for(self.size)) \
            if floors else limit
        for level in LEVELS:
            if level == "shifts" and self.days == 1:
                continue  # the same as headcount
            left = limit - spent
            if left <= 0:
                proved = False
                break
            if level in floors:  # searched already: the start's value and its bound
                objectives[level], bounds[level] = floors[level]
                proved &= objectives[level] == bounds[level]
                self.model.add(self.objective(level) <= int(objectives[level]))
                found, level_s[level] = start, 0.0
                if level == settings.last_level:
                    proved &= level == LEVELS[-1]
                    break
                continue
            lower = LEVELS.index(level) > LEVELS.index("headcount")
            # the levels below headcount break ties: a share of the limit
            # each, and no search past a proved small gap
            solver = settings.solver(min(left, LOWER_SHARE * lower_limit) if lower else left)
            if lower:
                solver.parameters.relative_gap_limit = LOWER_GAP
            expression = self.objective(level)
            self.model.minimize(expression)
            level_began = time.perf_counter()
            status = solver.solve(self.model)
            level_s[level] = time.perf_counter() - level_began
            spent += solver.deterministic_time
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                proved = False
                break
            proved &= status == cp_model.OPTIMAL and (
                not lower or solver.objective_value == solver.best_objective_bound)
            objectives[level] = solver.objective_value
            bounds[level] = solver.best_objective_bound
            found = self._snapshot(solver)
            self.model.add(expression <= int(round(solver.objective_value)))
            self._hint(found)
            if level == settings.last_level:
                proved &= level == LEVELS[-1]  # the levels below were not searched
                break
            if floors and lower and not _settled(status, solver, fallback.objectives[level]):
                # after the windows, a level below headcount that neither
                # beats nor proves the windows' roster ends the search: on
                # the 24x7 week's plan solves none of them ever beat it
                # (benchmarks/README.md); the levels left keep its values
                proved = False
                objectives.update({key: value for key, value in
                                   self.scored(found).objectives.items()
                                   if key not in objectives})
                break
        runtime = time.perf_counter() - began
        if plain is not None and _better(plain, objectives):
            # within the time limit the search did not beat the roster that
            # meets every interval on its own (which holds every target too)
            return replace(plain, status="FEASIBLE", bounds=bounds, runtime_s=runtime,
                           level_s=level_s)
        if fallback is not None and _ahead(fallback.objectives, objectives):
            # the headcount bound holds for the start only at the same shortfall
            same = objectives.get("shortfall") == fallback.objectives["shortfall"]
            return replace(fallback, bounds=bounds if same else {}, runtime_s=runtime,
                           level_s=level_s)
        if found is None:
            return PoolSolution(self.pool, "TIME_LIMIT", {}, {}, runtime_s=runtime)
        agents, breaks = found
        return PoolSolution(self.pool, "OPTIMAL" if proved else "FEASIBLE", agents, breaks,
                            objectives, bounds, runtime, level_s)

    def _first_start(self) -> Found:
        """A roster in hand before any search: a greedy cover, and over
        several days also the linear relaxation's agents rounded down and
        topped up greedily, whichever scores better level by level."""
        greedy = extend_to_cover(self.options, ({}, {}), self.required, self.interval_s,
                                 self.max_agents)
        if self.days == 1:
            return greedy
        relaxed = relaxed_roster(self.options, self.required, self.interval_s, self.rules,
                                 self.days)
        if relaxed is None:
            return greedy
        counts = {k: int(np.floor(x + 1e-6)) for k, x in enumerate(relaxed[0])
                  if x >= 1 - 1e-6}
        self.relaxed_people = relaxed[1]
        rounded = cover_from_counts(self.options, counts, self.required, self.interval_s,
                                    self.max_agents)
        scores = [(_key(self.scored(found).objectives), not self._share_kept(found[0]), i)
                  for i, found in enumerate((rounded, greedy))]
        return (rounded, greedy)[min(scores, key=lambda s: (s[1], s[0]))[2]]

    def _windowed(self, settings: SolverSettings) -> bool:
        """Whether this solve searches window by window: a model of several
        days (one model, so shifts cross midnight), without service
        targets, whose relaxation was solved, with time for a window at
        least (a search cut shorter is the whole-week search, which proves
        nothing in it: its gap stays unknown)."""
        return (self.days > 1 and not self.targets and np.isfinite(self.relaxed_people)
                and WINDOWS_SHARE * settings.limit_for(self.size) >= WINDOW_LIMIT_S)

    def _windows(self, start: Found,
                 settings: SolverSettings) -> tuple[Found, dict[str, tuple[float, float]]]:
        """A week's start improved a day of shift starts at a time
        (:func:`svcsim.roster.windows.improve_by_windows`) until it reaches
        the relaxation's bound or stops improving, within
        :data:`WINDOWS_SHARE` of the unscaled limit, whatever share of it
        this solve takes: the window searches, not the whole-week search,
        are what find rosters at the bound.

        Also the levels the windows settled, each with the roster's value
        and a bound proved without a search: no unmet requirement (at least
        0), and the people (at least the relaxation's, rounded up: the
        relaxation has every constraint of this model but the cap on agents
        at once, so no roster has fewer; the whole-week search proved no
        more where measured, benchmarks/README.md). The levels below
        headcount then search from the roster found, with their own limit,
        while each proves its optimum or beats it. A start that breaks the
        part-time share or leaves requirement unmet is returned as it is,
        with nothing settled."""
        if not self._share_kept(start[0]) or self.scored(start).objectives["shortfall"] > 0:
            return start, {}
        bound = int(np.ceil(self.relaxed_people - 1e-6))
        budget = WINDOWS_SHARE * settings.limit_for(self.size)
        found = improve_by_windows(self, start, settings, budget, bound)
        return found, {"shortfall": (0.0, 0.0),
                       "headcount": (self.scored(found).objectives["headcount"], float(bound))}

    def _share_kept(self, agents: dict[int, int]) -> bool:
        """Whether a roster keeps the rules' part-time share (as :meth:`_part_time`)."""
        share = self.rules.max_part_time_share
        part = sum(c for k, c in agents.items() if self.options[k].part_time)
        return share >= 1 or 100 * part <= int(round(100 * share)) * sum(agents.values())

    def scored(self, found: Found) -> PoolSolution:
        """A roster of this pool with its objective at every level, computed
        in plain Python (status FEASIBLE: nothing is proved about it)."""
        agents, breaks = found
        present, _ = evaluate.coverage(self.options, agents, breaks, self.n, self.interval_s)
        need = self.required * self.step_min
        short = np.maximum(need - present, 0.0)
        service = 0
        if self.targets:
            duty = [min(int(present[i] // self.step_min), self.most) for i in range(self.n)]
            done: dict[tuple[int, int], int] = {}
            for (t, i), (_, table) in self.answered.items():
                key = (t, int(self.targets[t].units[i]))
                done[key] = done.get(key, 0) + table[duty[i]]
            service = sum(max(0, goal - done.get((t, unit), 0))
                          for t, unit, goal, _ in self.units)
        objectives = {
            "shortfall": float(short.sum() + service),
            "headcount": float(contract_bound(self.options, agents, self.days,
                                              self.rules.max_days_per_week)
                               if self.days > 1 else sum(agents.values())),
            "cost": float(sum(int(round(100 * self.options[k].cost)) * c
                              for k, c in agents.items())),
            "shifts": float(sum(agents.values())),
            "over_coverage": float((present + short - need).sum()),
        }
        return PoolSolution(self.pool, "FEASIBLE", dict(agents),
                            {key: dict(v) for key, v in breaks.items()}, objectives)

    def _hint_interval_by_interval(self, settings: SolverSettings,
                                   time_limit_s: float) -> PoolSolution:
        """Solve the plain model for the roster that meets every target in
        every interval (it holds every day's target too) and start the search
        from it; it is also the answer whenever the search does not beat it,
        so holding a standard over the day never costs more than the usual
        method. Takes its own time limit, so the pool's solve takes twice."""
        need = np.maximum.reduce([self.required] + [t.interval_need() for t in self.targets])
        plain = PoolModel(self.pool, self.options, need, self.interval_s, self.rules,
                          self.max_agents)
        found = plain.solve(settings, time_limit_s=time_limit_s)
        if found.agents:
            self._hint((found.agents, found.breaks))
        return found

    def _snapshot(self, solver: cp_model.CpSolver):
        agents = {k: solver.value(v) for k, v in enumerate(self.agents) if solver.value(v)}
        breaks = {key: {s: solver.value(v) for s, v in starts.items() if solver.value(v)}
                  for key, starts in self.break_starts.items() if key[0] in agents}
        return agents, breaks

    def _hint(self, found) -> None:
        """Hint a whole roster: its shifts and breaks, and every variable
        they determine (a partial hint is often dropped by the solver)."""
        agents, breaks = found
        m = self.model
        m.clear_hints()
        for k, var in enumerate(self.agents):
            m.add_hint(var, agents.get(k, 0))
        for key, starts in self.break_starts.items():
            for start, var in starts.items():
                m.add_hint(var, breaks.get(key, {}).get(start, 0))
        present, _ = evaluate.coverage(self.options, agents, breaks, self.n, self.interval_s)
        for i, var in enumerate(self.shortfall):
            m.add_hint(var, int(max(0, self.required[i] * self.step_min - present[i])))
        if self.days > 1:
            for part, people in self.kinds:
                mine = {k: c for k, c in agents.items() if self.options[k].part_time is part}
                m.add_hint(people, contract_bound(self.options, mine, self.days,
                                                  self.rules.max_days_per_week))
        if not self.targets:
            return
        duty = [min(int(present[i] // self.step_min), self.most) for i in range(self.n)]
        for i, var in enumerate(self.on_duty):
            m.add_hint(var, duty[i])
        done: dict[int, dict[int, int]] = {}
        for (t, i), (var, table) in self.answered.items():
            m.add_hint(var, table[duty[i]])
            unit = int(self.targets[t].units[i])
            done.setdefault(t, {})[unit] = done.get(t, {}).get(unit, 0) + table[duty[i]]
        for t, unit, goal, short in self.units:
            m.add_hint(short, max(0, goal - done.get(t, {}).get(unit, 0)))


def _settled(status: int, solver: cp_model.CpSolver, start: float) -> bool:
    """Whether a level's search proved its optimum or beat the start's value."""
    proved = status == cp_model.OPTIMAL and solver.objective_value == solver.best_objective_bound
    return proved or solver.objective_value < start


def _key(values: dict[str, float]) -> tuple[float, ...]:
    """A roster's order: unmet requirement, then agents, then cost."""
    return tuple(round(values.get(level, np.inf), 6) for level in LEVELS[:3])


def _ahead(start: dict[str, float], objectives: dict[str, float]) -> bool:
    """Whether a start's objectives beat the search's best, level by level
    (fewer unmet requirement, then fewer agents, then lower cost)."""
    return _key(start) < _key(objectives)


def _better(plain: PoolSolution, objectives: dict[str, float]) -> bool:
    """Whether the interval-by-interval roster beats the global search's best
    (fewer unmet requirement, then fewer agents)."""
    if not plain.agents or plain.objectives.get("shortfall", 1) > 0:
        return False
    if "headcount" not in objectives:
        return True
    return objectives["shortfall"] > 0 or plain.objectives["headcount"] < objectives["headcount"]


def solve_pool(pool: str, options: list[ShiftOption], required: np.ndarray, interval_s: float,
               rules: ShiftRules, max_agents: int | None, settings: SolverSettings,
               targets: tuple[ServiceTarget, ...] = (), start: Found | None = None,
               ) -> PoolSolution:
    """Solve one pool's roster, from ``start`` when given (see
    :meth:`PoolModel.solve`); while its headcount gap stays above
    ``settings.gap_limit`` under a scaled time limit, solve again from the
    best roster with twice the time (rounds 1 to ``settings.max_rounds``, at
    1, 2, 4... times the limit; from a start, the first round is skipped).
    A fixed ``time_limit_s`` is one solve, gap reported. A single solve from
    a start (a planner's raise or trim) takes ``settings.warm_share`` of
    the limit, scaled or fixed (:data:`WARM_SHARE` by default)."""
    scaled = settings.time_limit_s is None
    rounds = settings.max_rounds if scaled else 1
    # solving again from a roster (rounds > 1) starts at twice the time: the
    # roster came from a solve at the base limit; a single solve from a
    # roster (a planner's raise or trim) has the search mostly done for it
    first = 1 if start is not None and rounds > 1 else 0
    scale = settings.warm_share if start is not None and rounds == 1 else 2.0 ** first
    solution = _solve_once(pool, options, required, interval_s, rules, max_agents, settings,
                           targets, start, scale)
    runtime = solution.runtime_s
    for round_ in range(first + 1, rounds):
        if not solution.gap > settings.gap_limit and solution.agents:
            break
        best = (solution.agents, solution.breaks) if solution.agents else start
        solution = _solve_once(pool, options, required, interval_s, rules, max_agents,
                               settings, targets, best, 2.0 ** round_)
        runtime += solution.runtime_s
    return replace(solution, runtime_s=runtime)


def _solve_once(pool, options, required, interval_s, rules, max_agents, settings, targets,
                start: Found | None, scale: float) -> PoolSolution:
    """One solve at ``scale`` times the limit; a multi-day horizon whose
    shifts all end on the day they start is solved day by day.

    Such days share nothing but the people who work them, and the fewest
    people is reached by the fewest shifts on every day (people = the larger
    of the busiest day's shifts and all shifts over ``max_days_per_week``),
    so each day's model proves its part of the optimum on its own, far
    faster than one model of the week. Each day gets an equal share of the
    time limit; the part-time share then holds on every day.
    """
    per_day = int(round(86400 / interval_s))
    days = max(1, int(round(len(required) / per_day)))
    crossing = any(o.start + o.length > (o.day + 1) * per_day for o in options)
    # a target over the whole horizon ties the days together
    whole = any(len(np.unique(t.units)) < days for t in targets)
    if days == 1 or crossing or whole:
        model = PoolModel(pool, options, required, interval_s, rules, max_agents, targets)
        return model.solve(settings, start, scale * settings.limit_for(model.size))
    limit = scale * settings.limit_for(len(required) * len(options)) / days
    parts = []
    for day in range(days):
        index = [k for k, o in enumerate(options) if o.day == day]
        local = [_moved(options[k], -day * per_day) for k in index]
        span = slice(day * per_day, (day + 1) * per_day)
        mine = tuple(t.sliced(span.start, span.stop) for t in targets)
        model = PoolModel(pool, local, required[span], interval_s, rules, max_agents, mine)
        parts.append((index, model.solve(settings, _day_start(start, index, day, per_day),
                                         limit)))
    return _joined(pool, parts, per_day, rules, days)


def _day_start(start: Found | None, index: list[int], day: int, per_day: int) -> Found | None:
    """One day's part of a week's roster, in that day's local option indices."""
    if start is None:
        return None
    local = {k: j for j, k in enumerate(index)}
    agents = {local[k]: c for k, c in start[0].items() if k in local}
    breaks = {(local[k], b): {s - day * per_day: c for s, c in starts.items()}
              for (k, b), starts in start[1].items() if k in local}
    return agents, breaks


def _moved(option: ShiftOption, by: int) -> ShiftOption:
    """The option with its start and break starts moved by ``by`` intervals."""
    breaks = tuple(replace(b, starts=tuple(s + by for s in b.starts)) for b in option.breaks)
    return replace(option, day=0, start=option.start + by, breaks=breaks)


def _joined(pool: str, parts, per_day: int, rules: ShiftRules, days: int) -> PoolSolution:
    """One solution from the days' solutions (local option indices mapped back)."""
    agents: dict[int, int] = {}
    breaks: dict[tuple[int, int], dict[int, int]] = {}
    statuses = []
    for day, (index, part) in enumerate(parts):
        statuses.append(part.status)
        for k, count in part.agents.items():
            agents[index[k]] = count
        for (k, b), starts in part.breaks.items():
            breaks[index[k], b] = {s + day * per_day: c for s, c in starts.items()}
    status = ("TIME_LIMIT" if "TIME_LIMIT" in statuses else
              "FEASIBLE" if "FEASIBLE" in statuses else "OPTIMAL")
    if status == "TIME_LIMIT":
        return PoolSolution(pool, status, {}, {}, runtime_s=sum(p.runtime_s for _, p in parts))
    limit = min(rules.max_days_per_week, days)
    shifts = [p.objectives.get("headcount", 0) for _, p in parts]
    low = [int(np.ceil(p.bounds.get("headcount", 0) - 1e-6)) for _, p in parts]
    objectives = {level: sum(p.objectives.get(level, 0) for _, p in parts) for level in LEVELS}
    objectives["shifts"] = sum(shifts)
    objectives["headcount"] = max(max(shifts), -(-sum(shifts) // limit))
    bounds = {level: sum(p.bounds.get(level, 0) for _, p in parts) for level in LEVELS}
    bounds["shifts"] = sum(low)
    bounds["headcount"] = max(max(low), -(-sum(low) // limit))
    level_s = {level: sum(p.level_s.get(level, 0.0) for _, p in parts) for level in LEVELS}
    return PoolSolution(pool, status, agents, breaks, objectives, bounds,
                        sum(p.runtime_s for _, p in parts), level_s)
