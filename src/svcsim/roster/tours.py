"""Tours: which agent works which shift on which day of a multi-day roster.

The shift model decides how many agents work each shift option; it bounds
the people needed by the labour rules' day limit (nobody works more than
``max_days_per_week`` days: people >= the busiest day's shifts, and people x
max days >= all shifts). This module then names the agents: each gets at most
one shift a day, at most ``max_days_per_week`` shifts, and ``min_rest``
between the end of one shift and the start of the next (the week repeats, so
Sunday night is followed by Monday morning). Each agent keeps one contract
all week (full-time shifts only, or part-time ones only) within the rules'
``weekly_hours`` for it, and any two of their start times in the week differ
by at most ``max_start_change``. When these rules make the bound
unreachable, it adds the fewest agents it can and says how many. When the
weekly hours cannot be met by naming agents at all (the shifts the roster
chose do not add up to whole contracts), it names them without the hours
rule and says so in ``notes``: that is a choice of shifts, not of names.

A rota built day by day (:mod:`svcsim.roster.rota`) comes first: when it
keeps every rule at each contract kind's bound it is optimal and no model
is solved (the usual case, and the one that made a 24x7 week slow); else
the CP-SAT model below searches for fewer agents and the built rota is kept
unless the search beats it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from svcsim.roster.model import SolverSettings
from svcsim.roster.rota import build_lines, contract_bound, keeps_rules, people_bound
from svcsim.roster.shifts import ShiftOption
from svcsim.scenario.shifts import ShiftRules


@dataclass(frozen=True)
class Tours:
    """Each agent's shifts: ``lines[a][d]`` is the option index agent ``a``
    works on day ``d``, or None on a day off."""

    lines: list[list[int | None]]
    extra: int  # agents beyond the day-limit bound, needed for the rest and contract rules
    status: str  # OPTIMAL, FEASIBLE or TIME_LIMIT (no assignment found)
    notes: tuple[str, ...] = ()  # rules the assignment could not keep, in words


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
    built = build_lines(options, agents, days, interval_s, rules)
    built_ok = keeps_rules(options, built, interval_s, rules)
    if built_ok:
        return _beat_built(options, agents, days, interval_s, rules, base, built, settings)
    reachable = _hours_reachable(options, agents, days, rules)
    tours = (_fewest_extra(options, agents, days, interval_s, rules, base, settings, hours=True)
             if reachable else None)
    if tours is None and _has_hours(rules):
        tours = _fewest_extra(options, agents, days, interval_s, rules, base, settings,
                              hours=False)
        if tours is not None:
            note = (f"{options[0].pool}: the weekly hours of the shift rules "
                    f"({_hours_text(rules)}) cannot be met by naming agents for these "
                    "shifts; the rota keeps every other rule and leaves the hours unmet")
            return Tours(tours.lines, tours.extra, tours.status, (note,))
    if tours is None:  # time ran out: one agent per shift keeps every rule but the hours
        lines = [[k if d == options[k].day else None for d in range(days)]
                 for k, count in sorted(agents.items()) for _ in range(count)]
        return Tours(lines, len(lines) - base, "TIME_LIMIT")
    return tours


def _beat_built(options, agents, days, interval_s, rules, base, built, settings) -> Tours:
    """The rota built day by day, unless the model finds one with fewer
    agents in a share of the limit (:data:`SEARCH_SHARE`); none has fewer
    than each contract kind's bound, where the built rota is optimal."""
    if len(built) <= contract_bound(options, agents, days, rules.max_days_per_week):
        return Tours(built, len(built) - base, "OPTIMAL")
    short = replace(settings, time_limit_s=SEARCH_SHARE * settings.limit_for(0))
    fewer = _solve(options, agents, days, interval_s, rules, base, len(built) - 1 - base,
                   short)
    if fewer is not None and len(fewer.lines) < len(built):
        return Tours(fewer.lines, fewer.extra, "FEASIBLE")
    return Tours(built, len(built) - base, "FEASIBLE")


