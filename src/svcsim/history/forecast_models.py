"""Optional forecast models and the choice between them by backtest.

``ets`` (the ``forecast`` extra, statsmodels): exponential smoothing with a
damped additive trend, ETS(A,Ad,N), on each queue's log day totals divided
by weekday factors fitted beside a straight line in time, so the weekday
pattern, the trend and the spread are multiplicative, as they are in counts.
The day's total is lognormal about the model's forecast, with the model's
analytic variance (growing with the horizon) plus what it takes as known:
the error of the fitted level and trend, and of the weekday factors. The
day is spread over its intervals by the default model's
weekday x interval profile, with the same interval-level noise, so the two
models differ only in the day totals. Missing days are interpolated before
the fit; holidays and weekdays the history never opens are forecast as
closed.

``auto`` backtests every available model on the last weeks of the history
and keeps the one with the lower interval WAPE (the default on a tie).
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from svcsim.history.forecast import MODELS, History, backtest, fit_model, spread
from svcsim.history.tables import HistoryError

MIN_DAYS = 28
"""Days of history the ETS model needs (four weekly cycles)."""

MIN_DAY_SHARE = 0.5
"""Share of the history's span its days must cover for the ETS model (a
centre closed at weekends has 5 of 7)."""

FIT_WEEKS = 26
"""Recent weeks the ETS model is fitted on: older days weigh next to nothing
in exponential smoothing, and the fit's time grows with the days."""

DAMPING = (0.8, 0.999)
"""Bounds of the fitted trend's damping: statsmodels' default upper bound,
0.98, flattens a steady trend, so the forecast lags it by a few days' growth
(a one-sided miss the intervals do not allow for)."""

EXTRA = "python -m pip install 'svcsim[forecast]'"


def require_ets() -> None:
    """Raise the HistoryError naming --model ets and the extra when
    statsmodels is not installed."""
    _ets_class()


def _ets_class():
    try:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    except ImportError:
        raise HistoryError("--model ets", [("", (
            f"needs the 'forecast' extra (statsmodels): {EXTRA}, or use --model default"))]) \
            from None
    return ETSModel


def _log_levels(history: History, weekday: np.ndarray) -> pd.DataFrame:
    """Seasonally adjusted log day totals, log(1 + total) - log(weekday
    factor), per day of the history's whole date range (rows) and queue
    (columns); a missing day or closed weekday is interpolated from the
    days beside it."""
    full = pd.date_range(history.dates[0], history.dates[-1], freq="D")
    with np.errstate(divide="ignore"):
        adjusted = np.log1p(history.counts.sum(axis=2)) \
            - np.log(weekday[:, history.weekdays])
    frame = pd.DataFrame(adjusted.T, index=history.dates).replace([np.inf, -np.inf], np.nan)
    frame = frame.reindex(full).interpolate(limit_direction="both")
    return frame.fillna(0.0).asfreq("D")


def _weekday_factors(history: History, weekday: np.ndarray, weeks: int) -> np.ndarray:
    """Weekday factors (queues, 7) fitted with the trend: least squares of
    the log day totals of the last ``weeks`` weeks on a straight line in time
    plus one constant per weekday (0 where ``weekday`` is 0: closed)."""
    recent = history.dates > history.dates[-1] - pd.Timedelta(weeks=weeks)
    wd = history.weekdays[recent]
    t = np.asarray((history.dates[recent] - history.dates[-1]).days, dtype=float) / 7
    logs = np.log1p(history.counts[:, recent].sum(axis=2))
    out = np.zeros_like(weekday)
    for q in range(len(weekday)):
        seen = np.flatnonzero(weekday[q] > 0)
        rows = np.isin(wd, seen)
        if len(seen) == 0:
            continue
        design = np.column_stack([t[rows]] + [(wd[rows] == w).astype(float) for w in seen])
        coef = np.linalg.lstsq(design, logs[q, rows], rcond=None)[0]
        out[q, seen] = np.exp(coef[1:] - coef[1:].mean())
    return out


