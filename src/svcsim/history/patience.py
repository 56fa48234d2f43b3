"""Patience from censored waits.

A caller who abandons after waiting ``w`` shows a patience of ``w``; a caller
answered after ``w`` shows only that the patience was longer (a censored
observation). Two estimates are reported side by side:

* exponential: the maximum-likelihood mean patience is the total time waited
  by everyone who queued divided by the number of abandons, with an exact
  chi-square interval (``2 T / theta`` is chi-square with ``2 a`` degrees of
  freedom when patience is exponential);
* Kaplan-Meier: the survival curve of patience with no assumed shape.

Where the two disagree by more than ``EXPONENTIAL_WITHIN`` anywhere enough
callers are still waiting, the scenario gets an empirical patience drawn
from the Kaplan-Meier curve, its tail beyond the last observed wait
continued with the exponential mean. Short abandons are left out of both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from svcsim.history.handle_time import QUANTILES

EXPONENTIAL_WITHIN = 0.05
"""Largest gap between the Kaplan-Meier and exponential survival accepted."""
AT_RISK = 30
"""Callers still waiting for a point of the curve to count in the comparison."""


@dataclass(frozen=True)
class PatienceFit:
    """Patience of one contact type (seconds).

    ``curve`` has ``wait_s``, ``at_risk``, ``km_survival`` and
    ``exp_survival`` at each abandon time; ``gap`` is the largest
    ``|km - exp|`` where at least ``AT_RISK`` callers were waiting.
    ``spec`` is the scenario mapping (None: nobody abandoned).
    """

    contact_type: str
    queued: int
    abandons: int
    time_waited_s: float
    mean_s: float
    mean_low: float
    mean_high: float
    km_median_s: float
    gap: float
    chosen: str
    spec: dict | None
    curve: pd.DataFrame


def kaplan_meier(wait_s: np.ndarray, abandoned: np.ndarray) -> pd.DataFrame:
    """Kaplan-Meier survival of patience at each distinct abandon time.

    Columns: ``wait_s``, ``at_risk`` (still waiting just before),
    ``abandons``, ``km_survival``.
    """
    w = np.asarray(wait_s, dtype=float)
    order = np.argsort(w, kind="stable")
    w, event = w[order], np.asarray(abandoned, dtype=bool)[order]
    times, first = np.unique(w, return_index=True)
    at_risk = len(w) - first
    events = np.add.reduceat(event.astype(float), first) if len(w) else np.array([])
    keep = events > 0
    survival = np.cumprod(1 - events[keep] / at_risk[keep])
    return pd.DataFrame({"wait_s": times[keep], "at_risk": at_risk[keep],
                         "abandons": events[keep].astype(int), "km_survival": survival})


def fit_patience(name: str, wait_s: np.ndarray, abandoned: np.ndarray,
                 level: float = 0.95) -> PatienceFit:
    """Fit patience from the waits of queued contacts (answered or abandoned,
    short abandons already left out)."""
    w = np.asarray(wait_s, dtype=float)
    a = np.asarray(abandoned, dtype=bool)
    total, k = float(w.sum()), int(a.sum())
    empty = pd.DataFrame(columns=["wait_s", "at_risk", "abandons", "km_survival",
                                  "exp_survival"])
    if k == 0:
        return PatienceFit(name, len(w), 0, total, np.inf, np.nan, np.inf, np.inf, 0.0,
                           "none", None, empty)
    mean = total / k
    low = 2 * total / stats.chi2.ppf(0.5 + level / 2, 2 * k)
    high = 2 * total / stats.chi2.ppf(0.5 - level / 2, 2 * k)
    curve = kaplan_meier(w, a)
    curve["exp_survival"] = np.exp(-curve["wait_s"] / mean)
    solid = curve[curve["at_risk"] >= AT_RISK]
    gap = float((solid["km_survival"] - solid["exp_survival"]).abs().max()) if len(solid) else 0.0
    below = curve[curve["km_survival"] <= 0.5]
    median = float(below["wait_s"].iloc[0]) if len(below) else np.nan
    if gap <= EXPONENTIAL_WITHIN:
        chosen, spec = "exponential", {"dist": "exponential", "mean": f"{mean:.1f}s"}
    else:
        chosen = "empirical"
        spec = {"dist": "empirical", "samples": km_points(curve, mean)}
    return PatienceFit(name, len(w), k, total, mean, float(low), float(high), median, gap,
                       chosen, spec, curve)


def km_points(curve: pd.DataFrame, tail_mean_s: float, points: int = QUANTILES) -> list[float]:
    """``points`` patience values at mid probabilities of the Kaplan-Meier
    curve; beyond its last point the tail is exponential with ``tail_mean_s``."""
    p = (np.arange(points) + 0.5) / points
    cdf = 1 - curve["km_survival"].to_numpy()
    times = curve["wait_s"].to_numpy()
    idx = np.searchsorted(cdf, p, side="left")
    inside = idx < len(times)
    values = np.empty(points)
    values[inside] = times[idx[inside]]
    last_t, last_s = times[-1], 1 - cdf[-1]
    # conditional exponential tail: P(T > last_t + x) = last_s * exp(-x / mean)
    values[~inside] = last_t - tail_mean_s * np.log((1 - p[~inside]) / last_s)
    return [round(float(v), 1) for v in values]


def patience_table(fits: list[PatienceFit]) -> pd.DataFrame:
    """One row per contact type: queued, abandons, exponential mean with CI,
    Kaplan-Meier median, the largest gap between the curves, the choice."""
    return pd.DataFrame([{
        "contact_type": f.contact_type, "queued": f.queued, "abandons": f.abandons,
        "abandon_rate": f.abandons / f.queued if f.queued else np.nan,
        "time_waited_s": f.time_waited_s, "exp_mean_s": f.mean_s, "exp_mean_low_s": f.mean_low,
        "exp_mean_high_s": f.mean_high, "km_median_s": f.km_median_s,
        "exp_median_s": f.mean_s * np.log(2), "km_vs_exp_gap": f.gap, "chosen": f.chosen}
        for f in fits])
