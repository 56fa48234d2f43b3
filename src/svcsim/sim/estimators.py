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
from scipy import special


def t_half_width(sd, n, level: float) -> np.ndarray:
    """Half-width of the two-sided Student t confidence interval at ``level``
    of a mean of ``n`` values whose standard deviation is ``sd`` (arrays or
    scalars; NaN where ``n < 2``)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Student's t quantile, as scipy.stats.t.ppf computes it, without
        # loading scipy.stats (a third of a second at every command's start)
        t = special.stdtrit(np.maximum(n - 1, 1), 0.5 + level / 2)
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
    codes, table = group_codes(per_run, keys, sort=False)
    groups = len(table)
    y = per_run[numerator].to_numpy(dtype=float)
    x = per_run[denominator].to_numpy(dtype=float)
    n = np.bincount(codes, minlength=groups)
    y_sum = np.bincount(codes, weights=y, minlength=groups)
    x_sum = np.bincount(codes, weights=x, minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(x_sum > 0, y_sum / np.where(x_sum > 0, x_sum, 1.0), np.nan)
        sd = group_sd(codes, y - ratio[codes] * x, n)
        mean_x = x_sum / n
        half = np.where(mean_x > 0, t_half_width(sd, n, level) / mean_x, np.nan)
    return table.assign(value=ratio, low=ratio - half, high=ratio + half)


def group_codes(frame: pd.DataFrame, keys: list[str],
                sort: bool = True) -> tuple[np.ndarray, pd.DataFrame]:
    """The group number of every row of ``frame`` by ``keys``, and the keys
    of each group (their values and dtypes as in ``frame``): groups in key
    order when ``sort`` (categories in their order), else in order of first
    appearance, as :meth:`pandas.DataFrame.groupby` numbers them; a numpy
    stand-in for a groupby whose pandas overhead outweighs its sums."""
    parts = [pd.factorize(frame[key], sort=sort) for key in keys]
    sizes = [max(len(uniques), 1) for _, uniques in parts]
    combined = np.ravel_multi_index([codes for codes, _ in parts], sizes) if len(frame) \
        else np.zeros(0, dtype=np.int64)
    if sort:
        _, first, codes = np.unique(combined, return_index=True, return_inverse=True)
    else:
        codes, _ = pd.factorize(combined)
        _, first = np.unique(codes, return_index=True)
    return codes.reshape(-1), frame[keys].iloc[first].reset_index(drop=True)


def group_sd(codes: np.ndarray, values: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Sample standard deviation (``ddof=1``) of ``values`` per group
    ``codes`` of sizes ``n`` (NaN where a group has fewer than two)."""
    groups = len(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes, weights=values, minlength=groups) / n
        squares = np.bincount(codes, weights=(values - mean[codes]) ** 2, minlength=groups)
        return np.where(n > 1, np.sqrt(squares / (n - 1)), np.nan)


def pooled_quantiles(samples: pd.DataFrame, keys: list[str], column: str, q: float,
                     level: float) -> pd.DataFrame:
    """The ``q`` quantile of ``column`` over every replication's rows pooled,
    per ``keys``, with a CI half-width from the per-replication quantiles.

    ``samples`` has one row per contact with a ``replication`` column.
    """
    samples = samples[samples[column].notna()]
    codes, table = group_codes(samples, keys, sort=False)
    values = samples[column].to_numpy(dtype=float)
    pooled = group_quantile(codes, values, q, len(table))
    runs = samples["replication"].to_numpy()
    cells, first = pd.factorize(codes * (int(runs.max()) + 1 if len(runs) else 1) + runs)
    per_run = group_quantile(cells, values, q, len(first))
    owner = codes[np.unique(cells, return_index=True)[1]]  # each cell's group
    n = np.bincount(owner, minlength=len(table))
    half = t_half_width(group_sd(owner, per_run, n), n, level)
    return table.assign(value=pooled, low=pooled - half, high=pooled + half)


def group_quantile(codes: np.ndarray, values: np.ndarray, q: float, groups: int) -> np.ndarray:
    """The ``q`` quantile of ``values`` in each of ``groups`` groups
    ``codes`` (linear interpolation, as numpy's and pandas' default)."""
    order = np.lexsort((values, codes))
    ranked, sorted_codes = values[order], codes[order]
    n = np.bincount(codes, minlength=groups)
    start = np.searchsorted(sorted_codes, np.arange(groups))
    position = start + q * np.maximum(n - 1, 0)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, start + np.maximum(n - 1, 0))
    if not len(ranked):
        return np.full(groups, np.nan)
    below = ranked[np.minimum(low, len(ranked) - 1)]
    above = ranked[np.minimum(high, len(ranked) - 1)]
    t = position - low
    # numpy's interpolation, exact at either end
    value = np.where(t >= 0.5, above - (above - below) * (1 - t), below + (above - below) * t)
    return np.where(n > 0, value, np.nan)

__all__ = ["group_codes", "group_quantile", "group_sd", "pooled_quantiles", "ratio_estimates",
           "t_half_width"]
