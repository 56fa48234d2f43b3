"""How long learning a centre from its history takes.

Run: python benchmarks/bench_history.py [--workers 2] [--forecast-models ets,auto]
[--only-forecast] [--two-pools] [--days 22]

1. Fit and calibrate a month of a 30-agent centre: a week-long scenario
   (phone in two tiers and chat, weekdays busier than weekends), four
   weeks simulated with ``simulate --log`` (about 35,000 contacts), then
   read, fitted and calibrated as ``svcsim fit`` does. Target: under 1 minute
   on 2 cores.
2. Forecast a year of 5-minute history for 10 queues (synthetic
   gamma-Poisson counts): a 28-day forecast, and a 4-week rolling backtest.
   Target: under 10 s.
3. ``--two-pools``: fit and calibrate a month (``--days`` weekdays) of a
   centre with a phone team of 8 and a blended team of 4 who also take chats
   (two at once), written by its own event loop (``two_pool_log.py``, not
   svcsim's engine), and compare each pool's effective staffing with the
   true one (``--simultaneous``: blended agents hold a call and chats at
   once, as in the first such log, a centre svcsim's agents cannot
   reproduce exactly). Same target as 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from svcsim import scenario_from_dict, simulate
from svcsim.history.fit import calibrate_fit, fit_history
from svcsim.history.forecast import History, backtest, forecast
from svcsim.history.logs import read_contact_log, simulated_log, write_log

DAY = [2, 3, 5, 8, 10, 11, 11, 10, 9, 10, 11, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 2, 1, 1]
"""Relative volume per half hour, 08:00-20:00."""
WEEK = {"mon": 1.15, "tue": 1.05, "wed": 1.0, "thu": 1.0, "fri": 0.95, "sat": 0.45, "sun": 0.3}


def week_staffing() -> list[int]:
    """Agents on duty per half hour of the week: open 08:00-20:00, following
    the day's shape and the weekday's volume, short enough that callers queue."""
    values = []
    for factor in WEEK.values():
        day = [0] * 16 + [max(2, round(v * 2.0 * factor)) for v in DAY] + [0] * 8
        values += day
    return values


def centre() -> dict:
    """A 30-agent centre: about 1,250 contacts a day on average."""
    tiers = {"premier": 0.15, "retail": 0.85}
    return {
        "name": "bench centre",
        "horizon": {"days": 7, "interval": "30m", "first_day": "mon"},
        "profiles": {"day": {"intraday": DAY, "start": "08:00", "weekdays": WEEK}},
        "channels": {
            "phone": {"kind": "immediate",
                      "handle_time": {"dist": "lognormal", "mean": "5m", "cv": 0.9},
                      "patience": {"dist": "exponential", "mean": "3m"}},
            "chat": {"kind": "immediate",
                     "handle_time": {"dist": "gamma", "mean": "7m", "cv": 0.6},
                     "patience": {"dist": "exponential", "mean": "5m"}}},
        "tiers": {t: {"priority": i + 1} for i, t in enumerate(tiers)},
        "contact_types": {
            f"{ch}/{t}": {"arrivals": {"daily_total": total * share, "profile": "day",
                                       "forecast_cv": 0.1}}
            for ch, total in (("phone", 1000), ("chat", 250)) for t, share in tiers.items()},
        "standards": [{"contacts": "*/*", "metric": "answer", "percent": 80, "within": "20s"}],
        "pools": [{"name": "agents",
                   "skills": [{"contacts": "*/premier", "priority": 1},
                              {"contacts": "*/retail", "priority": 2}],
                   "staffing": {"start": "00:00", "values": week_staffing()}}],
    }


def bench_fit(workers: int) -> None:
    scenario = scenario_from_dict(centre())
    with tempfile.TemporaryDirectory() as folder:
        result = simulate(scenario, replications=4, seed=1, keep_contacts=True)
        path = write_log(simulated_log(result.contacts, scenario.first_weekday),
                         Path(folder) / "month.csv")
        start, cpu = time.perf_counter(), _cpu_s()
        log = read_contact_log(path)
        read_s = time.perf_counter() - start
        fit = fit_history(log)
        fit_s = time.perf_counter() - start - read_s
        calibrate_fit(fit, replications=20, seed=0, workers=workers)
        total, cpu = time.perf_counter() - start, _cpu_s() - cpu
    calibration = fit.staffing
    open_ = calibration["offered"] > 0
    print(f"fit + calibrate a month: {len(log.contacts):,} contacts on {len(log.dates)} days, "
          f"{int(open_.sum())} open intervals")
    print(f"  read {read_s:.1f} s, fit {fit_s:.1f} s, calibrate {total - read_s - fit_s:.1f} s "
          f"(workers={workers}): total {total:.1f} s wall, {cpu:.1f} CPU s (with the "
          f"workers'); load average {os.getloadavg()[0]:.1f}")
    print(f"  {fit.staffing_note}")


def bench_two_pools(workers: int, days: int, path: Path | None = None,
                    simultaneous: bool = False) -> None:
    from two_pool_log import COLUMNS, true_staffing, write_two_pool_log

    given = path is not None
    with tempfile.TemporaryDirectory() as folder:
        path = path or write_two_pool_log(Path(folder) / "话单.csv", days,
                                          simultaneous=simultaneous)
        columns = dict(pair.split("=") for pair in COLUMNS.split(","))
        start, cpu = time.perf_counter(), _cpu_s()
        log = read_contact_log(path, columns)
        fit = fit_history(log)
        fit_s = time.perf_counter() - start
        calibrate_fit(fit, replications=20, seed=0, workers=workers)
        total, cpu = time.perf_counter() - start, _cpu_s() - cpu
    print(f"two pools, fit + calibrate: {len(log.contacts):,} contacts on {len(log.dates)} "
          f"days; pools {fit.pools.pools}")
    print(f"  read + fit {fit_s:.1f} s, calibrate {total - fit_s:.1f} s (workers={workers}): "
          f"total {total:.1f} s wall, {cpu:.1f} CPU s (with the workers'); load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"  {fit.staffing_note}")
    table = fit.staffing[fit.staffing["offered"] > 0]
    if given:  # a log of its own: no truth here to compare with
        print("  mean effective agents per open interval: " + ", ".join(
            f"{pool} {rows['agents'].mean():.1f}" for pool, rows in table.groupby("pool")))
        return
    if simultaneous:
        print("  (blended agents there hold a call and chats at once, which svcsim's agents do "
              "not do: the staffing below is compared with the people on duty, not a true value)")
    truth = true_staffing(fit.interval_s)
    for pool, rows in table.groupby("pool"):
        known = truth[pool][rows["interval"].to_numpy() % fit.daily.per_day]
        error = rows["agents"].to_numpy() - known
        print(f"  {pool}: fitted - true agents over {len(rows)} open intervals: mean "
              f"{error.mean():+.2f}, mean |error| {np.abs(error).mean():.2f}, max |error| "
              f"{np.abs(error).max()}, within one agent {np.mean(np.abs(error) <= 1):.0%}")


def _cpu_s() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def year_of_counts() -> History:
    """A year of 5-minute history for 10 queues: weekday x interval profile,
    gamma day factor (cv 0.1), Poisson counts."""
    rng = np.random.default_rng(2)
    per_day = 288
    dates = pd.date_range("2025-01-06", periods=365, freq="D")
    shape = np.exp(-((np.arange(per_day) - 150) / 50.0) ** 2)
    weekday = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.3])
    counts = np.empty((10, len(dates), per_day))
    for q in range(10):
        factor = rng.gamma(100, 0.01, len(dates))
        mean = (200 + 100 * q) * weekday[dates.day_of_week][:, None] * factor[:, None] \
            * shape / shape.sum()
        counts[q] = rng.poisson(mean)
    return History(counts, [f"queue{q}" for q in range(10)], dates, 300.0)


def bench_forecast() -> None:
    history = year_of_counts()
    counts = history.counts
    start = time.perf_counter()
    table = forecast(history, 28)
    forecast_s = time.perf_counter() - start
    per_week, _ = backtest(history, 4)
    total = time.perf_counter() - start
    print(f"forecast a year of 5-minute history, 10 queues ({counts.size:,} cells): "
          f"28-day forecast {forecast_s:.2f} s ({len(table):,} rows), with a 4-week backtest "
          f"{total:.2f} s; backtest coverage of 80 % intervals "
          f"{per_week['coverage_interval'].mean():.1%}, WAPE per interval "
          f"{per_week['wape_interval'].mean():.1%}, per day {per_week['wape_day'].mean():.1%}")


def write_interval_report(history: History, path: Path) -> Path:
    """``history`` as an interval report (interval_start, queue, offered)."""
    q, d, per_day = history.counts.shape
    starts = (np.repeat(history.dates, per_day)
              + pd.to_timedelta(np.tile(np.arange(per_day) * history.interval_s, d), unit="s"))
    frame = pd.DataFrame({
        "interval_start": np.tile(starts.strftime("%Y-%m-%d %H:%M"), q),
        "queue": np.repeat(history.types, d * per_day),
        "offered": history.counts.reshape(-1).astype(int)})
    frame.to_csv(path, index=False)
    return path


def bench_forecast_command(models: list[str]) -> None:
    """``svcsim forecast`` as a user runs it on the year of 5-minute history
    (an interval report of 1,051,200 rows), 28 days, default 4-week backtest;
    wall and CPU seconds of the command (its BLAS threads as the command sets
    them: one unless the caller set OMP/OPENBLAS/MKL_NUM_THREADS)."""
    import subprocess
    import sys

    with tempfile.TemporaryDirectory() as folder:
        report = write_interval_report(year_of_counts(), Path(folder) / "year.csv")
        for model in models:
            before = _children_cpu_s()
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "svcsim", "forecast", str(report), "--days", "28",
                 "--out", str(Path(folder) / f"out-{model}"), "--model", model],
                capture_output=True, text=True, check=False)
            wall = time.perf_counter() - start
            if done.returncode != 0:
                raise SystemExit(done.stderr)
            kept = [line for line in done.stdout.splitlines() if line.startswith("model:")]
            blas = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                               "MKL_NUM_THREADS") if k in os.environ}
            print(f"svcsim forecast --model {model}, a year of 5-minute history, 10 queues, "
                  f"28 days: {wall:.1f} s wall, {_children_cpu_s() - before:.1f} CPU s; "
                  f"load average {os.getloadavg()[0]:.1f}; BLAS threads set by the caller: "
                  f"{blas or 'none'}; {kept[0] if kept else ''}")


def _children_cpu_s() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--forecast-models", default="",
                        help="also time `svcsim forecast --model M` for these comma-separated "
                        "models (ets and auto need the 'forecast' extra)")
    parser.add_argument("--only-forecast", action="store_true", help="skip the fit benchmark")
    parser.add_argument("--two-pools", action="store_true",
                        help="only the two-pool month (phone team beside a blended team)")
    parser.add_argument("--days", type=int, default=22, help="weekdays of the two-pool log")
    parser.add_argument("--simultaneous", action="store_true",
                        help="blended agents hold a call and chats at once (not svcsim's model)")
    parser.add_argument("--log", type=Path, help="a two-pool log in its format, not generated")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, "
          f"python {platform.python_version()}, numpy {np.__version__}")
    if args.two_pools:
        bench_two_pools(args.workers, args.days, args.log, args.simultaneous)
        return
    bench_forecast()
    if args.forecast_models:
        bench_forecast_command(args.forecast_models.split(","))
    if not args.only_forecast:
        bench_fit(args.workers)


if __name__ == "__main__":
    main()
