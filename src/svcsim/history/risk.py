"""Staff to risk: the chance that a staffing (or a roster's) meets a standard
on a random day drawn from the forecast distribution.

A forecast is a distribution, not a number: each contact type's day has a
gamma factor with the forecast's ``forecast_cv`` (the engine draws one per
replication). Each replication is then one random day, and P(meet) is the
share of days whose attainment over the horizon reaches the standard's
target, with a Wilson interval over the days simulated. This evaluates a
given staffing; choosing a staffing to a stated P(meet) is the planner's
(``svcsim.plan``) job.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from svcsim.history.retrials import wilson
from svcsim.scenario import Scenario


def chance_of_meeting(scenario: Scenario, staffing=None, days: int = 200, seed: int = 7,
                      workers: int = 1) -> pd.DataFrame:
    """P(meet) of every standard over ``days`` random days.

    Parameters
    ----------
    scenario : Scenario
        With ``forecast_cv`` on its arrivals (e.g. ``svcsim forecast
        --scenario``); with ``forecast_cv`` 0 only Poisson noise varies.
    staffing : optional
        As :func:`svcsim.simulate` takes it (a roster's ``staffing_of``, a
        table, None for the scenario's own).
    days : int
        Days (replications) drawn.

    Returns
    -------
    pandas.DataFrame
        Per standard: ``target``, ``days``, ``days_met``, ``p_meet`` with
        ``p_meet_low`` / ``p_meet_high`` (95 % Wilson), and the 10th, 50th
        and 90th percentiles of the day's attainment. A day counts as met
        when its attainment over the horizon reaches the target.
    """
    from svcsim.sim import simulate

    result = simulate(scenario, staffing=staffing, replications=days, seed=seed,
                      workers=workers)
    per_day = result.replication_attainment
    rows = []
    for i, standard in enumerate(scenario.standards):
        mine = per_day[per_day["standard"] == i]["attainment"].dropna().to_numpy()
        met = int((mine >= standard.target).sum())
        low, high = wilson(met, len(mine))
        q10, q50, q90 = np.quantile(mine, [0.1, 0.5, 0.9]) if len(mine) else (np.nan,) * 3
        rows.append({"standard": standard.label, "target": standard.target, "days": len(mine),
                     "days_met": met, "p_meet": met / len(mine) if len(mine) else np.nan,
                     "p_meet_low": low, "p_meet_high": high, "attainment_p10": q10,
                     "attainment_p50": q50, "attainment_p90": q90})
    return pd.DataFrame(rows)
