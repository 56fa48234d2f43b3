"""Trunk lines: a channel holding at most K calls, waiting plus in service.

The analytic M/M/c/K is checked against the textbook closed form written out
with factorials here, and against Erlang B, C and A at its limits; the
simulator against the closed form inside a 99 % CI. Seeds come from the
``seed`` fixture (SVCSIM_TEST_SEED)."""

from __future__ import annotations

from math import factorial

import numpy as np
import pytest
from scipy import stats

import svcsim
from svcsim.queueing import erlang_a, erlang_b, erlang_c
from svcsim.queueing.blocking import erlang_k
from svcsim.sim import simulate

HALF_HOUR = 1800.0


def mmck_blocking(c: int, k: int, load: float) -> float:
    """Blocking probability of M/M/c/K (Gross & Harris): p_n = a^n / n! p_0 for
    n < c, a^n / (c! c^(n-c)) p_0 for c <= n <= K; blocking = p_K (PASTA)."""
    terms = [load ** n / factorial(n) if n < c else load ** n / (factorial(c) * c ** (n - c))
             for n in range(k + 1)]
    return terms[k] / sum(terms)


@pytest.mark.parametrize(("c", "k", "load"), [(1, 1, 0.5), (3, 5, 2.5), (10, 14, 10.0),
                                              (20, 30, 25.0), (5, 5, 4.0)])
def test_mmck_blocking_matches_the_closed_form(c, k, load):
    result = erlang_k(c, load / 180.0, 180.0, k, 20.0)
    assert result.blocking == pytest.approx(mmck_blocking(c, k, load), rel=1e-9)


def test_mmck_limits_are_erlang_b_c_and_a():
    assert erlang_k(10, 8 / 180, 180.0, 10, 20.0).blocking == pytest.approx(erlang_b(10, 8.0))
    many = erlang_k(12, 10 / 180, 180.0, 500, 20.0)
    plain = erlang_c(12, 10 / 180, 180.0, 20.0)
    assert many.service_level == pytest.approx(plain.service_level, rel=1e-9)
    assert many.asa == pytest.approx(plain.asa, rel=1e-9)
    many = erlang_k(11, 12 / 180, 180.0, 500, 20.0, mean_patience=180.0)
    palm = erlang_a(11, 12 / 180, 180.0, 180.0, 20.0)
    assert many.service_level == pytest.approx(palm.service_level, rel=1e-9)
    assert many.abandon_rate == pytest.approx(palm.abandon_rate, rel=1e-9)


def ci99(values) -> tuple[float, float, float]:
    values = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.995, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean(), values.mean() - half, values.mean() + half


def trunked(agents: int, trunks: int, per_half_hour: float, patience_s=None) -> svcsim.Scenario:
    phone = {"kind": "immediate", "trunks": trunks,
             "handle_time": {"dist": "exponential", "mean": "3m"},
             "arrivals": {"volumes": [per_half_hour] * 48 * 7}}
    if patience_s is not None:
        phone["patience"] = {"dist": "exponential", "mean": patience_s}
    return svcsim.scenario_from_dict({
        "name": "trunks", "horizon": {"days": 7, "interval": "30m"},
        "channels": {"phone": phone}, "tiers": {"all": {"priority": 1}},
        "standards": [{"contacts": "phone", "percent": 80, "within": "20s"}],
        "pools": [{"name": "agents", "skills": [{"contacts": "phone"}], "headcount": agents}],
    })


def test_simulated_blocking_matches_mmck(seed):
    # 10 Erlangs on 10 agents and 14 lines: 9.9 % of calls find every line busy
    result = simulate(trunked(10, 14, 100), replications=10, seed=seed, keep_contacts=True)
    theory = mmck_blocking(10, 14, 10.0)
    log = result.contacts
    blocked = log["outcome"].eq("blocked").groupby(log["replication"]).mean()
    mean, low, high = ci99(blocked)
    assert low <= theory <= high
    assert high - low < 0.2 * theory
    # blocked calls are offered and missed against the standard
    assert result.intervals["blocked"].sum() == pytest.approx(log["outcome"].eq("blocked").sum()
                                                             / 10)
    attained = log.assign(met=log["wait_s"] <= 20).groupby("replication")["met"].mean()
    expected = erlang_k(10, 100 / HALF_HOUR, 180.0, 14, 20.0).service_level
    mean, low, high = ci99(attained)
    assert low <= expected <= high


def test_simulated_blocking_with_abandonment_matches_mmck_plus_m(seed):
    result = simulate(trunked(10, 14, 110, patience_s=120), replications=10, seed=seed,
                      keep_contacts=True)
    theory = erlang_k(10, 110 / HALF_HOUR, 180.0, 14, 20.0, mean_patience=120.0)
    log = result.contacts
    for outcome, expected in (("blocked", theory.blocking), ("abandoned", theory.abandon_rate)):
        share = log["outcome"].eq(outcome).groupby(log["replication"]).mean()
        mean, low, high = ci99(share)
        assert low <= expected <= high, (outcome, expected, low, high)


def test_requirements_count_blocked_calls_as_missed(seed):
    # 10 Erlangs, 80 % within 20 s. With unlimited lines Erlang C asks 14
    # agents; with 14 lines a call finding 14 on the line is lost (a miss)
    # but nobody waits behind more than a few, so M/M/c/K asks fewer: 12.
    free = svcsim.requirements(trunked(10, 10_000, 100).replace(
        channels={"phone": {"kind": "immediate", "handle_time": {"dist": "exponential",
                                                                 "mean": "3m"},
                            "arrivals": {"volumes": [100] * 48 * 7}}}))
    tight = svcsim.requirements(trunked(10, 14, 100))
    rows = tight.contacts
    assert set(rows["method"]) == {"erlang_k"}
    need = int(rows["required_agents"].iloc[0])
    assert need < int(free.contacts["required_agents"].iloc[0])
    lam = 100 / HALF_HOUR
    assert erlang_k(need, lam, 180.0, 14, 20.0).service_level >= 0.80
    assert erlang_k(need - 1, lam, 180.0, 14, 20.0).service_level < 0.80
    assert rows["block_rate"].iloc[0] == pytest.approx(
        erlang_k(need, lam, 180.0, 14, 20.0).blocking)
    # the simulator at that staffing meets the standard, blocked calls and all
    result = simulate(trunked(need, 14, 100), replications=6, seed=seed)
    assert result.standards["attainment_low"].iloc[0] >= 0.80 - 0.01


def test_too_few_lines_cap_the_requirement_and_show_the_shortfall():
    # 10 Erlangs on 11 lines: even 11 agents block 8 % of calls, so 80 %
    # within 20 s can still be met, but 95 % within 20 s cannot
    scenario = trunked(10, 11, 100).replace(
        standards=({"contacts": "phone", "percent": 95, "within": "20s"},))
    rows = svcsim.requirements(scenario).contacts
    assert (rows["required_agents"] == 11).all()
    assert (rows["service_level"] < 0.95).all()


def test_no_agents_and_no_patience_blocks_every_call():
    result = erlang_k(0, 0.05, 180.0, 5, 20.0)
    assert (result.blocking, result.service_level) == (1.0, 0.0)
