"""Estimators: rates and percentiles from pooled contacts, checked against the
contact records themselves, and occupancy that counts chat slots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import svcsim
from svcsim.sim import simulate


def busy_day(patience: str | None = "2m") -> svcsim.Scenario:
    """A day with quiet edges (few contacts per interval, where a mean of
    per-replication ratios drifts) and a busy middle."""
    phone = {"kind": "immediate", "handle_time": {"dist": "exponential", "mean": "4m"},
             "arrivals": {"volumes": [2, 3, 5, 30, 60, 80, 80, 60, 30, 5, 3, 2] * 4}}
    if patience:
        phone["patience"] = {"dist": "exponential", "mean": patience}
    return svcsim.scenario_from_dict({
        "name": "busy day", "horizon": {"days": 1, "interval": "30m"},
        "channels": {"phone": phone},
        "tiers": {"gold": {"priority": 1, "share": 0.3}, "basic": {"priority": 2, "share": 0.7}},
        "standards": [{"contacts": "phone", "percent": 80, "within": "20s"}],
        "pools": [{"name": "agents", "skills": [{"contacts": "phone/*"}], "headcount": 9}],
    })


def test_reported_asa_is_the_pooled_per_contact_mean(seed):
    result = simulate(busy_day(), replications=8, seed=seed, keep_contacts=True)
    log = result.contacts
    answered = log[log["answered_s"].notna()]
    # per interval x contact type: the mean wait of every answered contact of
    # every replication, computed here from the records
    by_hand = answered.groupby(["interval", "contact_type"], observed=True)["wait_s"].mean()
    table = result.intervals.set_index(["interval", "contact_type"])
    common = by_hand.index
    assert len(common) > 50
    np.testing.assert_allclose(table.loc[common, "asa_s"], by_hand.to_numpy(), rtol=1e-9)
    # per tier over the day, and the abandonment rate likewise
    per_type = result.contact_types.set_index("contact_type")
    for name, waits in answered.groupby("contact_type", observed=True)["wait_s"]:
        assert per_type.loc[name, "asa_s"] == pytest.approx(waits.mean(), rel=1e-9)
        mine = log[log["contact_type"] == name]
        assert per_type.loc[name, "abandon_rate"] == pytest.approx(
            (mine["outcome"] == "abandoned").mean(), rel=1e-9)
    rates = log.groupby(["interval", "contact_type"], observed=True)["outcome"].agg(
        lambda o: (o == "abandoned").mean())
    np.testing.assert_allclose(table.loc[rates.index, "abandon_rate"], rates.to_numpy(),
                               rtol=1e-9)
    p90 = log.groupby(["interval", "contact_type"], observed=True)["wait_s"].quantile(0.9)
    np.testing.assert_allclose(table.loc[p90.index, "wait_p90_s"], p90.to_numpy(), rtol=1e-5)
    # every estimate carries a CI that contains it
    busy = table[table["answered"] > 5]
    assert (busy["asa_s_low"] <= busy["asa_s"]).all() and (busy["asa_s"] <= busy["asa_s_high"]).all()
    assert (busy["asa_s_high"] > busy["asa_s_low"]).mean() > 0.5


def test_interval_service_level_is_each_replications_share_averaged(seed):
    result = simulate(busy_day(), replications=6, seed=seed, keep_contacts=True)
    log = result.contacts
    # 80/20 from the records: answered within 20 s of arrival; abandoned misses
    log = log.assign(met=(log["answered_s"] - log["arrival_s"]).fillna(np.inf) <= 20 + 1e-9)
    shares = log.groupby(["interval", "contact_type", "replication"], observed=True)["met"] \
        .mean().groupby(level=[0, 1]).mean()
    table = result.intervals.set_index(["interval", "contact_type"])
    assert len(shares) > 50
    np.testing.assert_allclose(table.loc[shares.index, "service_level"], shares.to_numpy(),
                               rtol=1e-9)
    whole = log.groupby("replication")["met"].mean()
    standard = result.standards.iloc[0]
    assert standard["attainment"] == pytest.approx(whole.mean(), rel=1e-9)
    half = whole.std(ddof=1) / np.sqrt(len(whole)) * 2.5706  # t(0.975, 5 df)
    assert standard["attainment_high"] == pytest.approx(whole.mean() + half, rel=1e-4)


def saturated_chat() -> svcsim.Scenario:
    """Far more chats than slots, long chats, and staffing that falls through
    the day: agents leaving with chats in hand must not keep taking chats."""
    return svcsim.scenario_from_dict({
        "name": "saturated chat", "horizon": {"days": 1, "interval": "30m"},
        "channels": {"chat": {
            "kind": "immediate", "concurrency": 3,
            "handle_time": {"dist": "lognormal", "mean": "12m", "cv": 0.8},
            "patience": {"dist": "exponential", "mean": "5m"},
            "arrivals": {"volumes": [200] * 48}}},
        "tiers": {"all": {"priority": 1}},
        "standards": [{"contacts": "chat", "metric": "first_reply", "percent": 80,
                       "within": "30s"}],
        "pools": [{"name": "chat_team", "skills": [{"contacts": "chat"}],
                   "staffing": ([12] * 4 + [6] * 4 + [3] * 4 + [9] * 4) * 3}],
    })


def test_chat_occupancy_counts_slots_and_never_exceeds_one(seed):
    result = simulate(saturated_chat(), replications=4, seed=seed)
    occupancy = result.pools["occupancy"]
    assert occupancy.max() <= 1.0 + 1e-9
    assert occupancy.mean() > 0.95  # saturated: every slot busy nearly all the time


def _random_runs(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = 4000
    return pd.DataFrame({
        "interval": rng.integers(0, 7, rows),
        "contact_type": pd.Categorical(rng.choice(["phone/gold", "chat", "电话/贵宾"], rows),
                                       categories=["电话/贵宾", "phone/gold", "chat"]),
        "replication": rng.integers(0, 5, rows),
        "wait_s": rng.exponential(30.0, rows),
        "answered": rng.integers(0, 3, rows),
    })


@pytest.mark.parametrize("sort", [True, False])
def test_group_numbers_are_pandas_groupbys(sort):
    from svcsim.sim.estimators import group_codes

    frame = _random_runs(1)
    keys = ["contact_type", "interval"]
    codes, table = group_codes(frame, keys, sort=sort)
    grouped = frame.groupby(keys, sort=sort, observed=True)
    np.testing.assert_array_equal(codes, grouped.ngroup().to_numpy())
    expected = grouped.size().reset_index()[keys]
    assert table.equals(expected) and table.dtypes.equals(frame[keys].dtypes)


def test_pooled_quantiles_and_ratios_match_numpy_per_group():
    from scipy import stats

    from svcsim.sim.estimators import pooled_quantiles, ratio_estimates

    frame = _random_runs(2)
    keys = ["interval", "contact_type"]
    found = pooled_quantiles(frame, keys, "wait_s", 0.9, 0.95).set_index(keys)
    totals = frame.groupby([*keys, "replication"], observed=True)[["wait_s", "answered"]] \
        .sum().reset_index()
    ratios = ratio_estimates(totals, keys, "wait_s", "answered", 0.95).set_index(keys)
    for key, group in frame.groupby(keys, observed=True):
        assert found.loc[key, "value"] == pytest.approx(np.quantile(group["wait_s"], 0.9))
        per_run = group.groupby("replication")["wait_s"].quantile(0.9)
        half = stats.t.ppf(0.975, len(per_run) - 1) * per_run.std() / np.sqrt(len(per_run))
        assert found.loc[key, "high"] - found.loc[key, "value"] == pytest.approx(half)
        # the delta method of a ratio of sums, written out
        mine = totals.set_index(keys).loc[[key]]
        y, x = mine["wait_s"].to_numpy(), mine["answered"].to_numpy()
        ratio = y.sum() / x.sum()
        half = stats.t.ppf(0.975, len(y) - 1) * np.std(y - ratio * x, ddof=1) \
            / np.sqrt(len(y)) / x.mean()
        assert ratios.loc[key, "value"] == pytest.approx(ratio)
        assert ratios.loc[key, "high"] - ratio == pytest.approx(half)
