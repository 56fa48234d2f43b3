"""Erlang B, C and A against independent references: exact rational arithmetic,
textbook values, closed forms, limits, and properties that must always hold."""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from svcsim.queueing import erlang_a, erlang_b, erlang_c, required_agents


def exact_erlang_b(n: int, load: Fraction) -> Fraction:
    """The textbook formula, in exact rationals."""
    terms = [load**k / math.factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def exact_erlang_c(n: int, load: Fraction) -> Fraction:
    top = load**n / math.factorial(n) * n / (n - load)
    return top / (sum(load**k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize("n", [1, 2, 5, 11, 20, 30])
@pytest.mark.parametrize("load", [Fraction(1, 2), Fraction(3), Fraction(19, 2), Fraction(24)])
def test_erlang_b_and_c_equal_the_exact_formula(n, load):
    assert erlang_b(n, float(load)) == pytest.approx(float(exact_erlang_b(n, load)), rel=1e-12)
    if n > load:
        lam, service = float(load) / 180, 180.0
        result = erlang_c(n, lam, service, 0.0)
        assert result.wait_probability == pytest.approx(float(exact_erlang_c(n, load)), rel=1e-12)


def test_textbook_values():
    assert round(erlang_b(10, 10.0), 4) == 0.2146
    assert round(erlang_c(11, 10 / 180, 180.0, 20.0).wait_probability, 4) == 0.6821


def test_mm1_and_mm2_closed_forms():
    lam, mu, t = 0.7, 1.0, 2.0
    mm1 = erlang_c(1, lam, 1 / mu, t)
    assert mm1.wait_probability == pytest.approx(lam / mu)
    assert mm1.service_level == pytest.approx(1 - lam / mu * math.exp(-(mu - lam) * t))
    assert mm1.asa == pytest.approx(lam / (mu * (mu - lam)))
    rho = lam / 2  # M/M/2: P(wait) = 2 rho^2 / (1 + rho)
    assert erlang_c(2, lam, 1.0, 0.0).wait_probability == pytest.approx(2 * rho**2 / (1 + rho))


def mandelbaum_zeltyn(n, lam, service, patience):
    """P(wait) and P(abandon) of Erlang A from the incomplete-gamma closed form."""
    mu, theta = 1 / service, 1 / patience
    x, y = n * mu / theta, lam / theta
    log_s = math.log(x) + y - x * math.log(y) + special.gammaln(x) + math.log(special.gammainc(x, y))
    s = math.exp(log_s)
    b = erlang_b(n, lam / mu)
    wait = b * s / (1 - b + b * s)
    rho = lam / (n * mu)
    return wait, wait * (1 / (rho * s) + 1 - 1 / rho)


@pytest.mark.parametrize(("n", "per_hour", "service", "patience"), [
    (11, 240, 180, 180), (5, 60, 300, 60), (40, 900, 150, 600), (3, 100, 120, 30)])
def test_erlang_a_matches_the_closed_form(n, per_hour, service, patience):
    lam = per_hour / 3600
    wait, abandon = mandelbaum_zeltyn(n, lam, service, patience)
    result = erlang_a(n, lam, service, patience, 20.0)
    assert result.wait_probability == pytest.approx(wait, rel=1e-9)
    assert result.abandon_rate == pytest.approx(abandon, rel=1e-9)


def test_erlang_a_with_patience_equal_to_service_is_an_infinite_server_queue():
    # theta = mu: the number in system is Poisson(lambda / mu)
    n, lam, service = 8, 6 / 200, 200.0
    load = lam * service
    result = erlang_a(n, lam, service, service, 0.0)
    k = np.arange(0, 400)
    pmf = stats.poisson.pmf(k, load)
    assert result.wait_probability == pytest.approx(stats.poisson.sf(n - 1, load), rel=1e-9)
    expected_queue = (np.maximum(k - n, 0) * pmf).sum()
    assert result.abandon_rate == pytest.approx(expected_queue / service / lam, rel=1e-9)


def test_erlang_a_approaches_erlang_c_as_patience_grows():
    c = erlang_c(12, 100 / 1800, 180.0, 20.0)
    a = erlang_a(12, 100 / 1800, 180.0, 1e8, 20.0)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-5)
    assert a.wait_probability == pytest.approx(c.wait_probability, abs=1e-5)
    assert a.asa == pytest.approx(c.asa, rel=1e-4)


def test_erlang_a_abandonment_agrees_with_littles_law():
    # theta E[Q] / lambda computed from the chain two ways: the per-position
    # abandonment the module sums, and P(abandon) = P(W > 0) (1 - 1/rho) + pi_n / rho
    n, lam, service, patience = 9, 0.05, 200.0, 150.0
    result = erlang_a(n, lam, service, patience, 10.0)
    _, abandon = mandelbaum_zeltyn(n, lam, service, patience)
    assert result.abandon_rate == pytest.approx(abandon, rel=1e-9)
    served = 1 - result.abandon_rate
    assert result.occupancy == pytest.approx(lam * service * served / n)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 300), load_share=st.floats(0.05, 1.5), service=st.floats(30, 900),
       patience=st.floats(10, 2000), threshold=st.floats(0, 120))
