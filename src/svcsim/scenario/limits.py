"""Stated limits on the size of a scenario, checked before any work.

svcsim simulates every contact and sizes every pool interval by interval, so
a volume or headcount orders of magnitude beyond any real centre (a typo, an
extra row of zeros, ``1e9``) would run for hours or exhaust memory before
saying anything. These limits are far above the largest centres svcsim is
used for and are checked when a scenario or staffing table is read.
"""

from __future__ import annotations

import numpy as np

MAX_CONTACTS_PER_INTERVAL = 20_000
"""Most contacts offered in one interval, all contact types together."""

MAX_CONTACTS = 2_000_000
"""Most contacts offered over the whole horizon."""

MAX_AGENTS = 20_000
"""Most agents one pool may be scheduled (or required) in one interval."""


def volume_problems(scenario) -> list[tuple[str, str]]:
    """(field, message) for volumes beyond the limits; empty when they fit."""
    contacts = scenario.resolved_contact_types
    if not contacts:
        return []
    per_interval = np.sum([c.volumes for c in contacts], axis=0)
    problems = []
    busiest = int(np.argmax(per_interval))
    if per_interval[busiest] > MAX_CONTACTS_PER_INTERVAL:
        label = scenario.interval_labels()[busiest]
        problems.append(("channels", (
            f"{per_interval[busiest]:,.0f} contacts arrive in the interval at {label}; svcsim "
            f"handles up to {MAX_CONTACTS_PER_INTERVAL:,} per interval: check the volumes "
            "for a unit or typing slip (or split the centre into several scenarios)")))
    total = float(per_interval.sum())
    if total > MAX_CONTACTS:
        problems.append(("channels", (
            f"{total:,.0f} contacts arrive over the horizon; svcsim handles up to "
            f"{MAX_CONTACTS:,}: shorten the horizon or check the volumes")))
    return problems


def agent_problems(scenario) -> list[tuple[str, str]]:
    """(field, message) for pool headcounts and caps beyond ``MAX_AGENTS``."""
    problems = []
    for i, pool in enumerate(scenario.pools):
        for field, value in (("headcount", pool.headcount), ("max_agents", pool.max_agents)):
            if value is not None and value > MAX_AGENTS:
                problems.append((f"pools[{i}].{field}", too_many_agents(value)))
        if pool.staffing is not None and max(pool.staffing.values or (0,)) > MAX_AGENTS:
            problems.append((f"pools[{i}].staffing",
                             too_many_agents(max(pool.staffing.values or (0,)))))
    return problems


def too_many_agents(value: float) -> str:
    """The message for an agent count beyond ``MAX_AGENTS``."""
    shown = f"{value:,.0f}" if value < 1e15 else f"{value:.3g}"
    return (f"{shown} agents is more than the {MAX_AGENTS:,} svcsim handles in one pool; "
            "check the number (or split the pool)")
