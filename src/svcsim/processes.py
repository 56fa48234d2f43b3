"""How many local processes the commands use when ``--workers`` is not given.

One per core this process may run on: a replication, or a study's variant,
runs alone on a core, and the numbers do not depend on how many run at once
(each replication's random streams depend only on the seed and its number).
``SVCSIM_WORKERS`` sets another default, for a machine shared with other
work (``SVCSIM_WORKERS=1`` runs everything in the command's own process).
"""

from __future__ import annotations

import os

import click

VARIABLE = "SVCSIM_WORKERS"


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system
    reports one, else every core)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    """``SVCSIM_WORKERS`` if set, else :func:`usable_cores`.

    Raises
    ------
    click.UsageError
        Naming the variable and the fix, when it is not a whole number >= 1.
    """
    text = os.environ.get(VARIABLE, "").strip()
    if not text:
        return usable_cores()
    if not text.isdigit() or int(text) < 1:
        raise click.UsageError(f"{VARIABLE}={text!r}: give a whole number of local processes, "
                               f"1 or more (it is --workers' default), or unset it to use one "
                               f"per core")
    return int(text)


def workers_option(help_text: str):
    """The ``--workers`` option of a command that runs local processes:
    unset, it is :func:`default_workers`."""
    return click.option(
        "--workers", type=click.IntRange(min=1), default=None,
        callback=lambda ctx, param, value: default_workers() if value is None else value,
        help=f"{help_text} [default: one per core, {usable_cores()} here; "
             f"{VARIABLE} sets another]")


__all__ = ["default_workers", "usable_cores", "workers_option"]
