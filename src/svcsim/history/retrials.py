"""Retrials: callers who abandon and call again, linked by caller id.

An abandoned (not short-abandoned) contact whose caller's next contact on
the same channel comes within ``window_s`` is retried; that next contact is
a retrial. The scenario then generates retrials itself (``retry``: share and
delay), so linked retrials are left out of the fitted arrivals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from svcsim.history.logs import ContactLog

WINDOW_S = 7200.0
"""Longest gap, seconds, between an abandon and a call counted as its retry."""


@dataclass(frozen=True)
class Retrials:
    """Retrial links in a log.

    Attributes
    ----------
    is_retrial : numpy.ndarray of bool
        Per contact (log order): it retries an abandoned contact.
    table : pandas.DataFrame
        Per contact type: ``abandons``, ``retried``, ``share`` with a
        Wilson interval, ``mean_delay_s``.
    linked : bool
        The log has caller ids to link by.
    """

    is_retrial: np.ndarray
    table: pd.DataFrame
    linked: bool


def link_retrials(log: ContactLog, window_s: float = WINDOW_S) -> Retrials:
    """Link abandons to the same caller's next contact within ``window_s``."""
    c = log.contacts
    n = len(c)
    has_id = c["caller_id"] != ""
    if not has_id.any():
        return Retrials(np.zeros(n, dtype=bool), pd.DataFrame(), False)
    order = c[has_id].sort_values(["caller_id", "channel", "arrival"], kind="stable")
    idx = order.index.to_numpy()
    same = ((order["caller_id"].to_numpy()[1:] == order["caller_id"].to_numpy()[:-1])
            & (order["channel"].to_numpy()[1:] == order["channel"].to_numpy()[:-1]))
    gap = (order["arrival"].to_numpy()[1:] - order["arrival"].to_numpy()[:-1]) \
        / np.timedelta64(1, "s")
    abandoned = order["outcome"].to_numpy()[:-1] == "abandoned"
    # the gap runs from the abandon (arrival + wait), not from the arrival
    gap_after = gap - order["wait_s"].fillna(0).to_numpy()[:-1]
    retried = same & abandoned & (gap_after <= window_s)
    is_retrial = np.zeros(n, dtype=bool)
    is_retrial[idx[1:][retried]] = True
    retried_from = np.zeros(n, dtype=bool)
    retried_from[idx[:-1][retried]] = True
    delays = pd.Series(np.nan, index=c.index)
    delays[idx[:-1][retried]] = gap_after[retried]
    rows = []
    for name, mine in c.groupby("contact_type"):
        k = int((mine["outcome"] == "abandoned").sum())
        r = int(retried_from[mine.index].sum())
        low, high = wilson(r, k)
        rows.append((name, k, r, r / k if k else np.nan, low, high,
                     float(delays[mine.index].mean()) if r else np.nan))
    table = pd.DataFrame(rows, columns=["contact_type", "abandons", "retried", "share",
                                        "share_low", "share_high", "mean_delay_s"])
    return Retrials(is_retrial, table, True)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n``."""
    if n == 0:
        return np.nan, np.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)
