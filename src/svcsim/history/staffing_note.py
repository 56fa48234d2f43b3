"""The note on calibrated staffing that the fitted scenario's comments and
the ``svcsim fit`` command print: how well the simulator reproduces the
log, and the effective agents against what the log shows."""

from __future__ import annotations

import pandas as pd


def staffing_note(calibration) -> str:
    """The YAML comment and CLI line on the calibrated staffing
    (:class:`svcsim.history.staffing.Calibration`)."""
    t = calibration.table
    open_ = t["offered"] > 0
    gap_a = (t["sim_abandon_rate"] - t["abandon_rate"])[open_].abs()
    gap_s = (t["sim_service_level"] - t["service_level"])[open_].abs()
    text = (f"effective agents on duty per interval (after breaks, absence and other work), "
            f"calibrated so the simulated abandonment and service level match the observed: "
            f"{calibration.rounds} rounds of {calibration.replications} replications; mean gap "
            f"{100 * gap_a.mean():.1f} points of abandonment and {100 * gap_s.mean():.1f} of "
            f"service level per open interval; {int((~t['identified'] & open_).sum())} open "
            "intervals without queueing are not identified (lowest staffing that matches)")
    pools = list(dict.fromkeys(t["pool"]))
    if len(pools) == 1:
        return text + _agents_note(t[open_])
    return text + "; per pool: " + "; ".join(f"{pool}: " + _pool_note(t[t["pool"] == pool])
                                             for pool in pools)


def _pool_note(t: pd.DataFrame) -> str:
    open_ = t["offered"] > 0
    if open_.any():
        return (_agents_note(t[open_]) + _share_note(t[open_])).removeprefix("; ")
    working = t["agents"] > 0
    return (f"no immediate contacts to calibrate against, so the agents its handle time needs "
            f"(rounded up): {t['agents'][working].mean() if working.any() else 0:.1f} in "
            f"{int(working.sum())} intervals")


def _share_note(t: pd.DataFrame) -> str:
    """How well a pool sharing contact types is split from the others: the
    share of those contacts it answered, observed (agent ids) and simulated."""
    given = t["sim_served_share"].notna() & t["served_share"].notna()
    if not given.any():
        return ""
    observed, simulated = t["served_share"][given], t["sim_served_share"][given]
    return (f"; it shares contact types with another pool, so it is also matched on the share "
            f"of them it answered: {100 * observed.mean():.0f} % observed, "
            f"{100 * simulated.mean():.0f} % simulated (mean gap "
            f"{100 * (simulated - observed).abs().mean():.1f} points per open interval)")


def _agents_note(t: pd.DataFrame) -> str:
    """Effective agents against what the log shows, over open intervals."""
    text = ""
    seen = t["agents_seen"]
    if seen.notna().any() and seen.sum() > 0:
        text += (f"; agents seen in the log average {seen.mean():.1f} per open interval against "
                 f"{t['agents'].mean():.1f} effective")
    text += f"; busy agents (handle time / interval) average {t['busy_agents'].mean():.1f}"
    return text
