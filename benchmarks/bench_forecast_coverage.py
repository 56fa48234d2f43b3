"""Do the forecast's day intervals cover what they claim? Backtest coverage
over many independent synthetic histories.

Run: python benchmarks/bench_forecast_coverage.py [--histories 200]
[--models default,ets] [--coverage 0.8,0.95] [--kinds trend,stable]

Each history is one queue drawn at random, as a planner's history might
come: 12-30 weeks starting on a random weekday, its own weekday pattern
(0.6-1.3, one weekend day quieter still), half-hour shape, level (150-2,000
contacts a day) and gamma day factor (cv 0.05-0.15), Poisson counts, 5 % of
the days missing; ``trend`` grows 5 % a week, ``stable`` does not. The last
4 weeks are backtested (each forecast from the weeks before it). Printed per
kind, model and nominal coverage: the share of held-out day totals inside
their day interval with a 95 % CI clustered by history, the share below the
interval, and the share by days ahead.
"""

from __future__ import annotations

import argparse
import os
import time

# one BLAS thread, as the svcsim command runs (set before numpy loads)
for _threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from svcsim.history.forecast import History, backtest  # noqa: E402

PER_DAY = 48


def _shape(rng: np.random.Generator) -> np.ndarray:
    peak, width = rng.uniform(18, 30), rng.uniform(5, 12)
    shape = np.exp(-((np.arange(PER_DAY) - peak) / width) ** 2)
    shape[: rng.integers(12, 18)] = 0
    shape[rng.integers(38, 46):] = 0
    return shape / shape.sum()


def history(seed: int, growth: float) -> History:
    """One random queue's history growing by ``growth`` a week."""
    rng = np.random.default_rng(seed)
    weeks = int(rng.integers(12, 31))
    dates = pd.date_range("2026-01-05", periods=weeks * 7, freq="D") \
        + pd.Timedelta(days=int(rng.integers(0, 7)))
    weekday = rng.uniform(0.6, 1.3, 7)
    weekday[rng.integers(5, 7)] *= rng.uniform(0.3, 1.0)
    cv = rng.uniform(0.05, 0.15)
    level = rng.uniform(150, 2000)
    trend = (1 + growth) ** (np.arange(len(dates)) / 7)
    factor = rng.gamma(1 / cv**2, cv**2, len(dates))
    mean = level * (trend * weekday[dates.day_of_week] * factor)[:, None] * _shape(rng)
    counts = rng.poisson(mean)[None].astype(float)
    kept = rng.random(len(dates)) > 0.05
    kept[-1] = True
    return History(counts[:, kept], ["queue"], dates[kept], 1800.0)


def held_out_days(kind: str, histories: int, model: str, coverage: float) -> pd.DataFrame:
    """Every held-out day of ``histories`` histories: ``inside``, ``below``,
    ``ahead`` (days after its forecast origin), ``history``."""
    frames = []
    for h in range(histories):
        past = history(h * 7919 + (1 if kind == "trend" else 2),
                       0.05 if kind == "trend" else 0.0)
        _, cells = backtest(past, 4, coverage, model=model)
        if not len(cells):
            continue
        days = cells.groupby(["week", "date"]).agg(
            actual=("actual", "sum"), low=("day_low", "first"),
            high=("day_high", "first")).reset_index()
        days["ahead"] = (days["date"] - days.groupby("week")["date"].transform("min")).dt.days
        days["inside"] = (days["actual"] >= days["low"]) & (days["actual"] <= days["high"])
        days["below"] = days["actual"] < days["low"]
        days["history"] = h
        frames.append(days)
    return pd.concat(frames, ignore_index=True)


def report(days: pd.DataFrame, label: str, cpu_s: float) -> None:
    per = days.groupby("history")["inside"].agg(["sum", "count"])
    share = per["sum"].sum() / per["count"].sum()
    k = len(per)
    se = np.sqrt(k / (k - 1) * ((per["sum"] - share * per["count"]) ** 2).sum()) \
        / per["count"].sum()
    ahead = " ".join(f"{v:.0%}" for v in days.groupby("ahead")["inside"].mean())
    print(f"{label}: day coverage {share:.1%} +-{1.96 * se:.1%} ({len(days):,} days, "
          f"{k} histories), below {days['below'].mean():.1%}, "
          f"above {1 - share - days['below'].mean():.1%}; by days ahead {ahead}; "
          f"{cpu_s:.0f} CPU s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=200)
    parser.add_argument("--models", default="default,ets")
    parser.add_argument("--coverage", default="0.8,0.95")
    parser.add_argument("--kinds", default="trend,stable")
    args = parser.parse_args()
    for kind in args.kinds.split(","):
        for model in args.models.split(","):
            for coverage in (float(c) for c in args.coverage.split(",")):
                start = time.process_time()
                days = held_out_days(kind, args.histories, model, coverage)
                report(days, f"{kind:<6} {model:<7} nominal {coverage:.0%}",
                       time.process_time() - start)


if __name__ == "__main__":
    main()
