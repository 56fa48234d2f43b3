"""A local Dask cluster that a terminal's Ctrl-C does not reach.

A terminal sends Ctrl-C to every process of its foreground process group. A
local ``dask.distributed`` cluster started inside the command puts its worker
processes in that group, with Python's default handler: a worker still
importing prints a ``KeyboardInterrupt`` traceback of its own, and nannies and
workers torn down mid-task print warnings, before the command can end them.

So the cluster runs in a process of its own session
(``python -m svcsim.local_cluster``, started with ``start_new_session``), its
workers with it: Ctrl-C reaches only the command, which ends the cluster
itself (:mod:`svcsim.interrupts`), as it does when it finishes: SIGTERM to
the session's process group. The cluster process does the same when its
stdin closes: the command has ended by any means (even SIGKILL). This module
imports only the standard library until a cluster is asked for.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any

from svcsim import interrupts

READY = "scheduler "
"""The line the cluster process writes first, followed by the scheduler's address."""

START_S = 120.0
"""Seconds the cluster process has to start its scheduler and workers."""


class ClusterStartError(RuntimeError):
    """The local Dask cluster did not start (the command says so in one line)."""


@contextlib.contextmanager
def local_client() -> Iterator[Any]:
    """A ``dask.distributed.Client`` of a new local cluster (as
    ``Client()`` starts: one worker process per core on a small machine),
    run in a session of its own and ended on leaving the block, on an
    interrupt (:func:`svcsim.interrupts.end_children`) or when this process
    ends.

    Raises
    ------
    ClusterStartError
        If the cluster has not started within ``START_S`` seconds, with the
        last line it wrote.
    """
    with tempfile.TemporaryFile() as log:
        host = subprocess.Popen([sys.executable, "-m", "svcsim.local_cluster"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                start_new_session=True)
        with interrupts.child_session(host):
            from dask.distributed import Client  # imported while the cluster starts

            with Client(_address(host, log), timeout=START_S) as client:
                yield client


def _address(host: subprocess.Popen, log) -> str:
    """The scheduler address the cluster process writes once it is up."""
    deadline = time.monotonic() + START_S
    line = b""
    while not line and time.monotonic() < deadline:
        if select.select([host.stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
            line = host.stdout.readline() or b"EOF"
    text = line.decode(errors="replace")
    if text.startswith(READY):
        return text[len(READY):].strip()
    log.seek(0)
    said = log.read().decode(errors="replace").strip().splitlines()
    raise ClusterStartError(f"the local Dask cluster did not start within {START_S:g} s"
                       + (f": {said[-1]}" if said else ""))


def _end_when_stdin_closes() -> None:
    """Wait for stdin to close (the command has ended, however), then end
    this process and its workers as the command would
    (:func:`svcsim.interrupts.end_session`)."""
    with contextlib.suppress(OSError):
        while os.read(sys.stdin.fileno(), 4096):
            pass
    os.killpg(os.getpgrp(), signal.SIGTERM)


def main() -> None:
    """The cluster process: start a local cluster, write its address, serve
    until stdin closes."""
    import logging

    threading.Thread(target=_end_when_stdin_closes, name="svcsim-stdin", daemon=True).start()
    ready = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # workers' output away from the address pipe
    from dask.distributed import LocalCluster

    # a free port for the scheduler's web server: None still takes 8787, and
    # a second run at the same time warned on stderr that it was in use
    cluster = LocalCluster(dashboard_address=":0", silence_logs=logging.ERROR)
    ready.write(f"{READY}{cluster.scheduler_address}\n")
    ready.close()
    threading.Event().wait()  # until SIGTERM


if __name__ == "__main__":
    main()
