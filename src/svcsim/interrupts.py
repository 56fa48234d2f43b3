"""Stopping a command on Ctrl-C (SIGINT) or SIGTERM within about two seconds.

Python runs signal handlers only between bytecodes of the main thread, so a
command inside a long C call (a CP-SAT solve) or waiting for a process pool
would notice an interrupt only when that call returns. :func:`stoppable` makes
the stop prompt and clean whatever the main thread is doing:

This module imports only the standard library, so ``python -m svcsim`` can
use it before the command's modules load.

* the signal raises ``KeyboardInterrupt`` in the main thread as usual, so
  ``with`` blocks unwind, staging folders are discarded and the command
  prints one line and exits 130 (143 for SIGTERM);
* a watcher thread, woken by the signal through the interpreter's wake-up fd,
  gives the main thread ``GRACE_S`` seconds; if the process is still running
  by then it waits for any output set being moved into place, discards open
  staging folders, ends child processes (replication pools, study
  planners, a local Dask cluster) and ends the process with the same line
  and status.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

GRACE_S = 1.0
"""Seconds the main thread has to unwind before the watcher ends the process."""

EXIT_AT_ONCE = False
"""Set by the ``svcsim`` command (not by in-process callers such as tests):
once interrupted, end the process as soon as the message is printed, without
waiting for interpreter shutdown (process-pool joins, Dask clean-up)."""

MESSAGE = "interrupted: stopped; no output written (the folder keeps its previous files)"

_said = threading.Event()


def exit_status(signum: int | None) -> int:
    """The conventional status of a process ended by ``signum`` (130 for SIGINT)."""
    return 128 + int(signum or signal.SIGINT)


def say_interrupted() -> None:
    """Print the one interrupt line to stderr (once per process); when the
    interrupt came as the output set was being moved into place, that set is
    complete and the line says so."""
    if not _said.is_set():
        _said.set()
        output = sys.modules.get("svcsim.output")
        done = list(getattr(output, "COMMITTED", []))
        line = MESSAGE if not done else (
            f"interrupted: stopped after writing {done[-1]} (its files are the new, complete set)")
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


class _Stopper:
    """The handlers, wake-up pipe and watcher thread of one command run."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.interrupted: int | None = None  # the first SIGINT/SIGTERM, seen by the watcher
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.write_fd, False)
        self.closing = False
        self.watcher = threading.Thread(target=self._watch, name="svcsim-interrupt",
                                        daemon=True)

    def _raise(self, signum: int, frame) -> None:
        self.signum = self.signum or signum
        raise KeyboardInterrupt

    def _watch(self) -> None:
        first: float | None = None
        while True:
            try:
                data = os.read(self.read_fd, 16)
            except OSError:
                return
            if self.closing or not data:
                return
            if not any(b in (signal.SIGINT, signal.SIGTERM) for b in data):
                continue
            if first is not None:  # a second Ctrl-C: stop now
                self._end(data[0])
            first = time.monotonic()
            self.interrupted = data[0]
            quiet_logs()
            # Work in child processes is lost anyway: end it now, so the main
            # thread is not left waiting on it and has the CPU to unwind.
            end_children()
            threading.Thread(target=self._deadline, args=(data[0],), daemon=True).start()

    def _deadline(self, signum: int) -> None:
        time.sleep(GRACE_S)
        if not self.closing:
            self._end(signum)

    def _end(self, signum: int) -> None:
        from svcsim.output import COMMIT_LOCK, discard_staging

        with COMMIT_LOCK:
            discard_staging()
            end_children()
            release_semaphores()
            say_interrupted()
            os._exit(exit_status(self.signum or signum))

    def close(self) -> None:
        self.closing = True
        with contextlib.suppress(OSError):
            os.write(self.write_fd, b"\0")
        self.watcher.join(timeout=1)
        for fd in (self.read_fd, self.write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def quiet_logs() -> None:
    """Silence every logger of this process (Dask's above all): once a command
    is interrupted, its one line is all it says, not the warnings of a Dask
    client whose cluster is torn down mid-task. Called from the watcher
    thread, never a signal handler (it takes the logging lock)."""
    import logging

    logging.disable(logging.CRITICAL)


def release_semaphores() -> None:
    """Unlink the named semaphores this process made (the locks and queues of
    process pools), as a normal exit would: ending at once (``os._exit``)
    skips that, and multiprocessing's resource tracker, outliving the
    process, then warns of "leaked semaphore objects" after the one line."""
    from multiprocessing import synchronize, util

    # NOTE: multiprocessing keeps these finalizers in a private registry; a
    # Finalize runs at most once, so a later normal exit does not repeat them.
    for finalizer in list(getattr(util, "_finalizer_registry", {}).values()):
        if getattr(finalizer, "_callback", None) is synchronize.SemLock._cleanup:
            with contextlib.suppress(Exception):
                finalizer()


def end_children(timeout_s: float = 0.3) -> None:
    """Kill this process's multiprocessing children (replication pools, study
    planners) and reap them, and end its child sessions (a local Dask
    cluster, see :func:`child_session`). SIGKILL, not SIGTERM: a forked child
    inherits this process's handlers and would start its own clean-up."""
    children = multiprocessing.active_children()
    for child in children:
        with contextlib.suppress(Exception):
            child.kill()
    deadline = time.monotonic() + timeout_s
    for child in children:
        with contextlib.suppress(Exception):
            child.join(max(0.0, deadline - time.monotonic()))
    for session in list(_SESSIONS):
        end_session(session)


_SESSIONS: set = set()
"""The child sessions (``subprocess.Popen``) that end with this command."""


@contextlib.contextmanager
def child_session(leader) -> Iterator:
    """End the session ``leader`` leads (:func:`end_session`) with the block,
    or with the command if it is interrupted first (:func:`end_children`).
    ``leader`` is a ``subprocess.Popen`` started with
    ``start_new_session=True``: out of this command's process group, its
    processes do not get a terminal's Ctrl-C, which would make Python
    children still starting print tracebacks."""
    _SESSIONS.add(leader)
    try:
        yield leader
    finally:
        end_session(leader)
        _SESSIONS.discard(leader)


def end_session(leader, timeout_s: float = 0.5) -> None:
    """End every process of the session ``leader`` leads: SIGTERM to its
    process group, SIGKILL if ``leader`` is still running ``timeout_s``
    seconds later. A multiprocessing resource tracker there ignores SIGTERM:
    it outlives the others, unlinks the named semaphores they left, and ends."""
    # NOTE: a group's id is not given to a new process while the group has
    # members, and Linux does not reuse a freed one within milliseconds.
    with contextlib.suppress(OSError):
        os.killpg(leader.pid, signal.SIGTERM)
    try:
        leader.wait(timeout_s)
    except Exception:  # still running (TimeoutExpired), or interrupted waiting
        with contextlib.suppress(OSError):
            os.killpg(leader.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            leader.wait(timeout_s)
    for pipe in (leader.stdin, leader.stdout):
        with contextlib.suppress(Exception):
            if pipe is not None:
                pipe.close()


def finish(stopper: _Stopper | None) -> None:
    """End an interrupted command: the one line, then exit 130 (143 for
    SIGTERM); at once (``os._exit``) when ``EXIT_AT_ONCE``."""
    status = exit_status(stopper.signum or stopper.interrupted if stopper else None)
    say_interrupted()
    if EXIT_AT_ONCE:
        end_children()
        release_semaphores()
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        os._exit(status)
    sys.exit(status)


@contextlib.contextmanager
def stoppable() -> Iterator[_Stopper | None]:
    """Run a command so that SIGINT and SIGTERM stop it promptly (see the
    module docstring); restores the previous handlers afterwards. Outside the
    main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    stopper = _Stopper()
    kinds = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.getsignal(s) for s in kinds}
    previous_fd = signal.set_wakeup_fd(stopper.write_fd, warn_on_full_buffer=False)
    for s in kinds:
        signal.signal(s, stopper._raise)
    stopper.watcher.start()
    try:
        yield stopper
    finally:
        for s in kinds:
            signal.signal(s, previous[s])
        signal.set_wakeup_fd(previous_fd)
        stopper.close()
