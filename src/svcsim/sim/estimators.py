"""Estimators across replications, from pooled contacts.

A per-interval ASA is a ratio (waits of answered contacts over contacts
answered), and the mean of per-replication ratios is biased low where few
contacts fall in an interval (a replication with one quick answer weighs as
much as one with forty). So every rate is estimated as a ratio of sums over
replications, and every percentile from the pooled contacts; the confidence
interval comes from the spread between replications:

* ratio ``R = sum_r y_r / sum_r x_r`` (the pooled per-contact value); its CI
  by the delta method: ``se = sd_r(y_r - R x_r) / (sqrt(n) mean_r(x_r))``,
  with Student's t on ``n - 1`` degrees of freedom;
* percentile: the quantile of every replication's contacts pooled; its CI
  half-width that of the mean of the per-replication quantiles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def t_half_width(sd, n, level: float) -> np.ndarray:
    """Half-width of the two-sided Student t confidence interval at ``level``
    of a mean of ``n`` values whose standard deviation is ``sd`` (arrays or
    scalars; NaN where ``n < 2``)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        return np.where(n > 1, t * np.asarray(sd, dtype=float) / np.sqrt(n), np.nan)


def ratio_estimates(per_run: pd.DataFrame, keys: list[str], numerator: str, denominator: str,
                    level: float) -> pd.DataFrame:
    """Pooled ratio per ``keys`` with its t confidence interval across replications.

    Parameters
    ----------
    per_run : pandas.DataFrame
        One row per replication x ``keys`` with the two summed columns.
    keys : list of str
        Grouping columns (e.g. ``["interval", "contact_type"]``).
    numerator, denominator : str
        Columns summed per replication (e.g. ``wait_sum_s`` and ``answered``).
    level : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    pandas.DataFrame
        ``keys`` then ``value``, ``low``, ``high`` (NaN where nothing was
        counted; no interval from fewer than two replications).
    """
    grouped = per_run.groupby(keys, sort=False, observed=True)
    y_sum = grouped[numerator].transform("sum")
    x_sum = grouped[denominator].transform("sum")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(x_sum > 0, y_sum / x_sum.where(x_sum > 0), np.nan)
    residual = per_run[numerator] - ratio * per_run[denominator]
    frame = per_run[keys].assign(_ratio=ratio, _res=residual, _x=per_run[denominator])
    table = frame.groupby(keys, sort=False, observed=True).agg(
        value=("_ratio", "first"), sd=("_res", "std"), n=("_res", "size"), mean_x=("_x", "mean"))
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.where(table["mean_x"] > 0,
                        t_half_width(table["sd"], table["n"], level) / table["mean_x"], np.nan)
    table["low"] = table["value"] - half
    table["high"] = table["value"] + half
    return table[["value", "low", "high"]].reset_index()


def pooled_quantiles(samples: pd.DataFrame, keys: list[str], column: str, q: float,
                     level: float) -> pd.DataFrame:
    """The ``q`` quantile of ``column`` over every replication's rows pooled,
    per ``keys``, with a CI half-width from the per-replication quantiles.

    ``samples`` has one row per contact with a ``replication`` column.
    """
    pooled = samples.groupby(keys, sort=False, observed=True)[column].quantile(q)
    per_run = samples.groupby([*keys, "replication"], sort=False, observed=True)[column] \
        .quantile(q).groupby(level=list(range(len(keys))), sort=False).agg(["std", "size"])
    half = pd.Series(t_half_width(per_run["std"], per_run["size"], level),
                     index=per_run.index).reindex(pooled.index)
    return pd.DataFrame({"value": pooled, "low": pooled - half, "high": pooled + half}) \
        .reset_index()


__all__ = ["pooled_quantiles", "ratio_estimates", "t_half_width"]
