"""Staff to risk: P(meet) over days drawn from the forecast distribution,
checked against a closed form built from Erlang C and the gamma day factor,
and a plan staffed to a stated chance checked against days drawn here."""

from __future__ import annotations

import copy

import numpy as np
from scipy import optimize, stats

from svcsim import scenario_from_dict
from svcsim.history.risk import chance_of_meeting, size_to_probability
from svcsim.plan import plan, staffing_of
from svcsim.queueing import service_plan
from svcsim.queueing.erlang import erlang_c
from svcsim.roster import SolverSettings
from svcsim.sim.replications import run_one
from svcsim.sim.staffing import on_duty, scheduled_staffing

from test_cli import assert_clean_error, run, write_scenario

AGENTS, HANDLE, PER_HALF_HOUR, CV = 45, 240.0, 300.0, 0.1


def _centre(cv: float, agents: int = AGENTS) -> dict:
    return {
        "name": "risk",
        "horizon": {"days": 1, "interval": "30m"},
        "channels": {"phone": {
            "kind": "immediate", "handle_time": {"dist": "exponential", "mean": HANDLE},
            "arrivals": {"volumes": {"start": "08:00", "values": [PER_HALF_HOUR] * 16},
                         "forecast_cv": cv}}},
        "tiers": {"retail": {"priority": 1}},
        "standards": [{"contacts": "phone/*", "metric": "answer", "percent": 80,
                       "within": "20s", "scope": "day"}],
        "pools": [{"name": "agents", "skills": [{"contacts": "phone/*"}], "headcount": agents}],
    }


def test_p_meet_matches_erlang_c_and_the_gamma_day_factor(seed):
    """A large flat day is close to steady state, so its service level is
    Erlang C's at the day's rate: the day meets 80/20 when its gamma factor is
    below the g* where Erlang C gives 80 %, so P(meet) = Gamma.cdf(g*)."""
    rate = PER_HALF_HOUR / 1800

    def gap(g):
        return erlang_c(AGENTS, rate * g, HANDLE, 20.0).service_level - 0.8

    g_star = optimize.brentq(gap, 0.5, AGENTS / (rate * HANDLE) - 1e-6)
    shape = 1 / CV**2
    expected = stats.gamma.cdf(g_star, shape, scale=1 / shape)
    table = chance_of_meeting(scenario_from_dict(_centre(CV)), days=300, seed=seed)
    row = table.iloc[0]
    # Poisson noise and the morning's empty start blur the threshold a little
    assert abs(row["p_meet"] - expected) < 0.08, (row["p_meet"], expected)
    assert row["p_meet_low"] <= row["p_meet"] <= row["p_meet_high"]


def test_without_forecast_uncertainty_p_meet_is_near_one(seed):
    """50 agents give 93 % within 20 s by Erlang C at the mean volume: with no
    forecast uncertainty almost every day meets 80 %."""
    assert erlang_c(50, PER_HALF_HOUR / 1800, HANDLE, 20.0).service_level > 0.9
    table = chance_of_meeting(scenario_from_dict(_centre(0.0, agents=50)), days=40, seed=seed)
    assert table.iloc[0]["p_meet"] > 0.9
    assert np.isfinite(table.iloc[0]["attainment_p10"])


def _rostered(cv: float, meet: float | None = None) -> dict:
    """A four-hour phone morning with shift rules, its volumes uncertain by a
    gamma day factor with cv ``cv``."""
    data = _centre(cv)
    data["channels"]["phone"]["arrivals"]["volumes"] = {"start": "08:00",
                                                        "values": [40, 60, 60, 50, 60, 40, 40, 30]}
    data["channels"]["phone"]["patience"] = {"dist": "exponential", "mean": "3m"}
    data["pools"] = [{"name": "agents", "skills": [{"contacts": "phone/*"}],
                      "shift_rules": "morning"}]
    data["shift_rules"] = {"morning": {"start_granularity": "30m", "earliest_start": "08:00",
                                       "latest_start": "10:00", "latest_end": "12:00",
                                       "shifts": [{"name": "short", "length": "2h"},
                                                  {"name": "long", "length": "4h"}]}}
    if meet is not None:
        data["planning"] = {"meet_probability": meet}
    return data


