"""What the simulation-verified planner buys over the analytic requirement.

Run: python benchmarks/bench_plan.py [--steps] [SCENARIO ...]

For each scenario (default: the shipped bank, e-commerce and 24x7 plans)
runs ``svcsim.plan`` with ``svcsim plan``'s default options and prints: wall
time and CPU seconds (on a shared machine, CPU seconds are the figure to
compare, the
process's own and its children's), iterations, the final headcount with the roster's status and gap,
against the headcount of the roster of the analytic requirement alone, and
how that analytic-only roster fared in simulation, standard by standard
(iteration 0 of the plan's history), with certified verdicts.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

import svcsim
from svcsim.plan import plan
from svcsim.roster import SolverSettings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["bank_hotline.yaml", "bank_hotline_daily.yaml", "ecommerce_peak.yaml",
           "night_line_24x7.yaml"]


def cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended (the
    roster's pool solves and the replications run on local processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def report(path: Path, steps: bool = False) -> None:
    scenario = svcsim.load_scenario(path)
    start, cpu = time.perf_counter(), cpu_s()

    def say(line: str) -> None:  # each step with the wall and CPU seconds so far
        print(f"  [{time.perf_counter() - start:6.1f} s wall {cpu_s() - cpu:6.1f} s "
              f"CPU] {line}", flush=True)

    result = plan(scenario, settings=SolverSettings(), progress=say if steps else None)
    seconds, cpu = time.perf_counter() - start, cpu_s() - cpu
    history = result.history
    steps = history.drop_duplicates("iteration")
    roster = result.roster
    print(f"\n{path.name}: {seconds:.0f} s wall, {cpu:.0f} s CPU, {len(steps)} rosters "
          f"simulated ({len(steps) - 1} repairs, trims and polish)")
    print(f"  analytic requirement alone: {result.analytic_headcount} agents; "
          f"planned: {roster.headcount} agents "
          f"({roster.headcount - result.analytic_headcount:+d}), roster {roster.status}, "
          f"gap {100 * roster.gap:.1f} %; every standard certified met: {result.met} "
          f"({result.simulation.replications} replications)")
    first = history[history["iteration"].astype(str) == "0"]
    print("  the analytic-only roster in simulation (verdict at the standard's scope):")
    print_standards(first)
    print("  the planned roster in simulation:")
    print_standards(result.simulation.standards)


def print_standards(table) -> None:
    for row in table.itertuples():
        print(f"    {row.standard:<40} {row.scope:<8} target {row.target:>4.0%}  "
              f"attainment {row.attainment:6.1%} [{row.attainment_low:6.1%}, "
              f"{row.attainment_high:6.1%}]  {row.verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=DEFAULT,
                        help="scenario files (names are looked up in scenarios/)")
    parser.add_argument("--steps", action="store_true",
                        help="print each plan step with the wall and CPU seconds so far")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    for name in args.scenarios:
        path = Path(name) if Path(name).exists() else ROOT / "scenarios" / name
        report(path, args.steps)


if __name__ == "__main__":
    main()
