"""Rosters held to a standard over the whole day (global service level)."""

from __future__ import annotations

import numpy as np
import pytest

import svcsim
from svcsim.queueing import erlang_a, erlang_c, service_plan
from svcsim.roster import SolverSettings, schedule_roster
from svcsim.roster.shifts import shift_options
from svcsim.sim.staffing import on_duty

HALF_HOUR = 1800.0


def desk(volumes, scope="day", floor=None, max_agents=None, percent=80,
         shifts=("2h", "3h"), earliest="08:00", latest="11:00", patience=None,
         **limits) -> svcsim.Scenario:
    """A phone desk open 08:00-14:00 on a 30-minute grid."""
    standard = {"contacts": "phone", "percent": percent, "within": "20s", "scope": scope,
                **limits}
    if floor is not None:
        standard["interval_floor"] = floor
    pool = {"name": "desk", "skills": [{"contacts": "phone"}], "shift_rules": "rules"}
    if max_agents:
        pool["max_agents"] = max_agents
    day = [0.0] * 48
    day[16:16 + len(volumes)] = volumes
    phone = {"kind": "immediate", "arrivals": {"volumes": day},
             "handle_time": {"dist": "exponential", "mean": "4m"}}
    if patience:
        phone["patience"] = {"dist": "exponential", "mean": patience}
    return svcsim.scenario_from_dict({
        "name": "desk", "horizon": {"days": 1, "interval": "30m"},
        "channels": {"phone": phone},
        "tiers": {"all": {"priority": 1}},
        "standards": [standard],
        "pools": [pool],
        "shift_rules": {"rules": {"start_granularity": "30m", "earliest_start": earliest,
                                  "latest_start": latest, "cost_per_hour": 20,
                                  "shifts": [{"name": s, "length": s} for s in shifts]}},
    })


def day_attainment(scenario, scheduled: np.ndarray) -> tuple[float, np.ndarray]:
    """The day's expected attainment and each interval's, from Erlang C
    directly (not from the tables the roster model used)."""
    phone = scenario.resolved_contact_types[0]
    volumes = phone.volumes
    agents = on_duty(scenario, {"desk": scheduled})["desk"]
    levels = np.asarray(erlang_c(agents, volumes / HALF_HOUR, 240.0, 20.0).service_level)
    levels = np.where(volumes > 0, levels, np.nan)
    return float(np.nansum(levels * volumes) / volumes.sum()), levels


def scheduled_of(roster) -> np.ndarray:
    return np.floor(roster.coverage.sort_values("interval")["scheduled"].to_numpy() + 1e-9)


def brute_force(scenario, floor_need: np.ndarray, target: float, cap: int = 6):
    """Fewest agents over every count per shift (no breaks, at most ``cap``
    each) meeting the day's target and the floors: every roster of each
    headcount in turn, from none, until one does."""
    options = shift_options(scenario, "desk")
    for total in range(cap * len(options) + 1):
        for counts in _counts_adding_to(total, len(options), cap):
            scheduled = np.zeros(48)
            for option, count in zip(options, counts, strict=True):
                scheduled[option.covers(48)] += count
            if (scheduled >= floor_need).all() and \
                    day_attainment(scenario, scheduled)[0] >= target - 1e-9:
                return total
    return None


def _counts_adding_to(total: int, parts: int, cap: int):
    """Every tuple of ``parts`` counts, each 0 to ``cap``, adding to ``total``."""
    if parts == 1:
        if total <= cap:
            yield (total,)
        return
    for first in range(min(total, cap) + 1):
        for rest in _counts_adding_to(total - first, parts - 1, cap):
            yield (first, *rest)


@pytest.mark.parametrize("volumes", [(10, 25, 15, 5), (20, 5, 5, 25, 10), (3, 15, 15, 3)])
def test_headcount_equals_brute_force_over_rosters(volumes):
    scenario = desk(volumes, shifts=("2h",), latest="10:00")
    plan = service_plan(scenario)
    roster = schedule_roster(scenario, plan.floors, SolverSettings(time_limit_s=5), plan.targets)
    assert roster.headcount == brute_force(scenario, plan.floors["desk"], 0.8)


