"""A 24x7 week with night shifts crossing midnight (the shape that planned
923 agents 'met' with a 97 % roster gap): the plan ends within 5 % of a
proved lower bound on the same requirement and reports its gap.

The lower bound is the linear relaxation of the rostering problem, written
here from the scenario's rules and solved by HiGHS (scipy), not by the
CP-SAT model under test: shifts and their breaks cover every interval's
agent-minutes, each agent keeps one contract kind and works at most five
days. Any rota of the requirement has at least its ceiling of agents."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse
import yaml
from scipy.optimize import linprog

import svcsim
from conftest import SCENARIOS
from svcsim.plan import plan
from svcsim.report.tables import plan_text
from svcsim.roster import SolverSettings
from svcsim.roster.shifts import break_minutes, shift_options


def night_week() -> svcsim.Scenario:
    """The shipped 24x7 week, cut to its 8.5-hour shift starting on the hour
    so the test stays affordable: still 7 days of 30-minute intervals, 1,200
    calls a day, shifts crossing midnight, 5 days a week, 11 h rest."""
    data = yaml.safe_load((SCENARIOS / "night_line_24x7.yaml").read_text())
    rules = data["shift_rules"]["round_the_clock"]
    rules["start_granularity"] = "1h"
    rules["shifts"] = [s for s in rules["shifts"] if s["name"] == "full_8h"]
    return svcsim.scenario_from_dict(data)


def lp_headcount_bound(scenario: svcsim.Scenario, pool: str, need: np.ndarray) -> float:
    """The linear relaxation's least headcount for ``need`` (agents per interval)."""
    options = shift_options(scenario, pool)
    rules = scenario.shift_rules[scenario.pool(pool).shift_rules]
    n, step = len(need), int(scenario.interval_s // 60)
    days, most = scenario.horizon.days, min(rules.max_days_per_week, scenario.horizon.days)
    breaks = [(k, b, s, rule) for k, o in enumerate(options)
              for b, rule in enumerate(o.breaks) for s in rule.starts]
    kinds = sorted({o.part_time for o in options})
    size = len(options) + len(breaks) + len(kinds)  # agents, break starts, people per kind
    cover = sparse.lil_matrix((n, size))  # -(agent-minutes present) <= -need
    for k, option in enumerate(options):
        for i in option.covers(n):
            cover[i, k] -= step
    for j, (_, _, start, rule) in enumerate(breaks):
        for i, minutes in break_minutes(rule, start, scenario.interval_s).items():
            cover[i % n, len(options) + j] += minutes
    groups = sorted({(k, b) for k, b, _, _ in breaks})
    placed = sparse.lil_matrix((len(groups), size))  # each agent's break placed once
    for j, (k, b, _, _) in enumerate(breaks):
        placed[groups.index((k, b)), len(options) + j] = 1
    for g, (k, _) in enumerate(groups):
        placed[g, k] = -1
    people = sparse.lil_matrix(((days + 1) * len(kinds), size))
    for g, part in enumerate(kinds):
        person = len(options) + len(breaks) + g
        for d in range(days):  # people >= that day's shifts
            people[g * (days + 1) + d, person] = -1
        people[g * (days + 1) + days, person] = -most  # most days x people >= all shifts
        for k, option in enumerate(options):
            if option.part_time is part:
                people[g * (days + 1) + option.day, k] = 1
                people[g * (days + 1) + days, k] = 1
    upper = sparse.vstack([cover, people]).tocsr()
    limit = np.concatenate([-need * step, np.zeros(people.shape[0])])
    cost = np.zeros(size)
    cost[-len(kinds):] = 1
    result = linprog(cost, A_ub=upper, b_ub=limit, A_eq=placed.tocsr(),
                     b_eq=np.zeros(len(groups)), bounds=(0, None), method="highs")
    assert result.status == 0, result.message
    return float(result.fun)


def test_a_24x7_week_plan_ends_within_5_percent_of_its_lower_bound():
    scenario = night_week()
    # default scaled limits; no repair (the roster, not the repair, is tested
    # here), so the plan is its first roster, certified, polished once. The
    # search ends at the headcount: the levels below it (cost, shifts,
    # over-coverage) are held to its value, so they cannot move what is
    # tested, and on this week they took 14 of the test's 16 CPU seconds
    result = plan(scenario, replications=4, seed=7, max_iterations=0, max_replications=8,
                  settings=SolverSettings(max_rounds=1, last_level="headcount"))
    roster = result.roster
    assert roster.found and np.isfinite(roster.gap)
    assert roster.shifts["crosses_midnight"].any()
    headline = plan_text(result, scenario).splitlines()[0]
    assert roster.status in headline and f"gap {100 * roster.gap:.1f} %" in headline
    (pool,) = result.requirement
    bound = int(np.ceil(lp_headcount_bound(scenario, pool, result.requirement[pool]) - 1e-6))
    assert roster.meets_requirements
    assert bound <= roster.headcount <= 1.05 * bound
