"""The simulation engine: contacts across channels and tiers against agent pools."""

from __future__ import annotations

from typing import Any

from svcsim.arguments import check_arguments
from svcsim.scenario import Scenario
from svcsim.sim.replications import Progress, run_all
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
    backend: str = "local",
    client: Any = None,
    progress: Progress | None = None,
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
        Local processes running replications in parallel (``backend="local"``).
    warmup_cycles : int
        Horizons simulated before the measured one (for 24x7 centres).
    keep_contacts : bool
        Keep the per-contact log in ``result.contacts``.
    level : float
        Confidence level of the intervals (0.95 for 95 %).
    backend : {"local", "dask"}
        Where replications run; the numbers are the same on either.
    client : dask.distributed.Client, str or None
        For ``backend="dask"``: a client, a scheduler address, or None for a
        local cluster. Needs the ``distributed`` extra.
    progress : callable, optional
        Called as ``progress(done, total)`` as replications finish.
    """
    check_arguments("simulate", counts={"replications": (replications, 1), "workers": (workers, 1),
                                        "warmup_cycles": (warmup_cycles, 0)},
                    shares={"level": level}, choices={"backend": (backend, ("local", "dask"))},
                    seed=seed)
    entropy = root_entropy(seed)
    agents = on_duty(scenario, scheduled_staffing(scenario, staffing))
    runs = run_all(scenario, agents, entropy, replications, warmup_cycles, keep_contacts,
                   workers, backend, client, progress)
    settings = {"replications": replications, "workers": workers, "backend": backend,
                "warmup_cycles": warmup_cycles, "level": level}
    return summarise(scenario, runs, entropy, level, settings)


__all__ = ["SimulationResult", "simulate"]
