"""Shift rosters at minimum headcount (OR-Tools CP-SAT)."""

from svcsim.roster.model import SolverSettings
from svcsim.roster.scheduler import Roster, schedule_roster, write_roster

__all__ = ["Roster", "SolverSettings", "schedule_roster", "write_roster"]
