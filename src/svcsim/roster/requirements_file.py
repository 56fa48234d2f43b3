"""Reading a requirements table (CSV) for the scheduler."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from svcsim.scenario import Scenario, StaffingError
from svcsim.scenario.errors import did_you_mean
from svcsim.scenario.limits import MAX_AGENTS, too_many_agents
from svcsim.scenario.files import csv_problem, parse_number, read_csv_rows

MAX_PROBLEMS = 5
"""Problems collected before reading stops (one misspelt pool name would
otherwise give one line per interval)."""

COLUMNS = ("scheduled_agents", "required", "required_agents")


def read_requirements(path: Path, scenario: Scenario) -> dict[str, np.ndarray]:
    """Agents to roster per pool per interval from a long CSV (``pool`` and one
    of ``scheduled_agents``, ``required``, ``required_agents``; rows in
    interval order).

    Raises
    ------
    StaffingError
        Naming the file, row and column of what does not fit the scenario.
    """
    source = str(path)
    try:
        header, rows = read_csv_rows(path, relative_to="the working directory")
    except ValueError as exc:
        raise StaffingError(str(path), [csv_problem(exc, path)]) from None
    column = next((c for c in COLUMNS if c in header), None)
    if "pool" not in header or column is None:
        raise StaffingError(source, [("header", f"needs a 'pool' column and one of "
                                      f"{', '.join(COLUMNS)}; found {', '.join(header)}")])
    names = [p.name for p in scenario.pools]
    values: dict[str, list[float]] = {}
    problems = []
    for line, row in enumerate(rows, start=2):
        if len(problems) > MAX_PROBLEMS:
            break
        pool = row["pool"]
        if pool not in names:
            problems.append((f"row {line}, column 'pool'",
                             f"no pool '{pool}' in the scenario{did_you_mean(pool, names)}"))
            continue
        if scenario.pool(pool).shift_rules is None:
            problems.append((f"row {line}, column 'pool'",
                             f"pool '{pool}' names no shift_rules in the scenario"))
            continue
        try:
            value = parse_number(row[column], f"row {line}, column '{column}'")
        except ValueError as exc:
            where, _, what = str(exc).partition(": ")
            problems.append((where, what))
            continue
        if value < 0:
            problems.append((f"row {line}, column '{column}'", f"must be >= 0, got {value:g}"))
        elif value > MAX_AGENTS:
            problems.append((f"row {line}, column '{column}'", too_many_agents(value)))
        values.setdefault(pool, []).append(value)
    if len(problems) > MAX_PROBLEMS:
        raise StaffingError(source, problems)
    for pool, series in values.items():
        if len(series) != scenario.n_intervals:
            problems.append((f"pool '{pool}'", f"{len(series)} rows, but the scenario has "
                             f"{scenario.n_intervals} intervals"))
    if problems:
        raise StaffingError(source, problems)
    return {pool: np.asarray(series) for pool, series in values.items()}
