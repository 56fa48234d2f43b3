"""Arrivals from history: contacts per day and interval for each contact type,
the weekday x interval profile with its daily level, the tier mix, and the
day-to-day overdispersion (a day-level factor shared by every contact type,
and each type's own).

The model behind the estimates is the one the simulator draws from: on day
``d`` a contact type offers Poisson counts whose rate is the weekday profile
times a day factor with mean 1 and coefficient of variation ``cv`` (gamma).
A day's total then has variance ``mu + cv**2 * mu**2``, which gives the
moment estimate of ``cv`` from the spread of daily totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from svcsim.history.logs import ContactLog


@dataclass(frozen=True)
class DailyCounts:
    """Contacts per (contact type or queue, observed day, interval of the day).

    Attributes
    ----------
    counts : numpy.ndarray
        Shape (types, days, intervals per day).
    types : list of str
        ``channel/tier`` names.
    dates : pandas.DatetimeIndex
        The observed days.
    interval_s : float
        Interval length, seconds.
    """

    counts: np.ndarray
    types: list[str]
    dates: pd.DatetimeIndex
    interval_s: float

    @property
    def weekdays(self) -> np.ndarray:
        """Weekday of each observed day, 0 = Monday."""
        return np.asarray(self.dates.day_of_week)

    @property
    def per_day(self) -> int:
        """Intervals per day."""
        return self.counts.shape[2]

    @property
    def queues(self) -> list[str]:
        """The contact types, as a forecast calls them."""
        return self.types

    def before(self, day: pd.Timestamp) -> DailyCounts:
        """The days before ``day``."""
        keep = self.dates < day
        return DailyCounts(self.counts[:, keep], self.types, self.dates[keep], self.interval_s)

    def without(self, holidays: pd.DatetimeIndex) -> DailyCounts:
        """The days that are not ``holidays``."""
        keep = ~self.dates.isin(holidays)
        return DailyCounts(self.counts[:, keep], self.types, self.dates[keep], self.interval_s)


def daily_counts(log: ContactLog, interval_s: float, fresh: np.ndarray | None = None) -> DailyCounts:
    """Count contacts per contact type, observed day and interval.

    Parameters
    ----------
    log : ContactLog
        The history.
    interval_s : float
        Interval length, seconds (900 or 1800 for a scenario).
    fresh : numpy.ndarray of bool, optional
        Contacts to count (e.g. first attempts only, leaving out linked
        retrials, which the scenario generates itself); default all.
    """
    contacts = log.contacts if fresh is None else log.contacts[fresh]
    types = log.contact_types
    dates = log.dates
    per_day = int(round(86400 / interval_s))
    t = pd.Categorical(contacts["contact_type"], categories=types).codes
    d = dates.get_indexer(contacts["date"])
    i = np.minimum((contacts["clock_s"].to_numpy() // interval_s).astype(int), per_day - 1)
    counts = np.zeros((len(types), len(dates), per_day))
    np.add.at(counts, (t, d, i), 1.0)
    return DailyCounts(counts, types, dates, interval_s)


def weekday_profile(daily: DailyCounts, level: float = 0.95) -> pd.DataFrame:
    """Mean contacts per weekday x interval for each contact type, with a t
    confidence interval across the observed days of that weekday.

    Columns: ``contact_type``, ``weekday``, ``interval``, ``start``
    (HH:MM), ``days`` observed, ``mean_contacts``, ``low``, ``high``.
    """
    rows = []
    for w in sorted(set(daily.weekdays.tolist())):
        mine = daily.counts[:, daily.weekdays == w, :]
        n = mine.shape[1]
        mean = mine.mean(axis=1)
        sd = mine.std(axis=1, ddof=1) if n > 1 else np.full_like(mean, np.nan)
        half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
        for t, name in enumerate(daily.types):
            rows.append(pd.DataFrame({
                "contact_type": name, "weekday": w, "interval": np.arange(daily.per_day),
                "days": n, "mean_contacts": mean[t], "low": np.maximum(mean[t] - half[t], 0)
                if n > 1 else np.nan, "high": mean[t] + half[t] if n > 1 else np.nan}))
    table = pd.concat(rows, ignore_index=True)
    seconds = table["interval"] * daily.interval_s
    table.insert(3, "start", [f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}" for s in seconds])
    return table


def daily_levels(daily: DailyCounts) -> pd.DataFrame:
    """Contacts per day by contact type and weekday: ``days`` observed,
    ``mean_per_day``, ``sd_per_day``."""
    totals = daily.counts.sum(axis=2)
    rows = []
    for w in sorted(set(daily.weekdays.tolist())):
        mine = totals[:, daily.weekdays == w]
        for t, name in enumerate(daily.types):
            rows.append((name, w, mine.shape[1], mine[t].mean(),
                         mine[t].std(ddof=1) if mine.shape[1] > 1 else np.nan))
    return pd.DataFrame(rows, columns=["contact_type", "weekday", "days", "mean_per_day",
                                       "sd_per_day"])


class FittedHorizon:
    """The horizon of a scenario fitted to ``self.daily``: one day when the
    history holds one weekday, else a week from Monday."""

    daily: DailyCounts

    @property
    def weekdays(self) -> list[int]:
        """Observed weekdays, 0 = Monday."""
        return sorted(set(self.daily.weekdays.tolist()))

    @property
    def horizon_days(self) -> int:
        """1 when the history holds one weekday, else 7 (a week from Monday)."""
        return 1 if len(self.weekdays) == 1 else 7

    @property
    def first_weekday(self) -> int:
        """The horizon's first weekday, 0 = Monday."""
        return self.weekdays[0] if self.horizon_days == 1 else 0


