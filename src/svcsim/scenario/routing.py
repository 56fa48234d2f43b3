"""Routing rules shared by the simulator and the analytic requirements.

Two orders, stated separately:

* **pool preference** (which pool a contact tries first): among the pools
  whose skills list a contact type (and stage), the lowest skill
  ``preference`` first; ``preference`` defaults to the skill's ``priority``,
  which is what scenario files written before the key meant. Ties go to the
  most specialised pool (the one whose skills cover the fewest contact
  types), then to the pool listed first.
* **queue order inside a pool** (which waiting contact a freed agent takes):
  the lowest skill ``priority`` first; within a skill level the lowest tier
  priority first; within a tier the longest credited wait (wait plus the
  tier's ``head_start``).

The requirements give each piece of work to its first pool; the simulator
offers an arriving contact to its pools in the same order.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from svcsim.scenario.contact_types import ContactType
    from svcsim.scenario.pools import Pool, Skill


def matches(pattern: str, name: str) -> bool:
    """Whether a contact-type pattern (``phone``, ``phone/*``, ``*/gold``) covers ``name``."""
    if "/" not in pattern:
        pattern = f"{pattern}/*"
    return fnmatch.fnmatchcase(name, pattern)


def skill_for(pool: Pool, contact: ContactType, stage: str) -> Skill | None:
    """The first skill of ``pool`` that lists ``contact`` at ``stage``, if any."""
    for skill in pool.skills:
        if skill.stage in (None, stage) and any(matches(p, contact.name) for p in skill.contacts):
            return skill
    return None


def breadth(pool: Pool, types: Sequence[ContactType]) -> int:
    """How many contact types a pool's skills cover (fewer = more specialised)."""
    return sum(any(matches(p, c.name) for skill in pool.skills for p in skill.contacts)
               for c in types)


def serving_order(pools: Sequence[Pool], types: Sequence[ContactType], contact: ContactType,
                  stage: str) -> list[tuple[Pool, int]]:
    """Pools that serve ``contact`` at ``stage`` with their skill priority
    (queue order inside the pool), in pool-preference order."""
    found = []
    for index, pool in enumerate(pools):
        skill = skill_for(pool, contact, stage)
        if skill is not None:
            preference = skill.preference if skill.preference is not None else skill.priority
            found.append(((preference, breadth(pool, types), index), pool, skill.priority))
    return [(pool, priority) for _, pool, priority in sorted(found, key=lambda item: item[0])]


def routing_warnings(pools: Sequence[Pool], types: Sequence[ContactType]) -> list[str]:
    """Routing that is legal but probably not meant, one message each:

    * a pool that is no contact type's first choice: the requirements give it
      no agents and in the simulator it only takes overflow;
    * a contact type (stage) that sits at the top of no serving pool's queue
      order: under load every pool serving it takes other work first.
    """
    first: set[str] = set()
    top: dict[tuple[str, str], list[str]] = {}
    for contact in types:
        for stage in contact.stage_names:
            order = serving_order(pools, types, contact, stage)
            if not order:
                continue
            first.add(order[0][0].name)
            if not any(priority == min(s.priority for s in pool.skills)
                       for pool, priority in order):
                top[(contact.name, stage)] = [pool.name for pool, _ in order]
    messages = []
    for index, pool in enumerate(pools):
        if pool.name not in first:
            messages.append(
                f"pools[{index}] ('{pool.name}'): no contact type tries this pool first, so "
                "the requirements give it no agents and it only takes overflow; give one of "
                "its skills a lower 'preference' (or 'priority') than the other pools list")
    for (name, stage), names in top.items():
        what = name if stage == "contact" else f"stage '{stage}' of {name}"
        messages.append(
            f"{what}: no pool serves it first ({', '.join(names)} each take work of a better "
            "skill priority before it), so under load it waits for all of that; if that is "
            "not meant, give it the pool's best priority in one pool's skills")
    return messages
