"""svcsim: contact-centre and service-desk planning against service standards.

The public API: load a scenario, compute analytic staffing requirements,
simulate a staffing plan.
"""

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
