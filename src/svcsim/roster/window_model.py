"""The CP-SAT model of one window of a week roster: only the shifts that
start in the window are variables, every other shift is a constant.

A window search (:mod:`svcsim.roster.windows`) frees the shift options that
start in one day's window and holds every other shift as the roster has it.
Clamping the held shifts in the whole week's model leaves CP-SAT to load and
presolve about a thousand options x 336 intervals (and their breaks) only to
free a seventh of them. This model holds the same problem in the window's
own size:

- variables: agents on each free option and on each of its break starts,
  and the break starts of the held shifts whose breaks can take minutes
  from an interval a free shift covers (a held shift's breaks may still
  move to make room, as in the whole-week model);
- every other held shift, and the breaks of held shifts that cannot reach
  the window's intervals, are constants: their agent-minutes are
  subtracted from each interval's requirement (the roster meets it, so an
  interval no variable touches stays met);
- the week-spanning rules keep the held shifts as constants: each contract
  kind's people at least each day's shifts and all its shifts over
  ``max_days_per_week``, the cap on agents at once, the part-time share.

A held shift's break out of the window's reach stays where it is; the
window's optimum was still the whole-week model's with the same shifts held
and every break free, in every window tested (tests/test_roster_window_model.py,
the 24x7 week with 2-hourly starts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from svcsim.roster import evaluate
from svcsim.roster.rota import contract_bound
from svcsim.roster.shifts import break_minutes
from svcsim.roster.warm import Found

if TYPE_CHECKING:  # the pool model imports the windows, which import this module
    from svcsim.roster.model import PoolModel, SolverSettings


class WindowModel:
    """One window of a pool's week model, from a roster that meets its
    requirement.

    Parameters
    ----------
    pool : PoolModel
        The week's model (options, requirement, rules; its CP-SAT model is
        not used).
    roster : (agents, breaks)
        The roster the window starts from: every shift outside the window,
        and the breaks out of the window's reach, are held as it has them.
    first : int
        First interval of the window (shift starts, wrapped round the week).
    width : int
        Intervals of shift starts the window frees.
    """

    def __init__(self, pool: PoolModel, roster: Found, first: int, width: int):
        self.pool, self.roster = pool, roster
        n, options = pool.n, pool.options
        self.free = [k for k, o in enumerate(options) if (o.start - first) % n < width]
        free = set(self.free)
        self.held = {k: c for k, c in roster[0].items() if k not in free and c}
        reach = np.zeros(n, dtype=bool)
        for k in self.free:
            reach[options[k].covers(n)] = True
        # the held shifts' breaks that can take minutes where a free shift works
        self.moving = [(k, b) for k in sorted(self.held)
                       for b, rule in enumerate(options[k].breaks)
                       if any(reach[i % n] for s in rule.starts
                              for i in break_minutes(rule, s, pool.interval_s))]
        moving = set(self.moving)
        self.kept = {key: dict(starts) for key, starts in roster[1].items()
                     if key[0] in self.held and key not in moving}
        self.model = cp_model.CpModel()
        self._variables()
        self._coverage()
        self._rules()

    def _variables(self) -> None:
        m, pool = self.model, self.pool
        self.agents = {k: m.new_int_var(0, pool.upper, f"agents[{k}]") for k in self.free}
        self.break_starts: dict[tuple[int, int], dict[int, cp_model.IntVar]] = {}
        groups = [((k, b), self.agents[k]) for k in self.free
                  for b in range(len(pool.options[k].breaks))]
        groups += [(key, self.held[key[0]]) for key in self.moving]
        for (k, b), total in groups:
            rule = pool.options[k].breaks[b]
            starts = {s: m.new_int_var(0, pool.upper, f"break[{k},{b}->{s}]")
                      for s in rule.starts}
            m.add(sum(starts.values()) == total)
            self.break_starts[k, b] = starts

    def _coverage(self) -> None:
        """Each interval a variable touches keeps its requirement, less the
        agent-minutes the constants give it; the cap on agents at once
        counts the held shifts as constants."""
        pool, n, step = self.pool, self.pool.n, self.pool.step_min
        given, _ = evaluate.coverage(pool.options, self.held, self.kept, n, pool.interval_s)
        terms: list[list] = [[] for _ in range(n)]
        present: list[list] = [[] for _ in range(n)]
        for k, var in self.agents.items():
            for i in pool.options[k].covers(n):
                terms[i].append(step * var)
                present[i].append(var)
        for (k, b), starts in self.break_starts.items():
            rule = pool.options[k].breaks[b]
            for start, var in starts.items():
                for interval, minutes in break_minutes(rule, start, pool.interval_s).items():
                    terms[interval % n].append(-minutes * var)
        need = pool.required * step - np.rint(given).astype(int)
        for i in range(n):
            if terms[i]:
                self.model.add(sum(terms[i]) >= int(need[i]))
        if pool.max_agents is not None:
            on_shift = np.zeros(n, dtype=int)
            for k, count in self.held.items():
                on_shift[pool.options[k].covers(n)] += count
            for i in range(n):
                if present[i]:
                    self.model.add(sum(present[i]) <= pool.max_agents - int(on_shift[i]))

    def _rules(self) -> None:
        """The part-time share and each contract kind's people (as the
        week's model states them), held shifts counted as constants."""
        pool, options = self.pool, self.pool.options
        share = pool.rules.max_part_time_share
        if share < 1 and any(o.part_time for o in options):
            part = sum(c for k, c in self.held.items() if options[k].part_time)
            percent = int(round(100 * share))
            free_part = [v for k, v in self.agents.items() if options[k].part_time]
            self.model.add(100 * (part + sum(free_part))
                           <= percent * (sum(self.held.values()) + sum(self.agents.values())))
        most = min(pool.rules.max_days_per_week, pool.days)
        self.kinds = []
        for part in (False, True):
            if not any(o.part_time is part for o in options):
                continue
            mine = {k: v for k, v in self.agents.items() if options[k].part_time is part}
            held = {k: c for k, c in self.held.items() if options[k].part_time is part}
            count = sum(1 for o in options if o.part_time is part)
            people = self.model.new_int_var(0, count * pool.upper, f"people[{part}]")
            for d in range(pool.days):
                day = sum(c for k, c in held.items() if options[k].day == d)
                self.model.add(people >= day + sum(v for k, v in mine.items()
                                                   if options[k].day == d))
            self.model.add(most * people >= sum(held.values()) + sum(mine.values()))
            self.kinds.append((part, people))
        self.people = sum(people for _, people in self.kinds)

    def solve(self, weight: int, settings: SolverSettings,
              limit_s: float) -> tuple[Found | None, float, bool]:
        """The roster with the fewest ``weight`` x people + shifts this
        window's search finds from its start (hinted; ``None`` when the
        search found none), the deterministic time spent, s, and whether
        the search proved it optimal in the window."""
        self.model.minimize(weight * self.people + sum(self.agents.values()))
        self._hint()
        solver = settings.solver(limit_s)
        # one worker searching one way, not interleaving its subsolvers:
        # a window proves its optimum in fewer deterministic seconds, and
        # each costs less CPU (benchmarks/README.md); still deterministic.
        # Several workers interleave, as for the week, so that they repeat.
        solver.parameters.interleave_search = settings.num_workers > 1
        status = solver.solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, solver.deterministic_time, False
        return self._snapshot(solver), solver.deterministic_time, status == cp_model.OPTIMAL

    def _hint(self) -> None:
        """Hint the start roster in full (a partial hint is often dropped)."""
        agents, breaks = self.roster
        m, options = self.model, self.pool.options
        for k, var in self.agents.items():
            m.add_hint(var, agents.get(k, 0))
        for key, starts in self.break_starts.items():
            for start, var in starts.items():
                m.add_hint(var, breaks.get(key, {}).get(start, 0))
        for part, people in self.kinds:
            mine = {k: c for k, c in agents.items() if options[k].part_time is part}
            m.add_hint(people, contract_bound(options, mine, self.pool.days,
                                              self.pool.rules.max_days_per_week))

    def _snapshot(self, solver: cp_model.CpSolver) -> Found:
        """The whole week's roster: the held shifts and the window's values."""
        agents = dict(self.held)
        agents.update({k: solver.value(v) for k, v in self.agents.items() if solver.value(v)})
        breaks = {key: dict(starts) for key, starts in self.kept.items()}
        for key, starts in self.break_starts.items():
            if key[0] in agents:
                breaks[key] = {s: solver.value(v) for s, v in starts.items() if solver.value(v)}
        return agents, breaks


__all__ = ["WindowModel"]
