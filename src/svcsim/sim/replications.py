"""Replications: independent runs with their own random streams, run serially
or on local processes, and summarised with t-based confidence intervals."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from svcsim.scenario import Scenario
from svcsim.sim import metrics
from svcsim.sim.engine import Engine, no_cyclic_gc
from svcsim.sim.estimators import t_half_width


@dataclass(frozen=True)
class RunTables:
    """Tables of one replication."""

    intervals: pd.DataFrame
    attainment: pd.DataFrame
    pools: pd.DataFrame
    contacts: pd.DataFrame | None
    waits: pd.DataFrame | None = None  # contact_type, interval, wait_s per contact


def run_one(scenario: Scenario, on_duty: dict[str, np.ndarray], entropy: int, replication: int,
            warmup_cycles: int, keep_contacts: bool) -> RunTables:
    """Simulate one replication and measure it."""
    engine = Engine(scenario, on_duty, entropy, replication, warmup_cycles)
    records = engine.run()
    with no_cyclic_gc():
        return _measure(scenario, on_duty, engine, records, keep_contacts)


def _measure(scenario: Scenario, on_duty: dict[str, np.ndarray], engine: Engine,
             records, keep_contacts: bool) -> RunTables:
    log = metrics.contact_log(scenario, records, engine.measure_from)
    return RunTables(
        intervals=metrics.interval_table(scenario, log, records),
        attainment=metrics.attainment(scenario, log, metrics.timeline(log, records,
                                      engine.measure_from), engine.measure_from),
        pools=metrics.pool_table(scenario, on_duty, records, engine.measure_from),
        contacts=log if keep_contacts else None,
        waits=pd.DataFrame({"contact_type": log["contact_type"],
                            "interval": log["interval"].to_numpy(dtype=np.int32),
                            "wait_s": log["wait_s"].to_numpy(dtype=np.float32)}),
    )


Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each replication finishes."""


def run_all(scenario: Scenario, on_duty: dict[str, np.ndarray], entropy: int,
            replications: int, warmup_cycles: int, keep_contacts: bool,
            workers: int = 1, backend: str = "local", client: Any = None,
            progress: Progress | None = None, first: int = 0) -> list[RunTables]:
    """Every replication, returned in replication order whatever runs them.

    ``backend="local"`` runs them in this process (``workers=1``) or on local
    processes; ``backend="dask"`` on a Dask cluster: ``client`` is a
    ``dask.distributed.Client``, a scheduler address, or None for a local
    cluster. Each replication's random streams depend only on the seed and
    its number, so every backend gives the same numbers; ``first`` numbers
    them from there, so replications added later (sequential sampling) are
    the ones a single longer run would have had (common random numbers).
    """
    args = [(scenario, on_duty, entropy, r, warmup_cycles, keep_contacts)
            for r in range(first, first + replications)]
    return map_ordered(run_one, args, workers, backend, client, progress)


def map_ordered(function: Callable[..., Any], args: list[tuple], workers: int = 1,
                backend: str = "local", client: Any = None,
                progress: Progress | None = None) -> list[Any]:
    """``[function(*a) for a in args]``, in that order, whatever runs them:
    the executor seam shared by replications and by a study's plans.

    ``backend="local"`` runs them in this process (``workers=1``, or a
    single task) or on ``workers`` local processes; ``backend="dask"`` on a
    Dask cluster (``client``: a ``dask.distributed.Client``, a scheduler
    address, or None for a local cluster). ``function`` and ``args`` must
    pickle for anything but the serial path. ``progress(done, total)`` is
    called as each task ends.
    """
    report = progress or (lambda done, total: None)
    if backend == "dask":
        return _run_dask(function, args, client, report)
    if backend != "local":
        raise ValueError(f"backend must be 'local' or 'dask', got {backend!r}")
    if workers <= 1 or len(args) <= 1:
        results = []
        for a in args:
            results.append(function(*a))
            report(len(results), len(args))
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(args))) as pool:
        futures = {pool.submit(function, *a): i for i, a in enumerate(args)}
        return _collect(futures, as_completed(futures), len(args), report)


def _collect(futures: dict, finished, total: int, report: Progress) -> list[Any]:
    results: list[Any] = [None] * total
    for done, future in enumerate(finished, start=1):
        results[futures[future]] = future.result()
        report(done, total)
    return results


def _run_dask(function: Callable[..., Any], args: list[tuple], client: Any,
              report: Progress) -> list[Any]:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise ImportError("backend='dask' needs the 'distributed' extra: "
                          "python -m pip install 'svcsim[distributed]'") from None
    from svcsim.local_cluster import local_client

    with contextlib.ExitStack() as stack:
        if client is None:  # out of a terminal's reach of Ctrl-C (svcsim.local_cluster)
            client = stack.enter_context(local_client())
        elif not isinstance(client, Client):
            client = stack.enter_context(Client(client))
        futures = {client.submit(function, *a, pure=False): i for i, a in enumerate(args)}
        return _collect(futures, dask_completed(list(futures)), len(args), report)


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval of replication values (NaNs dropped)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if values.size < 2:
        return mean, np.nan, np.nan
    half = float(t_half_width(values.std(ddof=1), values.size, level))
    return mean, mean - half, mean + half