def tier_mix(daily: DailyCounts) -> pd.DataFrame:
    """Share of each tier in its channel's contacts per interval of the day
    (all observed days together). Columns: ``channel``, ``tier``,
    ``interval``, ``contacts``, ``share``."""
    summed = daily.counts.sum(axis=1)
    channels = [name.partition("/")[0] for name in daily.types]
    rows = []
    for t, name in enumerate(daily.types):
        channel, _, tier = name.partition("/")
        mine = [k for k, c in enumerate(channels) if c == channel]
        total = summed[mine].sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, summed[t] / total, np.nan)
        rows.append(pd.DataFrame({"channel": channel, "tier": tier,
                                  "interval": np.arange(daily.per_day),
                                  "contacts": summed[t], "share": share}))
    return pd.concat(rows, ignore_index=True)


def day_cv(totals: np.ndarray, weekdays: np.ndarray) -> float:
    """Moment estimate of the day-factor cv from daily totals.

    Each day's squared deviation from its weekday mean (scaled by
    ``n / (n - 1)``) estimates ``mu + cv**2 * mu**2``; the Poisson part is
    taken off and the rest pooled over days. Weekdays seen once carry no
    information and are skipped. Returns 0 when the spread is no more than
    Poisson.
    """
    excess, scale = 0.0, 0.0
    for w in np.unique(weekdays):
        mine = totals[weekdays == w]
        n = len(mine)
        if n < 2:
            continue
        mu = mine.mean()
        excess += ((mine - mu) ** 2).sum() / (n - 1) * n - n * mu
        scale += n * mu**2
    if scale <= 0:
        return np.nan
    return float(np.sqrt(max(excess / scale, 0.0)))


def day_cv_interval(totals: np.ndarray, weekdays: np.ndarray,
                    level: float = 0.95) -> tuple[float, float]:
    """Confidence interval of the day-factor cv by inverting a chi-square pivot.

    With ``V_w = mu_w + cv**2 * mu_w**2`` the variance of a day's total on
    weekday ``w``, ``Q = sum_w (n_w - 1) S_w**2 / V_w`` is close to chi-square
    with ``sum_w (n_w - 1)`` degrees of freedom when daily totals are near
    normal (hundreds of contacts a day); the interval holds the cv values
    whose ``Q`` is inside the chi-square's central ``level``. ``mu_w`` is the
    weekday's sample mean.
    """
    parts = []
    for w in np.unique(weekdays):
        mine = totals[weekdays == w]
        if len(mine) >= 2 and mine.mean() > 0:
            parts.append((len(mine) - 1, mine.var(ddof=1), mine.mean()))
    if not parts:
        return np.nan, np.nan
    df = sum(p[0] for p in parts)

    def q(cv2: float) -> float:
        return sum(k * s2 / (mu + cv2 * mu * mu) for k, s2, mu in parts)

    def solve(chi: float) -> float:
        if q(0.0) <= chi:
            return 0.0
        high = 1.0
        while q(high) > chi:
            high *= 4
        return float(np.sqrt(optimize.brentq(lambda c: q(c) - chi, 0.0, high)))

    upper_chi, lower_chi = stats.chi2.ppf([(1 + level) / 2, (1 - level) / 2], df)
    return solve(upper_chi), solve(lower_chi)


