"""``python -m svcsim``: the svcsim command line.

Ctrl-C and SIGTERM are handled from the first moment: while the command's
modules load (a second or two), an interrupt prints the one line and exits
130 (143) instead of Python's traceback; then each command's own handling
(svcsim.interrupts) takes over.
"""

from __future__ import annotations

import signal

from svcsim import interrupts
from svcsim.interrupts import exit_status, say_interrupted


def _stop_while_loading(signum, frame):
    say_interrupted()
    raise SystemExit(exit_status(signum))


def run() -> None:
    """Install the loading-time handlers, then run the CLI."""
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
