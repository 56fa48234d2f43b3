"""svcsim: contact-centre and service-desk planning against service standards.

The public API: load a scenario, compute analytic staffing requirements.
"""

from svcsim.scenario import (
    ContactType,
    Scenario,
    ScenarioError,
    StaffingError,
    Standard,
    load_scenario,
    scenario_from_dict,
)

__version__ = "0.1.0"

__all__ = [
    "ContactType",
    "Scenario",
    "ScenarioError",
    "StaffingError",
    "Standard",
    "__version__",
    "load_scenario",
    "scenario_from_dict",
]
