"""Forecast: on synthetic weeks drawn from a known model, the backtest's
prediction intervals cover the held-out counts as often as they claim."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from svcsim.history.forecast import History, backtest, fit_model, forecast
from test_cli import assert_clean_error, run

PER_DAY = 48
WEEKDAY = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.3])  # Mon .. Sun
DAY_CV = 0.1


def _shape() -> np.ndarray:
    """07:00-21:00, peaking at noon (shares of the day)."""
    shape = np.exp(-((np.arange(PER_DAY) - 24) / 8.0) ** 2)
    shape[:14] = 0
    shape[42:] = 0
    return shape / shape.sum()


def synthetic(seed: int, weeks: int = 20, base=(1500, 800, 400)) -> History:
    """Weeks of three queues: weekday x interval profile, a gamma day factor
    with cv 0.1 per queue, Poisson counts."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-01-05", periods=weeks * 7, freq="D")
    counts = np.zeros((len(base), len(dates), PER_DAY))
    for q, level in enumerate(base):
        factor = rng.gamma(1 / DAY_CV**2, DAY_CV**2, len(dates))
        mean = level * WEEKDAY[dates.day_of_week][:, None] * factor[:, None] * _shape()
        counts[q] = rng.poisson(mean)
    return History(counts, ["billing", "sales", "support"], dates, 1800.0)


@pytest.mark.parametrize("nominal", [0.8, 0.95])
def test_interval_coverage_is_within_five_points_of_nominal(seed, nominal):
    per_week, cells = backtest(synthetic(seed), weeks=8, coverage=nominal)
    assert len(per_week) == 8 * 3
    covered = ((cells["actual"] >= cells["low"]) & (cells["actual"] <= cells["high"]))[
        cells["forecast"] > 0].mean()
    assert abs(covered - nominal) <= 0.05, covered


def _ten_queues(seed: int, shared: float, weeks: int = 20) -> History:
    """Ten queues whose day factors (whole cv 0.1) share a part with cv
    ``shared``: one gamma draw a day common to every queue, times each
    queue's own."""
    rng = np.random.default_rng(seed)
    base = (1500, 800, 400, 1200, 600, 300, 900, 500, 200, 1000)
    dates = pd.date_range("2026-01-05", periods=weeks * 7, freq="D")
    own = np.sqrt((1 + DAY_CV**2) / (1 + shared**2) - 1)
    common = rng.gamma(1 / shared**2, shared**2, len(dates))
    counts = np.zeros((len(base), len(dates), PER_DAY))
    for q, level in enumerate(base):
        factor = common * rng.gamma(1 / own**2, own**2, len(dates))
        mean = level * WEEKDAY[dates.day_of_week][:, None] * factor[:, None] * _shape()
        counts[q] = rng.poisson(mean)
    return History(counts, [f"queue{q}" for q in range(len(base))], dates, 1800.0)


@pytest.mark.parametrize("nominal", [0.8, 0.95])
def test_day_coverage_is_within_five_points_of_nominal(seed, nominal):
    """Day totals of held-out weeks fall inside the day's prediction
    interval as often as it claims: 10 queues x 8 weeks x 7 days, the queues'
    day factors partly shared (which moves every queue's error together, and
    must not widen or narrow any one queue's interval)."""
    per_week, _ = backtest(_ten_queues(seed, shared=0.07), weeks=8, coverage=nominal)
    assert len(per_week) == 8 * 10
    assert abs(per_week["coverage_day"].mean() - nominal) <= 0.05, per_week["coverage_day"].mean()


def test_the_forecast_finds_the_shared_part_of_the_day_factor(seed):
    """The shared part's predictive cv is near the truth 0.07 (a 4-week
    window of 10 queues: within 0.04), never above a queue's whole day cv."""
    model = fit_model(_ten_queues(seed, shared=0.07))
    assert abs(model.shared_cv - 0.07) < 0.04, model.shared_cv
    assert model.shared_cv <= model.day_cv.min()


def test_the_forecast_recovers_the_known_level_and_profile(seed):
    history = synthetic(seed)
    model = fit_model(history)
    # the level is a mean of 28 days with a cv of 0.1: within 3 standard errors
    for q, level in enumerate((1500, 800, 400)):
        weekly_mean = level * WEEKDAY.mean()
        assert abs(model.level[q] * model.weekday[q].mean() - weekly_mean) \
            < 3 * weekly_mean * DAY_CV / np.sqrt(28) + 3 * np.sqrt(weekly_mean / 28)
    assert np.abs(model.profile[0, 2] - _shape()).max() < 0.01
    assert 0.05 < model.day_cv[0] < 0.16


