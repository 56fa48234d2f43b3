"""Forecast contacts per interval for the coming days, with prediction
intervals, and a backtest that says how good the forecast has been.

The model needs no new dependency: a day's expected total is a level (the
mean deseasonalised daily total of the last ``level_weeks`` weeks) times a
weekday factor; it is spread over the day by the weekday's interval profile.
Around that mean, counts are negative binomial: Poisson given a day factor
(gamma, cv fitted from the spread of recent days plus the uncertainty of the
level) and an interval-level factor (cv fitted from the spread of intervals
about their day's profile). Holidays are left out of the fit and forecast as
closed (0, flagged); days missing from the history are missing, not zero.
:mod:`svcsim.history.forecast_models` adds exponential smoothing of the day
totals (the ``forecast`` extra) and the choice between models by backtest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from svcsim.history.arrivals import DailyCounts, shared_cv

History = DailyCounts
"""Contacts per queue (contact type), observed day and interval."""


@dataclass(frozen=True)
class Model:
    """A fitted forecast model for every queue (arrays indexed by queue)."""

    profile: np.ndarray      # (queues, 7, intervals): shares of the day, NaN for unseen weekdays
    weekday: np.ndarray      # (queues, 7): daily multipliers (mean 1 over seen weekdays)
    level: np.ndarray        # (queues,): deseasonalised contacts per day
    day_cv: np.ndarray       # (queues,): predictive cv of a day's total beyond Poisson
    interval_cv: np.ndarray  # (queues,): cv of an interval about its day's profile
    day_df: np.ndarray       # (queues,): degrees of freedom of the day cv's estimate
    shared_cv: float = 0.0   # predictive cv of the day factor shared by every queue


def fit_model(history: History, level_weeks: int = 4, profile_weeks: int = 12) -> Model:
    """Fit the profile x level model on ``history`` (holidays already removed).

    Parameters
    ----------
    level_weeks : int
        Weeks of recent history the level is the mean of.
    profile_weeks : int
        Weeks of recent history the weekday profiles and factors come from.
    """
    c = history.counts
    q, _, per_day = c.shape
    last = history.dates[-1]
    recent = history.dates > last - pd.Timedelta(weeks=profile_weeks)
    wd = history.weekdays
    totals = c.sum(axis=2)
    profile = np.full((q, 7, per_day), np.nan)
    mean_total = np.full((q, 7), np.nan)
    for w in range(7):
        mine = recent & (wd == w)
        if mine.any():
            summed = c[:, mine].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                profile[:, w] = summed / summed.sum(axis=1, keepdims=True)
            mean_total[:, w] = totals[:, mine].mean(axis=1)
    weekday = mean_total / np.nanmean(mean_total, axis=1, keepdims=True)
    weekday = np.where(np.isfinite(weekday), weekday, 0.0)
    level_days = history.dates > last - pd.Timedelta(weeks=level_weeks)
    factor = weekday[:, wd[level_days]]
    with np.errstate(invalid="ignore", divide="ignore"):
        deseason = np.where(factor > 0, totals[:, level_days] / factor, np.nan)
    level = np.nanmean(deseason, axis=1)
    per_weekday = max(int(recent.sum()) / max(len(set(wd[recent].tolist())), 1), 1.0)
    day_cv = _day_cv(totals[:, level_days], factor, level, per_weekday)
    n = np.isfinite(factor).sum(axis=1)
    widen = np.sqrt(1 + 1 / max(int(level_days.sum()), 1) + 1 / per_weekday)
    shared = shared_cv(totals[:, level_days], wd[level_days]) * widen if q > 1 else np.nan
    positive = day_cv[day_cv > 0]
    shared = float(min(shared, positive.min())) if np.isfinite(shared) and len(positive) else 0.0
    return Model(np.nan_to_num(profile), weekday, np.nan_to_num(level), day_cv,
                 _interval_cv(c[:, recent], profile[:, wd[recent]], totals[:, recent]),
                 np.maximum(n - 1, 1), shared)


def _day_cv(totals: np.ndarray, factor: np.ndarray, level: np.ndarray,
            per_weekday: float) -> np.ndarray:
    """Predictive cv of a day's total beyond Poisson: the spread of recent
    days about ``level x weekday`` (less the Poisson part), widened by the
    uncertainty of a level that is the mean of ``n`` such days and of a
    weekday factor that is the mean of ``per_weekday`` days."""
    mu = level[:, None] * factor
    n = np.maximum(np.isfinite(mu).sum(axis=1), 1)
    # the level and the weekday factors were fitted on these same days, so a
    # day's residual is smaller than a new day's by its weight in them
    fitted = np.minimum(1 / n + 1 / per_weekday, 0.5)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        excess = np.nansum((totals - mu) ** 2 / (1 - fitted) - mu, axis=1) \
            / np.nansum(mu**2, axis=1)
    cv2 = np.maximum(np.nan_to_num(excess), 0.0)
    return np.sqrt(cv2 * (1 + 1 / n + 1 / per_weekday))


def _interval_cv(counts: np.ndarray, profile: np.ndarray, totals: np.ndarray) -> np.ndarray:
    expected = np.nan_to_num(profile) * totals[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        cv2 = ((counts - expected) ** 2 - expected).sum(axis=(1, 2)) / (expected**2).sum(axis=(1, 2))
    return np.sqrt(np.maximum(np.nan_to_num(cv2), 0.0))


def predict(model: Model, history: History, days: pd.DatetimeIndex,
            coverage: float = 0.8, holidays: pd.DatetimeIndex | None = None) -> pd.DataFrame:
    """Forecast every queue, day and interval with a central prediction interval.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``date``, ``weekday``, ``interval``, ``start`` (HH:MM),
        ``forecast`` (expected contacts), ``low`` and ``high`` (the
        ``coverage`` prediction interval), ``day_forecast``, ``day_low``,
        ``day_high`` (the day total's interval, Student-widened for the
        days the day cv was estimated from), ``holiday``, ``day_cv`` (the
        queue's predictive day cv) and ``shared_cv`` (the part of it shared
        by every queue).
    """
    holidays = holidays if holidays is not None else pd.DatetimeIndex([])
    wd = np.asarray(days.day_of_week)
    closed = np.asarray(days.isin(holidays))
    day_mean = model.level[:, None] * model.weekday[:, wd] * ~closed      # (q, days)
    shape = day_mean.shape
    return spread(model, history, days, day_mean,
                  np.broadcast_to(model.day_cv[:, None], shape),
                  np.broadcast_to(model.day_df[:, None], shape), coverage, closed)


def spread(model: Model, history: History, days: pd.DatetimeIndex, day_mean: np.ndarray,
           day_cv: np.ndarray, day_df: np.ndarray, coverage: float,
           closed: np.ndarray) -> pd.DataFrame:
    """Spread each queue's expected day totals ``day_mean`` (queues, days)
    over the day by the model's weekday x interval profile, with negative
    binomial intervals from the predictive day cv ``day_cv`` (queues, days;
    beyond Poisson, estimated with ``day_df`` degrees of freedom) and the
    model's interval cv; see :func:`predict` for the columns."""
    wd = np.asarray(days.day_of_week)
    q, _, per_day = model.profile.shape
    mean = day_mean[:, :, None] * model.profile[:, wd]                    # (q, days, per_day)
    cv2_day = day_cv[:, :, None] ** 2
    cv2 = (1 + cv2_day) * (1 + model.interval_cv[:, None, None] ** 2) - 1
    alpha = (1 - coverage) / 2
    low, high = _nb_interval(mean, cv2, alpha)
    day_cv2 = _t_widened(day_mean, day_cv**2, day_df, alpha)
    day_low, day_high = _nb_interval(day_mean, day_cv2, alpha)
    starts = np.arange(per_day) * history.interval_s
    frame = pd.DataFrame({
        "queue": np.repeat(history.types, len(days) * per_day),
        "date": np.tile(np.repeat(days, per_day), q),
        "weekday": np.tile(np.repeat(wd, per_day), q),
        "interval": np.tile(np.arange(per_day), q * len(days)),
        "start": np.tile([f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}" for s in starts],
                         q * len(days)),
        "forecast": mean.ravel(), "low": low.ravel(), "high": high.ravel(),
        "day_forecast": np.repeat(day_mean.ravel(), per_day),
        "day_low": np.repeat(day_low.ravel(), per_day),
        "day_high": np.repeat(day_high.ravel(), per_day),
        "holiday": np.tile(np.repeat(closed, per_day), q),
        "day_cv": np.repeat(np.asarray(day_cv).ravel(), per_day),
        "shared_cv": model.shared_cv,
    })
    return frame


