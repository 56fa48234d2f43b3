"""Agents on duty per pool per interval: from the scenario, a table or a CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from svcsim.scenario import Scenario, StaffingError
from svcsim.scenario.interval_table import checked_values, read_interval_table

StaffingLike = pd.DataFrame | dict[str, np.ndarray] | str | Path | None


def scheduled_staffing(scenario: Scenario, staffing: StaffingLike = None) -> dict[str, np.ndarray]:
    """Agents scheduled per pool per interval (before shrinkage).

    ``staffing`` may be None (the scenario's ``headcount`` / ``staffing``), a
    mapping pool -> per-interval counts, a wide DataFrame (one column per pool,
    one row per interval, optional ``start`` column) or the path of such a CSV.

    Raises
    ------
    StaffingError
        Naming the file, row or interval and column of a missing pool, a
        negative or fractional count, or a row count / start time off the
        interval grid.
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
    return checked_values(scenario, staffing, "<staffing>", whole=True, every_pool=True)


def on_duty(scenario: Scenario, scheduled: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Agents on duty: scheduled x (1 - shrinkage), rounded down (whole agents)."""
    return {
        pool.name: np.floor(scheduled[pool.name] * (1.0 - pool.shrinkage) + 1e-9).astype(int)
        for pool in scenario.pools
    }


def _from_csv(scenario: Scenario, path: Path) -> dict[str, np.ndarray]:
    """A staffing CSV, wide or long, whole days or only the open hours
    (:func:`svcsim.scenario.interval_table.read_interval_table`)."""
    table = read_interval_table(path, scenario, ("agents", "scheduled_agents", "staffing"),
                                whole=True)
    return checked_values(scenario, table, str(path), whole=True, every_pool=True)