def test_missing_days_and_holidays(seed):
    """A missing day is not a zero day; a holiday is left out of the fit and
    forecast as closed."""
    history = synthetic(seed)
    keep = np.ones(len(history.dates), dtype=bool)
    keep[-10] = False  # an outage: the day is missing from the history
    gappy = History(history.counts[:, keep], history.queues, history.dates[keep], 1800.0)
    holiday = history.dates[-3]
    quiet = gappy.counts.copy()
    quiet[:, -2] = 0  # the holiday's counts are 0 in the history (closed)
    gappy = History(quiet, gappy.queues, gappy.dates, 1800.0)
    full = fit_model(history)
    fitted = fit_model(gappy.without(pd.DatetimeIndex([holiday])))
    assert abs(fitted.level[0] / full.level[0] - 1) < 0.05  # the zero day did not drag it
    coming = history.dates[-1] + pd.Timedelta(days=1)
    table = forecast(gappy, 7, holidays=pd.DatetimeIndex([holiday, coming]))
    first = table[table["date"] == coming]
    assert first["holiday"].all() and (first["forecast"] == 0).all()
    assert table[table["date"] > coming]["forecast"].sum() > 0


def _counts_log(tmp_path, history: History) -> str:
    """The synthetic counts written as a contact log (one row per contact)."""
    rows = ["arrival_time,channel,outcome,wait_s,handle_s"]
    q = 2  # the smallest queue keeps the file small
    for d, date in enumerate(history.dates[-28:]):
        day = history.counts[q, len(history.dates) - 28 + d]
        for i in np.nonzero(day)[0]:
            clock = f"{i // 2:02d}:{30 * (i % 2):02d}:00"
            rows += [f"{date:%Y-%m-%d} {clock},support,answered,5,200"] * int(day[i])
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows))
    return str(path)


def test_forecast_from_the_command_line(tmp_path, seed):
    log = _counts_log(tmp_path, synthetic(seed, weeks=4))
    result = run("forecast", log, "--days", "7", "--out", str(tmp_path / "out"),
                 "--holidays", "2026-02-06")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "out" / "forecast.csv")
    assert len(table) == 7 * PER_DAY
    assert (tmp_path / "out" / "backtest.csv").exists()
    assert (tmp_path / "out" / "forecast.png").exists()
    assert "WAPE" in result.stdout


@pytest.mark.parametrize(("args", "fragments"), [
    (["--holidays", "2026-02-31"], ["--holidays", "2026-02-31"]),
    (["--days", "0"], ["--days"]),
])
def test_forecast_rejects_bad_options(tmp_path, seed, args, fragments):
    log = _counts_log(tmp_path, synthetic(seed, weeks=2))
    result = run("forecast", log, "--out", str(tmp_path / "out"), *(args if "--days" in args
                                                                    else ["--days", "3", *args]))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    assert not (tmp_path / "out").exists()


