"""Handle time from history: a distribution per contact type matched on the
mean, chosen by fit quality, and a check for variation by time of day.

Lognormal and gamma are both fitted by moments (the sample mean and cv), so
the scenario's mean handle time is the observed one: a likelihood fit can
move the mean by 15-20 % on skewed data, which a staffing figure cannot
afford. The one closer to the data by the Kolmogorov-Smirnov distance is
kept; if neither is within ``EMPIRICAL_ABOVE`` of the data the scenario gets
the empirical distribution (quantiles rescaled to the exact mean).

Where handle time differs by hour of the day (a Kruskal-Wallis test at
``BY_HOUR_P``), the scenario gets a ``handle_time_profile``: each interval's
mean over the overall mean, and the distribution's shape and cv are fitted
on handle times divided by their interval's factor (the spread within an
interval, not the one between intervals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

EMPIRICAL_ABOVE = 0.05
"""KS distance above which neither parametric shape is used."""
QUANTILES = 200
"""Points of an empirical distribution written to a scenario."""
BOOTSTRAP = 400
BY_HOUR_P = 0.01
"""Kruskal-Wallis p-value below which handle time is taken to vary by hour."""
PROFILE_MIN = 30
"""Answered contacts an interval needs for its own factor (else its hour's)."""


@dataclass(frozen=True)
class HandleFit:
    """The handle-time fit of one contact type (seconds).

    ``ks`` holds the KS distance of each candidate; ``chosen`` names the
    distribution written to the scenario; ``spec`` is its scenario mapping.
    ``by_hour_p`` is the Kruskal-Wallis p-value of handle time across hours
    of the day (small: it varies by time of day) and ``by_hour_spread`` the
    largest relative gap of an hour's mean from the overall mean.
    """

    contact_type: str
    n: int
    mean_s: float
    mean_low: float
    mean_high: float
    cv: float
    cv_low: float
    cv_high: float
    ks: dict[str, float]
    chosen: str
    spec: dict
    by_hour_p: float
    by_hour_spread: float
    profile: dict | None = None  # the scenario's handle_time_profile, when it varies
    profile_table: pd.DataFrame | None = None

    @property
    def varies_by_hour(self) -> bool:
        """Handle time differs by hour of the day (significant at ``BY_HOUR_P``)."""
        return bool(self.by_hour_p < BY_HOUR_P)


def fit_handle_time(name: str, handle_s: np.ndarray, clock_s: np.ndarray, seed: int = 0,
                    level: float = 0.95, interval_s: float = 1800.0) -> HandleFit:
    """Fit one contact type's handle times.

    Parameters
    ----------
    name : str
        The contact type.
    handle_s : numpy.ndarray
        Handle times of answered contacts, seconds (> 0).
    clock_s : numpy.ndarray
        Their arrival clock times, seconds since midnight.
    seed : int
        For the bootstrap of the cv's confidence interval.
    level : float
        Confidence level.
    interval_s : float
        The planning grid of the time-of-day profile, seconds.
    """
    raw = np.asarray(handle_s, dtype=float)
    n = len(raw)
    observed = float(raw.mean())
    half = stats.t.ppf(0.5 + level / 2, n - 1) * raw.std(ddof=1) / math.sqrt(n)
    p, spread = _by_hour(raw, clock_s)
    profile = table = None
    x = raw
    if p < BY_HOUR_P:
        table = time_of_day_profile(raw, clock_s, interval_s, level)
        profile = _profile_spec(table, interval_s)
        factor = table.set_index("interval")["factor"]
        # the shape and cv within an interval: each time over its interval's factor
        x = raw / factor.reindex((np.asarray(clock_s) // interval_s).astype(int)).to_numpy()
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    cv = sd / mean
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(14, 2)))
    resamples = max(100, min(BOOTSTRAP, 4_000_000 // n))  # NOTE: bounds memory at ~32 MB
    boot = x[rng.integers(0, n, (resamples, n))]
    boot_cv = boot.std(axis=1, ddof=1) / boot.mean(axis=1)
    cv_low, cv_high = np.quantile(boot_cv, [(1 - level) / 2, (1 + level) / 2])
    if cv < 1e-6:  # every contact took the same time
        return HandleFit(name, n, observed, observed, observed, 0.0, 0.0, 0.0,
                         {"lognormal": np.nan, "gamma": np.nan}, "deterministic",
                         {"dist": "deterministic", "value": _seconds(mean)}, p, spread,
                         profile, table)
    sigma2 = math.log1p(cv**2)
    candidates = {
        "lognormal": stats.lognorm(s=math.sqrt(sigma2), scale=mean * math.exp(-sigma2 / 2)),
        "gamma": stats.gamma(a=1 / cv**2, scale=mean * cv**2),
    }
    ks = {k: float(stats.kstest(x, d.cdf).statistic) for k, d in candidates.items()}
    best = min(ks, key=ks.get)
    if ks[best] <= EMPIRICAL_ABOVE:
        chosen, spec = best, {"dist": best, "mean": _seconds(mean), "cv": round(cv, 3)}
    else:
        chosen, spec = "empirical", {"dist": "empirical", "samples": empirical_points(x)}
    return HandleFit(name, n, observed, observed - half, observed + half, cv, float(cv_low),
                     float(cv_high), ks, chosen, spec, p, spread, profile, table)


def time_of_day_profile(x: np.ndarray, clock_s: np.ndarray, interval_s: float,
                        level: float = 0.95) -> pd.DataFrame:
    """Handle time by interval of the day, as a multiplier of the overall mean.

    Every interval from the first to the last with an answered contact gets
    a row: ``interval``, ``start`` (HH:MM), ``answered``, ``mean_s``,
    ``factor`` (its mean / the overall mean; its hour's when it has fewer
    than ``PROFILE_MIN`` contacts, 1 when the hour has too), and
    ``factor_low`` / ``factor_high`` (t interval of the interval's mean over
    the overall mean, where it has its own factor). The factors average to 1
    over the contacts, so the profile keeps the observed mean.
    """
    x = np.asarray(x, dtype=float)
    slot = (np.asarray(clock_s) // interval_s).astype(int)
    per_hour = max(int(round(3600 / interval_s)), 1)
    overall = x.mean()
    frame = pd.DataFrame({"slot": slot, "x": x})
    by_slot = frame.groupby("slot")["x"].agg(["size", "mean", "std"])
    by_hour = frame.groupby(frame["slot"] // per_hour)["x"].agg(["size", "mean"])
    rows = []
    for i in range(slot.min(), slot.max() + 1):
        n, mean, sd = by_slot.loc[i] if i in by_slot.index else (0, np.nan, np.nan)
        if n >= PROFILE_MIN:
            factor = mean / overall
            half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n) / overall
            low, high = factor - half, factor + half
        else:
            hour = by_hour.loc[i // per_hour] if i // per_hour in by_hour.index else None
            factor = hour["mean"] / overall if hour is not None and hour["size"] >= PROFILE_MIN \
                else 1.0
            low = high = np.nan
        seconds = i * interval_s
        rows.append({"interval": i, "start": f"{int(seconds // 3600):02d}:"
                     f"{int(seconds % 3600 // 60):02d}", "answered": int(n), "mean_s": mean,
                     "factor": factor, "factor_low": low, "factor_high": high})
    return pd.DataFrame(rows)


def _profile_spec(table: pd.DataFrame, interval_s: float) -> dict:
    """The scenario's ``handle_time_profile`` from a profile table."""
    first, last = int(table["interval"].min()), int(table["interval"].max()) + 1

    def clock(i: int) -> str:
        seconds = i * interval_s
        return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"

    return {"start": clock(first), "end": clock(last) if last * interval_s < 86400 else "24:00",
            "factors": [round(float(f), 3) for f in table["factor"]]}


def empirical_points(x: np.ndarray, points: int = QUANTILES) -> list[float]:
    """``points`` quantiles at mid probabilities, rescaled to the sample mean
    (so resampling them keeps the observed mean), seconds to 0.1 s."""
    q = np.quantile(x, (np.arange(points) + 0.5) / points)
    q = q * (x.mean() / q.mean())
    return [round(float(v), 1) for v in q]


def _by_hour(x: np.ndarray, clock_s: np.ndarray) -> tuple[float, float]:
    hours = (np.asarray(clock_s) // 3600).astype(int)
    groups = [x[hours == h] for h in np.unique(hours) if (hours == h).sum() >= 30]
    if len(groups) < 2:
        return 1.0, 0.0
    p = float(stats.kruskal(*groups).pvalue)
    spread = max(abs(g.mean() / x.mean() - 1) for g in groups)
    return p, float(spread)


def _seconds(value: float) -> str:
    return f"{value:.1f}s"


def handle_table(fits: list[HandleFit]) -> pd.DataFrame:
    """One row per contact type: n, mean and cv with CIs, KS distances, the
    chosen distribution, and the time-of-day check."""
    return pd.DataFrame([{
        "contact_type": f.contact_type, "answered": f.n, "mean_s": f.mean_s,
        "mean_low_s": f.mean_low, "mean_high_s": f.mean_high, "cv": f.cv, "cv_low": f.cv_low,
        "cv_high": f.cv_high, "ks_lognormal": f.ks["lognormal"], "ks_gamma": f.ks["gamma"],
        "chosen": f.chosen, "by_hour_p": f.by_hour_p, "by_hour_spread": f.by_hour_spread,
        "varies_by_hour": f.varies_by_hour} for f in fits])
