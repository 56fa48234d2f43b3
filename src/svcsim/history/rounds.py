"""Calibration rounds: which staffings a round simulates, and where each
interval moves.

Pools that share no contact type do not interact, so they move in the same
simulation: a *group*. A round simulates the current staffing and each
group's one agent either side, ``1 + 2 x groups`` simulations, all under
common random numbers.

Pools linked by a shared contact type (a phone team beside a blended
phone+chat team) form a *component*. The abandonment and service level of
the work they share answer to all of them, so a component is judged on one
loss, the sum of its pools' gaps, and per interval and round takes the one
candidate that lowers that loss most: all of them move in the same round
from the same simulations, and no two answer one gap and overshoot. Besides
each group's step, a component weighs moving an agent from one group to
another: that keeps the total, so abandonment and service level hardly
change and only the share of the shared work each pool takes up tells it
apart, yet no single step could make it without first worsening the loss.
Its figures are not simulated but predicted from the two steps' (their
effects added: a first-order, Jacobian step). An interval never returns to
a staffing of its component it has left, so noise cannot make it
oscillate (with one pool: it never turns back).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEPS = (-1, 1)
NO_FIGURE = 10.0
"""Gap counted for a figure the simulation could not give (nobody offered)."""

Candidate = tuple[tuple[int, int], ...]
"""The moves of a candidate staffing, as (group number, step) pairs: ``()``
for the current staffing."""


def groups_of(types: dict[str, list[str]], pools: list[str]) -> list[list[str]]:
    """Pools grouped so that no two in a group share a contact type: a group
    moves in one simulation."""
    groups: list[list[str]] = []
    for p in pools:
        for group in groups:
            if not any(set(types[p]) & set(types[q]) for q in group):
                group.append(p)
                break
        else:
            groups.append([p])
    return groups


def components_of(types: dict[str, list[str]], pools: list[str]) -> list[list[str]]:
    """Pools linked, directly or through others, by a shared contact type."""
    components: list[list[str]] = []
    for p in pools:
        linked = [c for c in components if any(set(types[p]) & set(types[q]) for q in c)]
        merged = [q for c in linked for q in c] + [p]
        components = [c for c in components if c not in linked] + [merged]
    return sorted((sorted(c, key=pools.index) for c in components),
                  key=lambda c: pools.index(c[0]))


def candidates(groups: list[list[str]]) -> list[Candidate]:
    """The staffings a round simulates: the current one first, then each
    group one agent either side."""
    return [()] + [((g, step),) for g in range(len(groups)) for step in STEPS]


def transfers(groups: list[list[str]], pools: list[str]) -> list[Candidate]:
    """An agent from one group to another, for the groups with a pool in
    ``pools`` (a component): predicted, not simulated."""
    mine = [g for g, group in enumerate(groups) if set(group) & set(pools)]
    return [((g, 1), (h, -1)) for g in mine for h in mine if g != h]


def steps_of(candidate: Candidate, groups: list[list[str]]) -> dict[str, int]:
    """The step of each pool a candidate moves."""
    return {p: step for g, step in candidate for p in groups[g]}


@dataclass
class Component:
    """The search state of one component: the staffings each interval has
    left (as tuples of its pools' agents), to which it never returns."""

    pools: list[str]
    left: list[set[tuple[int, ...]]]

    @classmethod
    def start(cls, pools: list[str], n_intervals: int) -> Component:
        return cls(pools, [set() for _ in range(n_intervals)])

    def step(self, losses: dict[Candidate, np.ndarray], tolerance: np.ndarray,
             agents: dict[str, np.ndarray], open_: dict[str, np.ndarray],
             groups: list[list[str]]) -> np.ndarray:
        """Move ``agents`` (in place) to each interval's best candidate when
        it gains more than ``tolerance``; return the candidate index taken
        per interval (0: stayed).

        ``losses`` maps the current staffing (first) and each candidate
        that moves a pool of this component to its loss per interval.
        """
        keys = list(losses)
        table = np.array([losses[k] for k in keys])
        best = np.argmin(table, axis=0)
        n = table.shape[1]
        gain = table[0] - table[best, np.arange(n)]
        taken = np.where(gain > tolerance, best, 0)
        for i in np.nonzero(taken)[0]:
            steps = steps_of(keys[taken[i]], groups)
            now = tuple(int(agents[p][i]) for p in self.pools)
            after = tuple(max(a + steps[p], 1) if p in steps and open_[p][i] else a
                          for p, a in zip(self.pools, now, strict=True))
            if after == now or after in self.left[i]:
                taken[i] = 0  # its best is a staffing it left (or no move): it stays
                continue
            self.left[i].add(now)
            for p, a in zip(self.pools, after, strict=True):
                agents[p][i] = a
        return taken


def pool_loss(simulated: tuple[np.ndarray, ...], observed: tuple[np.ndarray, ...]) -> np.ndarray:
    """Sum of the absolute gaps of a pool's figures (abandonment, service
    level and, for pools sharing contact types, the share taken up); a
    figure the simulation could not give counts ``NO_FIGURE``."""
    return sum(np.nan_to_num(np.abs(s - o), nan=NO_FIGURE, posinf=NO_FIGURE)
               for s, o in zip(simulated, observed, strict=True))
