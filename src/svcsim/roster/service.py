"""Service targets held over a day or the horizon, not interval by interval.

A standard such as "80 % of the day's calls answered within 20 s" lets a
quiet interval run above target and pay for a busy one. The roster model
links the agents on duty in each interval to the expected contacts answered
within the threshold (a table from :mod:`svcsim.queueing`, exact at every
whole number of agents) and requires the total over each day, or over the
horizon, to reach the target share of the volume (Koole & van der Sluis,
2003, "Optimal shift scheduling with a global service level constraint").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

SCALE = 100
"""On-time contacts enter the model in hundredths, rounded down: the model's
total is short of the exact one by less than one contact per 100 intervals,
on the safe side."""


@dataclass(frozen=True)
class ServiceTarget:
    """One standard over its scope, for one pool.

    Attributes
    ----------
    label : str
        The standard.
    on_time : numpy.ndarray
        ``on_time[i, a]``: expected contacts of the standard answered within
        its threshold in interval ``i`` with ``a`` agents scheduled in the
        pool (``a`` = 0 .. columns - 1; more agents count as the last).
    volumes : numpy.ndarray
        Contacts the standard covers per interval.
    units : numpy.ndarray
        Per interval, the scope unit it counts towards (day index, or 0 for
        the whole horizon).
    target : float
        Share of each unit's contacts to answer within the threshold (0-1).
    """

    label: str
    on_time: np.ndarray
    volumes: np.ndarray
    units: np.ndarray
    target: float

    @property
    def most_agents(self) -> int:
        return self.on_time.shape[1] - 1

    def attainment(self, scheduled: np.ndarray) -> dict[int, float]:
        """Expected attainment of each scope unit with ``scheduled`` agents
        per interval (whole agents)."""
        answered = self.answered(scheduled)
        out = {}
        for unit in np.unique(self.units):
            mine = self.units == unit
            total = self.volumes[mine].sum()
            out[int(unit)] = float(answered[mine].sum() / total) if total > 0 else float("nan")
        return out

    def answered(self, scheduled: np.ndarray) -> np.ndarray:
        """Expected on-time contacts per interval with ``scheduled`` agents."""
        column = np.clip(np.asarray(scheduled, dtype=int), 0, self.most_agents)
        return self.on_time[np.arange(len(column)), column]

    def interval_levels(self, scheduled: np.ndarray) -> np.ndarray:
        """Expected service level per interval (nan where nothing arrives)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.volumes > 0, self.answered(scheduled) / self.volumes, np.nan)

    def interval_need(self) -> np.ndarray:
        """Fewest agents scheduled per interval meeting the target in that
        interval on its own (the most agents of the table where none does)."""
        enough = self.on_time >= self.target * self.volumes[:, None] - 1e-9
        return np.where(enough.any(axis=1), enough.argmax(axis=1), self.most_agents)

    def goal(self, unit: int) -> int:
        """On-time contacts the unit needs, in model units (rounded up)."""
        total = self.volumes[self.units == unit].sum()
        return int(np.ceil(self.target * total * SCALE - 1e-6))

    def table(self, interval: int) -> list[int]:
        """The interval's on-time contacts by agents, in model units (rounded down)."""
        return np.floor(self.on_time[interval] * SCALE + 1e-9).astype(int).tolist()

    def sliced(self, start: int, stop: int) -> ServiceTarget:
        """The target restricted to intervals ``start`` to ``stop``."""
        return replace(self, on_time=self.on_time[start:stop], volumes=self.volumes[start:stop],
                       units=self.units[start:stop])


__all__ = ["SCALE", "ServiceTarget"]
