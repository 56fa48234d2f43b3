"""A window of a week roster solved as a model of its own (only the shifts
starting in the window are variables, every other shift a constant) finds
the same optimum as the whole week's model with the same shifts held.

The reference is the week's model as the planner builds it (every shift
option and every break start of the week, the coverage of all 336 half
hours, the people of each contract kind over the week), with the held
shifts' agents clamped to the roster's and every break left free: a model
built by other code from the scenario's rules. The week is the shipped
24x7 line with shifts starting every 2 hours, so each model is proved
optimal in well under a second."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from ortools.sat.python import cp_model

import svcsim
from conftest import SCENARIOS
from svcsim.queueing import service_plan
from svcsim.roster.model import PoolModel, SolverSettings
from svcsim.roster.shifts import shift_options
from svcsim.roster.window_model import WindowModel


@pytest.fixture(scope="module")
def week():
    """The week's model and its first roster (the relaxation's, topped up)."""
    data = yaml.safe_load((SCENARIOS / "night_line_24x7.yaml").read_text())
    data["shift_rules"]["round_the_clock"]["start_granularity"] = "2h"
    scenario = svcsim.scenario_from_dict(data)
    need = service_plan(scenario).interval_need["line_team"]
    rules = scenario.shift_rules["round_the_clock"]
    pool = PoolModel("line_team", shift_options(scenario, "line_team"), need,
                     scenario.interval_s, rules, None)
    return pool, pool._first_start()


def whole_week_optimum(pool: PoolModel, roster, free: set[int], weight: int) -> float:
    """weight x people + shifts, minimised over the whole week's model with
    every option outside ``free`` held at the roster's agents and no
    shortfall (breaks free)."""
    proto = pool.model.proto
    held = {var.index: roster[0].get(k, 0) for k, var in enumerate(pool.agents)
            if k not in free}
    held.update({var.index: 0 for var in pool.shortfall})
    saved = {}
    for index, value in held.items():
        saved[index] = list(proto.variables[index].domain)
        proto.variables[index].domain.clear()
        proto.variables[index].domain.extend([value, value])
    pool.model.minimize(weight * pool.people + sum(pool.agents))
    solver = SolverSettings().solver(60.0)
    try:
        status = solver.solve(pool.model)
    finally:
        for index, domain in saved.items():
            proto.variables[index].domain.clear()
            proto.variables[index].domain.extend(domain)
    assert status == cp_model.OPTIMAL
    return solver.objective_value


@pytest.mark.parametrize("first", [0, 120, 300])  # Monday 00:00, Wednesday 12:00, Sunday 06:00
def test_a_window_alone_reaches_the_whole_week_optimum_with_the_same_shifts_held(week, first):
    week, start = week
    before = week.scored(start).objectives
    assert before["shortfall"] == 0
    width = week.n // week.days
    for weight in (0, int(before["shifts"]) + 1):  # fewest shifts, then people first
        window = WindowModel(week, start, first, width)
        found, _, proved = window.solve(weight, SolverSettings(), 60.0)
        assert proved
        free = set(window.free)
        assert free == {k for k, o in enumerate(week.options)
                        if (o.start - first) % week.n < width}
        # the held shifts are untouched, the requirement and the share still met
        assert {k: c for k, c in found[0].items() if k not in free} == \
            {k: c for k, c in start[0].items() if k not in free and c}
        after = week.scored(found).objectives
        assert after["shortfall"] == 0
        assert week._share_kept(found[0])
        alone = weight * after["headcount"] + after["shifts"]
        assert alone <= weight * before["headcount"] + before["shifts"]
        assert alone == whole_week_optimum(week, start, free, weight)
        assert np.isfinite(alone)