SEARCH_SHARE = 0.25
"""Share of the pool's limit the rota model gets to beat the built rota."""


def _fewest_extra(options, agents, days, interval_s, rules, base, settings,
                  hours: bool) -> Tours | None:
    """Assign with the fewest agents beyond ``base``, doubling the spare
    agents until an assignment exists (or every shift has its own agent)."""
    total = sum(agents.values())
    spare = min(max(2, base // 10), max(total - base, 0))
    while True:
        tours = _solve(options, agents, days, interval_s, rules, base, spare, settings, hours)
        if tours is not None or base + spare >= total:
            return tours
        spare = min(total - base, 2 * spare)


def _hours_reachable(options: list[ShiftOption], agents: dict[int, int], days: int,
                     rules: ShiftRules) -> bool:
    """False when no agent of some contract can land in its weekly hours: the
    most days times the longest shift falls short of the least hours, or one
    shift alone exceeds the most (a quick check before any solving)."""
    for contract, part in (("full_time", False), ("part_time", True)):
        span = getattr(rules.weekly_hours, contract)
        paid = [options[k].paid_hours for k in agents if options[k].part_time is part]
        if span is None or not paid:
            continue
        most_days = min(rules.max_days_per_week, days)
        if most_days * max(paid) * 3600 < span[0] - 1e-9 or min(paid) * 3600 > span[1] + 1e-9:
            return False
    return True


def _has_hours(rules: ShiftRules) -> bool:
    return rules.weekly_hours.full_time is not None or rules.weekly_hours.part_time is not None


def _hours_text(rules: ShiftRules) -> str:
    spans = [(key.replace("_", "-"), getattr(rules.weekly_hours, key))
             for key in ("full_time", "part_time")]
    return ", ".join(f"{name} {lo / 3600:g}-{hi / 3600:g} h" for name, (lo, hi) in
                     ((n, s) for n, s in spans if s is not None))


def _solve(options, agents, days, interval_s, rules, base, spare,
           settings: SolverSettings, hours: bool = True) -> Tours | None:
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
        _one_contract(model, options, agents, take, used[a], a, rules if hours else None)
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
        if rules.max_start_change is not None:
            _steady_starts(model, a, [sum(int(start[k] - d * 1440) * take[a, k]
                                          for k in by_day[d]) for d in range(days)],
                           works[a], int(rules.max_start_change / 60))
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


def _steady_starts(model: cp_model.CpModel, a: int, clocks: list, works: list,
                   most_min: int) -> None:
    """Agent ``a``'s start times (minutes after midnight on the days worked)
    lie within ``most_min`` of each other over the week."""
    low = model.new_int_var(0, 1440, f"earliest_start[{a}]")
    high = model.new_int_var(0, 1440, f"latest_start[{a}]")
    for clock, working in zip(clocks, works, strict=True):
        model.add(low <= clock).only_enforce_if(working)
        model.add(high >= clock).only_enforce_if(working)
    model.add(high - low <= most_min)


def _one_contract(model: cp_model.CpModel, options: list[ShiftOption], agents: dict[int, int],
                  take: dict, used, a: int, rules: ShiftRules | None) -> None:
    """Agent ``a`` works full-time shifts only or part-time ones only, and
    (given ``rules``) within that contract's weekly paid hours."""
    part = model.new_bool_var(f"part_time[{a}]")
    for k in agents:
        model.add_implication(take[a, k], part if options[k].part_time else part.Not())
    if rules is None:
        return
    paid_min = sum(int(round(options[k].paid_hours * 60)) * take[a, k] for k in agents)
    for contract, literal in (("part_time", part), ("full_time", part.Not())):
        span = getattr(rules.weekly_hours, contract)
        if span is not None:
            model.add(paid_min >= int(span[0] / 60)).only_enforce_if([literal, used])
            model.add(paid_min <= int(span[1] / 60)).only_enforce_if(literal)


__all__ = ["Tours", "assign_tours", "people_bound"]
