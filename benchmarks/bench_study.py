"""How long testing a proposed standard takes: the shipped studies end to end.

Run: python benchmarks/bench_study.py [--workers N] [STUDY ...]

For each study (default: the bank hotline's phone_standard, phone_volume and
phone_frontier; names are looked up in scenarios/studies/) runs what
``svcsim compare``, ``svcsim sweep`` or ``svcsim frontier`` runs, with the
CLI's defaults (roster time limit 10 s per pool, one process, or ``--workers``
processes planning variants side by side), and prints the
wall time, the variants (base included), the seconds per variant, and each
variant's or target's agents, so a change in speed can be told from a change
in answers.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from svcsim.roster import SolverSettings
from svcsim.standards import compare, frontier, load_study

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["phone_standard.yaml", "phone_volume.yaml", "phone_frontier.yaml"]


def report(path: Path, workers: int) -> None:
    loaded = load_study(path)
    settings = SolverSettings(time_limit_s=10.0)
    start = time.perf_counter()
    if loaded.frontier:
        result = frontier(loaded, settings, workers)
        agents = {f"{row.standard} at {row.target:.0%}": row.headcount
                  for row in result.points.itertuples()}
        plans = 1 + len(loaded.frontier_variants)  # today's target is the base
    else:
        result = compare(loaded, settings, workers)
        agents = dict(zip(result.plans["variant"], result.plans["headcount"], strict=True))
        plans = len(result.plans)
    seconds = time.perf_counter() - start
    also = "" if loaded.frontier else "; and today's roster simulated under each"
    print(f"\n{path.name}: {seconds:.0f} s for {plans} variants ({seconds / plans:.1f} s a "
          f"variant{also})")
    print("  agents: " + ", ".join(f"{name} {count}" for name, count in agents.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("studies", nargs="*", default=DEFAULT,
                        help="study files (names are looked up in scenarios/studies/)")
    parser.add_argument("--workers", type=int, default=1,
                        help="local processes planning variants side by side (default 1)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, {args.workers} process(es)")
    for name in args.studies:
        path = Path(name) if Path(name).exists() else ROOT / "scenarios" / "studies" / name
        report(path, args.workers)


if __name__ == "__main__":
    main()
