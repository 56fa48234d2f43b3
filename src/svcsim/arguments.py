"""Checks of the Python API's arguments, made where a public function starts.

A wrong argument is bad input like a wrong file: it raises
:class:`svcsim.ScenarioError` with the function as the source, the argument
as the field and the fix (``simulate(): replications: must be a whole number
>= 1, got 0``), before any work, instead of a numpy or OR-Tools error from
deep inside.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from svcsim.scenario.errors import ScenarioError, shown


def check_arguments(function: str, *, counts: dict[str, tuple[Any, int]] | None = None,
                    shares: dict[str, Any] | None = None,
                    choices: dict[str, tuple[Any, tuple[str, ...]]] | None = None,
                    seed: Any = 0) -> None:
    """Raise one ScenarioError listing every wrong argument of ``function``.

    Parameters
    ----------
    function : str
        The public function's name, as the caller wrote it.
    counts : dict of str to (value, minimum)
        Arguments that must be whole numbers >= ``minimum``.
    shares : dict of str to value
        Arguments that must lie strictly between 0 and 1 (a confidence
        level: 0.95 for 95 %).
    choices : dict of str to (value, allowed values)
        Arguments that name one of a few options.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None
        The function's ``seed`` argument.

    Raises
    ------
    ScenarioError
        Naming ``function()``, each wrong argument and what it must be.
    """
    problems = [(name, f"must be a whole number >= {minimum}, got {shown(value)}")
                for name, (value, minimum) in (counts or {}).items()
                if not _whole(value) or value < minimum]
    problems += [(name, f"must lie strictly between 0 and 1 (0.95 for 95 %), got {shown(value)}")
                 for name, value in (shares or {}).items()
                 if not _real(value) or not 0 < value < 1]
    problems += [(name, f"must be one of {', '.join(map(repr, allowed))}, got {shown(value)}")
                 for name, (value, allowed) in (choices or {}).items() if value not in allowed]
    if not (seed is None or isinstance(seed, (np.random.Generator, np.random.SeedSequence))
            or _whole(seed) and seed >= 0):
        problems.append(("seed", "must be a whole number >= 0, a numpy Generator or "
                         f"SeedSequence, or None (a fresh, unrepeatable seed), got {shown(seed)}"))
    if problems:
        raise ScenarioError(f"{function}()", problems)


def checked_settings(function: str, settings: Any) -> Any:
    """``settings`` (a :class:`svcsim.SolverSettings`) when its fields make sense.

    Raises
    ------
    ScenarioError
        Naming ``function()``, the field (``settings.time_limit_s``) and the fix.
    """
    problems = []
    limit = settings.time_limit_s
    if limit is not None and (not _real(limit) or not math.isfinite(limit) or limit <= 0):
        problems.append(("settings.time_limit_s", "must be a number of seconds > 0 (CP-SAT "
                         f"deterministic time), or None to scale it with the model, got "
                         f"{shown(limit)}"))
    for name, minimum in (("num_workers", 1), ("seed", 0), ("max_rounds", 1)):
        value = getattr(settings, name)
        if not _whole(value) or value < minimum:
            problems.append((f"settings.{name}", f"must be a whole number >= {minimum}, "
                             f"got {shown(value)}"))
    gap = settings.gap_limit
    if not _real(gap) or not 0 <= gap <= 1:
        problems.append(("settings.gap_limit", "must be a share in [0, 1] (0.02 for 2 %), "
                         f"got {shown(gap)}"))
    share = settings.warm_share
    if not _real(share) or not 0 < share <= 1:
        problems.append(("settings.warm_share", "must be a share in (0, 1] of the time limit "
                         f"(0.25 for a quarter), got {shown(share)}"))
    from svcsim.roster.model import LEVELS

    if settings.last_level not in LEVELS:
        problems.append(("settings.last_level", f"must be one of {', '.join(map(repr, LEVELS))}"
                         f", got {shown(settings.last_level)}"))
    if problems:
        raise ScenarioError(f"{function}()", problems)
    return settings


def _whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _real(value: Any) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


__all__ = ["check_arguments", "checked_settings"]
