"""The shipped 24x7 week (shifts crossing midnight, 8.5 h, 10.5 h and 4 h
part-time shifts, breaks in windows, 5 days of 7, 11 h rest, at most 30 %
part-time shifts), with shifts starting every 2 hours so that the test
stays cheap, rostered at the bound no roster can beat.

The bound is the linear relaxation written from the scenario's rules in
tests/test_plan_24x7.py and solved by HiGHS, not the model under test; the
rota is checked against the rules directly, from the agents' days and
breaks as the roster names them, not from the roster's own coverage
table."""

from __future__ import annotations

import numpy as np
import yaml

import svcsim
from conftest import SCENARIOS
from svcsim.queueing import service_plan
from svcsim.roster import SolverSettings, schedule_roster
from test_plan_24x7 import lp_headcount_bound
from test_roster import assert_rota_keeps_the_rules


def test_a_24x7_week_is_rostered_at_the_relaxation_bound_and_keeps_every_rule():
    data = yaml.safe_load((SCENARIOS / "night_line_24x7.yaml").read_text())
    data["shift_rules"]["round_the_clock"]["start_granularity"] = "2h"
    scenario = svcsim.scenario_from_dict(data)
    need = service_plan(scenario).interval_need["line_team"]
    # headcount only, so the test stays cheap (the levels below it break ties)
    roster = schedule_roster(scenario, {"line_team": need},
                             SolverSettings(max_rounds=1, last_level="headcount"))
    bound = int(np.ceil(lp_headcount_bound(scenario, "line_team", need) - 1e-6))
    assert roster.headcount == bound and roster.gap == 0.0
    assert roster.pools["added_for_rest"].iloc[0] == 0
    assert roster.shifts["crosses_midnight"].any()
    assert_rota_keeps_the_rules(roster, max_days=5, min_rest_h=11)
    days = roster.agent_days
    assert days.groupby("agent")["part_time"].nunique().max() == 1  # one contract each
    assert days["part_time"].sum() <= 0.30 * len(days)
    assert_covers(scenario, days, need)


def assert_covers(scenario: svcsim.Scenario, days, need: np.ndarray) -> None:
    """Every half hour has its agents present, breaks taken out, counted
    from each agent's shift and breaks (the week wraps), and every break
    sits inside its shift's window."""
    rules = {s.name: s for s in scenario.shift_rules["round_the_clock"].shifts}
    week, n = 7 * 86400, len(need)
    minutes = np.zeros(n)
    for row in days.itertuples():
        for t in range(int(row.start_s), int(row.end_s), 60):
            minutes[(t % week) // 1800] += 1
        windows = {b.name: b.window for b in rules[row.shift].breaks}
        assert {name for name, _, _ in row.breaks} == set(windows)
        for name, start, length in row.breaks:
            low, high = windows[name]
            assert row.start_s + low <= start <= row.start_s + high
            for t in range(int(start), int(start + length), 60):
                minutes[(t % week) // 1800] -= 1
    assert (minutes >= 30 * need - 1e-9).all()
