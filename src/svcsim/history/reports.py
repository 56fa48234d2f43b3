"""Interval reports: the ACD export, one row per interval and queue.

Columns (svcsim's names; map others with ``columns``):

===================  ======  ================================================
column               needed  meaning
===================  ======  ================================================
interval_start       yes     date-time the interval starts (2026-03-02 08:30)
queue                yes     queue or channel
offered              yes     contacts offered in the interval
answered             no      contacts answered
abandoned            no      contacts abandoned
answered_within      no      contacts answered within the service threshold
aht_s                no      average handle time of answered contacts, s
agents_logged_in     no      agents logged in (mean over the interval)
agents_available     no      agents available for contacts
===================  ======  ================================================

The interval length is the most common gap between two starts of one queue
(or given). Checks: counts are whole numbers >= 0, answered + abandoned do
not exceed offered, answered within the threshold do not exceed answered,
starts fall on the interval grid; each failure is named by row and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from svcsim.history.forecast import History, history_from_counts
from svcsim.history.tables import (
    HistoryError,
    Problems,
    parse_counts,
    parse_durations,
    parse_times,
    read_table,
)

REQUIRED = ("interval_start", "queue", "offered")
OPTIONAL = ("answered", "abandoned", "answered_within", "aht_s", "agents_logged_in",
            "agents_available")


@dataclass(frozen=True)
class IntervalReport:
    """A checked interval report: ``rows`` has ``start`` (datetime), ``date``,
    ``interval`` (of the day), ``queue``, the counts, ``aht_s`` and the agent
    columns present; ``interval_s`` is the interval length, seconds."""

    rows: pd.DataFrame
    source: str
    interval_s: float

    def history(self) -> History:
        """Offered contacts per queue, day and interval, for forecasting."""
        return history_from_counts(self.rows, self.interval_s)


def is_interval_report(path: str | Path, columns: Mapping[str, str] | None = None) -> bool:
    """Whether a history file is an interval report (it has ``offered``)."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            header = list(pd.read_excel(path, nrows=0).columns)
        else:
            header = list(pd.read_csv(path, nrows=0).columns)
    except Exception:  # unreadable: let the log reader name the problem
        return False
    named = {str(c).strip() for c in header}
    return "offered" in named or (columns or {}).get("offered") in named


def read_interval_report(path: str | Path, columns: Mapping[str, str] | None = None,
                         interval_s: float | None = None) -> IntervalReport:
    """Read and check an interval report (CSV or XLSX).

    Raises
    ------
    HistoryError
        Naming every bad row and column, with a count.
    """
    table = read_table(path, REQUIRED, OPTIONAL, columns)
    problems = Problems(str(path))
    start = parse_times(table, "interval_start", problems)
    empty = table["queue"] == ""
    problems.add(table.loc[empty, "row"].to_numpy(), "queue", "empty queue")
    counts = {name: parse_counts(table, name, problems, required=name == "offered")
              for name in ("offered", "answered", "abandoned", "answered_within")}
    aht = parse_durations(table, "aht_s", problems)
    agents = {name: parse_counts(table, name, problems, required=False)
              for name in ("agents_logged_in", "agents_available")}
    handled = counts["answered"].fillna(0) + counts["abandoned"].fillna(0)
    over = handled > counts["offered"]
    problems.add(table.loc[over, "row"].to_numpy(), "offered",
                 "answered + abandoned exceed offered")
    late = counts["answered_within"] > counts["answered"]
    problems.add(table.loc[late, "row"].to_numpy(), "answered_within",
                 "more answered within the threshold than answered")
    problems.raise_if_any()
    step = interval_s or _interval(table, start, str(path))
    clock = (start - start.dt.normalize()).dt.total_seconds()
    off_grid = (clock % step) != 0
    problems.add(table.loc[off_grid, "row"].to_numpy(), "interval_start",
                 f"not on the {step / 60:g}-minute grid")
    problems.raise_if_any()
    rows = pd.DataFrame({"start": start, "date": start.dt.normalize(),
                         "interval": (clock // step).astype(int), "queue": table["queue"],
                         **counts, "aht_s": aht, **agents, "row": table["row"]})
    return IntervalReport(rows.sort_values(["queue", "start"]).reset_index(drop=True),
                          str(path), step)


def _interval(table: pd.DataFrame, start: pd.Series, source: str) -> float:
    gaps = []
    for _, mine in start.groupby(table["queue"]):
        diffs = np.diff(np.sort(mine.to_numpy())) / np.timedelta64(1, "s")
        gaps.extend(diffs[diffs > 0].tolist())
    if not gaps:
        raise HistoryError(source, [("interval_start", "cannot tell the interval length from "
                                     "one row per queue; give --report-interval")])
    values, counts = np.unique(np.round(gaps), return_counts=True)
    step = float(values[np.argmax(counts)])  # the usual gap: one stray row cannot set it
    if 86400 % step:
        raise HistoryError(source, [("interval_start", f"intervals of {step:g} s do not divide "
                                     "a day; give --report-interval")])
    return step
