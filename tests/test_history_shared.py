"""The day factor shared by every contact type: the simulator draws it (the
daily totals of two contact types correlate as the closed form says), the fit
recovers it from daily counts, and a scenario cannot claim more shared
uncertainty than a contact type has."""

from __future__ import annotations

import numpy as np
from scipy import stats

from svcsim import scenario_from_dict
from svcsim.history.arrivals import shared_cv, shared_cv_interval
from svcsim.sim.replications import run_all
from svcsim.sim.staffing import on_duty, scheduled_staffing
from test_cli import assert_clean_error, run, write_scenario

CV, SHARED = 0.2, 0.15
PHONE, CHAT = 400.0, 200.0  # contacts a day


def _two_channels(shared: float, cv: float = CV) -> dict:
    def channel(per_day):
        return {"kind": "immediate", "handle_time": {"dist": "exponential", "mean": "1m"},
                "patience": {"dist": "exponential", "mean": "1m"},
                "arrivals": {"volumes": {"start": "09:00", "values": [per_day / 4] * 4},
                             "forecast_cv": cv}}

    return {"name": "two channels", "horizon": {"days": 1, "interval": "1h"},
            "shared_forecast_cv": shared,
            "channels": {"phone": channel(PHONE), "chat": channel(CHAT)},
            "tiers": {"all": {"priority": 1}},
            "pools": [{"name": "desk", "skills": [{"contacts": "*"}], "headcount": 1}]}


def test_the_simulator_draws_one_shared_day_factor(seed):
    """Day totals are Poisson given the day factor: with a shared factor of cv
    s and each type's whole cv c, Cov = mu1 mu2 s^2 and Var = mu + c^2 mu^2,
    so the correlation of the two channels' days is 0.51; each channel keeps
    its own cv 0.2 (the own factor carries the rest)."""
    scenario = scenario_from_dict(_two_channels(SHARED))
    agents = on_duty(scenario, scheduled_staffing(scenario, None))
    days = 200
    runs = run_all(scenario, agents, seed, days, 0, False)
    totals = np.array([[run.intervals.loc[run.intervals["contact_type"] == name, "offered"].sum()
                        for run in runs] for name in ("phone/all", "chat/all")], dtype=float)
    var = [mu + CV**2 * mu**2 for mu in (PHONE, CHAT)]
    expected = PHONE * CHAT * SHARED**2 / np.sqrt(var[0] * var[1])
    r = np.corrcoef(totals)[0, 1]
    # Fisher's z: the sample correlation's standard error is 1 / sqrt(days - 3)
    assert abs(np.arctanh(r) - np.arctanh(expected)) < 3.5 / np.sqrt(days - 3), (r, expected)
    for row, mu, v in zip(totals, (PHONE, CHAT), var, strict=True):
        assert abs(row.mean() - mu) < 4 * np.sqrt(v / days)
        low, high = stats.chi2.ppf([0.0005, 0.9995], days - 1) / (days - 1)
        assert low * v < row.var(ddof=1) < high * v  # the whole cv is still 0.2


def _daily(rng, shared: float, weeks: int = 12, means=(900.0, 500.0, 300.0)) -> np.ndarray:
    """Daily totals of three contact types, (types, days): Poisson given a
    shared gamma factor and each type's own, whole cv 0.2 each."""
    days = weeks * 7
    own = np.sqrt((1 + CV**2) / (1 + shared**2) - 1)
    common = rng.gamma(1 / shared**2, shared**2, days) if shared else np.ones(days)
    return np.array([rng.poisson(mu * common * rng.gamma(1 / own**2, own**2, days))
                     for mu in means], dtype=float)


def test_the_fit_recovers_the_shared_day_factor(seed):
    """Over 20 synthetic histories with a known shared cv, the bootstrap
    interval covers it about as often as it claims (at least the binomial
    0.1 % quantile), and a centre whose types move independently is told
    apart from one whose types move together."""
    rng = np.random.default_rng(seed)
    weekdays = np.tile(np.arange(7), 12)
    covered, estimates = 0, []
    for _ in range(20):
        totals = _daily(rng, SHARED)
        low, high = shared_cv_interval(totals, weekdays, 0.95, resamples=100,
                                       seed=int(rng.integers(2**31)))
        covered += low <= SHARED <= high
        estimates.append(shared_cv(totals, weekdays))
    assert covered >= stats.binom.ppf(0.001, 20, 0.95), covered
    assert abs(np.mean(estimates) - SHARED) < 0.03
    independent = [shared_cv(_daily(rng, 0.0), weekdays) for _ in range(20)]
    assert np.mean(independent) < 0.07  # not 0.15: the covariance says they are apart


def test_a_shared_part_larger_than_a_contact_types_whole_is_refused(tmp_path):
    path = write_scenario(tmp_path, _two_channels(0.3))
    assert_clean_error(run("validate", str(path)), "shared_forecast_cv", "phone/all", "0.2")
    path = write_scenario(tmp_path, _two_channels(0.1, cv=0.0), name="no_cv.yaml")
    assert_clean_error(run("validate", str(path)), "shared_forecast_cv", "forecast_cv")
