"""Human units in scenario files: durations (``20s``, ``4m``, ``1.5h``,
``1h30m``), clock
times (``08:30``) and shares (``30%`` or ``0.3``).

Inside svcsim every time is a float number of seconds; these parsers are the
only place where human units are read.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo, WithJsonSchema

_UNIT_SECONDS = {
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
}
_PART = r"(\d+(?:\.\d*)?|\.\d+)\s*([a-z]+)"
_DURATION = re.compile(rf"^\s*{_PART}(?:\s*{_PART})*\s*$", re.IGNORECASE)
_DURATION_PART = re.compile(_PART, re.IGNORECASE)
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_UNIT_PATTERN = r"(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)"
DURATION_PATTERN = (
    rf"^\s*(\d+(\.\d*)?|\.\d+)\s*{_UNIT_PATTERN}(\s*(\d+(\.\d*)?|\.\d+)\s*{_UNIT_PATTERN})*\s*$"
)
CLOCK_PATTERN = r"^\s*\d{1,2}:\d{2}\s*$"


def parse_duration(value: Any) -> float:
    """Return a duration in seconds from ``20s``, ``4m``, ``1.5h``, ``24h``, ``2d``,
    a sum of such parts (``1h30m``, ``2m 30s``) or a bare number (already
    seconds). Negative durations are rejected."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as '20s', '4m' or '1.5h', got {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        parts = _DURATION_PART.findall(value) if _DURATION.match(value) else []
        if not parts or any(unit.lower() not in _UNIT_SECONDS for _, unit in parts):
            raise ValueError(
                f"expected a duration such as '20s', '4m', '1.5h' or '1h30m', got {value!r}"
            )
        seconds = sum(float(number) * _UNIT_SECONDS[unit.lower()] for number, unit in parts)
    else:
        raise ValueError(f"expected a duration such as '20s', '4m' or '1.5h', got {value!r}")
    if seconds < 0 or seconds != seconds or seconds == float("inf"):
        raise ValueError(f"a duration must be finite and >= 0, got {value!r}")
    return seconds


def parse_clock(value: Any) -> float:
    """Return seconds after midnight from a clock time ``HH:MM`` (``24:00`` allowed
    as the end of a day)."""
    if not isinstance(value, str):
        raise ValueError(
            f"expected a clock time such as '08:30' in quotes, got {value!r} (YAML reads an "
            "unquoted 08:30 as a number)"
        )
    match = _CLOCK.match(value)
    if not match:
        raise ValueError(f"expected a clock time such as '08:30', got {value!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f"no such clock time: {value!r} (use 00:00 to 24:00)")
    return float(hours * 3600 + minutes * 60)


def parse_share(value: Any) -> float:
    """Return a share in [0, 1] from ``0.3`` or ``'30%'``."""
    if isinstance(value, bool):
        raise ValueError(f"expected a share such as 0.3 or '30%', got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if not text.endswith("%"):
            raise ValueError(f"expected a share such as 0.3 or '30%', got {value!r}")
        try:
            share = float(text[:-1]) / 100.0
        except ValueError:
            raise ValueError(f"expected a share such as 0.3 or '30%', got {value!r}") from None
    elif isinstance(value, (int, float)):
        share = float(value)
    else:
        raise ValueError(f"expected a share such as 0.3 or '30%', got {value!r}")
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"a share must lie between 0 and 1 (0% and 100%), got {value!r}")
    return share


def format_duration(seconds: float) -> str:
    """Format seconds the way a planner writes them: ``20s``, ``4m``, ``1.5h``, ``2d``."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0)):
        if seconds >= size and (seconds / size) == round(seconds / size, 2):
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def format_clock(seconds: float) -> str:
    """Format seconds after midnight as ``HH:MM`` (day offsets are dropped)."""
    seconds = int(round(seconds)) % 86400
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _clock_field(value: Any, info: ValidationInfo) -> float:
    # A validated scenario re-validated by Scenario.replace holds seconds already.
    if (info.context or {}).get("revalidate") and isinstance(value, float):
        return value
    return parse_clock(value)


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "description": "seconds"},
                {"type": "string", "pattern": DURATION_PATTERN},
            ],
            "description": "a duration: '20s', '4m', '1.5h', '24h', or a number of seconds",
        }
    ),
]
"""A duration in seconds, written with human units in scenario files."""

ClockTime = Annotated[
    float,
    BeforeValidator(_clock_field),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN, "description": "clock time HH:MM"}),
]
"""Seconds after midnight, written ``HH:MM`` in scenario files."""

Share = Annotated[
    float,
    BeforeValidator(parse_share),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": r"^\s*\d+(\.\d*)?\s*%\s*$"},
            ],
            "description": "a share: 0.3 or '30%'",
        }
    ),
]
"""A share in [0, 1], written ``0.3`` or ``'30%'`` in scenario files."""
