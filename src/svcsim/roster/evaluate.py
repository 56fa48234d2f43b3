"""Coverage and cost of a roster, recomputed in plain Python: the check on
the solver (tests assert both agree)."""

from __future__ import annotations

import numpy as np

from svcsim.roster.shifts import ShiftOption, break_minutes


def coverage(options: list[ShiftOption], agents: dict[int, int],
             breaks: dict[tuple[int, int], dict[int, int]], n: int,
             interval_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Agent-minutes present (on shift, not on break) and on break per interval."""
    step = int(round(interval_s / 60))
    on_shift = np.zeros(n)
    on_break = np.zeros(n)
    for k, count in agents.items():
        option = options[k]
        for i in option.covers(n):
            on_shift[i] += step * count
        for b, rule in enumerate(option.breaks):
            for start, taking in breaks.get((k, b), {}).items():
                for interval, minutes in break_minutes(rule, start, interval_s).items():
                    on_break[interval % n] += minutes * taking
    return on_shift - on_break, on_break


def cost(options: list[ShiftOption], agents: dict[int, int]) -> float:
    """Paid cost of the roster (currency units)."""
    return float(sum(options[k].cost * count for k, count in agents.items()))


def paid_hours(options: list[ShiftOption], agents: dict[int, int]) -> float:
    """Paid hours of the roster."""
    return float(sum(options[k].paid_hours * count for k, count in agents.items()))