def _met_on_drawn_days(data: dict, staffing: dict, days: int, rng) -> int:
    """Days met when each day's volumes are scaled by a gamma draw made here
    (not by the engine's forecast_cv), one replication per day."""
    cv = data["channels"]["phone"]["arrivals"]["forecast_cv"]
    base = data["channels"]["phone"]["arrivals"]["volumes"]["values"]
    met = 0
    for factor in rng.gamma(1 / cv**2, cv**2, days):
        day = copy.deepcopy(data)
        day["channels"]["phone"]["arrivals"] = {"volumes": {
            "start": "08:00", "values": [v * factor for v in base]}}
        scenario = scenario_from_dict(day)
        agents = on_duty(scenario, scheduled_staffing(scenario, staffing))
        run = run_one(scenario, agents, int(rng.integers(2**31)), 0, 0, False)
        whole = run.attainment[run.attainment["interval"] == -1]
        met += int(whole["met"].sum() >= 0.8 * whole["covered"].sum())
    return met


def test_a_plan_staffed_to_risk_reports_the_p_meet_that_drawn_days_give(seed):
    """The P(meet) the plan reports for its roster matches days simulated
    here from gamma day factors drawn independently of the engine: two
    binomial shares of 200 days, inside 3 standard errors of their difference."""
    data = _rostered(0.15)
    result = plan(scenario_from_dict(data), replications=3, seed=seed, max_iterations=0,
                  max_replications=3, settings=SolverSettings(time_limit_s=1),
                  meet_probability=0.7)
    row = result.risk.p_meet.iloc[0]
    assert row["days"] == 200
    direct = _met_on_drawn_days(data, staffing_of(result.roster), 200,
                                np.random.default_rng(seed))
    pooled = (row["days_met"] + direct) / 400
    se = np.sqrt(pooled * (1 - pooled) * (2 / 200))
    assert abs(row["p_meet"] - direct / 200) <= 3 * se + 1e-9, (row["p_meet"], direct / 200)
    assert 0.3 < row["p_meet"] < 1.0  # the staffing is not so large every day is met


def test_a_higher_stated_chance_never_needs_fewer_agents():
    """Volumes at a higher quantile day are never lower, so neither is any
    interval's analytic requirement; with no forecast uncertainty the sizing
    is Poisson's quantile of the day's total."""
    scenario = scenario_from_dict(_rostered(0.15))
    needs = []
    for chance in (0.5, 0.8, 0.9, 0.99):
        sizing = size_to_probability(scenario, chance)
        needs.append(service_plan(sizing.scenario).interval_need["agents"])
        # the quantile of the gamma-Poisson day total, from scipy's negative binomial
        mu = sizing.factors["expected"].iloc[0]
        shape = 1 / 0.15**2
        assert sizing.factors["sized"].iloc[0] == stats.nbinom.ppf(chance, shape,
                                                                   shape / (shape + mu))
        assert sizing.scenario.resolved_contact_types[0].forecast_cv == 0
    for lower, higher in zip(needs, needs[1:], strict=False):
        assert (higher >= lower).all()
    assert needs[-1].sum() > needs[0].sum()
    flat = size_to_probability(scenario_from_dict(_rostered(0.0)), 0.9).factors.iloc[0]
    assert flat["sized"] == stats.poisson.ppf(0.9, flat["expected"])


def test_a_chance_of_one_or_more_is_refused_by_file_and_by_option(tmp_path):
    path = write_scenario(tmp_path, _rostered(0.1, meet="100%"))
    assert_clean_error(run("validate", str(path)), "planning.meet_probability")
    path = write_scenario(tmp_path, _rostered(0.1), name="ok.yaml")
    out = tmp_path / "out"
    assert_clean_error(run("plan", str(path), "--meet-probability", "1", "--out", str(out)),
                       "--meet-probability")
    assert not out.exists()