def test_the_day_target_holds_when_re_evaluated_and_needs_fewer_agents():
    volumes = (40, 90, 120, 110, 70, 60, 80, 100, 60, 30, 20, 10)
    scenario = desk(volumes)
    plan = service_plan(scenario)
    held = schedule_roster(scenario, plan.floors, SolverSettings(time_limit_s=5), plan.targets)
    attained, levels = day_attainment(scenario, scheduled_of(held))
    assert attained >= 0.8
    assert held.service["attainment"].iloc[0] == pytest.approx(attained, abs=1e-6)
    assert np.nanmin(levels) < 0.8  # some intervals run below target, paid for by others
    each = schedule_roster(scenario, plan.interval_need, SolverSettings(time_limit_s=5))
    assert held.headcount < each.headcount


def test_an_interval_floor_holds_in_every_interval():
    volumes = (40, 90, 120, 110, 70, 60, 80, 100, 60, 30, 20, 10)
    scenario = desk(volumes, floor=60)
    plan = service_plan(scenario)
    roster = schedule_roster(scenario, plan.floors, SolverSettings(time_limit_s=5), plan.targets)
    attained, levels = day_attainment(scenario, scheduled_of(roster))
    assert attained >= 0.8
    assert np.nanmin(levels) >= 0.6
    assert roster.service["lowest_interval"].iloc[0] == pytest.approx(np.nanmin(levels))


def test_interval_scope_standards_stay_interval_by_interval():
    scenario = desk((40, 90, 120), scope="interval")
    plan = service_plan(scenario)
    assert plan.targets == {}
    assert (plan.floors["desk"] == plan.interval_need["desk"]).all()


def test_a_target_no_roster_can_meet_is_explained_with_the_best_reachable():
    scenario = desk((40, 90, 120, 110, 70, 60), max_agents=6)
    plan = service_plan(scenario)
    roster = schedule_roster(scenario, plan.floors, SolverSettings(time_limit_s=5), plan.targets)
    best = roster.service["attainment"].iloc[0]
    assert best < 0.8
    assert day_attainment(scenario, scheduled_of(roster))[0] == pytest.approx(best, abs=1e-6)
    [explanation] = [e for e in roster.explanations if "reaches" in e]
    assert f"{best:.1%}" in explanation and "80%" in explanation


def test_a_floor_above_the_target_is_refused():
    with pytest.raises(svcsim.ScenarioError, match="interval_floor"):
        desk((40,), floor=90)
    with pytest.raises(svcsim.ScenarioError, match="interval_floor"):
        desk((40,), floor=50, scope="interval")


def test_interval_limits_on_asa_and_abandonment_hold_in_every_interval():
    volumes = (40, 90, 120, 110, 70, 60, 80, 100, 60, 30, 20, 10)
    free = desk(volumes, patience="3m")
    capped = desk(volumes, patience="3m", interval_max_asa="30s", interval_max_abandon="5%")
    rosters = []
    for scenario in (free, capped):
        plan = service_plan(scenario)
        rosters.append(schedule_roster(scenario, plan.floors, SolverSettings(time_limit_s=5),
                                       plan.targets))
    phone = capped.resolved_contact_types[0]
    agents = on_duty(capped, {"desk": scheduled_of(rosters[1])})["desk"]
    queue = erlang_a(agents, phone.volumes / HALF_HOUR, 240.0, 180.0, 20.0)
    busy = phone.volumes > 0
    assert (np.asarray(queue.asa)[busy] <= 30.0).all()
    assert (np.asarray(queue.abandon_rate)[busy] <= 0.05).all()
    agents = on_duty(free, {"desk": scheduled_of(rosters[0])})["desk"]
    queue = erlang_a(agents, phone.volumes / HALF_HOUR, 240.0, 180.0, 20.0)
    assert (np.asarray(queue.asa)[busy] > 30.0).any()  # the limits changed the roster
    assert rosters[1].headcount >= rosters[0].headcount
