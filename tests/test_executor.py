"""One executor seam for replications and a study's plans: the same answers,
in the same order, serially, on local processes or on a Dask cluster."""

from __future__ import annotations

import math

import pytest

from svcsim.sim.replications import map_ordered

ARGS = [(n,) for n in (5, 1, 4, 2, 3)]
EXPECTED = [math.factorial(n) for n, in ARGS]


def test_local_processes_return_results_in_task_order():
    done = []
    assert map_ordered(math.factorial, ARGS, workers=2,
                       progress=lambda d, t: done.append((d, t))) == EXPECTED
    assert done[-1] == (5, 5)
    assert map_ordered(math.factorial, ARGS) == EXPECTED


def test_a_dask_cluster_returns_the_same_results():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=":0") as client:  # any free port
        assert map_ordered(math.factorial, ARGS, backend="dask", client=client) == EXPECTED


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="backend must be"):
        map_ordered(math.factorial, ARGS, backend="cloud")
