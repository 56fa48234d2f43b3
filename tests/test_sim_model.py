"""Each mechanism of the simulation model, exercised by a test that would fail
without it."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import svcsim
from svcsim.sim import simulate
from svcsim.sim.arrivals import draw_arrivals
from svcsim.sim.engine import Engine
from svcsim.sim.metrics import busy_until
from svcsim.sim.staffing import on_duty, scheduled_staffing

EXP4 = {"dist": "exponential", "mean": "4m"}


def day(volumes_per_half_hour, agents, **phone) -> dict:
    """A one-day, one-queue scenario mapping to modify; volumes from 00:00."""
    return {
        "name": "t", "horizon": {"days": 1, "interval": "30m"},
        "channels": {"phone": {"kind": "immediate", "handle_time": EXP4,
                               "arrivals": {"volumes": volumes_per_half_hour}, **phone}},
        "tiers": {"all": {"priority": 1}},
        "standards": [{"contacts": "phone", "percent": 80, "within": "20s"}],
        "pools": [{"name": "agents", "skills": [{"contacts": "phone/*"}],
                   "staffing": agents if isinstance(agents, list) else [agents] * 48}],
    }


def run_log(data: dict, replications: int, seed: int, **kwargs):
    scenario = svcsim.scenario_from_dict(data)
    return scenario, simulate(scenario, replications=replications, seed=seed,
                              keep_contacts=True, **kwargs)


def engine_run(data: dict, seed: int):
    scenario = svcsim.scenario_from_dict(data)
    engine = Engine(scenario, on_duty(scenario, scheduled_staffing(scenario)), seed, 0)
    return engine, engine.run()


# -- arrivals --------------------------------------------------------------------

def test_arrivals_follow_the_volume_of_each_interval(seed):
    volumes = [0] * 16 + [20, 60, 120, 60] + [0] * 28
    _, result = run_log(day(volumes, 40), 60, seed)
    offered = result.intervals.set_index("interval")["offered"]
    for interval, expected in enumerate(volumes):
        # mean of 60 Poisson counts: standard error sqrt(v / 60)
        assert abs(offered[interval] - expected) <= 4 * np.sqrt(max(expected, 1) / 60)


def test_forecast_uncertainty_widens_the_daily_totals(seed):
    scenario = svcsim.scenario_from_dict(day([100] * 48, 40, arrivals={
        "volumes": [100] * 48, "forecast_cv": 0.2}))
    contact = scenario.resolved_contact_types[0]
    rng = np.random.default_rng(seed)
    totals = np.array([len(draw_arrivals(contact, contact.volumes, 1800, rng).times_s)
                       for _ in range(300)])
    mean = 4800
    # Poisson alone: variance 4,800; with a gamma day factor of cv 0.2:
    # 4,800 + (0.2 x 4,800)^2 = 926,400
    assert totals.mean() == pytest.approx(mean, rel=0.05)
    assert 0.6 * 926_400 < totals.var() < 1.5 * 926_400


def test_self_service_deflects_its_share_before_the_queue(seed):
    _, result = run_log(day([100] * 48, 40, deflection="30%"), 10, seed)
    table = result.intervals
    share = table["deflected"].sum() / (table["deflected"].sum() + table["offered"].sum())
    assert share == pytest.approx(0.30, abs=0.01)


# -- queues and routing --------------------------------------------------------------

def two_tiers(agents: int, **tier_extra) -> dict:
    data = day([110] * 48, agents)
    data["tiers"] = {"gold": {"priority": 1, "share": 0.3, **tier_extra.get("gold", {})},
                     "basic": {"priority": 2, "share": 0.7, **tier_extra.get("basic", {})}}
    return data


def mean_waits(result) -> dict[str, float]:
    return result.contacts.groupby("contact_type", observed=True)["wait_s"].mean().to_dict()


def test_head_start_serves_a_shared_queue_in_order_of_credited_wait(seed):
    # tiers of equal priority: a head start is what ranks them (tiers of
    # different priority are served in priority order: tests/test_routing.py)
    equal = {"priority": 1}
    plain = mean_waits(run_log(two_tiers(16, basic=equal), 6, seed)[1])
    credited = mean_waits(run_log(two_tiers(16, gold={"head_start": "5m"}, basic=equal), 6,
                                  seed)[1])
    # one skill level, first come first served: both tiers wait alike ...
    assert plain["phone/gold"] == pytest.approx(plain["phone/basic"], rel=0.2)
    # ... until gold is credited five minutes of waiting on arrival
    assert credited["phone/gold"] < 0.5 * credited["phone/basic"]


def prioritised(aging=None) -> dict:
    data = two_tiers(16)
    data["pools"][0]["skills"] = [{"contacts": "phone/gold", "priority": 1},
                                  {"contacts": "phone/basic", "priority": 2}]
    if aging:
        data["pools"][0]["priority_aging"] = aging
    return data


def test_priority_aging_lifts_long_waiters(seed):
    strict = run_log(prioritised(), 6, seed)[1].contacts
    aged = run_log(prioritised("20s"), 6, seed)[1].contacts
    p99 = {name: log[log["contact_type"] == "phone/basic"]["wait_s"].quantile(0.99)
           for name, log in (("strict", strict), ("aged", aged))}
    gold = {name: log[log["contact_type"] == "phone/gold"]["wait_s"].mean()
            for name, log in (("strict", strict), ("aged", aged))}
    assert p99["aged"] < 0.8 * p99["strict"]  # the longest basic waits shrink
    assert gold["aged"] > gold["strict"]  # paid for by gold


def test_an_arrival_goes_to_the_most_specialised_pool(seed):
    data = two_tiers(30)
    data["pools"] = [
        {"name": "gold_desk", "skills": [{"contacts": "phone/gold", "priority": 1}],
         "staffing": [30] * 48},
        {"name": "general", "skills": [{"contacts": "phone/basic", "priority": 1},
                                       {"contacts": "phone/gold", "priority": 2}],
         "staffing": [30] * 48},
    ]
    _, result = run_log(data, 2, seed)
    log = result.contacts
    gold = log[log["contact_type"] == "phone/gold"]
    assert (gold["pool"] == "gold_desk").all()  # 30 gold agents are never all busy
    assert (log[log["contact_type"] == "phone/basic"]["pool"] == "general").all()


# -- service ----------------------------------------------------------------------------

def test_after_contact_work_keeps_agents_busy_not_customers(seed):
    _, plain = run_log(day([60] * 48, 20), 4, seed)
    _, acw = run_log(day([60] * 48, 20, after_contact_work="2m"), 4, seed)
    ratio = acw.pools["busy_agent_s"].sum() / plain.pools["busy_agent_s"].sum()
    assert ratio == pytest.approx((240 + 120) / 240, rel=0.03)
    assert acw.contacts["wait_s"].mean() > plain.contacts["wait_s"].mean()


def test_a_chat_agent_holds_several_chats(seed):
    # 6 agents with 3 chat slots each serve like 18 single-chat agents
    from scipy import stats

    from svcsim.queueing import erlang_c
    data = day([110] * 48 * 7, 6, concurrency=3)
    data["horizon"]["days"] = 7
    data["pools"][0]["staffing"] = [6] * 48 * 7
    _, result = run_log(data, 10, seed)
    log = result.contacts
    levels = log.assign(met=log["wait_s"] <= 20).groupby("replication")["met"].mean()
    theory = erlang_c(18, 110 / 1800, 240.0, 20.0).service_level
    half = stats.t.ppf(0.995, 9) * levels.std(ddof=1) / np.sqrt(10)
    assert abs(levels.mean() - theory) <= half
    # one chat at a time, 6 agents could not carry 14.7 Erlangs at all
    assert erlang_c(6, 110 / 1800, 240.0, 20.0).service_level == 0.0
    assert levels.mean() > 0.5


def test_deferred_work_carries_over_and_is_measured(seed):
    # 480 items a day x 4 min = 32 agent-hours; 20 agents 08:00-10:00 give 40
    data = day([10] * 48, [0] * 16 + [20] * 4 + [0] * 28)
    data["channels"]["phone"] = {"kind": "deferred", "handle_time": EXP4,
                                 "arrivals": {"volumes": [10] * 48}}
    data["standards"] = [{"contacts": "phone", "metric": "response", "percent": 95,
                          "within": "24h"}]
    _, result = run_log(data, 2, seed)
    log = result.contacts
    assert (log["outcome"] == "done").all()  # nothing dropped at the end of the day
    late_arrivals = log[log["arrival_s"] > 10 * 3600]
    assert (late_arrivals["answered_s"] > 86400).all()  # worked the next morning
    assert result.standards["attainment"].iloc[0] == pytest.approx(1.0)


def test_business_hours_deadlines_count_only_open_time(seed):
    volumes = [0] * 34 + [30] + [0] * 13  # requests arrive 17:00-17:30
    data = day(volumes, [0] * 16 + [10, 10] + [0] * 30)  # worked 08:00-09:00
    data["opening_hours"] = {"daily": "08:00-18:00"}
    data["channels"]["phone"] = {"kind": "deferred", "handle_time": {
        "dist": "exponential", "mean": "2m"}, "arrivals": {"volumes": volumes}}
    data["standards"] = [
        {"contacts": "phone", "metric": "response", "percent": 90, "within": "2h",
         "clock": "business"},
        {"contacts": "phone", "metric": "response", "percent": 90, "within": "2h"}]
    _, result = run_log(data, 3, seed)
    business, wall = result.standards["attainment"]
    # 17:15 + 2 open hours = 09:15 next day: met; on the wall clock: 19:15, missed
    assert business == pytest.approx(1.0) and wall == pytest.approx(0.0)


# -- abandonment, retries, repeats ------------------------------------------------------

def test_abandoners_retry_as_new_tagged_contacts(seed):
    data = day([150] * 48, 15, patience={"dist": "exponential", "mean": "1m"},
               retry={"share": 1.0, "delay": {"dist": "exponential", "mean": "5m"}})
    # one replication: the day's cascade of retries is some 200,000 contacts
    _, result = run_log(data, 1, seed)
    log = result.contacts
    retries = (log["origin"] == "retry").sum()
    abandoned = (log["outcome"] == "abandoned").sum()
    assert retries > 1000
    # every abandoner calls again; only those whose retry falls past the day are missing
    assert abandoned * 0.97 <= retries <= abandoned


def test_unresolved_contacts_come_back_as_repeats(seed):
    data = day([100] * 48, 30, fcr="75%", repeat_delay={"dist": "exponential", "mean": "1h"})
    _, result = run_log(data, 4, seed)
    origin = result.contacts["origin"].value_counts()
    # a repeat can itself be unresolved: (1 - fcr) / fcr = 1/3 repeats per first contact
    assert origin["repeat"] / origin["first"] == pytest.approx(1 / 3, rel=0.06)


# -- staffing over time -------------------------------------------------------------------

def test_agents_starting_mid_day_take_waiting_work_at_once(seed):
    volumes = [0] * 16 + [30] * 4 + [0] * 28
    _, records = engine_run(day(volumes, [0] * 20 + [3] * 28), seed)
    answered = sorted(c.first_start_s for c in records.contacts)
    assert answered[:3] == [10 * 3600.0] * 3  # three agents arrive at 10:00


def test_an_agent_whose_shift_ends_finishes_the_contact_in_hand(seed):
    volumes = [0] * 16 + [60, 60] + [0] * 30
    data = day(volumes, [0] * 16 + [4, 4] + [0] * 30)
    data["channels"]["phone"]["handle_time"] = {"dist": "deterministic", "value": "10m"}
    _, records = engine_run(data, seed)
    starts = np.array([c.first_start_s for c in records.contacts])
    ends = np.array([c.end_s for c in records.contacts])
    served = ~np.isnan(starts)
    # nobody starts between the end of the shift and the next day's shift
    assert not ((starts[served] >= 9 * 3600) & (starts[served] < 32 * 3600)).any()
    assert (ends[served] > 9 * 3600).any()  # but contacts in hand are finished
    assert np.isnan(ends[served]).sum() == 0


# -- multi-stage work --------------------------------------------------------------------

def test_stages_are_served_by_their_pools_with_deadlines_from_arrival(seed):
    data = day([0] * 16 + [20] * 20 + [0] * 12, 0)
    data["channels"]["phone"] = {"kind": "deferred", "handle_time": EXP4,
                                 "arrivals": {"volumes": [0] * 16 + [20] * 20 + [0] * 12}}
    data["contact_types"] = {"phone/all": {"stages": [
        {"name": "first_contact", "handle_time": {"dist": "exponential", "mean": "5m"}},
        {"name": "assessment", "handle_time": {"dist": "exponential", "mean": "20m"}}]}}
    data["pools"] = [
        {"name": "front", "skills": [{"contacts": "phone", "stage": "first_contact"}],
         "staffing": [8] * 48},
        {"name": "experts", "skills": [{"contacts": "phone", "stage": "assessment"}],
         "staffing": [12] * 48}]
    data["standards"] = [
        {"contacts": "phone", "metric": "first_contact", "event": "start", "percent": 90,
         "within": "15m"},
        {"contacts": "phone", "metric": "assessment", "percent": 90, "within": "2h"}]
    scenario, result = run_log(data, 3, seed)
    busy = result.pools.groupby("pool")["busy_agent_s"].sum()
    offered = result.intervals["offered"].sum()
    # the experts do the 20-minute stage, the front line the 5-minute one
    assert busy["experts"] / busy["front"] == pytest.approx(4.0, rel=0.1)
    assert busy["front"] == pytest.approx(offered * 300, rel=0.1)
    assert (result.standards["attainment"] > 0.9).all()


# -- measurement ----------------------------------------------------------------------------

def test_warm_up_removes_the_empty_start(seed):
    data = day([110] * 48, 16)
    cold = run_log(data, 20, seed)[1].intervals
    warm = run_log(data, 20, seed, warmup_cycles=1)[1].intervals
    first = {name: table.loc[table["interval"] == 0, "asa_s"].item()
             for name, table in (("cold", cold), ("warm", warm))}
    steady = warm["asa_s"].mean()
    assert first["cold"] < 0.6 * steady  # an empty centre answers at once
    assert first["warm"] == pytest.approx(steady, rel=0.35)


def test_queue_time_integral_equals_the_sum_of_waits_per_queue(seed):
    # Little's law on the sample path: the time-average number waiting times the
    # run length equals the total time spent waiting, for each queue.
    data = prioritised()
    data["channels"]["phone"]["patience"] = {"dist": "exponential", "mean": "2m"}
    data["channels"]["phone"]["arrivals"] = {"volumes": [110] * 40 + [0] * 8}
    _, records = engine_run(data, seed)
    for queue, area in records.queue_area_s.items():
        mine = [c for c in records.contacts if f"{queue}".startswith(
            ("phone/gold" if c.type_index == 0 else "phone/basic") + ":")]
        waited = sum((c.first_start_s if not np.isnan(c.first_start_s) else
                      min(c.abandon_s, records.end_s)) - c.arrival_s for c in mine)
        assert area == pytest.approx(waited, rel=1e-9)
        assert area > 0


def test_no_draws_in_library_code_from_global_random_state():
    import pathlib
    import re
    source = pathlib.Path(svcsim.__file__).parent
    pattern = re.compile(r"np\.random\.(?!default_rng|Generator|SeedSequence)\w+\(|"
                         r"^\s*import random|random\.random\(")
    offenders = [str(path) for path in source.rglob("*.py")
                 if any(pattern.search(line) for line in path.read_text().splitlines())]
    assert offenders == []


def test_copy_of_scenario_mapping_is_not_needed_between_runs(seed):
    data = day([50] * 48, 10)
    before = copy.deepcopy(data)
    run_log(data, 1, seed)
    assert data == before


def test_progress_updates_are_measured_as_the_longest_silence(seed):
    volumes = [0] * 16 + [10] * 4 + [0] * 28
    data = day(volumes, 20)
    data["channels"]["phone"] = {"kind": "deferred", "handle_time": {
        "dist": "deterministic", "value": "5m"}, "arrivals": {"volumes": volumes}}
    data["contact_types"] = {"phone/all": {"stages": [
        {"name": "first_contact"},
        {"name": "fix", "delay": {"dist": "deterministic", "value": "6h"}}]}}
    data["standards"] = [
        {"contacts": "phone", "metric": "progress_update", "percent": 90, "every": "4h"},
        {"contacts": "phone", "metric": "progress_update", "percent": 90, "every": "7h"}]
    _, result = run_log(data, 2, seed)
    # 20 agents, 10 items per half hour: served at once, then 6 h of silence
    every_4h, every_7h = result.standards["attainment"]
    assert every_4h == pytest.approx(0.0) and every_7h == pytest.approx(1.0)


def test_a_day_scope_standard_is_judged_on_its_worst_day(seed):
    data = day([100] * 96, [18] * 48 + [14] * 48)  # day 2 runs short of agents
    data["horizon"]["days"] = 2
    data["channels"]["phone"]["arrivals"] = {"volumes": [100] * 96}
    data["standards"] = [
        {"contacts": "phone", "percent": 50, "within": "20s", "scope": "day"},
        {"contacts": "phone", "percent": 50, "within": "20s", "scope": "week"}]
    _, result = run_log(data, 5, seed)
    by_day, whole = result.standards.itertuples()
    assert whole.attainment > 0.55 and whole.verdict == "met"
    assert by_day.verdict == "missed"


def test_busy_time_per_interval_equals_the_overlap_of_every_service():
    rng = np.random.default_rng(3)
    start = rng.uniform(0, 3600, 400)
    end = start + rng.exponential(300, 400)
    share = rng.choice([1.0, 1 / 3], 400)  # voice, and one of three chat slots
    edges = np.arange(0, 4801, 900.0)
    overlap = [(np.clip(np.minimum(end, b) - np.maximum(start, a), 0, None) * share).sum()
               for a, b in zip(edges[:-1], edges[1:], strict=True)]
    assert np.allclose(np.diff(busy_until(edges, start, end, share)), overlap)
