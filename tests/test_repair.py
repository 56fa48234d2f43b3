"""Sizing a repair for a standard held in every interval: the mean it aims
at is one the certification can show, checked against binomial sampling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from svcsim.repair import certifiable_mean


@pytest.mark.parametrize(("target", "mean", "contacts"),
                         [(0.8, 0.78, 400), (0.9, 0.61, 15), (0.8, 0.95, 60)])
def test_the_aimed_mean_is_certified_about_half_the_time(seed, target, mean, contacts):
    """Replications of ``contacts`` binomial answers each: today's one-sided
    95 % half-width at ``mean`` is measured from 10 replications; at the mean
    the raise aims for, with 8 times the replications (the planner's cap),
    the one-sided bound clears the target in about half the runs (the aim is
    the point where the bound meets the target), far more often than at
    today's mean plus today's shortfall would need, and never at a mean
    below the target."""
    rng = np.random.default_rng(seed)
    z = stats.t.ppf(0.95, 9)
    half = z * np.sqrt(mean * (1 - mean) / contacts / 10)
    aimed = certifiable_mean(target, mean, half * np.sqrt(10 / 80))
    assert aimed >= target
    shares = rng.binomial(contacts, aimed, size=(4000, 80)) / contacts
    bound = shares.mean(axis=1) - stats.t.ppf(0.95, 79) * shares.std(axis=1, ddof=1) / np.sqrt(80)
    certified = float((bound >= target).mean())
    # 4,000 runs: the share certified has a standard error under 0.8 points
    assert 0.40 <= certified <= 0.60, (aimed, certified)
    assert aimed < max(mean, target) + half  # below what today's interval would ask


def test_no_half_width_asks_for_the_target():
    assert certifiable_mean(0.8, 0.7, 0.0) == 0.8
    assert certifiable_mean(0.8, 1.0, 0.05) == pytest.approx(0.85)
