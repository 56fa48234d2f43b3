"""What the simulation-verified planner buys over the analytic requirement.

Run: python benchmarks/bench_plan.py [SCENARIO ...]

For each scenario (default: bank_hotline.yaml and ecommerce_peak.yaml) runs
``svcsim.plan`` as ``svcsim plan --time-limit 5`` does and prints: wall time,
iterations, the final headcount against the headcount of the roster of the
analytic requirement alone, and how that analytic-only roster fared in
simulation, standard by standard (iteration 0 of the plan's history).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import svcsim
from svcsim.plan import plan
from svcsim.roster import SolverSettings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["bank_hotline.yaml", "ecommerce_peak.yaml"]


def report(path: Path) -> None:
    scenario = svcsim.load_scenario(path)
    start = time.perf_counter()
    result = plan(scenario, settings=SolverSettings(time_limit_s=5.0))
    seconds = time.perf_counter() - start
    history = result.history
    steps = history.drop_duplicates("iteration")
    print(f"\n{path.name}: {seconds:.0f} s, {len(steps)} rosters simulated "
          f"({len(steps) - 1} repairs and trims)")
    print(f"  analytic requirement alone: {result.analytic_headcount} agents; "
          f"planned: {result.roster.headcount} agents "
          f"({result.roster.headcount - result.analytic_headcount:+d}); "
          f"every standard met: {result.met}")
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
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    for name in args.scenarios:
        path = Path(name) if Path(name).exists() else ROOT / "scenarios" / name
        report(path)


if __name__ == "__main__":
    main()