def shared_cv(totals: np.ndarray, weekdays: np.ndarray) -> float:
    """Moment estimate of the cv of a day factor shared by every contact type.

    With a shared factor of cv ``s`` and each type's own, the daily totals
    of two types ``i != j`` have covariance ``mu_i mu_j s**2`` (Poisson and
    own factors are independent between types); the sample covariances about
    each weekday's means, pooled over pairs and weekdays, give ``s**2``.
    ``totals`` is (types, days). With one contact type nothing tells shared
    from own: its whole cv is returned. Clipped to ``[0, min cv]``.
    """
    cvs = [day_cv(row, weekdays) for row in totals]
    if len(totals) < 2:
        return cvs[0] if cvs else np.nan
    cross, scale = 0.0, 0.0
    for w in np.unique(weekdays):
        mine = totals[:, weekdays == w]
        n = mine.shape[1]
        if n < 2:
            continue
        mu = mine.mean(axis=1)
        dev = mine - mu[:, None]
        cov = dev @ dev.T / (n - 1)
        off = ~np.eye(len(mu), dtype=bool)
        cross += n * cov[off].sum()
        scale += n * np.outer(mu, mu)[off].sum()
    if scale <= 0:
        return np.nan
    top = np.nanmin(cvs) if np.isfinite(cvs).any() else np.inf
    return float(np.clip(np.sqrt(max(cross / scale, 0.0)), 0.0, top))


def shared_cv_interval(totals: np.ndarray, weekdays: np.ndarray, level: float = 0.95,
                       resamples: int = 200, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of :func:`shared_cv`, resampling whole
    days (every type together) within each weekday."""
    if len(totals) < 2:
        return day_cv_interval(totals[0], weekdays, level) if len(totals) else (np.nan, np.nan)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x5EA5,)))
    groups = [np.flatnonzero(weekdays == w) for w in np.unique(weekdays)]
    draws = []
    for _ in range(resamples):
        pick = np.concatenate([rng.choice(g, len(g)) for g in groups])
        draws.append(shared_cv(totals[:, pick], weekdays[pick]))
    draws = np.asarray(draws)
    draws = draws[np.isfinite(draws)]
    if not len(draws):
        return np.nan, np.nan
    low, high = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def own_cv(cv: float, shared: float) -> float:
    """cv of a contact type's own day factor, given its whole ``cv`` and the
    shared factor's: ``(1 + cv**2) = (1 + shared**2)(1 + own**2)``."""
    return float(np.sqrt(max((1 + cv**2) / (1 + shared**2) - 1, 0.0)))


def overdispersion(daily: DailyCounts, level: float = 0.95) -> pd.DataFrame:
    """Day-to-day overdispersion: cv of the day factor per contact type, of
    the whole centre's daily total (``all``), and of the day factor shared by
    every contact type (``shared``, :func:`shared_cv`), with confidence
    intervals (:func:`day_cv_interval`; a bootstrap for ``shared``).

    Columns: ``contact_type``, ``days``, ``cv``, ``cv_low``, ``cv_high``,
    ``own_cv`` (each type's own factor beside the shared one, :func:`own_cv`).
    """
    totals = daily.counts.sum(axis=2)
    weekdays = daily.weekdays
    shared = shared_cv(totals, weekdays)
    rows = []
    for t, name in enumerate(daily.types):
        cv = day_cv(totals[t], weekdays)
        low, high = day_cv_interval(totals[t], weekdays, level)
        rows.append((name, totals.shape[1], cv, low, high,
                     own_cv(cv, shared) if np.isfinite(cv) and np.isfinite(shared) else np.nan))
    whole = totals.sum(axis=0)
    rows.append(("all", len(whole), day_cv(whole, weekdays),
                 *day_cv_interval(whole, weekdays, level), np.nan))
    rows.append(("shared", totals.shape[1], shared,
                 *shared_cv_interval(totals, weekdays, level), np.nan))
    return pd.DataFrame(rows, columns=["contact_type", "days", "cv", "cv_low", "cv_high",
                                       "own_cv"])
