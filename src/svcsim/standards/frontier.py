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
        ``today`` (the base's target), ``plan_of`` (the target whose plan
        the row holds: a stricter target's plan is kept where it needs fewer
        agents, or as many for less cost, and was met), and
        ``headcount_change`` and ``cost_change`` from today's target.
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
    rows = []
    for point in loaded.frontier:
        roster = plans[point.variant].roster
        rows.append({"standard": point.standard, "target": point.percent / 100,
                     "headcount": roster.headcount, "cost": roster.cost,
                     "paid_hours": roster.paid_hours, "met": plans[point.variant].met,
                     "today": point.variant == BASE, "plan_of": point.percent / 100})
    points = _stricter_plans_kept(pd.DataFrame(rows))
    base = points[points["today"]].groupby("standard", sort=False)[["headcount", "cost"]].first()
    base_of = points["standard"].map(base["headcount"]), points["standard"].map(base["cost"])
    points["headcount_change"] = (points["headcount"] - base_of[0].fillna(
        plans[BASE].roster.headcount)).astype(int)
    points["cost_change"] = points["cost"] - base_of[1].fillna(plans[BASE].roster.cost)
    return Frontier(points, loaded.base.horizon.days)


def _stricter_plans_kept(points: pd.DataFrame) -> pd.DataFrame:
    """Each target's plan, or a stricter target's plan of the same standard
    when that needs fewer agents (or the same for less cost) and was met.

    Sound without simulating again: a frontier changes only the standard's
    percent, and a plan certified at a higher percent has its one-sided
    bound above every lower one, so it is certified there too. Without it a
    search that happened to end one agent higher at 75 % than at 80 % made
    the frontier say 75 % costs more. ``plan_of`` names the target whose
    plan a row holds."""
    points = points.copy()
    kept = ["headcount", "cost", "paid_hours", "met", "plan_of"]
    for _, group in points.groupby("standard", sort=False):
        best = None
        for i in group.sort_values("target", ascending=False).index:
            row = points.loc[i]
            if best is not None and (best["headcount"], best["cost"]) < (row["headcount"],
                                                                         row["cost"]):
                points.loc[i, kept] = best[kept].to_numpy()
            elif row["met"]:
                best = points.loc[i].copy()
    return points


__all__ = ["Frontier", "frontier"]
