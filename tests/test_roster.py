"""The CP-SAT shift scheduler on instances small enough to check by hand or
by brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import svcsim
from conftest import SCENARIOS
from svcsim.queueing import service_plan
from svcsim.roster import SolverSettings, evaluate, schedule_roster, write_roster
from svcsim.roster.model import PoolModel
from svcsim.roster.relaxation import relaxed_headcount
from svcsim.roster.service import ServiceTarget
from svcsim.roster.shifts import break_minutes, shift_options

HALF_HOUR = 1800.0


def small(shifts, earliest="08:00", latest="10:00", days=1, max_part_time="100%",
          max_agents=None, **labour) -> svcsim.Scenario:
    pool = {"name": "desk", "skills": [{"contacts": "phone"}], "shift_rules": "day"}
    if max_agents:
        pool["max_agents"] = max_agents
    return svcsim.scenario_from_dict({
        "name": "small", "horizon": {"days": days, "interval": "30m"},
        "channels": {"phone": {"kind": "immediate", "handle_time": {
            "dist": "exponential", "mean": "4m"}, "arrivals": {"volumes": [1] * 48 * days}}},
        "tiers": {"all": {"priority": 1}},
        "pools": [pool],
        "shift_rules": {"day": {"start_granularity": "30m", "earliest_start": earliest,
                                "latest_start": latest, "cost_per_hour": 20,
                                "max_part_time_share": max_part_time, "shifts": shifts,
                                **labour}},
    })


def need_from(start_interval: int, values, n=48):
    need = np.zeros(n, dtype=int)
    need[start_interval:start_interval + len(values)] = values
    return need


def brute_force_headcount(options, need, n, step_s, cap=3):
    """Fewest agents covering ``need``, trying every count per option and every
    spread of their breaks over the allowed starts (one break per shift)."""
    step = int(step_s / 60)
    choices = []
    for option in options:
        combos = [(0, {})]
        for count in range(1, cap + 1):
            if option.breaks:
                starts = option.breaks[0].starts
                for spread in itertools.combinations_with_replacement(starts, count):
                    combos.append((count, {s: spread.count(s) for s in set(spread)}))
            else:
                combos.append((count, {}))
        choices.append(combos)
    best = None
    for pick in itertools.product(*choices):
        total = sum(c for c, _ in pick)
        if best is not None and total >= best:
            continue
        minutes = np.zeros(n)
        for option, (count, spread) in zip(options, pick, strict=True):
            for i in option.covers(n):
                minutes[i] += step * count
            for start, taking in spread.items():
                for interval, m in break_minutes(option.breaks[0], start, step_s).items():
                    minutes[interval % n] -= m * taking
        if (minutes >= need * step).all():
            best = total
    return best


@pytest.mark.parametrize("with_break", [False, True], ids=["no-breaks", "breaks"])
@pytest.mark.parametrize("profile", [(1, 2, 3, 2, 1, 1), (2, 2, 1, 3, 3, 1), (3, 1, 0, 0, 2, 2)])
def test_headcount_equals_the_brute_force_optimum(profile, with_break):
    shift = {"name": "two_hours", "length": "2h"}
    if with_break:
        shift["breaks"] = [{"name": "pause", "length": "30m", "paid": True,
                            "window": ["30m", "1h"]}]
    scenario = small([shift], earliest="08:00", latest="09:30")
    need = need_from(16, profile)
    options = shift_options(scenario, "desk")
    roster = schedule_roster(scenario, {"desk": need}, SolverSettings(time_limit_s=20))
    assert roster.status == "OPTIMAL"
    expected = brute_force_headcount(options, need, 48, HALF_HOUR)
    if expected is None:  # no roster of at most 3 per shift covers it: shortfall
        assert not roster.meets_requirements
    else:
        assert roster.meets_requirements
        assert roster.headcount == expected


def test_every_break_sits_inside_its_window_and_coverage_holds():
    scenario = svcsim.load_scenario("scenarios/bank_hotline.yaml")
    need = svcsim.requirements(scenario).pools["scheduled_agents"].to_numpy()
    roster = schedule_roster(scenario, {"hotline": need})
    assert roster.meets_requirements
    assert (roster.coverage["scheduled"] >= roster.coverage["required"]).all()
    rules = {s.name: s for s in scenario.shift_rules["weekday"].shifts}
    for row in roster.shifts.itertuples():
        start = _minutes(row.start)
        for item in filter(None, row.breaks.split(", ")):
            name, clock = item.rsplit(" ", 1)
            rule = next(b for b in rules[row.shift].breaks if b.name == name)
            offset = (_minutes(clock) - start) * 60
            assert rule.window[0] <= offset <= rule.window[1]
    part_time = roster.shifts[roster.shifts["shift"] == "part_4h"]["count"].sum()
    assert part_time <= 0.4 * roster.headcount


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def test_the_evaluator_agrees_with_the_solver():
    scenario = svcsim.load_scenario("scenarios/bank_hotline.yaml")
    need = svcsim.requirements(scenario).pools["scheduled_agents"].to_numpy()
    options = shift_options(scenario, "hotline")
    model = PoolModel("hotline", options, need, scenario.interval_s,
                      scenario.shift_rules["weekday"], None)
    solution = model.solve(SolverSettings())
    present, _ = evaluate.coverage(options, solution.agents, solution.breaks, 48, HALF_HOUR)
    over = np.maximum(present - need * 30, 0).sum()
    assert solution.objectives["headcount"] == sum(solution.agents.values())
    assert solution.objectives["cost"] == pytest.approx(100 * evaluate.cost(options,
                                                                             solution.agents))
    assert solution.objectives["over_coverage"] == pytest.approx(over)
    assert solution.objectives["shortfall"] == 0


def test_breaks_cost_headcount_against_the_textbook_model():
    scenario = svcsim.load_scenario("scenarios/bank_hotline.yaml")
    need = svcsim.requirements(scenario).pools["scheduled_agents"].to_numpy()
    with_breaks = schedule_roster(scenario, {"hotline": need}).headcount
    rules = scenario.shift_rules["weekday"].model_dump(by_alias=True)
    for shift in rules["shifts"]:
        shift["breaks"] = []
    bare = scenario.replace(shift_rules={"weekday": rules})
    assert schedule_roster(bare, {"hotline": need}).headcount <= with_breaks


def test_an_impossible_requirement_is_explained_with_the_best_roster():
    # shifts may start 08:00-09:00 and last 2 h: nothing can cover 14:00
    scenario = small([{"name": "two_hours", "length": "2h"}], earliest="08:00",
                     latest="09:00", max_agents=2)
    need = need_from(16, (1, 3, 2, 1)) + need_from(28, (2,))
    roster = schedule_roster(scenario, {"desk": need})
    assert not roster.meets_requirements
    assert roster.status == "OPTIMAL"  # the best roster within the rules, proved
    short = roster.coverage[roster.coverage["shortfall"] > 0]["start"].tolist()
    assert short == ["08:30", "14:00"]
    [explanation] = roster.explanations
    assert "14:00" in explanation and "no shift" in explanation
    assert "max_agents 2" in explanation and "08:30" in explanation


def test_week_horizon_with_a_shift_crossing_midnight():
    scenario = small([{"name": "night", "length": "8h"}], earliest="22:00", latest="22:00",
                     days=7)
    n = 48 * 7
    need = np.zeros(n, dtype=int)
    for day in range(7):  # 22:00 to 06:00 every night, wrapping past Sunday
        for k in range(16):
            need[(day * 48 + 44 + k) % n] = 2
    roster = schedule_roster(scenario, {"desk": need})
    # 14 night shifts; nobody works more than 5 nights: 3 agents
    assert roster.meets_requirements and roster.shift_count == 14 and roster.headcount == 3
    assert_rota_keeps_the_rules(roster, max_days=5, min_rest_h=11)
    assert roster.shifts["crosses_midnight"].all()
    assert set(roster.shifts["day"]) == set(range(1, 8))
    assert (roster.shifts["end"] == "06:00").all()


def test_part_time_share_is_respected():
    shifts = [{"name": "full", "length": "4h"},
              {"name": "part", "length": "2h", "part_time": True}]
    scenario = small(shifts, earliest="08:00", latest="12:00", max_part_time="25%")
    need = need_from(16, (4, 4, 0, 0, 0, 0, 0, 0, 4, 4))
    roster = schedule_roster(scenario, {"desk": need})
    part = roster.shifts[roster.shifts["shift"] == "part"]["count"].sum()
    assert part <= 0.25 * roster.headcount
    assert roster.meets_requirements


def test_same_settings_same_roster_and_files_round_trip(tmp_path):
    import pandas as pd

    from svcsim.roster import write_roster
    scenario = svcsim.load_scenario("scenarios/bank_hotline.yaml")
    need = {"hotline": svcsim.requirements(scenario).pools["scheduled_agents"].to_numpy()}
    first, second = (schedule_roster(scenario, need, SolverSettings(time_limit_s=2))
                     for _ in range(2))
    assert first.shifts.equals(second.shifts) and first.agents.equals(second.agents)
    written = write_roster(first, tmp_path)
    assert {p.name for p in written} == {"roster_shifts.csv", "roster_agents.csv",
                                         "roster_coverage.csv", "roster_pools.csv"}
    for name in ("shifts", "coverage", "agents"):
        back = pd.read_csv(tmp_path / f"roster_{name}.csv", keep_default_na=False)
        assert len(back) == len(getattr(first, name))
    assert pd.read_csv(tmp_path / "roster_agents.csv")["agent"].tolist() == \
        first.agents["agent"].tolist()
    back = pd.read_csv(tmp_path / "roster_shifts.csv")
    assert back["count"].sum() == first.headcount


def assert_rota_keeps_the_rules(roster, max_days, min_rest_h):
    """Every agent works at most ``max_days`` days with ``min_rest_h`` hours
    between shifts (the week repeats), and the rota staffs exactly the shifts."""
    days = [c for c in roster.agents.columns if c.startswith("day ")]
    worked = []
    for _, row in roster.agents.iterrows():
        spans = []
        for d, column in enumerate(days):
            if row[column] == "off":
                continue
            begin, finish = (int(t[:2]) * 60 + int(t[3:5]) for t in row[column][:11].split("-"))
            finish += 1440 if finish <= begin else 0
            spans.append((d * 1440 + begin, d * 1440 + finish))
            worked.append((d + 1, row[column][:5]))
        assert len(spans) <= max_days
        week = len(days) * 1440
        for (_, end), (start, _) in zip(spans, spans[1:] + [(spans[0][0] + week, 0)],
                                        strict=True):
            assert start - end >= min_rest_h * 60
    expected = sorted((r.day, r.start) for r in roster.shifts.itertuples() for _ in range(r.count))
    assert sorted(worked) == expected


def test_a_week_rota_names_agents_within_the_day_limit_and_rest():
    scenario = small([{"name": "full", "length": "8h"}], earliest="06:00", latest="14:00",
                     days=7, max_days_per_week=5, min_rest="11h")
    day = need_from(14, [2] * 4 + [4] * 8 + [3] * 8 + [1] * 4)  # 07:00 to 19:00
    need = np.concatenate([day] * 5 + [day // 2] * 2)  # a quieter weekend
    roster = schedule_roster(scenario, {"desk": need})
    assert roster.meets_requirements
    per_day = roster.shifts.groupby("day")["count"].sum()
    bound = max(per_day.max(), -(-per_day.sum() // 5))
    assert roster.headcount == bound == roster.pools["headcount_bound"].iloc[0]
    assert_rota_keeps_the_rules(roster, max_days=5, min_rest_h=11)
    # solved day by day (no shift crosses midnight): the same people as one
    # model of the whole week
    whole = PoolModel("desk", shift_options(scenario, "desk"), need, scenario.interval_s,
                      scenario.shift_rules["day"], None).solve(SolverSettings())
    assert whole.status == "OPTIMAL" and whole.objectives["headcount"] == roster.headcount


def test_the_rest_rule_adds_an_agent_the_day_limit_alone_would_not():
    # a late shift (16:00-24:00) on Monday and an early one (06:00-14:00) on
    # Tuesday: one agent by the day limit, but 6 h of rest between them
    scenario = small([{"name": "full", "length": "8h"}], earliest="06:00", latest="16:00",
                     days=7, max_days_per_week=7, min_rest="11h")
    need = np.zeros(48 * 7, dtype=int)
    need[32:48] = 1
    need[48 + 12:48 + 28] = 1
    roster = schedule_roster(scenario, {"desk": need})
    assert roster.shift_count == 2 and roster.headcount == 2
    assert roster.pools["added_for_rest"].iloc[0] == 1
    assert roster.status == "FEASIBLE"  # the added agent is not proved necessary
    assert_rota_keeps_the_rules(roster, max_days=7, min_rest_h=11)


def test_the_held_relaxation_never_bounds_above_the_brute_force_optimum():
    # an S-shaped service curve (nothing answered on time with one or two
    # agents, most with four): the relaxation takes it under its concave
    # hull, so it may bound low, never above the fewest agents any roster
    # of the five 8-hour starts needs to reach the day's goal
    scenario = small([{"name": "full", "length": "8h"}])
    options = shift_options(scenario, "desk")
    n = 48
    share = np.array([0, 0, 0.05, 0.4, 0.85, 0.95, 1.0, 1.0])
    volumes = np.zeros(n)
    volumes[16:36] = 10.0  # 08:00-18:00
    target = ServiceTarget("80 % over the day", volumes[:, None] * share[None, :], volumes,
                           np.zeros(n, dtype=int), 0.8)
    floor = np.zeros(n, dtype=int)
    rules = scenario.shift_rules["day"]
    tables = [target.table(i) for i in range(n)]
    best = None
    for counts in itertools.product(range(8), repeat=len(options)):
        duty = np.zeros(n, dtype=int)
        for option, count in zip(options, counts, strict=True):
            duty[option.covers(n)] += count
        duty = np.minimum(duty, target.most_agents)
        if sum(tables[i][duty[i]] for i in range(n)) >= target.goal(0):
            best = sum(counts) if best is None else min(best, sum(counts))
    relaxed = relaxed_headcount(options, floor, HALF_HOUR, rules, 1, (target,))
    assert best is not None and np.ceil(relaxed - 1e-6) <= best
    # and the held model itself reaches the brute-force optimum
    solved = schedule_roster(scenario, {"desk": floor}, SolverSettings(time_limit_s=5),
                             {"desk": (target,)})
    assert solved.status == "OPTIMAL" and solved.headcount == best


def test_pools_solved_side_by_side_write_the_same_roster_as_one_by_one(tmp_path):
    # four pools held to the day's standards, searches cut short by a
    # deterministic limit: where and in what order a pool is solved must not
    # change a byte of the roster
    scenario = svcsim.load_scenario(SCENARIOS / "ecommerce_peak.yaml")
    held = service_plan(scenario)
    files = []
    for processes in (1, 2):
        roster = schedule_roster(scenario, held.floors,
                                 SolverSettings(time_limit_s=0.1, processes=processes),
                                 held.targets)
        written = write_roster(roster, tmp_path / str(processes))
        files.append([path.read_bytes() for path in written])
    assert files[0] == files[1]
