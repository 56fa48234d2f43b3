"""Figures that show why a roster is right: coverage against requirement, and
the shifts themselves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from svcsim.report.figures import PALETTE, _hours, _time_axis
from svcsim.roster import Roster
from svcsim.scenario import Scenario


def coverage_figure(roster: Roster, scenario: Scenario) -> Figure:
    """Per pool: agents present (area), agents on break (hatched on top) and
    the requirement (line), interval by interval."""
    edges = _hours(scenario)
    pools = list(dict.fromkeys(roster.coverage["pool"]))
    staffed = roster.coverage.groupby("interval")[["scheduled", "on_break", "required"]].sum()
    busy = staffed.sum(axis=1).reindex(range(scenario.n_intervals), fill_value=0).to_numpy() > 0
    fig, axes = plt.subplots(len(pools), 1, figsize=(12, 2.8 * len(pools) + 0.9), sharex=True,
                             squeeze=False)
    for ax, pool in zip(axes[:, 0], pools, strict=True):
        rows = roster.coverage[roster.coverage["pool"] == pool].sort_values("interval")
        present = rows["scheduled"].to_numpy(dtype=float)
        on_break = rows["on_break"].to_numpy(dtype=float)
        required = rows["required"].to_numpy(dtype=float)
        ax.stairs(present, edges, fill=True, color=PALETTE[0], alpha=0.75,
                  label="agents present")
        ax.stairs(present + on_break, edges, baseline=present, fill=True, color="none",
                  edgecolor=PALETTE[1], hatch="///", lw=0, label="on break")
        top = required.max()
        held = "interval_need" in rows and rows["interval_need"].notna().any()
        ax.stairs(required, edges, color="black", lw=1.6,
                  label="interval floor" if held else "required")
        if held:
            every = rows["interval_need"].to_numpy(dtype=float)
            ax.stairs(every, edges, color="black", lw=1.0, ls="--",
                      label="every interval at target (not needed: held over the day)")
            top = max(top, every.max())
        short = rows["shortfall"].to_numpy(dtype=float)
        if short.any():
            ax.stairs(required, edges, baseline=required - short, fill=True,
                      color=PALETTE[3], alpha=0.6, label="shortfall")
        ax.set_ylabel(f"{pool}\nagents")
        ax.set_ylim(0, max((present + on_break).max(), top, 1) * 1.25)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper left", frameon=False, ncols=4, fontsize=8)
    axes[0, 0].set_title(f"{scenario.name}: rostered coverage against the requirement "
                         f"({roster.headcount} agents, status {roster.status})")
    _time_axis(axes[-1, 0], scenario, busy)
    fig.tight_layout()
    return fig


def gantt_figure(roster: Roster, scenario: Scenario) -> Figure:
    """One bar per shift pattern from start to end, labelled with its count,
    breaks marked; sorted by pool and start."""
    shifts = roster.shifts.sort_values(["pool", "day", "start"]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(12, max(3.0, 0.28 * len(shifts) + 1.2)))
    pools = list(dict.fromkeys(shifts["pool"]))
    for row in shifts.itertuples():
        begin = (row.day - 1) * 24 + _hours_of(row.start)
        length = _hours_of(row.end) - _hours_of(row.start)
        length += 24 if length <= 0 else 0
        color = PALETTE[pools.index(row.pool) % len(PALETTE)]
        ax.barh(row.Index, length, left=begin, color=color, alpha=0.8, height=0.7)
        for item in filter(None, row.breaks.split(", ")):
            clock = item.rsplit(" ", 1)[1]
            at = (row.day - 1) * 24 + _hours_of(clock)
            at += 24 if at < begin else 0
            ax.plot([at, at], [row.Index - 0.35, row.Index + 0.35], color="white", lw=2.5)
        ax.text(begin + length + 0.1, row.Index, f"x{row.count}  {row.shift}", va="center",
                fontsize=7)
    ax.set_yticks(range(len(shifts)))
    ax.set_yticklabels([f"{r.pool} {r.start}" for r in shifts.itertuples()], fontsize=7)
    ax.invert_yaxis()
    if scenario.horizon.days > 1:
        ax.set_xlabel("hour of the horizon")
    else:
        low, high = ax.get_xlim()
        ticks = np.arange(np.floor(low / 2) * 2, high + 0.01, 2)
        ax.set_xticks(ticks, [f"{int(h):02d}:00" for h in ticks])
        ax.set_xlim(low, high)
        ax.set_xlabel("time of day")
    ax.set_title(f"{scenario.name}: shifts by start (white ticks: breaks)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def _hours_of(clock: str) -> float:
    hours, minutes = clock.split(":")
    return int(hours) + int(minutes) / 60


__all__ = ["coverage_figure", "gantt_figure"]
