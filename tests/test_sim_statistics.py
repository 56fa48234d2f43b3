"""The simulator against queueing theory: each known answer must lie inside the
simulated 99 % confidence interval, and the interval must be tight enough to
mean something. Seeds come from the ``seed`` fixture (SVCSIM_TEST_SEED)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import svcsim
from svcsim.queueing import erlang_a, erlang_c
from svcsim.sim import simulate

HALF_HOUR = 1800.0


def flat_queue(per_half_hour: float, aht_s: float, agents: int, *, patience_s=None,
               within_s=20.0, tiers=None, days=7) -> svcsim.Scenario:
    """A 24x7 single-skill queue with a flat arrival rate over a week: the run
    starts empty, a bias confined to its first minutes out of 10,080. Tests
    of the same numbers, not of the queue's, take a day (``days``)."""
    phone = {"kind": "immediate", "handle_time": {"dist": "exponential", "mean": aht_s},
             "arrivals": {"volumes": [per_half_hour] * 48 * days}}
    if patience_s is not None:
        phone["patience"] = {"dist": "exponential", "mean": patience_s}
    return svcsim.scenario_from_dict({
        "name": "flat", "horizon": {"days": days, "interval": "30m"},
        "channels": {"phone": phone},
        "tiers": tiers or {"all": {"priority": 1}},
        "standards": [{"contacts": "phone", "percent": 80, "within": within_s}],
        "pools": [{"name": "agents", "skills": [{"contacts": "phone/*"}], "headcount": agents}],
    })


def ci99(values) -> tuple[float, float, float]:
    values = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.995, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean(), values.mean() - half, values.mean() + half


def day_attainment(result) -> np.ndarray:
    log = result.contacts
    return log.assign(met=log["answered_s"].notna() & (log["wait_s"] <= 20.0)) \
        .groupby("replication")["met"].mean().to_numpy()


def test_mmc_matches_erlang_c(seed):
    # 10 Erlangs on 12 agents: P(wait) 0.45, SL(20 s) 0.64, ASA 40 s
    scenario = flat_queue(100, 180, 12)
    result = simulate(scenario, replications=20, seed=seed, keep_contacts=True)
    theory = erlang_c(12, 100 / HALF_HOUR, 180.0, 20.0)
    mean, low, high = ci99(day_attainment(result))
    assert low <= theory.service_level <= high
    assert high - low < 0.03
    answered = result.contacts[result.contacts["answered_s"].notna()]
    mean, low, high = ci99(answered.groupby("replication")["wait_s"].mean())
    assert low <= theory.asa <= high
    assert high - low < 0.2 * theory.asa


def test_mmc_plus_m_matches_erlang_a(seed):
    # 12 Erlangs offered to 11 agents, patience 3 min: overloaded but stable
    scenario = flat_queue(120, 180, 11, patience_s=180)
    result = simulate(scenario, replications=20, seed=seed, keep_contacts=True)
    theory = erlang_a(11, 120 / HALF_HOUR, 180.0, 180.0, 20.0)
    mean, low, high = ci99(day_attainment(result))
    assert low <= theory.service_level <= high
    assert high - low < 0.03
    abandoned = result.contacts["outcome"].eq("abandoned").groupby(
        result.contacts["replication"]).mean()
    mean, low, high = ci99(abandoned)
    assert low <= theory.abandon_rate <= high
    assert high - low < 0.02


def test_two_class_priority_waits_match_cobham(seed):
    # Non-preemptive priority M/M/c, equal service rates (Cobham):
    # W_k = C / (c mu (1 - s_{k-1}) (1 - s_k)), s_k = load of classes <= k / c.
    tiers = {"gold": {"priority": 1, "share": 0.3}, "basic": {"priority": 2, "share": 0.7}}
    scenario = flat_queue(100, 180, 12, tiers=tiers)
    scenario = scenario.replace(pools=({"name": "agents", "headcount": 12, "skills": [
        {"contacts": "phone/gold", "priority": 1}, {"contacts": "phone/basic", "priority": 2}]},))
    result = simulate(scenario, replications=20, seed=seed, keep_contacts=True)
    c, mu, lam = 12, 1 / 180, 100 / HALF_HOUR
    wait_prob = erlang_c(c, lam, 180.0, 0.0).wait_probability
    s1 = 0.3 * lam / (c * mu)
    s2 = lam / (c * mu)
    expected = {"phone/gold": wait_prob / (c * mu * (1 - s1)),
                "phone/basic": wait_prob / (c * mu * (1 - s1) * (1 - s2))}
    log = result.contacts
    for name, theory in expected.items():
        waits = log[log["contact_type"] == name].groupby("replication")["wait_s"].mean()
        mean, low, high = ci99(waits)
        assert low <= theory <= high, (name, theory, low, high)
        assert high - low < 0.2 * theory
    assert expected["phone/gold"] < 0.5 * expected["phone/basic"]


def test_every_offered_contact_is_accounted_for(seed):
    scenario = flat_queue(150, 180, 14, patience_s=120)
    result = simulate(scenario, replications=3, seed=seed, keep_contacts=True)
    log = result.contacts
    assert len(log) > 3 * 7 * 48 * 140
    assert set(log["outcome"]) <= {"done", "abandoned", "in_service", "waiting"}
    offered = result.intervals.groupby("contact_type")["offered"].sum().sum() * 3
    assert len(log) == pytest.approx(offered)
    answered = log["answered_s"].notna()
    assert ((log["outcome"] == "abandoned") == ~answered).all()
    assert (log["wait_s"] >= 0).all()


def test_same_seed_same_numbers_on_any_number_of_workers(seed):
    scenario = flat_queue(80, 200, 10, patience_s=150, days=1)
    serial = simulate(scenario, replications=4, seed=seed)
    again = simulate(scenario, replications=4, seed=seed)
    parallel = simulate(scenario, replications=4, seed=seed, workers=2)
    for other in (again, parallel):
        assert serial.intervals.equals(other.intervals)
        assert serial.standards.equals(other.standards)
    different = simulate(scenario, replications=4, seed=seed + 1)
    assert not serial.intervals.equals(different.intervals)


def test_dask_backend_gives_the_same_numbers(seed):
    distributed = pytest.importorskip("dask.distributed")
    scenario = flat_queue(80, 200, 10, patience_s=150, days=1)
    local = simulate(scenario, replications=3, seed=seed)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = simulate(scenario, replications=3, seed=seed, backend="dask", client=client)
    assert local.intervals.equals(remote.intervals)
    assert local.standards.equals(remote.standards)
    assert remote.settings["backend"] == "dask"


def test_progress_is_reported_per_replication(seed):
    seen = []
    simulate(flat_queue(20, 200, 5), replications=4, seed=seed,
             progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
