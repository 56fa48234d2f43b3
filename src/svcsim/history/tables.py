"""Reading history tables (CSV or XLSX) with a column mapping, and checking
them cell by cell so that every bad row is reported by row and column.

Row numbers are those a planner sees in a spreadsheet: the header is row 1,
the first data row is row 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from svcsim.scenario.errors import ScenarioError

LISTED_PROBLEMS = 20
"""Bad cells listed one by one; the rest are counted."""


class HistoryError(ScenarioError):
    """A history file (contact log or interval report) is unreadable or has bad
    rows; the message names the file, each bad row and column, and a count."""


def parse_columns(text: str | None) -> dict[str, str]:
    """A column mapping written ``ours=theirs,ours=theirs`` (``--columns``).

    Raises
    ------
    HistoryError
        When a pair has no ``=``.
    """
    mapping: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise HistoryError("--columns", [("", f"'{pair.strip()}' is not ours=theirs, e.g. "
                                              "arrival_time=CallStart")])
        mapping[ours.strip()] = theirs.strip()
    return mapping


def read_table(path: str | Path, required: tuple[str, ...], optional: tuple[str, ...],
               columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX file as text cells, renamed to svcsim's column names.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (UTF-8, comma separated) or ``.xlsx`` (first sheet).
    required, optional : tuple of str
        svcsim's column names.
    columns : mapping, optional
        svcsim name -> the file's name, for files that name columns otherwise.

    Returns
    -------
    pandas.DataFrame
        The svcsim columns present (as strings, empty cells as ""), and a
        ``row`` column with spreadsheet row numbers.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise HistoryError(source, [("", "file not found")])
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, dtype=object)
        else:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except Exception as exc:  # pandas raises many types for unreadable files
        raise HistoryError(source, [("", f"cannot read the file as "
                                     f"{'XLSX' if path.suffix.lower() == '.xlsx' else 'CSV'}: "
                                     f"{exc}")]) from None
    mapping = dict(columns or {})
    unknown = [ours for ours in mapping if ours not in required + optional]
    if unknown:
        raise HistoryError(source, [("--columns", f"'{unknown[0]}' is not a column svcsim reads; "
                                     f"choose from {', '.join(required + optional)}")])
    rename = {theirs: ours for ours, theirs in mapping.items()}
    raw.columns = [str(c).strip() for c in raw.columns]
    raw = raw.rename(columns=rename)
    missing = [name for name in required if name not in raw.columns]
    if missing:
        found = ", ".join(map(str, raw.columns))
        raise HistoryError(source, [("header", f"no column '{name}' (found: {found or 'none'})"
                                     + (f"; map it with --columns {name}=<your column>"
                                        if found else ""))
                                    for name in missing])
    keep = [name for name in required + optional if name in raw.columns]
    table = raw[keep].copy()
    spreadsheet = path.suffix.lower() in (".xlsx", ".xlsm")
    for name in keep:
        # a CSV is read as text already (one vectorised strip for a million
        # rows); a workbook's cells come typed and go through _cell_text
        table[name] = table[name].map(_cell_text) if spreadsheet else table[name].str.strip()
    table["row"] = np.arange(len(table)) + 2
    return table.reset_index(drop=True)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Problems:
    """Bad cells found while checking a table: (row, column, message)."""

    source: str
    found: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, rows: np.ndarray, column: str, message: str) -> None:
        """Record ``message`` for every row number in ``rows``."""
        self.found.extend((int(r), column, message) for r in rows)

    def raise_if_any(self) -> None:
        """Raise one HistoryError listing the first bad cells and counting all."""
        if not self.found:
            return
        found = sorted(self.found)
        bad_rows = len({r for r, _, _ in found})
        listed = [(f"row {r}, column '{c}'", m) for r, c, m in found[:LISTED_PROBLEMS]]
        summary = (f"{bad_rows} bad row(s), {len(found)} bad cell(s); nothing was read. "
                   "Fix or remove these rows (row 1 is the header)")
        if len(found) > LISTED_PROBLEMS:
            summary += f"; the first {LISTED_PROBLEMS} are listed"
        raise HistoryError(self.source, [("", summary), *listed])


def parse_times(table: pd.DataFrame, column: str, problems: Problems) -> pd.Series:
    """Date-times of ``column``; unparseable cells are problems."""
    text = table[column]
    parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    bad = parsed.isna()
    problems.add(table.loc[bad, "row"].to_numpy(), column,
                 "not a date-time (write e.g. 2026-03-02 08:31:05)")
    return parsed


def parse_durations(table: pd.DataFrame, column: str, problems: Problems,
                    needed: np.ndarray | None = None) -> pd.Series:
    """Durations in seconds: a number of seconds or ``H:MM:SS`` / ``MM:SS``.

    Empty cells are NaN; they are problems where ``needed`` is True. Negative
    and unparseable cells are problems.
    """
    if column not in table:
        return pd.Series(np.nan, index=table.index)
    text = table[column]
    empty = text == ""
    seconds = pd.to_numeric(text, errors="coerce")
    clock = seconds.isna() & ~empty & text.str.contains(":", regex=False)
    if clock.any():
        padded = text[clock].where(text[clock].str.count(":") == 2, "0:" + text[clock])
        seconds[clock] = pd.to_timedelta(padded, errors="coerce").dt.total_seconds()
    bad = seconds.isna() & ~empty
    problems.add(table.loc[bad, "row"].to_numpy(), column,
                 f"'{column}' must be seconds (e.g. 95) or H:MM:SS")
    negative = seconds < 0
    problems.add(table.loc[negative, "row"].to_numpy(), column, "a duration cannot be negative")
    if needed is not None:
        missing = empty & needed
        problems.add(table.loc[missing, "row"].to_numpy(), column, "empty; this row needs it")
    return seconds


def parse_counts(table: pd.DataFrame, column: str, problems: Problems,
                 required: bool = True) -> pd.Series:
    """Whole numbers >= 0; empty cells are problems when ``required``."""
    if column not in table:
        return pd.Series(np.nan, index=table.index)
    text = table[column]
    values = pd.to_numeric(text, errors="coerce")
    empty = text == ""
    bad = (values.isna() & (~empty | required)) | (values < 0) | (values % 1 != 0) & values.notna()
    problems.add(table.loc[bad, "row"].to_numpy(), column, "must be a whole number >= 0")
    return values