def test_forecast_rejects_a_bad_log(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("arrival_time,channel,outcome,wait_s\n2026-03-04 08:00,phone,answred,4\n")
    result = run("forecast", str(path), "--days", "3", "--out", str(tmp_path / "out"))
    assert_clean_error(result, "row 2, column 'outcome'")
    assert not (tmp_path / "out").exists()


def test_the_forecast_feeds_a_fitted_scenario(tmp_path, seed):
    """svcsim forecast --scenario writes the fitted scenario with the
    forecast's first week as its arrivals, and it loads."""
    import yaml

    from svcsim import load_scenario

    log = _counts_log(tmp_path, synthetic(seed, weeks=4))
    fitted = tmp_path / "fitted.yaml"
    assert run("fit", log, "--out", str(fitted), "--no-calibrate").returncode == 0
    result = run("forecast", log, "--days", "7", "--out", str(tmp_path / "out"),
                 "--scenario", str(fitted))
    assert result.returncode == 0, result.stderr
    scenario = load_scenario(tmp_path / "out" / "forecast_scenario.yaml")
    table = pd.read_csv(tmp_path / "out" / "forecast.csv")
    volumes = scenario.contact_type("support/general").volumes
    assert volumes.sum() == pytest.approx(table["forecast"].sum(), rel=1e-3)
    assert scenario.horizon.days == 7
    data = yaml.safe_load((tmp_path / "out" / "forecast_scenario.yaml").read_text())
    assert data["contact_types"]["support/general"]["arrivals"]["forecast_cv"] > 0


def _growing(seed: int, growth: float, weeks: int = 20, base=(1500, 800, 400)) -> History:
    """:func:`synthetic`'s three queues with a level that grows by ``growth``
    a week (a new service ramping up), day factor cv 0.1, Poisson counts."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-01-05", periods=weeks * 7, freq="D")
    trend = (1 + growth) ** (np.arange(len(dates)) / 7)
    counts = np.zeros((len(base), len(dates), PER_DAY))
    for q, level in enumerate(base):
        factor = rng.gamma(1 / DAY_CV**2, DAY_CV**2, len(dates))
        mean = level * (trend * WEEKDAY[dates.day_of_week] * factor)[:, None] * _shape()
        counts[q] = rng.poisson(mean)
    return History(counts, ["billing", "sales", "support"], dates, 1800.0)


def test_ets_beats_the_default_on_a_growing_level_and_auto_keeps_it(seed):
    """A level growing 5 % a week: the default's level (the mean of the last
    four weeks) lags it by about two and a half weeks (~13 %), the damped
    trend follows it; over 8 held-out weeks x 3 queues the ETS model's
    interval WAPE is lower and ``auto`` keeps it."""
    pytest.importorskip("statsmodels")
    from svcsim.history.forecast_models import choose_model

    chosen = choose_model(_growing(seed, growth=0.05), weeks=8)
    assert chosen.wape["ets"] < chosen.wape["default"], chosen.wape
    assert chosen.model == "ets"
    assert set(chosen.per_week["model"]) == {"default", "ets"}
    assert len(chosen.per_week) == 2 * 8 * 3


def test_auto_on_a_stable_level_keeps_the_winner_with_honest_intervals(seed):
    """A stable level: neither model has an edge, so ``auto`` keeps whichever
    backtests better, and the kept model's 80 % interval coverage on the
    held-out weeks is within 5 points of nominal (3 queues x 8 weeks x 7
    days x 28 open half hours: binomial noise about 1 point, and for the
    day totals' coverage 168 days, about 3 points)."""
    pytest.importorskip("statsmodels")
    from svcsim.history.forecast_models import choose_model

    chosen = choose_model(synthetic(seed), weeks=8, coverage=0.8)
    assert chosen.model == min(chosen.wape, key=chosen.wape.get)
    cells = chosen.cells
    covered = ((cells["actual"] >= cells["low"]) & (cells["actual"] <= cells["high"]))[
        cells["forecast"] > 0].mean()
    assert abs(covered - 0.8) <= 0.05, covered
    kept = chosen.per_week[chosen.per_week["model"] == chosen.model]
    assert abs(kept["coverage_day"].mean() - 0.8) <= 0.05, kept["coverage_day"].mean()


def _without_statsmodels(monkeypatch):
    """Make ``import statsmodels...`` fail as it does without the extra."""
    import sys

    for name in [m for m in sys.modules if m == "statsmodels" or m.startswith("statsmodels.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "statsmodels", None)


def test_ets_without_the_extra_is_a_clear_error(tmp_path, seed, monkeypatch):
    _without_statsmodels(monkeypatch)
    log = _counts_log(tmp_path, synthetic(seed, weeks=4))
    result = run("forecast", log, "--days", "3", "--out", str(tmp_path / "out"),
                 "--model", "ets")
    assert_clean_error(result, "--model ets", "pip install 'svcsim[forecast]'")
    assert not (tmp_path / "out").exists()


def test_auto_without_the_extra_keeps_the_default_and_says_why(tmp_path, seed, monkeypatch):
    _without_statsmodels(monkeypatch)
    log = _counts_log(tmp_path, synthetic(seed, weeks=4))
    result = run("forecast", log, "--days", "3", "--out", str(tmp_path / "out"),
                 "--model", "auto")
    assert result.returncode == 0, result.stderr
    assert "model: default" in result.stdout
    assert "ets not tried" in result.stdout and "svcsim[forecast]" in result.stdout


def test_ets_forecasts_closed_days_and_holidays_as_closed(seed):
    """A weekday the history never opens stays closed, a holiday is 0 and
    flagged, and every open day has a positive forecast."""
    pytest.importorskip("statsmodels")
    history = synthetic(seed, weeks=6)
    sundays = history.weekdays == 6
    history.counts[:, sundays] = 0
    coming = history.dates[-1] + pd.Timedelta(days=1)
    table = forecast(history, 7, holidays=pd.DatetimeIndex([coming]), model="ets")
    day = table.groupby(["queue", "date"])["forecast"].sum().unstack()
    assert (day[coming] == 0).all()
    closed = [d for d in day.columns if d.day_of_week == 6]
    assert (day[closed] == 0).all().all()
    assert (day.drop(columns=[coming, *closed]) > 0).all().all()


def test_ets_from_the_command_line(tmp_path, seed):
    """``--model ets`` as a user types it: the forecast is written and the
    output names the model."""
    pytest.importorskip("statsmodels")
    log = _counts_log(tmp_path, synthetic(seed, weeks=4))
    result = run("forecast", log, "--days", "7", "--out", str(tmp_path / "out"),
                 "--model", "ets")
    assert result.returncode == 0, result.stderr
    assert "model: ets" in result.stdout
    table = pd.read_csv(tmp_path / "out" / "forecast.csv")
    assert len(table) == 7 * PER_DAY and table["forecast"].sum() > 0


def test_ets_is_not_fitted_to_one_weekday_a_week(seed):
    """A history of Wednesdays only (a centre's weekly sample) leaves six days
    in seven to interpolate; the ETS model is refused there and auto keeps
    the default, saying why."""
    pytest.importorskip("statsmodels")
    from svcsim.history.forecast_models import choose_model

    history = synthetic(seed, weeks=30)
    wednesdays = history.dates.day_of_week == 2
    weekly = History(history.counts[:, wednesdays], history.queues, history.dates[wednesdays],
                     1800.0)
    chosen = choose_model(weekly, weeks=8)
    assert chosen.model == "default"
    assert "one weekday a week" in chosen.left_out["ets"]


def _many_queues(seed: int, weeks: int = 16, queues: int = 40,
                 growing: int = 20) -> tuple[History, np.ndarray]:
    """Independent queues as a planner's history might hold them: each with
    its own weekday pattern (Monday to Friday 0.6-1.3, one weekend day
    quieter still), half-hour shape, level (150-2,000 a day) and day factor
    cv (0.05-0.15), Poisson counts; the first ``growing`` grow 5 % a week,
    the rest are stable; 5 % of the days are missing (an outage, a lost export).
    Returns the history and which queues grow."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-01-05", periods=weeks * 7, freq="D")
    grows = np.arange(queues) < growing
    counts = np.zeros((queues, len(dates), PER_DAY))
    for q in range(queues):
        weekday = rng.uniform(0.6, 1.3, 7)
        weekday[rng.integers(5, 7)] *= rng.uniform(0.3, 1.0)
        peak, width = rng.uniform(18, 30), rng.uniform(5, 12)
        shape = np.exp(-((np.arange(PER_DAY) - peak) / width) ** 2)
        shape[: rng.integers(12, 18)] = 0
        shape[rng.integers(38, 46):] = 0
        cv = rng.uniform(0.05, 0.15)
        trend = 1.05 ** (np.arange(len(dates)) / 7) if grows[q] else 1.0
        factor = rng.gamma(1 / cv**2, cv**2, len(dates)) * trend * weekday[dates.day_of_week]
        counts[q] = rng.poisson(rng.uniform(150, 2000) * factor[:, None] * shape / shape.sum())
    kept = rng.random(len(dates)) > 0.05
    kept[-1] = True
    return (History(counts[:, kept], [f"queue{q:02d}" for q in range(queues)], dates[kept],
                    1800.0), grows)


def _day_coverage(cells: pd.DataFrame) -> tuple[float, float]:
    """Share of held-out day totals inside their day interval, and its 95 %
    CI half-width, clustered by queue and held-out week (a week's days share
    one fitted model, so they are not independent draws; Student's t for the
    number of clusters)."""
    from scipy import stats

    days = cells.groupby(["queue", "week", "date"]).agg(
        actual=("actual", "sum"), low=("day_low", "first"), high=("day_high", "first"))
    days["inside"] = (days["actual"] >= days["low"]) & (days["actual"] <= days["high"])
    per = days.groupby(["queue", "week"])["inside"].agg(["sum", "count"])
    share = per["sum"].sum() / per["count"].sum()
    k = len(per)
    se = np.sqrt(k / (k - 1) * ((per["sum"] - share * per["count"]) ** 2).sum()) \
        / per["count"].sum()
    return float(share), float(stats.t.ppf(0.975, k - 1) * se)


def test_ets_day_intervals_cover_as_claimed_with_and_without_a_trend(seed):
    """The ETS model's 80 % day intervals on held-out weeks of 40 independent
    queues (20 growing 5 % a week, 20 stable; 4 held-out weeks each, about
    530 days per half): the nominal 80 % inside each half's 95 % CI, and the
    CI tighter than the 5-point effect tested (about +-3.5 points). Over 200
    random histories (benchmarks/bench_forecast_coverage.py) the growing
    ones' coverage was 78.2 % +-1.1 before the intervals counted the error
    of the fitted trend and the weekday factors were fitted beside it, and
    79.9 % +-1.1 after: a shortfall of 2 points, which 530 days show only
    now and then (on the old intervals this test failed at four of the six
    seeds tried, 1-5 and the default, passing at the default; on the new
    ones at none of eight)."""
    pytest.importorskip("statsmodels")
    history, grows = _many_queues(seed)
    _, cells = backtest(history, weeks=4, coverage=0.8, model="ets")
    for label, queues in (("growing", grows), ("stable", ~grows)):
        mine = cells[cells["queue"].isin(np.asarray(history.queues)[queues])]
        share, half = _day_coverage(mine)
        assert half < 0.05, (label, half)
        assert abs(share - 0.8) <= half, (label, share, half)
