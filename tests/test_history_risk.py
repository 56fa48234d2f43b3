"""Staff to risk: P(meet) over days drawn from the forecast distribution,
checked against a closed form built from Erlang C and the gamma day factor."""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

from svcsim import scenario_from_dict
from svcsim.history.risk import chance_of_meeting
from svcsim.queueing.erlang import erlang_c

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
