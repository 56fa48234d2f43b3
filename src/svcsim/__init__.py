"""svcsim: contact-centre and service-desk planning against service standards.

The public API: load a scenario, compute analytic staffing requirements,
simulate a staffing plan.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from svcsim.queueing import Requirements, requirements
    from svcsim.scenario import (
        ContactType,
        Scenario,
        ScenarioError,
        StaffingError,
        Standard,
        load_scenario,
        scenario_from_dict,
    )
    from svcsim.sim import SimulationResult, simulate

# NOTE: the API is imported on first use, not with the package: `svcsim`
# (the command) then starts in milliseconds and handles Ctrl-C from its
# first moment, instead of spending two seconds importing numpy, pandas and
# SimPy with Python's default traceback on an interrupt.
_HOMES = {
    "Requirements": "svcsim.queueing", "requirements": "svcsim.queueing",
    "ContactType": "svcsim.scenario", "Scenario": "svcsim.scenario",
    "ScenarioError": "svcsim.scenario", "StaffingError": "svcsim.scenario",
    "Standard": "svcsim.scenario", "load_scenario": "svcsim.scenario",
    "scenario_from_dict": "svcsim.scenario",
    "SimulationResult": "svcsim.sim", "simulate": "svcsim.sim",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'svcsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__version__ = "0.1.0"

__all__ = [
    "ContactType",
    "Requirements",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "StaffingError",
    "Standard",
    "__version__",
    "load_scenario",
    "requirements",
    "scenario_from_dict",
    "simulate",
]
