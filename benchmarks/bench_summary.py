"""Where a replication's CPU goes: the engine, the per-replication tables,
and the summary across replications with confidence intervals.

Run: python benchmarks/bench_summary.py

For each shipped scenario (staffed at its analytic requirement) runs a
number of replications and prints CPU seconds spent in the engine, in each
measurement table, and in ``summarise`` (what ``svcsim simulate`` and every
plan evaluation pay on top of the engine).
"""

from __future__ import annotations

import os
import platform
import time
from collections import defaultdict
from pathlib import Path

import svcsim
from svcsim.sim import metrics
from svcsim.sim.engine import Engine, no_cyclic_gc
from svcsim.sim.replications import RunTables
from svcsim.sim.result import summarise
from svcsim.sim.staffing import on_duty, scheduled_staffing

ROOT = Path(__file__).resolve().parents[1]
RUNS = [("bank_hotline.yaml", 40), ("tiered_service_desk.yaml", 6), ("ecommerce_peak.yaml", 4)]


def profile(name: str, replications: int) -> dict[str, float]:
    """CPU seconds per step over ``replications`` runs of scenario ``name``."""
    spent: dict[str, float] = defaultdict(float)

    def timed(step, function, *args):
        start = time.process_time()
        value = function(*args)
        spent[step] += time.process_time() - start
        return value

    scenario = svcsim.load_scenario(ROOT / "scenarios" / name)
    agents = on_duty(scenario, scheduled_staffing(scenario, svcsim.requirements(scenario)
                                                  .staffing()))
    runs = []
    for replication in range(replications):
        engine = Engine(scenario, agents, 7, replication, 0)
        records = timed("engine", engine.run)
        with no_cyclic_gc():
            log = timed("contact log", metrics.contact_log, scenario, records,
                        engine.measure_from)
            intervals = timed("interval table", metrics.interval_table, scenario, log, records)
            times = metrics.timeline(log, records, engine.measure_from)
            attained = timed("attainment", metrics.attainment, scenario, log, times,
                             engine.measure_from)
            pools = timed("pool table", metrics.pool_table, scenario, agents, records,
                          engine.measure_from)
        runs.append(RunTables(intervals, attained, pools, None,
                              log[["contact_type", "interval", "wait_s"]]))
    timed("summarise", summarise, scenario, runs, 7, 0.95, {})
    return spent


def main() -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    for name, replications in RUNS:
        spent = profile(name, replications)
        steps = ", ".join(f"{step} {seconds:.2f}" for step, seconds in spent.items())
        print(f"{name}, {replications} replications, CPU s: {steps}")


if __name__ == "__main__":
    main()