def test_more_agents_are_never_worse(n, load_share, service, patience, threshold):
    lam = n * load_share / service
    for model in ("c", "a"):
        if model == "c":
            less, more = (erlang_c(k, lam, service, threshold) for k in (n, n + 1))
        else:
            less, more = (erlang_a(k, lam, service, patience, threshold) for k in (n, n + 1))
        assert more.service_level >= less.service_level - 1e-12
        assert more.abandon_rate <= less.abandon_rate + 1e-12
        assert more.asa <= less.asa + 1e-9 or not np.isfinite(less.asa)
        for value in (more.service_level, more.wait_probability, more.abandon_rate,
                      more.occupancy):
            assert 0.0 <= value <= 1.0


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 3000), load_share=st.floats(0.5, 1.2), threshold=st.floats(0, 60))
def test_stable_and_bounded_at_large_sizes(n, load_share, threshold):
    service = 300.0
    lam = n * load_share / service
    longer = threshold + 10
    for result, later in ((erlang_c(n, lam, service, threshold), erlang_c(n, lam, service, longer)),
                          (erlang_a(n, lam, service, 180.0, threshold),
                           erlang_a(n, lam, service, 180.0, longer))):
        for value in (result.service_level, result.wait_probability, result.abandon_rate):
            assert np.isfinite(value) and 0 <= value <= 1
        assert later.service_level >= result.service_level - 1e-12


def test_two_thousand_agents():
    # 1,950 Erlangs on 2,000 agents: square-root staffing with beta = 50 / sqrt(1950) = 1.13
    # gives P(wait) near the Halfin-Whitt value 1 / (1 + beta Phi(beta) / phi(beta)) = 0.18.
    result = erlang_c(2000, 1950 / 300, 300.0, 20.0)
    beta = 50 / math.sqrt(1950)
    halfin_whitt = 1 / (1 + beta * stats.norm.cdf(beta) / stats.norm.pdf(beta))
    assert result.wait_probability == pytest.approx(halfin_whitt, abs=0.02)
    a = erlang_a(2000, 2100 / 300, 300.0, 180.0, 20.0)  # overloaded, patience saves it
    assert 0.04 < a.abandon_rate < 0.1 and np.isfinite(a.asa)


@pytest.mark.parametrize("patience", [None, 180.0])
def test_required_agents_is_exactly_minimal(patience):
    for per_half_hour in (5, 40, 100, 350, 1200):
        lam = per_half_hour / 1800
        for target, threshold in ((0.8, 20.0), (0.9, 15.0), (0.95, 300.0)):
            n = required_agents(lam, 240.0, target, threshold, mean_patience=patience)
            levels = [erlang_c(k, lam, 240.0, threshold).service_level if patience is None
                      else erlang_a(k, lam, 240.0, patience, threshold).service_level
                      for k in (max(n - 1, 0), n)]
            assert levels[1] >= target
            assert n == 0 or levels[0] < target


