"""The planner says how sure it is: solver status and gap, warm starts that
never come back worse, certified verdicts, and no roster reported as found
when the solver found none (audit D3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import svcsim
from svcsim.plan import certified, plan
from svcsim.queueing import requirements
from svcsim.report.tables import plan_text
from svcsim.roster import SolverSettings, schedule_roster
from svcsim.roster import evaluate as roster_evaluate
from svcsim.roster.shifts import shift_options
from svcsim.sim import simulate
from test_plan import small_centre

FAST = SolverSettings(time_limit_s=2)


def _need(scenario: svcsim.Scenario) -> dict[str, np.ndarray]:
    return {"team": requirements(scenario).staffing()["team"]}


def test_a_raise_never_returns_more_than_the_previous_roster_plus_the_raise():
    # k more agents in one interval can always be had with the previous
    # roster plus k shifts through that interval; whatever the solver's
    # time, the warm-started roster needs no more than that, and covers
    # the raised requirement in full
    scenario = small_centre(scope="interval")
    need = _need(scenario)
    before = schedule_roster(scenario, need, FAST)
    assert before.meets_requirements
    for k, interval in ((1, 18), (3, 24)):
        raised = {"team": need["team"].copy()}
        raised["team"][interval] += k
        for limit in (0.001, 2.0):  # no time to search; time to search
            after = schedule_roster(scenario, raised, SolverSettings(time_limit_s=limit),
                                    start=before)
            assert after.found and after.meets_requirements
            assert after.headcount <= before.headcount + k
            # the pure-Python evaluator agrees the raised interval is covered
            solution = after.solutions["team"]
            present, _ = roster_evaluate.coverage(shift_options(scenario, "team"),
                                                  solution.agents, solution.breaks,
                                                  scenario.n_intervals, scenario.interval_s)
            assert np.all(present + 1e-9 >= raised["team"] * 30)


def _night_line() -> svcsim.Scenario:
    from conftest import SCENARIOS

    return svcsim.load_scenario(SCENARIOS / "night_line_24x7.yaml")


def test_a_search_cut_short_keeps_its_greedy_roster_and_says_the_gap_is_unknown():
    # a week of night shifts crossing midnight with a millionth of a second
    # (deterministic time, so on any machine): the search starts from a
    # greedy cover, which is the roster; nothing is proved about it
    scenario = _night_line()
    need = {"line_team": requirements(scenario).staffing()["line_team"]}
    roster = schedule_roster(scenario, need, SolverSettings(time_limit_s=1e-6))
    assert roster.found and roster.meets_requirements and roster.status == "FEASIBLE"
    row = roster.pools.iloc[0]
    assert row["headcount"] > 0 and np.isnan(row["gap"]) and np.isnan(roster.gap)
    assert not roster.explanations


def test_the_plan_headline_says_a_roster_is_not_proved():
    scenario = _night_line()
    result = plan(scenario, replications=2, seed=1, max_iterations=0,
                  settings=SolverSettings(time_limit_s=1e-6), max_replications=2)
    headline = plan_text(result, scenario).splitlines()[0]
    assert "roster FEASIBLE, gap unknown, not proved" in headline
    assert any("line_team: roster not proved (status FEASIBLE, gap unknown" in note
               for note in result.notes)


def test_plan_at_a_short_limit_says_its_roster_is_not_proved(tmp_path):
    # the audit's --time-limit 0.1: whatever the search reaches in that time
    # is printed with its status and gap, never as a proved plan
    from conftest import SCENARIOS
    from test_cli import run

    result = run("plan", str(SCENARIOS / "night_line_24x7.yaml"), "--time-limit", "0.1",
                 "-n", "2", "--max-replications", "2", "--iterations", "0",
                 "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    headline = result.stdout.splitlines()[0]
    assert "no roster found in the time limit" in headline or "not proved" in headline
    pools = pd.read_csv(tmp_path / "roster_pools.csv")
    assert pools["status"].iloc[0] != "OPTIMAL"
    assert not pools["gap"].iloc[0] <= 0.02  # unknown (blank) or large, never 0


def test_the_plan_headline_has_status_gap_and_confidence(every_interval):
    scenario, result = every_interval
    head = plan_text(result, scenario).splitlines()[:3]
    assert "roster OPTIMAL, gap 0.0 %" in head[0] or "roster FEASIBLE, gap" in head[0]
    assert "(95 % confidence)" in head[1] or "not shown at 95 %" in head[1] \
        or "missed" in head[1]
    assert {"roster_status", "roster_gap", "replications", "verdict"} <= \
        set(result.history.columns)


def _horizon_standard(percent: float) -> svcsim.Scenario:
    return small_centre(scope="week", percent=percent)


def test_verdicts_flip_to_not_shown_when_the_ci_straddles_the_target(seed):
    # one staffing, simulated once; the same replications judged against a
    # target below the CI, inside it and above it
    scenario = _horizon_standard(80)
    staffing = {"team": np.where(np.arange(48) >= 16, 12, 0)}
    result = simulate(scenario, staffing=staffing, replications=8, seed=seed)
    row = result.standards.iloc[0]
    low, mean, high = row["attainment_low"], row["attainment"], row["attainment_high"]
    assert 0.05 < low < high < 0.95 and high - low > 0.01
    cases = {100 * low - 3: "met", 100 * mean: "not shown", 100 * high + 3: "missed"}
    for percent, expected in cases.items():
        judged = simulate(_horizon_standard(percent), staffing=staffing, replications=8,
                          seed=seed)
        assert judged.standards["verdict"].iloc[0] == expected, percent


def test_added_replications_are_those_of_one_longer_run(seed):
    # sequential sampling keeps common random numbers: the doubled result
    # equals one run with as many replications
    scenario = _horizon_standard(80)
    roster = schedule_roster(scenario, _need(scenario), FAST)
    mean = certified(scenario, roster, 2, 8, seed)
    assert mean.replications in (2, 4, 8)
    from svcsim.plan import staffing_of

    once = simulate(scenario, staffing=staffing_of(roster), replications=mean.replications,
                    seed=seed)
    assert once.standards["attainment"].iloc[0] == pytest.approx(
        mean.standards["attainment"].iloc[0], abs=1e-12)


def test_validate_warns_of_a_day_standard_without_an_interval_floor(tmp_path):
    # the plan names such a standard's lowest interval; validate warns first,
    # from the same check (svcsim.plan.unfloored)
    from conftest import SCENARIOS
    from test_cli import run

    warned = run("validate", str(SCENARIOS / "ecommerce_peak.yaml"))
    assert warned.returncode == 0, warned.stderr
    assert "standards[0] (Phone: answer within 3 rings): held over the day with no " \
           "interval_floor" in warned.stderr
    floored = run("validate", str(SCENARIOS / "bank_hotline_daily.yaml"))
    assert floored.returncode == 0 and "interval_floor" not in floored.stderr


def test_a_study_on_a_bad_dask_address_is_refused_before_any_plan(tmp_path):
    # studies plan their variants through the same executor seam as
    # replications, so they take --dask as simulate does, and refuse a bad
    # address the same way: exit 2, the option named, nothing planned or written
    import time

    import yaml
    from click.testing import CliRunner

    from conftest import SCENARIOS
    from svcsim.cli import main

    study = tmp_path / "study.yaml"
    study.write_text(yaml.safe_dump({
        "name": "more calls", "base": str(SCENARIOS / "bank_hotline.yaml"),
        "variants": [{"name": "x1.1", "changes": [{"channel": "phone", "volume": "x1.1"}]}]}))
    for command in ("compare", "sweep", "frontier"):
        assert "--dask ADDRESS" in CliRunner().invoke(main, [command, "--help"]).output
    began = time.perf_counter()
    result = CliRunner().invoke(main, ["compare", str(study), "--dask", "not an address",
                                       "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "--dask not an address" in result.output and "not a scheduler address" in result.output
    assert time.perf_counter() - began < 10  # refused before any plan ran
    assert not (tmp_path / "o").exists()


def test_a_trim_is_searched_again_only_when_a_longer_search_could_find_fewer():
    from types import SimpleNamespace

    from svcsim.plan import _search_longer

    start = SimpleNamespace(headcount=10)
    fixed = SolverSettings(time_limit_s=2)
    unproved = SimpleNamespace(status="FEASIBLE", headcount=10)
    assert _search_longer(unproved, start, fixed)
    # proved optimal for the trimmed requirement: the whole limit finds the same
    assert not _search_longer(SimpleNamespace(status="OPTIMAL", headcount=10), start, fixed)
    assert not _search_longer(SimpleNamespace(status="FEASIBLE", headcount=9), start, fixed)
    assert not _search_longer(unproved, start, SolverSettings())  # scaled: keeps its share

