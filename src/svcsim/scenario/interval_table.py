"""Per-pool, per-interval tables planners write: staffing and requirements CSVs.

Two shapes, one reader:

- wide: a ``start`` column and one column per pool (``start,hotline`` then
  ``08:00,12``);
- long: ``start``, ``pool`` and a value column (``start,pool,agents`` then
  ``08:00,hotline,12``), as ``svcsim requirements`` writes it.

``start`` is the interval's clock time (``08:00``) on a one-day horizon and
weekday plus clock (``Tue 08:00``) on a longer one. Rows may cover part of
the horizon: intervals not listed count as 0 (closed hours need no rows).
Without a ``start`` column, the rows are every interval in order from 00:00.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from svcsim.scenario.errors import StaffingError, did_you_mean, shown
from svcsim.scenario.files import csv_problem, parse_number, read_csv_rows
from svcsim.scenario.limits import MAX_AGENTS, too_many_agents
from svcsim.scenario.model import Scenario

OPTION_HINT = "a path given on the command line is relative to the folder svcsim runs in"


def _grid(scenario: Scenario) -> dict[str, int]:
    """Interval index by its start label, lower case (``08:00``, ``tue 08:00``)."""
    return {label.lower(): i for i, label in enumerate(scenario.interval_labels())}


def _index(text: str, grid: dict[str, int]) -> int | None:
    parts = text.strip().lower().split()
    if not parts:
        return None
    clock = parts[-1].zfill(5)
    return grid.get(" ".join([*parts[:-1], clock]))


def _example(scenario: Scenario) -> str:
    labels = scenario.interval_labels()
    return f"'{labels[16 if len(labels) > 16 else 0]}'"


def read_interval_table(path: Path, scenario: Scenario, value_columns: tuple[str, ...],
                        pools: list[str] | None = None,
                        whole: bool = False) -> dict[str, np.ndarray]:
    """Values per pool per interval from a wide or long CSV.

    Parameters
    ----------
    path : Path
        The CSV file.
    scenario : Scenario
        Gives the interval grid and the pool names.
    value_columns : tuple of str
        In a long table, the value column (the first of these present).
    pools : list of str, optional
        Pools the table may name [default: every pool of the scenario].
    whole : bool
        Values must be whole numbers (agents scheduled).

    Returns
    -------
    dict of str to numpy.ndarray
        Per pool named in the table, one value per interval of the horizon
        (0 where the table has no row).

    Raises
    ------
    StaffingError
        Naming the file, row and column, and the fix.
    """
    source = str(path)
    try:
        header, rows = read_csv_rows(path, hint=OPTION_HINT)
    except ValueError as exc:
        raise StaffingError(source, [csv_problem(exc, path)]) from None
    names = pools if pools is not None else [p.name for p in scenario.pools]
    value = next((c for c in value_columns if c in header), None)
    long = "pool" in header
    if long and value is None:
        raise StaffingError(source, [("header", "a long table (with a 'pool' column) needs a "
                                      f"value column: one of {', '.join(value_columns)}; "
                                      f"found {', '.join(header)}")])
    problems: list[tuple[str, str]] = []
    n = scenario.n_intervals
    if long:
        columns = sorted({row["pool"] for row in rows}, key=[r["pool"] for r in rows].index)
    else:
        columns = [h for h in header if h not in ("start", "interval")]
    for column in columns:
        if column not in names:
            first = next((i for i, row in enumerate(rows, start=2) if row.get("pool") == column), 2)
            where = f"row {first}, column 'pool'" if long else f"column '{column}'"
            problems.append((where, f"no pool '{column}' in the scenario"
                             f"{did_you_mean(column, names)}; pools: {', '.join(names)}"))
    if problems:
        raise StaffingError(source, problems)
    table = {column: np.zeros(n) for column in columns}
    seen: dict[tuple[str, int], int] = {}
    grid = _grid(scenario)
    positions = {column: 0 for column in columns}
    for line, row in enumerate(rows, start=2):
        if "start" in header:
            k = _index(row["start"], grid)
            if k is None:
                problems.append((f"row {line}, column 'start'", f"{row['start']!r} is not the "
                                 f"start of a {scenario.interval_s / 60:g}-minute interval of "
                                 f"the horizon; write e.g. {_example(scenario)}"))
                continue
        for column in ([row["pool"]] if long else columns):
            if "start" not in header:
                k = positions[column]
                positions[column] += 1
                if k >= n:
                    problems.append((f"row {line}", f"more rows than the horizon's {n} "
                                     "intervals; add a 'start' column to give only some"))
                    break
            cell = row[value] if long else row[column]
            try:
                number = parse_number(cell, f"row {line}, column '{value if long else column}'")
            except ValueError as exc:
                where, _, what = str(exc).partition(": ")
                problems.append((where, what))
                continue
            if number < 0 or whole and number != round(number):
                problems.append((f"row {line}, column '{value if long else column}'",
                                 f"agents must be {'a whole number ' if whole else ''}>= 0, "
                                 f"got {number:g}"))
            elif number > MAX_AGENTS:
                problems.append((f"row {line}, column '{value if long else column}'",
                                 too_many_agents(number)))
            if (column, k) in seen:
                problems.append((f"row {line}", f"interval {scenario.interval_labels()[k]} of "
                                 f"'{column}' is given twice (first in row {seen[column, k]})"))
            seen[column, k] = line
            table[column][k] = number
        if len(problems) > 5:
            break
    if "start" not in header and not problems:
        short = [c for c in columns if positions[c] != n]
        if short:
            problems.append((f"column '{short[0]}'", f"{positions[short[0]]} rows, but the "
                             f"scenario has {n} intervals; add a 'start' column to give only "
                             "the open hours (the rest count as 0)"))
    if problems:
        raise StaffingError(source, problems)
    return table


def checked_values(scenario: Scenario, table: Any, source: str, *, whole: bool,
                   pools: list[str] | None = None,
                   every_pool: bool = False) -> dict[str, np.ndarray]:
    """Per pool, one number of agents per interval, checked against the scenario.

    The one check of a staffing or requirements table given in Python (a
    mapping of pool to values, or a wide DataFrame with an optional
    ``start`` column), and of the table a CSV gave.

    Parameters
    ----------
    scenario : Scenario
        Gives the interval grid and the pool names.
    table : mapping of str to array-like, or pandas.DataFrame
        The values, agents per interval.
    source : str
        What the table is called in a message (its file, or ``<staffing>``).
    whole : bool
        Values must be whole numbers (agents scheduled; a requirement may
        be fractional).
    pools : list of str, optional
        Pools the table may name [default: every pool of the scenario].
    every_pool : bool
        Every pool of ``pools`` must be given.

    Returns
    -------
    dict of str to numpy.ndarray
        Float values, one per interval of the horizon.

    Raises
    ------
    StaffingError
        Naming the column, the interval and the fix.
    """
    if isinstance(table, pd.DataFrame):
        table = {c: table[c].to_numpy() for c in table.columns if c not in ("start", "interval")}
    if not isinstance(table, Mapping):
        raise StaffingError(source, [("", f"expected a mapping of pool name to one number per "
                                      f"interval, or a DataFrame with a column per pool; got "
                                      f"{type(table).__name__} {shown(table)}")])
    every = [p.name for p in scenario.pools]
    allowed = every if pools is None else pools
    problems = [(f"column {shown(name)}", _unknown_pool(str(name), every, allowed))
                for name in table if name not in allowed]
    missing = [name for name in allowed if name not in table]
    if every_pool and missing:
        problems += [(f"column '{name}'", "missing: give agents for every pool")
                     for name in missing]
    elif not table:
        problems.append(("", f"no pool given; give values for one or more of "
                         f"{', '.join(allowed)}"))
    if problems:
        raise StaffingError(source, problems)
    out = {}
    for name, values in table.items():
        problem, out[name] = _checked_column(scenario, values, whole)
        if problem:
            problems.append((f"column '{name}'", problem))
    if problems:
        raise StaffingError(source, problems)
    return out


def _unknown_pool(name: str, every: list[str], allowed: list[str]) -> str:
    if name in every:
        return "this pool names no shift_rules in the scenario, so it cannot be rostered"
    return f"no such pool{did_you_mean(name, every)}; pools: {', '.join(allowed)}"


def _checked_column(scenario: Scenario, values: Any, whole: bool) -> tuple[str, np.ndarray]:
    """(problem or "", the values as floats) for one pool's column."""
    n = scenario.n_intervals
    try:
        numbers = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return f"must be numbers (agents per interval), got {shown(values)}", np.zeros(0)
    if numbers.ndim != 1 or len(numbers) != n:
        size = f"{len(numbers)} values" if numbers.ndim == 1 else f"shape {numbers.shape}"
        return (f"{size}, but the scenario has {n} intervals of "
                f"{scenario.interval_s / 60:g} minutes: give one number per interval, the "
                f"first at {scenario.interval_labels()[0]}"), numbers
    labels = scenario.interval_labels()
    bad = np.nonzero(~np.isfinite(numbers) | (numbers < 0)
                     | ((numbers != np.round(numbers)) if whole else False))[0]
    if bad.size:
        kind = "a whole number >= 0" if whole else "a finite number >= 0"
        return (f"interval {labels[bad[0]]}: agents must be {kind}, got {numbers[bad[0]]:g}",
                numbers)
    if numbers.size and numbers.max() > MAX_AGENTS:
        big = int(np.argmax(numbers))
        return f"interval {labels[big]}: {too_many_agents(numbers[big])}", numbers
    return "", numbers


__all__ = ["OPTION_HINT", "checked_values", "read_interval_table"]
