"""Replications: independent runs with their own random streams, run serially
or on local processes, and summarised with t-based confidence intervals."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from svcsim.scenario import Scenario
from svcsim.sim import metrics
from svcsim.sim.engine import Engine


@dataclass(frozen=True)
class RunTables:
    """Tables of one replication."""

    intervals: pd.DataFrame
    attainment: pd.DataFrame
    pools: pd.DataFrame
    contacts: pd.DataFrame | None


def run_one(scenario: Scenario, on_duty: dict[str, np.ndarray], entropy: int, replication: int,
            warmup_cycles: int, keep_contacts: bool) -> RunTables:
    """Simulate one replication and measure it."""
    engine = Engine(scenario, on_duty, entropy, replication, warmup_cycles)
    records = engine.run()
    log = metrics.contact_log(scenario, records, engine.measure_from)
    return RunTables(
        intervals=metrics.interval_table(scenario, log, records),
        attainment=metrics.attainment(scenario, log, engine.measure_from),
        pools=metrics.pool_table(scenario, on_duty, records, engine.measure_from),
        contacts=log if keep_contacts else None,
    )


def run_all(scenario: Scenario, on_duty: dict[str, np.ndarray], entropy: int,
            replications: int, warmup_cycles: int, keep_contacts: bool,
            workers: int = 1) -> list[RunTables]:
    """Every replication, in replication order whatever the executor."""
    args = [(scenario, on_duty, entropy, r, warmup_cycles, keep_contacts)
            for r in range(replications)]
    if workers <= 1 or replications <= 1:
        return [run_one(*a) for a in args]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run_one, *zip(*args, strict=True)))


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval of replication values (NaNs dropped)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if values.size < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1)
                 / np.sqrt(values.size))
    return mean, mean - half, mean + half
