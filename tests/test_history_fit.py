"""Round trip: simulate a centre whose parameters are known, write its contact
log, fit it back, and find every parameter inside the fit's confidence
interval. The CIs are 99 % ones so that the several checks of one test
together fail by chance in under one seed in ten."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from svcsim import load_scenario, scenario_from_dict, simulate
from svcsim.history import read_contact_log, simulated_log, write_log
from svcsim.history.fit import fit_history, write_fit
from svcsim.history.retrials import link_retrials
from test_cli import assert_clean_error, run

LEVEL = 0.99
DAYS = 40

# Two tiers on one phone line, 09:00-17:00 in half hours, each with its own
# team. Staffing is short so that 20-40 % of callers abandon, which is where
# a patience estimate from censored waits earns its keep.
KNOWN = {
    "name": "known centre",
    "horizon": {"days": 1, "interval": "30m", "first_day": "wed"},
    "channels": {"phone": {"kind": "immediate"}},
    "tiers": {"gold": {"priority": 1}, "silver": {"priority": 2}},
    "contact_types": {
        "phone/gold": {
            "arrivals": {"volumes": {"start": "09:00", "values": [20, 30, 40, 40, 30, 30, 35, 40,
                                                                   45, 40, 30, 30, 25, 20, 15, 10]},
                         "forecast_cv": 0.15},
            "handle_time": {"dist": "lognormal", "mean": "4m", "cv": 0.8},
            "patience": {"dist": "exponential", "mean": "150s"}},
        "phone/silver": {
            "arrivals": {"volumes": {"start": "09:00", "values": [40, 60, 80, 80, 60, 60, 70, 80,
                                                                   90, 80, 60, 60, 50, 40, 30, 20]},
                         "forecast_cv": 0.15},
            "handle_time": {"dist": "gamma", "mean": "5m", "cv": 0.5},
            "patience": {"dist": "exponential", "mean": "100s"}},
    },
    "standards": [{"contacts": "phone/*", "metric": "answer", "percent": 80, "within": "20s"}],
    "pools": [{"name": "gold", "skills": [{"contacts": "*/gold"}], "headcount": 4},
              {"name": "silver", "skills": [{"contacts": "*/silver"}], "headcount": 9}],
}


@pytest.fixture(scope="module")
def known():
    return scenario_from_dict(KNOWN)


@pytest.fixture(scope="module")
def fitted(known, tmp_path_factory):
    seed = int(__import__("os").environ.get("SVCSIM_TEST_SEED", "20261122"))
    result = simulate(known, replications=DAYS, seed=seed, keep_contacts=True)
    path = write_log(simulated_log(result.contacts, known.first_weekday),
                     tmp_path_factory.mktemp("log") / "log.csv")
    return path, fit_history(read_contact_log(path), 1800.0, seed=seed, level=LEVEL)


def test_abandonment_is_in_the_range_the_patience_test_needs(fitted):
    _, fit = fitted
    for p in fit.patience:
        assert 0.20 <= p.abandons / p.queued <= 0.40, p


def test_arrival_profile_is_recovered(known, fitted):
    """Each interval's CI covers the true expected count about as often as its
    level says: at least the 0.1 % binomial quantile of intervals."""
    _, fit = fitted
    covered, total = 0, 0
    for contact in known.resolved_contact_types:
        rows = fit.profile[fit.profile["contact_type"] == contact.name]
        truth = contact.volumes
        ok = (rows["low"].to_numpy() <= truth) & (truth <= rows["high"].to_numpy())
        busy = truth > 0
        covered += ok[busy].sum()
        total += busy.sum()
        zero = ~busy
        assert (rows["mean_contacts"].to_numpy()[zero] == 0).all()
    assert covered >= stats.binom.ppf(0.001, total, LEVEL)


def test_handle_time_mean_and_cv_are_recovered(fitted):
    _, fit = fitted
    truth = {"phone/gold": (240.0, 0.8), "phone/silver": (300.0, 0.5)}
    for h in fit.handle:
        mean, cv = truth[h.contact_type]
        assert h.mean_low <= mean <= h.mean_high, h
        assert h.cv_low <= cv <= h.cv_high, h


def test_handle_time_shape_is_chosen_by_fit_quality(fitted):
    _, fit = fitted
    chosen = {h.contact_type: h.chosen for h in fit.handle}
    assert chosen == {"phone/gold": "lognormal", "phone/silver": "gamma"}


def test_patience_mean_is_recovered_from_censored_waits(fitted):
    _, fit = fitted
    truth = {"phone/gold": 150.0, "phone/silver": 100.0}
    for p in fit.patience:
        assert p.mean_low <= truth[p.contact_type] <= p.mean_high, p
        assert p.chosen == "exponential"  # Kaplan-Meier agrees with the exponential
        naive = p.time_waited_s / p.queued  # mean wait is not patience: it is far below
        assert naive < 0.5 * truth[p.contact_type]


def test_overdispersion_is_recovered(fitted):
    """Each type's day factor has cv 0.15; drawn independently per type, so the
    centre's shared factor is smaller (cv of the sum of two independent
    factors weighted 1:2 is 0.15 * sqrt(1 + 4) / 3 = 0.112)."""
    _, fit = fitted
    disp = fit.dispersion.set_index("contact_type")
    for name in ("phone/gold", "phone/silver"):
        assert disp.loc[name, "cv_low"] <= 0.15 <= disp.loc[name, "cv_high"]
        assert disp.loc[name, "cv_low"] > 0.05  # told apart from Poisson
    assert disp.loc["all", "cv_low"] <= 0.15 * np.sqrt(5) / 3 <= disp.loc["all", "cv_high"]
    # the two types' factors are independent: no shared part
    assert disp.loc["shared", "cv_low"] <= 0.0 < disp.loc["shared", "cv_high"]


def test_the_fitted_scenario_loads_with_svcsims_loader(fitted, tmp_path):
    log_path, fit = fitted
    written = write_fit(fit, tmp_path / "fitted.yaml")
    scenario = load_scenario(tmp_path / "fitted.yaml")
    assert {c.name for c in scenario.resolved_contact_types} == {"phone/gold", "phone/silver"}
    text = (tmp_path / "fitted.yaml").read_text()
    assert "# handle time:" in text and "Kaplan-Meier" in text and str(log_path) in text
    assert (tmp_path / "fit_patience.csv") in written


def test_retrials_are_linked_by_caller_id(tmp_path, seed):
    """A log built by hand: 4,000 abandons, 30 % of whom call again after an
    exponential 10 minutes; the share and delay come back inside their CIs."""
    rng = np.random.default_rng(seed)
    n = 4000
    start = np.sort(rng.uniform(8 * 3600, 17 * 3600, n))
    wait = rng.exponential(60, n)
    again = rng.random(n) < 0.3
    delay = rng.exponential(600, n)
    rows = ["arrival_time,channel,outcome,wait_s,handle_s,caller_id"]
    for i in range(n):
        rows.append(f"2026-03-04 {_clock(start[i])},phone,abandoned,{wait[i]:.2f},,c{i}")
        if again[i]:
            rows.append(f"2026-03-04 {_clock(start[i] + wait[i] + delay[i])},phone,answered,"
                        f"5,200,c{i}")
    path = tmp_path / "redials.csv"
    path.write_text("\n".join(rows))
    linked = link_retrials(read_contact_log(path))
    row = linked.table.iloc[0]
    assert row["share_low"] <= 0.3 <= row["share_high"]
    sd = 600 / np.sqrt(row["retried"])
    assert abs(row["mean_delay_s"] - 600) < 3 * sd
    assert linked.is_retrial.sum() == row["retried"]


def _clock(seconds: float) -> str:
    seconds = min(seconds, 86399)
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}:{seconds % 60:06.3f}"


def test_fit_from_the_command_line(fitted, tmp_path):
    log_path, _ = fitted
    out = tmp_path / "fitted.yaml"
    result = run("fit", str(log_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "phone/gold" in result.stdout
    assert run("validate", str(out)).returncode == 0


@pytest.mark.parametrize(("text", "fragments"), [
    ("arrival_time,channel,outcome,wait_s\n2026-03-04 08:00,phone,answered,-5\n",
     ["row 2, column 'wait_s'", "negative"]),
    ("arrival_time,channel,outcome,wait_s\n2026-13-45 08:00,phone,answered,5\n",
     ["row 2, column 'arrival_time'"]),
    ("arrival_time,channel,outcome,wait_s\n2026-03-04 08:00,phone,answered,5\n"
     "2026-03-04 08:01,phone,hungup,5\n", ["row 3, column 'outcome'", "1 bad row"]),
    ("time,channel,outcome,wait_s\n2026-03-04 08:00,phone,answered,5\n",
     ["no column 'arrival_time'", "--columns arrival_time="]),
    # each missing column's fix names that column (a log whose headers are
    # all its own: the Chinese one a centre sent)
    ("来电时间,渠道,结果,等待秒\n2026-03-04 08:00,电话,answered,5\n",
     ["no column 'channel'", "--columns channel=", "--columns outcome=",
      "--columns wait_s="]),
])
def test_fit_rejects_a_bad_log_and_writes_nothing(tmp_path, text, fragments):
    path = tmp_path / "log.csv"
    path.write_text(text)
    result = run("fit", str(path), "--out", str(tmp_path / "out" / "fitted.yaml"))
    assert_clean_error(result, str(path), *fragments)
    assert not (tmp_path / "out").exists()


def test_fit_rejects_a_bad_xlsx_log(tmp_path):
    import pandas as pd

    path = tmp_path / "log.xlsx"
    pd.DataFrame({"arrival_time": ["2026-03-04 08:00"], "channel": ["phone"],
                  "outcome": ["answered"], "wait_s": ["soon"]}).to_excel(path, index=False)
    result = run("fit", str(path), "--out", str(tmp_path / "out" / "fitted.yaml"))
    assert_clean_error(result, "row 2, column 'wait_s'")
    assert not (tmp_path / "out").exists()


# Handle time that grows through the day: 0.8 of the mean at 09:00 to 1.2 at
# 16:30, the same volume in every half hour (so the factors average to 1 over
# the contacts and are what each interval's mean / the overall mean estimates).
PROFILE = np.linspace(0.8, 1.2, 16)


def _profiled(factors) -> dict:
    data = {
        "name": "evening cases", "horizon": {"days": 1, "interval": "30m", "first_day": "thu"},
        "channels": {"phone": {
            "kind": "immediate", "handle_time": {"dist": "gamma", "mean": "4m", "cv": 0.6},
            "arrivals": {"volumes": {"start": "09:00", "values": [60] * 16}}}},
        "tiers": {"retail": {"priority": 1}},
        "pools": [{"name": "desk", "skills": [{"contacts": "phone"}], "headcount": 18}],
    }
    if factors is not None:
        data["channels"]["phone"]["handle_time_profile"] = {
            "start": "09:00", "end": "17:00", "factors": [round(float(f), 4) for f in factors]}
    return data


def _fit_of(data: dict, tmp_path, seed: int, days: int = 12):
    scenario = scenario_from_dict(data)
    result = simulate(scenario, replications=days, seed=seed, keep_contacts=True)
    path = write_log(simulated_log(result.contacts, scenario.first_weekday), tmp_path / "log.csv")
    return fit_history(read_contact_log(path), 1800.0, seed=seed, level=LEVEL)


def test_a_handle_time_profile_is_recovered(tmp_path, seed):
    """A log simulated with a known handle_time_profile is fitted back to it:
    the profile is emitted, each interval's factor CI covers the truth (at
    least the 0.1 % binomial quantile of the 16), the cv is the one within
    an interval (0.6), and the fitted scenario loads and carries it."""
    fit = _fit_of(_profiled(PROFILE), tmp_path, seed)
    [h] = fit.handle
    assert h.varies_by_hour and h.profile is not None
    table = h.profile_table.set_index("start").loc[[f"{9 + i // 2:02d}:{30 * (i % 2):02d}"
                                                    for i in range(16)]]
    covered = ((table["factor_low"] <= PROFILE) & (PROFILE <= table["factor_high"])).sum()
    assert covered >= stats.binom.ppf(0.001, 16, LEVEL), table
    assert h.cv_low <= 0.6 <= h.cv_high  # not inflated by the spread between intervals
    assert h.mean_low <= 240.0 <= h.mean_high
    write_fit(fit, tmp_path / "fitted.yaml")
    fitted = load_scenario(tmp_path / "fitted.yaml").contact_type("phone/retail")
    assert fitted.handle_factors is not None
    open_hours = fitted.handle_factors[18:34]
    assert np.abs(open_hours - PROFILE).max() < 0.1


def test_no_profile_where_handle_time_does_not_vary_by_hour(fitted):
    """The known centre's handle times do not depend on the hour: a profile
    is written only where the test is significant, and where one is
    (1 % of the time) its factors sit within their CIs of 1."""
    _, fit = fitted
    for h in fit.handle:
        assert (h.profile is not None) == (h.by_hour_p < 0.01)
        if h.profile_table is not None:
            own = h.profile_table.dropna(subset=["factor_low"])
            inside = ((own["factor_low"] <= 1.0) & (1.0 <= own["factor_high"])).sum()
            assert inside >= stats.binom.ppf(0.001, len(own), LEVEL)
