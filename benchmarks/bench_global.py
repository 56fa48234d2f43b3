"""Global service-level rostering against interval-by-interval rostering.

Run: python benchmarks/bench_global.py

For each case, two rosters from the same shift rules: one holding the day's
(or week's) standard over its scope, one holding it in every interval (the
usual method). Prints headcount, paid hours, the analytic attainment of the
held roster and its lowest interval, the headcount bound and gap, and the
solve time (targets: a day with placed breaks under 30 s, a week under 5 min).

Cases: bank_hotline_daily.yaml (2,400 calls, 30-minute intervals, 80/20 over
the day, 60 % floor) and the same day without the floor; the same day at
30,000 calls; the e-commerce peak day; the tiered service desk's week.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import yaml

import svcsim
from svcsim.queueing import service_plan
from svcsim.roster import SolverSettings, schedule_roster

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = SolverSettings(time_limit_s=10.0)


def bank(scale: float = 1.0, floor: str | None = "60%") -> svcsim.Scenario:
    data = yaml.safe_load((ROOT / "scenarios" / "bank_hotline_daily.yaml").read_text())
    volumes = data["channels"]["phone"]["arrivals"]["volumes"]
    volumes["values"] = [round(v * scale) for v in volumes["values"]]
    if floor is None:
        del data["standards"][0]["interval_floor"]
    data["name"] = f"bank hotline, {sum(volumes['values']):,} calls, floor {floor or 'none'}"
    return svcsim.scenario_from_dict(data)


def compare(scenario: svcsim.Scenario) -> None:
    start = time.perf_counter()
    plan = service_plan(scenario)
    held = schedule_roster(scenario, plan.floors, SETTINGS, plan.targets)
    held_s = time.perf_counter() - start
    start = time.perf_counter()
    each = schedule_roster(scenario, plan.interval_need, SETTINGS)
    each_s = time.perf_counter() - start
    print(f"\n{scenario.name}:")
    print(f"  held over the scope  : {held.headcount:>4} agents, {held.paid_hours:>8,.1f} paid h, "
          f"bound {held.pools['headcount_bound'].sum():.0f}, status {held.status}, "
          f"{held_s:.1f} s")
    print(f"  interval by interval : {each.headcount:>4} agents, {each.paid_hours:>8,.1f} paid h, "
          f"bound {each.pools['headcount_bound'].sum():.0f}, status {each.status}, "
          f"{each_s:.1f} s")
    saved = each.headcount - held.headcount
    print(f"  saved: {saved} agents ({100 * saved / max(each.headcount, 1):.1f} %), "
          f"{each.paid_hours - held.paid_hours:,.1f} paid hours")
    for row in held.service.itertuples():
        unit = f"day {row.unit + 1}" if scenario.horizon.days > 1 else "the day"
        print(f"    {row.standard}, {unit}: {row.attainment:.1%} against {row.target:.0%}, "
              f"lowest interval {row.lowest_interval:.1%}")


def main() -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}; roster time limit {SETTINGS.time_limit_s:g} s "
          "per pool (CP-SAT deterministic time)")
    compare(bank())
    compare(bank(floor=None))
    compare(bank(scale=12.5))
    for name in ("ecommerce_peak.yaml", "tiered_service_desk.yaml"):
        compare(svcsim.load_scenario(ROOT / "scenarios" / name))


if __name__ == "__main__":
    main()
