"""Quality and speed of the CP-SAT shift scheduler.

Run: python benchmarks/bench_roster.py

Needs the benchmark extra: python -m pip install -e ".[bench]"

On a requirement profile of 15-minute intervals (a centre open 07:00-22:00
with a late-morning and an early-evening peak of about 60 agents; the week
has lighter Fridays and weekends), with shifts of 4, 6, 8 and 10 h starting
every 15 minutes from 06:00 and ending by midnight, measures:

- svcsim with placed breaks (15 min paid in hours 2-3, a 30-min unpaid meal
  in hours 4-5 of 8 and 10 h shifts; one 15-min break in a 4 h shift) for a
  day (96 intervals) and a week (672): headcount, the solver's bound and
  gap, solve time; targets: proved optimal or gap <= 1 % within 10 s for a
  day and 120 s for a week;
- the textbook model (an integer count per shift, breaks ignored, coverage
  >= need) on the same shifts: what breaks cost;
- pyworkforce's MinRequiredResources (which also ignores breaks) on the same
  shifts and profile, against svcsim on the break-free rules: the headcounts
  must be equal.
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np
from ortools.sat.python import cp_model

import svcsim
from svcsim.roster import SolverSettings, schedule_roster
from svcsim.roster.shifts import shift_options

PER_DAY = 96
WEEKDAY_SCALE = (1.0, 0.96, 0.93, 0.95, 0.88, 0.62, 0.5)  # Monday to Sunday
SHIFTS = {"4h": [("break", "15m", True, ("1.5h", "2.5h"))],
          "6h": [("break", "15m", True, ("2h", "3h"))],
          "8h": [("break", "15m", True, ("2h", "3h")), ("meal", "30m", False, ("4h", "5h"))],
          "10h": [("break", "15m", True, ("2h", "3h")), ("meal", "30m", False, ("4h", "5h"))]}


def day_profile(scale: float = 1.0) -> np.ndarray:
    """Agents needed per 15 minutes: open 07:00-22:00, peaks near 11:00 and 18:30."""
    hour = np.arange(PER_DAY) / 4 + 0.125
    need = 22 * np.exp(-((hour - 11) / 2.2) ** 2) + 16 * np.exp(-((hour - 18.5) / 2.0) ** 2)
    need = scale * (24 + need)
    need[(hour < 7) | (hour >= 22)] = 0
    return np.ceil(need).astype(int)


def scenario(days: int, breaks: bool) -> svcsim.Scenario:
    shifts = [{"name": name, "length": name, "breaks": [
        {"name": b, "length": length, "paid": paid, "window": list(window)}
        for b, length, paid, window in rules] if breaks else []}
        for name, rules in SHIFTS.items()]
    return svcsim.scenario_from_dict({
        "name": f"roster benchmark, {days} day(s)",
        "horizon": {"days": days, "interval": "15m"},
        "channels": {"phone": {"kind": "immediate", "arrivals": {"volumes": [1] * PER_DAY * days},
                               "handle_time": {"dist": "exponential", "mean": "5m"}}},
        "tiers": {"all": {"priority": 1}},
        "pools": [{"name": "agents", "skills": [{"contacts": "phone"}], "shift_rules": "rules"}],
        "shift_rules": {"rules": {
            "start_granularity": "15m", "earliest_start": "06:00", "latest_start": "20:00",
            "latest_end": "24:00", "cost_per_hour": 25, "shifts": shifts}},
    })


def profile(days: int) -> np.ndarray:
    return np.concatenate([day_profile(WEEKDAY_SCALE[d] if days > 1 else 1.0)
                           for d in range(days)])


def textbook(scenario_: svcsim.Scenario, need: np.ndarray) -> tuple[int, float]:
    """Fewest shifts with an integer count per shift, breaks ignored; (shifts, s)."""
    options = shift_options(scenario_, "agents")
    model = cp_model.CpModel()
    count = [model.new_int_var(0, int(need.max()), f"x{k}") for k in range(len(options))]
    cover: list[list] = [[] for _ in need]
    for k, option in enumerate(options):
        for i in option.covers(len(need)):
            cover[i].append(count[k])
    for i, required in enumerate(need):
        if required:
            model.add(sum(cover[i]) >= int(required))
    model.minimize(sum(count))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    start = time.perf_counter()
    status = solver.solve(model)
    assert status == cp_model.OPTIMAL
    return int(solver.objective_value), time.perf_counter() - start


def pyworkforce(days: int, need: np.ndarray) -> tuple[int, float, str]:
    """pyworkforce's MinRequiredResources on the same shifts; (shifts, s, status)."""
    from pyworkforce.scheduling import MinRequiredResources

    coverage = {}
    for name in SHIFTS:
        length = int(name[:-1]) * 4
        for start in range(6 * 4, PER_DAY - length + 1):  # 06:00 on, ending by 24:00
            if start <= 20 * 4:
                row = [0] * PER_DAY
                row[start:start + length] = [1] * length
                coverage[f"{name}@{start}"] = row
    scheduler = MinRequiredResources(
        num_days=days, periods=PER_DAY, shifts_coverage=coverage,
        required_resources=need.reshape(days, PER_DAY).tolist(),
        max_period_concurrency=1000, max_shift_concurrency=int(need.max()),
        max_search_time=240.0, num_search_workers=2)
    start = time.perf_counter()
    solution = scheduler.solve()
    seconds = time.perf_counter() - start
    total = sum(row["resources"] for row in solution["resources_shifts"])
    return total, seconds, solution["status"]


