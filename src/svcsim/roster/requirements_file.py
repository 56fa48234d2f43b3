"""Reading a requirements table (CSV) for the scheduler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from svcsim.scenario import Scenario, StaffingError
from svcsim.scenario.interval_table import checked_values, read_interval_table

COLUMNS = ("scheduled_agents", "required", "required_agents", "agents")


def checked_requirements(scenario: Scenario, required: Any,
                         source: str = "<requirements>") -> dict[str, np.ndarray]:
    """Agents to roster per pool per interval, given in Python (a mapping of
    pool to values, or a wide DataFrame such as ``Requirements.staffing()``),
    checked: pools with shift rules, one finite number >= 0 per interval.

    Raises
    ------
    StaffingError
        Naming the column, the interval and the fix.
    """
    rostered = [p.name for p in scenario.pools if p.shift_rules is not None]
    return checked_values(scenario, required, source, whole=False, pools=rostered)


def read_requirements(path: Path, scenario: Scenario) -> dict[str, np.ndarray]:
    """Agents to roster per pool per interval from a long CSV (``start``,
    ``pool`` and one of ``scheduled_agents``, ``required``,
    ``required_agents``, ``agents``, as ``svcsim requirements`` writes it) or
    a wide one (``start`` and a column per pool); only the open hours need
    rows (see :func:`svcsim.scenario.interval_table.read_interval_table`).

    Raises
    ------
    StaffingError
        Naming the file, row and column of what does not fit the scenario.
    """
    if path.suffix.lower() in (".yaml", ".yml"):
        raise StaffingError(str(path), [("REQUIREMENTS", "this is a scenario file, not a "
                                         "requirements table: give the CSV that 'svcsim "
                                         "requirements SCENARIO' writes (requirements_by_pool.csv)"
                                         " and the scenario as --rules, or run 'svcsim plan "
                                         "SCENARIO' to do both")])
    table = read_interval_table(path, scenario, COLUMNS)
    unruled = [pool for pool in table if scenario.pool(pool).shift_rules is None]
    if unruled:
        raise StaffingError(str(path), [(f"pool '{pool}'", "names no shift_rules in the "
                                         "scenario, so it cannot be rostered") for pool in unruled])
    return table
