"""Agents on duty per pool per interval: from the scenario, a table or a CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from svcsim.scenario import Scenario, StaffingError
from svcsim.scenario.errors import did_you_mean
from svcsim.scenario.interval_table import read_interval_table
from svcsim.scenario.limits import MAX_AGENTS, too_many_agents

StaffingLike = pd.DataFrame | dict[str, np.ndarray] | str | Path | None


def scheduled_staffing(scenario: Scenario, staffing: StaffingLike = None) -> dict[str, np.ndarray]:
    """Agents scheduled per pool per interval (before shrinkage).

    ``staffing`` may be None (the scenario's ``headcount`` / ``staffing``), a
    mapping pool -> per-interval counts, a wide DataFrame (one column per pool,
    one row per interval, optional ``start`` column) or the path of such a CSV.

    Raises
    ------
    StaffingError
        Naming the file, row and column of a missing pool, a negative or
        fractional count, or a row count / start time off the interval grid.
    """
    if staffing is None:
        found = scenario.staffing()
        missing = [p.name for p in scenario.pools if p.name not in found]
        if missing:
            raise StaffingError("<scenario>", [("pools", f"no staffing for {', '.join(missing)}: "
                                                "give 'headcount' or 'staffing' in the scenario, "
                                                "or a staffing table")])
        return found
    if isinstance(staffing, (str, Path)):
        return _from_csv(scenario, Path(staffing))
    if isinstance(staffing, pd.DataFrame):
        staffing = {c: staffing[c].to_numpy() for c in staffing.columns if c != "start"}
    return _checked(scenario, dict(staffing), "<staffing>")


def on_duty(scenario: Scenario, scheduled: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Agents on duty: scheduled x (1 - shrinkage), rounded down (whole agents)."""
    return {
        pool.name: np.floor(scheduled[pool.name] * (1.0 - pool.shrinkage) + 1e-9).astype(int)
        for pool in scenario.pools
    }


def _checked(scenario: Scenario, table: dict[str, np.ndarray], source: str) -> dict[str, np.ndarray]:
    names = [p.name for p in scenario.pools]
    problems = []
    for name in table:
        if name not in names:
            problems.append((f"column '{name}'", f"no such pool{did_you_mean(name, names)}; "
                             f"pools: {', '.join(names)}"))
    for name in names:
        if name not in table:
            problems.append((f"column '{name}'", "missing: give agents for every pool"))
    out = {}
    for name, values in table.items():
        values = np.asarray(values, dtype=float)
        if len(values) != scenario.n_intervals:
            problems.append((f"column '{name}'", f"{len(values)} rows, but the scenario has "
                             f"{scenario.n_intervals} intervals"))
            continue
        bad = np.nonzero(~np.isfinite(values) | (values < 0) | (values != np.round(values)))[0]
        if bad.size:
            problems.append((f"row {bad[0] + 2}, column '{name}'",
                             f"agents must be a whole number >= 0, got {values[bad[0]]:g}"))
        elif values.size and values.max() > MAX_AGENTS:
            big = int(np.argmax(values))
            problems.append((f"row {big + 2}, column '{name}'", too_many_agents(values[big])))
        out[name] = values
    if problems:
        raise StaffingError(source, problems)
    return out


def _from_csv(scenario: Scenario, path: Path) -> dict[str, np.ndarray]:
    """A staffing CSV, wide or long, whole days or only the open hours
    (:func:`svcsim.scenario.interval_table.read_interval_table`)."""
    table = read_interval_table(path, scenario, ("agents", "scheduled_agents", "staffing"))
    return _checked(scenario, table, str(path))