def test_required_agents_bank_case_by_hand():
    # 100 calls per half hour, 3-minute calls: 10 Erlangs. By hand, with the
    # Erlang B recursion from B(10) = 0.21458: B(11) = 0.16323, B(12) = 0.11974,
    # B(13) = 0.08434, B(14) = 0.05682.
    # 13 agents: C = 0.08434 / (1 - 10/13 x 0.91566) = 0.2853,
    #            SL = 1 - 0.2853 exp(-3/180 x 20) = 0.7956 < 0.8
    # 14 agents: C = 0.05682 / (1 - 10/14 x 0.94318) = 0.1741,
    #            SL = 1 - 0.1741 exp(-4/180 x 20) = 0.8884 >= 0.8  -> 14 agents
    assert erlang_c(13, 100 / 1800, 180.0, 20.0).service_level == pytest.approx(0.7956, abs=1e-4)
    assert erlang_c(14, 100 / 1800, 180.0, 20.0).service_level == pytest.approx(0.8884, abs=1e-4)
    assert required_agents(100 / 1800, 180.0, 0.8, 20.0) == 14


def test_required_agents_vectorised_equals_elementwise_and_is_fast():
    rng = np.random.default_rng(5)
    lam = rng.uniform(0, 400, 6720) / 900
    aht = rng.uniform(120, 600, 6720)
    start = time.perf_counter()
    vector = required_agents(lam, aht, 0.8, 20.0)
    elapsed = time.perf_counter() - start
    picks = rng.choice(6720, 40, replace=False)
    assert [required_agents(lam[i], aht[i], 0.8, 20.0) for i in picks] == vector[picks].tolist()
    assert elapsed < 30  # a guard against a pathological loop, not a benchmark


def test_occupancy_cap_and_zero_arrivals():
    lam = 100 / 1800
    assert required_agents(lam, 180.0, 0.5, 60.0, max_occupancy=0.7) == math.ceil(10 / 0.7)
    assert required_agents(0.0, 180.0, 0.8, 20.0) == 0
    assert erlang_c(0, 0.0, 180.0, 20.0).service_level == 1.0


def test_patience_relieves_the_queue():
    # Abandonment removes waiting customers, so Erlang A never needs more agents.
    for per_half_hour in (20, 100, 500):
        lam = per_half_hour / 1800
        assert required_agents(lam, 240.0, 0.8, 20.0, mean_patience=120.0) <= \
            required_agents(lam, 240.0, 0.8, 20.0)


def test_unstable_erlang_c_and_no_agents():
    unstable = erlang_c(10, 12 / 180, 180.0, 20.0)
    assert (unstable.wait_probability, unstable.service_level, unstable.asa) == (1.0, 0.0, math.inf)
    nobody = erlang_a(0, 0.1, 180.0, 60.0, 20.0)
    assert nobody.abandon_rate == pytest.approx(1.0) and nobody.service_level == 0.0


@pytest.mark.parametrize(("call", "name"), [
    (lambda: erlang_c(-1, 0.1, 180, 20), "agents"),
    (lambda: erlang_c(2.5, 0.1, 180, 20), "agents"),
    (lambda: erlang_c(5, -0.1, 180, 20), "arrival_rate"),
    (lambda: erlang_a(5, 0.1, 180, 0, 20), "mean_patience"),
    (lambda: required_agents(0.1, 180, 1.2, 20), "target"),
    (lambda: required_agents(0.1, 180, 0.8, 20, max_occupancy=1.5), "max_occupancy"),
])
def test_bad_arguments_name_themselves(call, name):
    with pytest.raises(ValueError, match=name):
        call()
