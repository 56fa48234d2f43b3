"""``python -m svcsim``: the svcsim command line.

Ctrl-C and SIGTERM are handled from the first moment: while the command's
modules load (a second or two), an interrupt prints the one line and exits
130 (143) instead of Python's traceback; then each command's own handling
(svcsim.interrupts) takes over.

Before numpy loads, the command limits BLAS to one thread unless the user
set the thread count: svcsim's work is many small fits and draws, which a
BLAS thread pool only slows (statsmodels' fits for ``forecast --model ets``
cost about 8 times the CPU with OpenBLAS's threads on 2 cores).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import MutableMapping

from svcsim import interrupts
from svcsim.interrupts import exit_status, say_interrupted


def _stop_while_loading(signum, frame):
    # os._exit, not SystemExit: the signal may land inside a C extension's
    # initialisation (OR-Tools' pybind11 modules), which turns any exception
    # raised there into "ImportError: initialization failed" and a traceback.
    # Nothing is written and no child process runs while modules load.
    say_interrupted()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    os._exit(exit_status(signum))


BLAS_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""The variables BLAS libraries (OpenMP, OpenBLAS, MKL) read their thread
count from when they load."""


def limit_blas_threads(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set every :data:`BLAS_THREADS` variable to 1, unless the user set any
    of them (then theirs stand, all of them as given): must run before numpy
    loads, and worker processes inherit it."""
    if not any(name in environ for name in BLAS_THREADS):
        for name in BLAS_THREADS:
            environ[name] = "1"


def run() -> None:
    """Limit BLAS threads, install the loading-time handlers, then run the CLI."""
    limit_blas_threads()
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, _stop_while_loading)  # until the command's own handling starts
    interrupts.EXIT_AT_ONCE = True
    from svcsim.cli import main

    try:
        main(prog_name="svcsim")
    finally:
        # the command is over (its files written or rolled back, its status
        # set): a signal while Python shuts down, when its handlers are gone,
        # would kill the process and hide that status
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)


if __name__ == "__main__":
    run()
