"""The scenario format: YAML in, a typed, validated, immutable Scenario out."""

from svcsim.scenario.contact_types import ContactType
from svcsim.scenario.distributions import Distribution
from svcsim.scenario.errors import ScenarioError, StaffingError
from svcsim.scenario.load import load_scenario, scenario_from_dict, scenario_json_schema
from svcsim.scenario.model import Scenario
from svcsim.scenario.standards import Standard

__all__ = [
    "ContactType",
    "Distribution",
    "Scenario",
    "ScenarioError",
    "StaffingError",
    "Standard",
    "load_scenario",
    "scenario_from_dict",
    "scenario_json_schema",
]