def _ets_forecast(series: pd.Series, horizon: int,
                  observed: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean and variance of the adjusted log day total for the next
    ``horizon`` days, and the degrees of freedom of the variance's estimate;
    ``observed`` marks the days of ``series`` that are not interpolated."""
    if series.std() == 0:
        return np.full(horizon, float(series.iloc[-1])), np.zeros(horizon), len(series)
    with warnings.catch_warnings():
        # statsmodels' optimiser notes; how good the fit is, the backtest says
        warnings.simplefilter("ignore")
        fitted = _ets_class()(series, error="add", trend="add", damped_trend=True,
                              initialization_method="estimated",
                              bounds={"damping_trend": DAMPING}).fit(disp=False)
        pred = fitted.get_prediction(start=len(series), end=len(series) + horizon - 1)
    # the analytic variance uses the in-sample mean squared error of every
    # day, interpolated ones (which lie on the line) among them, shrunk by the
    # fitted parameters and initial states: scale it to the unbiased estimate
    # on the observed days
    n, errors = len(series), np.asarray(fitted.resid, dtype=float) ** 2
    df = max(int(observed.sum()) - len(fitted.params), 1)
    variance = np.asarray(pred.forecast_variance, dtype=float) \
        / max(errors.mean(), np.finfo(float).tiny) * errors[observed].sum() / df
    return np.asarray(pred.predicted_mean, dtype=float), \
        variance + variance[0] * _line_error(n, np.arange(1, horizon + 1)), df


def _line_error(n: int, steps: np.ndarray) -> np.ndarray:
    """Variance of a straight line fitted by least squares to ``n`` equally
    spaced days, ``steps`` days past its last, per unit residual variance:
    the error of the fitted level and trend, which the model's analytic
    variance leaves out (it takes its parameters and initial states as
    known)."""
    centre = steps + (n - 1) / 2
    return 1 / n + 12 * centre**2 / (n * (n**2 - 1))


def predict_ets(past: History, days: pd.DatetimeIndex, coverage: float,
                holidays: pd.DatetimeIndex, level_weeks: int, profile_weeks: int) -> pd.DataFrame:
    """Forecast ``days`` (after the history) with the ETS model; the columns
    are :func:`svcsim.history.forecast.predict`'s.

    Raises
    ------
    HistoryError
        Without statsmodels (the ``forecast`` extra), or with fewer than
        :data:`MIN_DAYS` days of history.
    """
    _ets_class()
    span = (past.dates[-1] - past.dates[0]).days + 1
    if span < MIN_DAYS:
        raise HistoryError("--model ets", [("", (
            f"needs at least {MIN_DAYS} days of history, got {span}; use --model default"))])
    if len(past.dates) < MIN_DAY_SHARE * span:
        # the days between would be interpolated: a smooth made-up series
        # whose fitted spread is far too narrow
        raise HistoryError("--model ets", [("", (
            f"needs a history of most days: this one has {len(past.dates)} days over a span "
            f"of {span} (e.g. one weekday a week); use --model default"))])
    profile = fit_model(past, level_weeks, profile_weeks)
    profile = dataclasses.replace(
        profile, weekday=_weekday_factors(past, profile.weekday, profile_weeks))
    logs = _log_levels(past, profile.weekday).iloc[-7 * FIT_WEEKS:]
    steps = np.asarray((days - past.dates[-1]).days)
    if (steps < 1).any():
        raise ValueError("the ETS model forecasts only days after the history")
    recent = past.dates > past.dates[-1] - pd.Timedelta(weeks=profile_weeks)
    per_weekday = max(recent.sum() / max(len(set(past.weekdays[recent].tolist())), 1), 1.0)
    # days with a count of their own: not missing, not a closed weekday
    observed = np.asarray(logs.index.isin(past.dates)) \
        & (profile.weekday[:, np.asarray(logs.index.day_of_week)] > 0)
    shape = (len(past.types), len(days))
    mu, var, df = np.zeros(shape), np.zeros(shape), np.ones(shape)
    for q in range(len(past.types)):
        mean, variance, df[q] = _ets_forecast(logs.iloc[:, q], int(steps.max()), observed[q])
        # each weekday factor is fitted from about ``per_weekday`` days: its
        # error adds a one-day variance over that many days
        mu[q], var[q] = mean[steps - 1], variance[steps - 1] + variance[0] / per_weekday
    mu += np.log(np.where(profile.weekday > 0, profile.weekday, 1.0))[:, days.day_of_week]
    closed = np.asarray(days.isin(holidays))
    open_day = (profile.weekday[:, np.asarray(days.day_of_week)] > 0) & ~closed
    # lognormal day total: mean exp(mu + var/2) - 1, variance exp(2 mu + var)(exp(var) - 1)
    day_mean = np.maximum(np.exp(mu + var / 2) - 1, 0.0) * open_day
    total_var = np.exp(2 * mu + var) * np.expm1(var)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv2 = np.where(day_mean > 0, (total_var - day_mean) / day_mean**2, 0.0)
    day_cv = np.sqrt(np.maximum(cv2, 0.0))
    positive = day_cv[:, 0][day_cv[:, 0] > 0]
    shared = min(profile.shared_cv, float(positive.min())) if len(positive) else 0.0
    return spread(dataclasses.replace(profile, shared_cv=shared), past, days, day_mean, day_cv,
                  df, coverage, closed)


@dataclass(frozen=True)
class Choice:
    """The model ``auto`` keeps, and why.

    Attributes
    ----------
    model : str
        The model with the lower backtest interval WAPE (``default`` on a tie
        or when it is the only one tried).
    wape : dict of str to float
        Interval WAPE (sum of absolute errors / sum of actuals) of each model
        tried, over the queues and held-out weeks every tried model forecast.
    per_week : pandas.DataFrame
        Every tried model's backtest per queue and week (``model`` column).
    cells : pandas.DataFrame
        The chosen model's held-out cells beside their ``actual``.
    left_out : dict of str to str
        Models not tried, with the reason.
    """

    model: str
    wape: dict[str, float]
    per_week: pd.DataFrame
    cells: pd.DataFrame
    left_out: dict[str, str]


def choose_model(history: History, weeks: int = 4, coverage: float = 0.8,
                 holidays: pd.DatetimeIndex | None = None, level_weeks: int = 4,
                 profile_weeks: int = 12) -> Choice:
    """Backtest every model of :data:`~svcsim.history.forecast.MODELS` that
    can run on the last ``weeks`` weeks and keep the one with the lower
    interval WAPE, compared on the weeks every tried model forecast."""
    runs, left_out = {}, {}
    for name in MODELS:
        try:
            per_week, cells = backtest(history, weeks, coverage, holidays, level_weeks,
                                       profile_weeks, model=name)
        except HistoryError as exc:
            left_out[name] = "; ".join(message for _, message in exc.problems)
            continue
        if len(per_week):
            runs[name] = (per_week, cells)
        else:
            left_out[name] = "no held-out week had enough history before it"
    if not runs:
        empty = pd.DataFrame()
        return Choice("default", {}, empty, empty, left_out)
    common = set.intersection(*(set(zip(p["queue"], p["week"], strict=True))
                                for p, _ in runs.values()))
    wape = {name: _wape(per_week, common) for name, (per_week, _) in runs.items()}
    scored = [name for name in wape if np.isfinite(wape[name])]
    best = min(scored, key=lambda name: (wape[name], MODELS.index(name))) if scored \
        else next(iter(runs))
    return Choice(best, wape, pd.concat([p for p, _ in runs.values()], ignore_index=True),
                  runs[best][1], left_out)


def _wape(per_week: pd.DataFrame, keys: set) -> float:
    mine = per_week[[key in keys for key in zip(per_week["queue"], per_week["week"],
                                                strict=True)]]
    if not len(mine) or mine["actual"].sum() <= 0:
        return float("nan")
    return float((mine["wape_interval"] * mine["actual"]).sum() / mine["actual"].sum())
