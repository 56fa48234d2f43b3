"""svcsim: contact-centre and service-desk planning against service standards.

The public API (docs/api.md): load a scenario, compute analytic staffing
requirements, simulate a staffing plan, roster it, plan (roster verified and
repaired by simulation), test proposed standards, and draw or write what a
planner sends on. Everything a notebook needs is importable from here::

    import svcsim
    scenario = svcsim.load_scenario("scenarios/bank_hotline.yaml")
    planned = svcsim.plan_roster(scenario)
    svcsim.write_workbook("roster.xlsx", planned.roster, scenario, planned.simulation)

The rostering, study and drawing parts load on first use, so ``import
svcsim`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

# NOTE: the whole API is imported on first use, not with the package: `svcsim`
# (the command) then starts in milliseconds and handles Ctrl-C from its first
# moment, instead of spending two seconds importing numpy, pandas and SimPy.

__version__ = "0.1.0"

# public name -> (module, name there); imported on first use
_LAZY = {
    "Requirements": ("svcsim.queueing", "Requirements"),
    "requirements": ("svcsim.queueing", "requirements"),
    "ContactType": ("svcsim.scenario", "ContactType"),
    "Scenario": ("svcsim.scenario", "Scenario"),
    "ScenarioError": ("svcsim.scenario", "ScenarioError"),
    "StaffingError": ("svcsim.scenario", "StaffingError"),
    "Standard": ("svcsim.scenario", "Standard"),
    "load_scenario": ("svcsim.scenario", "load_scenario"),
    "scenario_from_dict": ("svcsim.scenario", "scenario_from_dict"),
    "SimulationResult": ("svcsim.sim", "SimulationResult"),
    "simulate": ("svcsim.sim", "simulate"),
    "plan_roster": ("svcsim.plan", "plan"),
    "Plan": ("svcsim.plan", "Plan"),
    "staffing_of": ("svcsim.plan", "staffing_of"),
    "Roster": ("svcsim.roster", "Roster"),
    "SolverSettings": ("svcsim.roster", "SolverSettings"),
    "schedule_roster": ("svcsim.roster", "schedule_roster"),
    "write_roster": ("svcsim.roster", "write_roster"),
    "Comparison": ("svcsim.standards", "Comparison"),
    "Frontier": ("svcsim.standards", "Frontier"),
    "compare": ("svcsim.standards", "compare"),
    "frontier": ("svcsim.standards", "frontier"),
    "load_study": ("svcsim.standards", "load_study"),
    "study_from_dict": ("svcsim.standards", "study_from_dict"),
    "sweep_table": ("svcsim.standards", "sweep_table"),
    "with_changes": ("svcsim.standards", "with_changes"),
    "load_scorecard": ("svcsim.standards.scorecard", "load_scorecard"),
    "score": ("svcsim.standards.scorecard", "score"),
    "simulated_metrics": ("svcsim.standards.scorecard", "simulated_metrics"),
    "requirements_figure": ("svcsim.report", "requirements_figure"),
    "service_level_figure": ("svcsim.report", "service_level_figure"),
    "occupancy_figure": ("svcsim.report", "occupancy_figure"),
    "save_figure": ("svcsim.report", "save_figure"),
    "coverage_figure": ("svcsim.report.roster_figures", "coverage_figure"),
    "gantt_figure": ("svcsim.report.roster_figures", "gantt_figure"),
    "comparison_figure": ("svcsim.report.study_figures", "comparison_figure"),
    "frontier_figure": ("svcsim.report.study_figures", "frontier_figure"),
    "scorecard_figure": ("svcsim.report.study_figures", "scorecard_figure"),
    "sweep_figure": ("svcsim.report.study_figures", "sweep_figure"),
    "comparison_text": ("svcsim.report.tables", "comparison_text"),
    "frontier_text": ("svcsim.report.tables", "frontier_text"),
    "plan_text": ("svcsim.report.tables", "plan_text"),
    "roster_text": ("svcsim.report.tables", "roster_text"),
    "scorecard_text": ("svcsim.report.tables", "scorecard_text"),
    "standards_text": ("svcsim.report.tables", "standards_text"),
    "write_workbook": ("svcsim.report.workbook", "write_workbook"),
    "roster_workbook": ("svcsim.report.workbook", "roster_workbook"),
    "write_report": ("svcsim.report.html", "write_report"),
    "read_contact_log": ("svcsim.history.logs", "read_contact_log"),
    "simulated_log": ("svcsim.history.logs", "simulated_log"),
    "write_log": ("svcsim.history.logs", "write_log"),
    "read_interval_report": ("svcsim.history.reports", "read_interval_report"),
    "daily_counts": ("svcsim.history.arrivals", "daily_counts"),
    "fit_history": ("svcsim.history.fit", "fit_history"),
    "calibrate_fit": ("svcsim.history.fit", "calibrate_fit"),
    "write_fit": ("svcsim.history.fit", "write_fit"),
    "forecast": ("svcsim.history.forecast", "forecast"),
    "backtest": ("svcsim.history.forecast", "backtest"),
    "forecast_scenario": ("svcsim.history.forecast", "forecast_scenario"),
    "replay": ("svcsim.history.replay", "replay"),
    "chance_of_meeting": ("svcsim.history.risk", "chance_of_meeting"),
    "size_to_probability": ("svcsim.history.risk", "size_to_probability"),
    "fit_report": ("svcsim.history.report_fit", "fit_report"),
    "write_report_fit": ("svcsim.history.report_fit", "write_report_fit"),
    "forecast_figure": ("svcsim.history.figures", "forecast_figure"),
    "replay_figure": ("svcsim.history.figures", "replay_figure"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'svcsim' has no attribute '{name}'")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = sorted(["__version__", *_LAZY])