def _t_widened(mean: np.ndarray, cv2: np.ndarray, df: np.ndarray,
               alpha: float) -> np.ndarray:
    """Day-factor ``cv2`` widened so that the day total's variance
    ``mean + cv2 mean**2`` grows by ``(t / z)**2``: the day cv is estimated
    from ``df`` + 1 days, so the interval is Student's, not the normal's."""
    mean = np.asarray(mean, dtype=float)
    k = (stats.t.ppf(1 - alpha, df) / stats.norm.ppf(1 - alpha)) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        widened = ((mean + cv2 * mean**2) * k - mean) / mean**2
    return np.where(mean > 0, np.maximum(widened, cv2), cv2)


def _nb_interval(mean: np.ndarray, cv2: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Central interval of a gamma-Poisson (negative binomial) count with
    ``mean`` and day-factor ``cv2``; Poisson where ``cv2`` is 0."""
    mean, cv2 = np.broadcast_arrays(np.asarray(mean, float), np.asarray(cv2, float))
    low, high = np.zeros(mean.shape), np.zeros(mean.shape)
    pos = mean > 0
    nb = pos & (cv2 > 1e-9)
    shape = np.where(nb, 1 / np.where(nb, cv2, 1), 1.0)
    p = shape / (shape + np.where(pos, mean, 1))
    low[nb] = stats.nbinom.ppf(alpha, shape[nb], p[nb])
    high[nb] = stats.nbinom.ppf(1 - alpha, shape[nb], p[nb])
    po = pos & ~nb
    low[po] = stats.poisson.ppf(alpha, mean[po])
    high[po] = stats.poisson.ppf(1 - alpha, mean[po])
    return low, high


MODELS = ("default", "ets")
"""Forecast models: ``default`` (profile x level, no extra dependency) and
``ets`` (exponential smoothing of the day totals, the ``forecast`` extra)."""


def _predict_default(past: History, days: pd.DatetimeIndex, coverage: float,
                     holidays: pd.DatetimeIndex, level_weeks: int,
                     profile_weeks: int) -> pd.DataFrame:
    return predict(fit_model(past, level_weeks, profile_weeks), past, days, coverage, holidays)


def _predictor(model: str):
    """The predict function of ``model`` and the fewest days of history it needs."""
    if model == "default":
        return _predict_default, 7
    if model == "ets":
        from svcsim.history import forecast_models

        forecast_models.require_ets()
        return forecast_models.predict_ets, forecast_models.MIN_DAYS
    raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")


def forecast(history: History, days: int, start: pd.Timestamp | None = None,
             coverage: float = 0.8, holidays: pd.DatetimeIndex | None = None,
             level_weeks: int = 4, profile_weeks: int = 12,
             model: str = "default") -> pd.DataFrame:
    """Forecast ``days`` days from ``start`` (default: the day after the last
    observed day) with ``model`` (one of :data:`MODELS`); see
    :func:`predict` for the columns."""
    holidays = holidays if holidays is not None else pd.DatetimeIndex([])
    clean = history.without(holidays)
    run, _ = _predictor(model)
    first = start if start is not None else history.dates[-1] + pd.Timedelta(days=1)
    return run(clean, pd.date_range(first, periods=days, freq="D"), coverage, holidays,
               level_weeks, profile_weeks)


def backtest(history: History, weeks: int = 4, coverage: float = 0.8,
             holidays: pd.DatetimeIndex | None = None, level_weeks: int = 4,
             profile_weeks: int = 12, model: str = "default") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rolling-origin backtest of ``model`` on the last ``weeks`` weeks of
    the history: each week is forecast from the history before it (a week
    with too little history before it for the model is left out).

    Returns
    -------
    per_week : pandas.DataFrame
        Per queue and held-out week: ``wape_interval`` (sum of absolute
        interval errors / sum of actuals), ``wape_day`` (the same on day
        totals), ``coverage_interval`` and ``coverage_day`` (share of
        actuals inside the prediction interval), ``nominal``, ``model``.
    cells : pandas.DataFrame
        The forecast of every held-out cell beside its ``actual``.
    """
    holidays = holidays if holidays is not None else pd.DatetimeIndex([])
    run, min_days = _predictor(model)
    clean = history.without(holidays)
    last = clean.dates[-1]
    origins = [last - pd.Timedelta(weeks=k) + pd.Timedelta(days=1) for k in range(weeks, 0, -1)]
    rows, cells = [], []
    for k, origin in enumerate(origins):
        past = clean.before(origin)
        held = (clean.dates >= origin) & (clean.dates < origin + pd.Timedelta(weeks=1))
        if len(past.dates) < min_days or not held.any():
            continue
        table = run(past, clean.dates[held], coverage, pd.DatetimeIndex([]), level_weeks,
                    profile_weeks)
        table["actual"] = clean.counts[:, held].ravel()
        table["week"] = k
        cells.append(table)
        rows.extend(_scores(table, coverage))
    per_week = pd.DataFrame(rows)
    if len(per_week):
        per_week["model"] = model
    return per_week, (pd.concat(cells, ignore_index=True) if cells else pd.DataFrame())


def _scores(table: pd.DataFrame, coverage: float) -> list[dict]:
    out = []
    for queue, mine in table.groupby("queue", sort=False):
        days = mine.groupby("date").agg(actual=("actual", "sum"), forecast=("forecast", "sum"),
                                        low=("day_low", "first"), high=("day_high", "first"))
        inside = (mine["actual"] >= mine["low"]) & (mine["actual"] <= mine["high"])
        day_inside = (days["actual"] >= days["low"]) & (days["actual"] <= days["high"])
        actual = mine["actual"].sum()
        out.append({
            "queue": queue, "week": int(mine["week"].iloc[0]),
            "first_day": mine["date"].min(), "actual": actual,
            "wape_interval": (mine["actual"] - mine["forecast"]).abs().sum() / actual,
            "wape_day": (days["actual"] - days["forecast"]).abs().sum() / days["actual"].sum(),
            "coverage_interval": float(inside[mine["forecast"] > 0].mean()),
            "coverage_day": float(day_inside.mean()), "nominal": coverage})
    return out


def history_from_counts(frame: pd.DataFrame, interval_s: float) -> History:
    """A :class:`History` from a tidy table: ``queue``, ``date``,
    ``interval`` (of the day) and ``offered``."""
    queues = sorted(frame["queue"].unique())
    dates = pd.DatetimeIndex(sorted(pd.to_datetime(frame["date"]).unique()))
    per_day = int(round(86400 / interval_s))
    counts = np.zeros((len(queues), len(dates), per_day))
    np.add.at(counts, (pd.Categorical(frame["queue"], categories=queues).codes,
                       dates.get_indexer(pd.to_datetime(frame["date"])),
                       frame["interval"].to_numpy().astype(int)), frame["offered"].to_numpy())
    return History(counts, queues, dates, interval_s)


def forecast_scenario(data: dict, table: pd.DataFrame, source: str) -> dict:
    """A fitted scenario (as a mapping) with the forecast's first (up to)
    seven days as its arrivals: the horizon starts on the first forecast
    day, each contact type named as a forecast queue gets the forecast
    volumes and its predictive day cv (rms over the days) as ``forecast_cv``, and the part of
    the day's uncertainty every queue shares becomes ``shared_forecast_cv``.

    Raises
    ------
    HistoryError
        When no forecast queue is a contact type of the scenario.
    """
    from svcsim.history.tables import HistoryError

    dates = sorted(table["date"].unique())[:7]
    horizon = table[table["date"].isin(dates)]
    out = {**data, "horizon": {**data.get("horizon", {}), "days": len(dates),
                               "first_day": pd.Timestamp(dates[0]).strftime("%a").lower()}}
    types = {**out.get("contact_types", {})}
    matched = [q for q in horizon["queue"].unique() if q in types]
    if not matched:
        raise HistoryError(source, [("contact_types", "no contact type is named like a forecast "
                                     f"queue ({', '.join(map(str, horizon['queue'].unique()))})")])
    for queue in matched:
        mine = horizon[horizon["queue"] == queue]
        types[queue] = {**types[queue], "arrivals": {
            "volumes": {"start": "00:00", "values": [round(float(v), 2) for v in mine["forecast"]]},
            # a random day of the horizon: the rms of the days' cvs (which
            # grow with the horizon under --model ets, constant otherwise)
            "forecast_cv": round(float(np.sqrt((mine["day_cv"] ** 2).mean())), 3)}}
    out["contact_types"] = types
    shared = round(float(horizon["shared_cv"].iloc[0]), 3) if "shared_cv" in horizon else 0.0
    cvs = [spec["arrivals"]["forecast_cv"] for spec in types.values()
           if (spec.get("arrivals") or {}).get("forecast_cv", 0) > 0]
    if len(matched) > 1 and cvs and 0 < shared <= min(cvs):
        out["shared_forecast_cv"] = shared
    else:
        out.pop("shared_forecast_cv", None)
    # a staffing per interval belongs to the fitted horizon, not the forecast's
    out["pools"] = [{k: v for k, v in pool.items() if k != "staffing"}
                    for pool in out.get("pools", [])]
    return out
