"""Tours: which agent works which shift on which day of a multi-day roster.

The shift model decides how many agents work each shift option; it bounds
the people needed by the labour rules' day limit (nobody works more than
``max_days_per_week`` days: people >= the busiest day's shifts, and people x
max days >= all shifts). This module then names the agents: each gets at most
one shift a day, at most ``max_days_per_week`` shifts, and ``min_rest``
between the end of one shift and the start of the next (the week repeats, so
Sunday night is followed by Monday morning). When the rest rule makes the
bound unreachable, it adds the fewest agents it can and says how many.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from svcsim.roster.model import SolverSettings
from svcsim.roster.shifts import ShiftOption
from svcsim.scenario.shifts import ShiftRules


@dataclass(frozen=True)
class Tours:
    """Each agent's shifts: ``lines[a][d]`` is the option index agent ``a``
    works on day ``d``, or None on a day off."""

    lines: list[list[int | None]]
    extra: int  # agents beyond the day-limit bound, needed for the rest rule
    status: str  # OPTIMAL, FEASIBLE or TIME_LIMIT (no assignment found)


def people_bound(shifts_per_day: list[int], max_days: int) -> int:
    """Fewest agents who can work these shifts, each at most ``max_days`` days
    and one shift a day (any days-off pattern allowed)."""
    days = len(shifts_per_day)
    limit = min(max_days, days)
    return max(max(shifts_per_day, default=0), -(-sum(shifts_per_day) // limit))


def assign_tours(options: list[ShiftOption], agents: dict[int, int], days: int,
                 interval_s: float, rules: ShiftRules, settings: SolverSettings) -> Tours:
    """Name the agents of a solved roster (option index -> agents).

    Tries the day-limit bound first, then allows more agents until the rest
    rule can be met; an assignment always exists with one agent per shift.
    """
    if days == 1:
        return Tours([[k] for k, count in sorted(agents.items()) for _ in range(count)],
                     0, "OPTIMAL")
    per_day = [sum(c for k, c in agents.items() if options[k].day == d) for d in range(days)]
    base = people_bound(per_day, rules.max_days_per_week)
    total = sum(per_day)
    spare = max(2, base // 10)
    while True:
        tours = _solve(options, agents, days, interval_s, rules, base, spare, settings)
        if tours is not None or base + spare >= total:
            break
        spare = min(total - base, 2 * spare)
    if tours is None:  # time ran out: one agent per shift always keeps every rule
        lines = [[k if d == options[k].day else None for d in range(days)]
                 for k, count in sorted(agents.items()) for _ in range(count)]
        return Tours(lines, len(lines) - base, "TIME_LIMIT")
    return tours


def _solve(options, agents, days, interval_s, rules, base, spare,
           settings: SolverSettings) -> Tours | None:
    step_min = interval_s / 60
    model = cp_model.CpModel()
    people = base + spare
    used = [model.new_bool_var(f"used[{a}]") for a in range(people)]
    for a in range(base):
        model.add(used[a] == 1)
    for a in range(base, people - 1):
        model.add(used[a] >= used[a + 1])  # extra agents in order: no symmetric twins
    take: dict[tuple[int, int], cp_model.IntVar] = {}
    works = [[model.new_bool_var(f"works[{a},{d}]") for d in range(days)] for a in range(people)]
    for k, count in agents.items():
        column = [model.new_bool_var(f"take[{a},{k}]") for a in range(people)]
        model.add(sum(column) == count)
        for a, var in enumerate(column):
            take[a, k] = var
    by_day = [[k for k in agents if options[k].day == d] for d in range(days)]
    start = {k: options[k].start * step_min for k in agents}
    end = {k: (options[k].start + options[k].length) * step_min for k in agents}
    week_min = days * 1440
    drift = []
    for a in range(people):
        for d in range(days):
            model.add(sum(take[a, k] for k in by_day[d]) == works[a][d])
            model.add_implication(works[a][d], used[a])
        model.add(sum(works[a]) <= min(rules.max_days_per_week, days))
        for d in range(days):
            nxt = (d + 1) % days
            wrap = week_min if nxt == 0 else 0
            begin = sum(int(start[k] + wrap) * take[a, k] for k in by_day[nxt])
            finish = sum(int(end[k]) * take[a, k] for k in by_day[d])
            both = [works[a][d], works[a][nxt]]
            model.add(begin - finish >= int(rules.min_rest / 60)).only_enforce_if(both)
            # how far the start moves from one working day to the next, minutes
            moved = model.new_int_var(0, 1440, f"drift[{a},{d}]")
            today = sum(int(start[k] - d * 1440) * take[a, k] for k in by_day[d])
            tomorrow = sum(int(start[k] - nxt * 1440) * take[a, k] for k in by_day[nxt])
            model.add(moved >= tomorrow - today).only_enforce_if(both)
            model.add(moved >= today - tomorrow).only_enforce_if(both)
            drift.append(moved)
    extra = sum(used[base:])
    model.minimize(extra)
    solver = settings.solver()
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    # then keep each agent's start times steady through the week, as rotas do
    model.add(extra <= int(round(solver.objective_value)))
    model.minimize(sum(drift))
    steady = settings.solver(settings.time_limit_s / 2)
    if steady.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solver = steady
    lines = []
    for a in range(people):
        if not solver.value(used[a]):
            continue
        line: list[int | None] = [None] * days
        for d in range(days):
            for k in by_day[d]:
                if solver.value(take[a, k]):
                    line[d] = k
        lines.append(line)
    return Tours(lines, len(lines) - base, "OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE")


__all__ = ["Tours", "assign_tours", "people_bound"]
