"""The simulation engine: contacts across channels and tiers against agent pools."""

from __future__ import annotations

from svcsim.scenario import Scenario
from svcsim.sim.replications import run_all
from svcsim.sim.result import SimulationResult, summarise
from svcsim.sim.staffing import StaffingLike, on_duty, scheduled_staffing
from svcsim.sim.streams import SeedLike, root_entropy


def simulate(
    scenario: Scenario,
    staffing: StaffingLike = None,
    replications: int = 20,
    seed: SeedLike = 7,
    workers: int = 1,
    warmup_cycles: int = 0,
    keep_contacts: bool = False,
    level: float = 0.95,
) -> SimulationResult:
    """Simulate a scenario with a staffing plan.

    Parameters
    ----------
    scenario : Scenario
        What to simulate.
    staffing : DataFrame, mapping, path or None
        Agents scheduled per pool per interval (shrinkage is applied); None
        takes the scenario's own ``headcount`` / ``staffing``.
    replications : int
        Independent runs; confidence intervals are across them.
    seed : int, numpy.random.Generator or None
        The same seed gives the same numbers, whatever ``workers`` is.
    workers : int
        Local processes running replications in parallel.
    warmup_cycles : int
        Horizons simulated before the measured one (for 24x7 centres).
    keep_contacts : bool
        Keep the per-contact log in ``result.contacts``.
    level : float
        Confidence level of the intervals (0.95 for 95 %).
    """
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    entropy = root_entropy(seed)
    agents = on_duty(scenario, scheduled_staffing(scenario, staffing))
    runs = run_all(scenario, agents, entropy, replications, warmup_cycles, keep_contacts,
                   workers)
    settings = {"replications": replications, "workers": workers,
                "warmup_cycles": warmup_cycles, "level": level}
    return summarise(scenario, runs, entropy, level, settings)


__all__ = ["SimulationResult", "simulate"]
