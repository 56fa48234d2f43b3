"""Speed of analytic staffing requirements.

Run: python benchmarks/bench_requirements.py

Measures
- required_agents (Erlang C and Erlang A) on a full week of 15-minute
  intervals for 10 contact types (6,720 cells) in one vectorised call;
- erlang_c / erlang_a at 2,000 agents and 1,950 Erlangs;
- svcsim.queueing.requirements on each shipped scenario.
Prints the best of several repeats, in milliseconds.
"""

from __future__ import annotations

import platform
import time
from pathlib import Path

import numpy as np

import svcsim
from svcsim.queueing import erlang_a, erlang_c, required_agents, requirements

ROOT = Path(__file__).resolve().parents[1]


def best_ms(func, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def main() -> None:
    rng = np.random.default_rng(1)
    cells = 672 * 10
    volumes = rng.uniform(0, 400, cells)          # contacts per 15 minutes
    rates = volumes / 900.0
    aht = rng.uniform(120, 600, cells)
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
          f"python {platform.python_version()}, numpy {np.__version__}")
    print(f"required_agents, Erlang C, {cells} cells (a week x 10 types): "
          f"{best_ms(lambda: required_agents(rates, aht, 0.8, 20.0)):.1f} ms")
    print(f"required_agents, Erlang A, {cells} cells: "
          f"{best_ms(lambda: required_agents(rates, aht, 0.8, 20.0, mean_patience=180.0)):.1f} ms")
    big = dict(agents=2000, arrival_rate=1950 / 300, mean_service=300.0, threshold=20.0)
    print(f"erlang_c at 2,000 agents / 1,950 E: {best_ms(lambda: erlang_c(**big)):.2f} ms")
    print(f"erlang_a at 2,000 agents / 1,950 E: "
          f"{best_ms(lambda: erlang_a(mean_patience=180.0, **big)):.2f} ms")
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = svcsim.load_scenario(path)
        ms = best_ms(lambda s=scenario: requirements(s), repeat=3)
        print(f"requirements({path.name}): {scenario.n_intervals} intervals, "
              f"{len(scenario.resolved_contact_types)} contact types: {ms:.0f} ms")


if __name__ == "__main__":
    main()
