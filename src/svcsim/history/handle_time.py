"""Handle time from history: a distribution per contact type matched on the
mean, chosen by fit quality, and a check for variation by time of day.

Lognormal and gamma are both fitted by moments (the sample mean and cv), so
the scenario's mean handle time is the observed one: a likelihood fit can
move the mean by 15-20 % on skewed data, which a staffing figure cannot
afford. The one closer to the data by the Kolmogorov-Smirnov distance is
kept; if neither is within ``EMPIRICAL_ABOVE`` of the data the scenario gets
the empirical distribution (quantiles rescaled to the exact mean).
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

    @property
    def varies_by_hour(self) -> bool:
        """Handle time differs by hour: significant and by more than 10 %."""
        return bool(self.by_hour_p < 0.01 and self.by_hour_spread > 0.10)


def fit_handle_time(name: str, handle_s: np.ndarray, clock_s: np.ndarray, seed: int = 0,
                    level: float = 0.95) -> HandleFit:
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
    """
    x = np.asarray(handle_s, dtype=float)
    n = len(x)
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    cv = sd / mean
    half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(14, 2)))
    resamples = max(100, min(BOOTSTRAP, 4_000_000 // n))  # NOTE: bounds memory at ~32 MB
    boot = x[rng.integers(0, n, (resamples, n))]
    boot_cv = boot.std(axis=1, ddof=1) / boot.mean(axis=1)
    cv_low, cv_high = np.quantile(boot_cv, [(1 - level) / 2, (1 + level) / 2])
    p, spread = _by_hour(x, clock_s)
    if cv < 1e-6:  # every contact took the same time
        return HandleFit(name, n, mean, mean, mean, 0.0, 0.0, 0.0,
                         {"lognormal": np.nan, "gamma": np.nan}, "deterministic",
                         {"dist": "deterministic", "value": _seconds(mean)}, p, spread)
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
    return HandleFit(name, n, mean, mean - half, mean + half, cv, float(cv_low), float(cv_high),
                     ks, chosen, spec, p, spread)


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