def svcsim_roster(days: int, breaks: bool, need: np.ndarray, limit_s: float):
    scenario_ = scenario(days, breaks)
    start = time.perf_counter()
    roster = schedule_roster(scenario_, {"agents": need}, SolverSettings(time_limit_s=limit_s))
    return roster, time.perf_counter() - start


def main() -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    for days, limit_s, target_s in ((1, 10.0, 10.0), (7, 40.0, 120.0)):
        need = profile(days)
        label = "day (96 intervals)" if days == 1 else "week (672 intervals)"
        print(f"\n{label}: peak {need.max()} agents, {need.sum() / 4:,.0f} agent-hours needed")
        roster, seconds = svcsim_roster(days, True, need, limit_s)
        pool = roster.pools.iloc[0]
        settled_s = pool["headcount_solve_s"]
        met = pool["gap"] <= 0.01 and settled_s <= target_s
        print(f"  svcsim, placed breaks : {roster.headcount} agents, {roster.shift_count} shifts, "
              f"bound {pool['headcount_bound']:.0f}, gap {100 * pool['gap']:.1f} %, "
              f"headcount settled in {settled_s:.1f} s; then cost and over-coverage: "
              f"{pool['status']}, {seconds:.1f} s in all")
        print(f"  target (gap <= 1 % within {target_s:.0f} s): {'met' if met else 'NOT met'}")
        bare, bare_s = svcsim_roster(days, False, need, limit_s)
        book, book_s = textbook(scenario(days, False), need)
        print(f"  svcsim, no breaks     : {bare.shift_count} shifts, {bare_s:.1f} s")
        print(f"  textbook model        : {book} shifts, {book_s:.1f} s "
              f"({'OK' if book == bare.shift_count else 'MISMATCH'} against svcsim, no breaks)")
        extra = roster.shift_count - book
        print(f"  what breaks cost      : {extra:+d} shifts ({100 * extra / book:+.1f} %)")
        work, work_s, status = pyworkforce(days, need)
        print(f"  pyworkforce           : {work} shifts, {status}, {work_s:.1f} s "
              f"({'OK' if work == bare.shift_count else 'MISMATCH'} against svcsim, no breaks)")


if __name__ == "__main__":
    main()
