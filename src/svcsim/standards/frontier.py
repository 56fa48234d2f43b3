"""The cost of each point of service: what each target of a standard needs.

For each standard a study's ``frontier`` names, the scenario is planned
(``svcsim.plan``: roster verified in simulation) at each target percent in
turn, the other standards as they are. The result is the table management
asks for: "going from 80/20 to 90/20 on premier phone costs 6 agents".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from svcsim.roster import SolverSettings
from svcsim.standards.compare import BASE, Progress, plan_each, steps
from svcsim.standards.study import LoadedStudy


@dataclass(frozen=True)
class Frontier:
    """Headcount and cost at each target of each standard.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per standard x target: ``standard`` (the base's label),
        ``target`` (fraction), planned ``headcount`` (people), ``cost`` and
        ``paid_hours`` over the scenario's horizon, ``met`` in simulation,
        ``today`` (the base's target), and ``headcount_change`` and
        ``cost_change`` from the base plan.
    horizon_days : int
        The scenario's horizon, over which cost and paid hours add up.
    """

    points: pd.DataFrame
    horizon_days: int

    def steps(self) -> pd.DataFrame:
        """Each standard's step from one target to the next: ``from``, ``to``
        (fractions), ``agents`` and ``cost`` added."""
        rows = []
        for standard, group in self.points.groupby("standard", sort=False):
            for low, high in zip(group.iloc[:-1].itertuples(), group.iloc[1:].itertuples(),
                                 strict=True):
                rows.append({"standard": standard, "from": low.target, "to": high.target,
                             "agents": high.headcount - low.headcount,
                             "cost": high.cost - low.cost})
        return pd.DataFrame(rows, columns=["standard", "from", "to", "agents", "cost"])

    def headline(self) -> list[str]:
        """For each standard, what each target above today's costs, e.g.
        ``80/20: from today's 80%: 85% +3 agents (+480 a day), 90% +4 ...``."""
        period = {1: "a day", 7: "a week"}.get(self.horizon_days,
                                              f"over {self.horizon_days} days")
        lines = []
        for standard, group in self.points.groupby("standard", sort=False):
            today = group[group["today"]]
            if today.empty:
                continue
            now = today.iloc[0]
            above = group[group["target"] > now["target"]]
            costs = [f"{100 * row.target:g}% {row.headcount - now['headcount']:+d} agents "
                     f"({row.cost - now['cost']:+,.0f} {period})"
                     for row in above.itertuples()]
            if costs:
                lines.append(f"{standard}: from today's {100 * now['target']:g}%, "
                             + ", ".join(costs))
        return lines


def frontier(loaded: LoadedStudy, settings: SolverSettings | None = None, workers: int = 1,
             progress: Progress | None = None, backend: str = "local",
             client: Any = None) -> Frontier:
    """Plan the base and every point of the study's frontier.

    ``progress(done, total)`` is called before the first plan and after each;
    ``backend="dask"`` plans the points on a Dask cluster (``client``).
    """
    scenarios = {BASE: loaded.base, **loaded.frontier_variants}
    plans = plan_each(scenarios, loaded, settings, workers, steps(len(scenarios), progress),
                      backend, client)
    base = plans[BASE].roster
    rows = []
    for point in loaded.frontier:
        roster = plans[point.variant].roster
        rows.append({"standard": point.standard, "target": point.percent / 100,
                     "headcount": roster.headcount, "cost": roster.cost,
                     "paid_hours": roster.paid_hours, "met": plans[point.variant].met,
                     "today": point.variant == BASE,
                     "headcount_change": roster.headcount - base.headcount,
                     "cost_change": roster.cost - base.cost})
    return Frontier(pd.DataFrame(rows), loaded.base.horizon.days)


__all__ = ["Frontier", "frontier"]
