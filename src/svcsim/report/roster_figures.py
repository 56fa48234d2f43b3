"""Figures that show why a roster is right: coverage against requirement, and
the shifts themselves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from svcsim.report.days import day_labels
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


SLIDE_INCHES = (12.0, 6.75)  # 16:9; 1440 x 810 px at save_figure's 120 dpi


def shift_patterns(roster: Roster) -> pd.DataFrame:
    """Shifts summed over their break placements: pool, shift, day, start and
    end (hours after the day's midnight; past 24 for a night shift), part_time
    and agents. One row per (pool, shift, start, end, day)."""
    shifts = roster.shifts.copy()
    shifts["start_h"] = shifts["start"].map(_hours_of)
    shifts["end_h"] = shifts["end"].map(_hours_of)
    shifts.loc[shifts["end_h"] <= shifts["start_h"], "end_h"] += 24
    part = (roster.agent_days.drop_duplicates(["pool", "shift"]).set_index(["pool", "shift"])
            ["part_time"] if not roster.agent_days.empty else pd.Series(dtype=bool))
    grouped = shifts.groupby(["pool", "shift", "start_h", "end_h", "day"], as_index=False,
                             sort=False)["count"].sum()
    grouped["part_time"] = [bool(part.get((r.pool, r.shift), False))
                            for r in grouped.itertuples()]
    return grouped.rename(columns={"count": "agents"})


def gantt_figure(roster: Roster, scenario: Scenario) -> Figure:
    """The shifts for a slide: one panel per day side by side, clock times
    across, one row per shift pattern (pool, start, end) shared by the
    panels, each bar labelled with its agents. Part-time shifts are lighter.

    The figure is 16:9 at any horizon (1440 x 810 px saved); with many
    patterns the rows get thinner, never the picture taller. Breaks are in
    the workbook, not here.
    """
    patterns = shift_patterns(roster)
    rows = (patterns[["pool", "shift", "start_h", "end_h"]].drop_duplicates()
            .sort_values(["pool", "start_h", "end_h", "shift"]).reset_index(drop=True))
    row_of = {tuple(r): i for i, r in enumerate(rows.itertuples(index=False))}
    labels = day_labels(scenario)
    fig, axes = plt.subplots(1, len(labels), figsize=SLIDE_INCHES, sharey=True, squeeze=False)
    pools = list(dict.fromkeys(rows["pool"]))
    size = float(np.clip(360 / max(len(rows), 1), 4, 9))
    low = np.floor(rows["start_h"].min()) if len(rows) else 0.0
    high = np.ceil(rows["end_h"].max()) if len(rows) else 24.0
    for d, ax in enumerate(axes[0]):
        for r in patterns[patterns["day"] == d + 1].itertuples():
            i = row_of[(r.pool, r.shift, r.start_h, r.end_h)]
            color = PALETTE[pools.index(r.pool) % len(PALETTE)]
            ax.barh(i, r.end_h - r.start_h, left=r.start_h, height=0.75, color=color,
                    alpha=0.45 if r.part_time else 0.9, edgecolor=color, lw=0.5)
            ax.text(r.end_h - 0.15, i, f"{r.agents}", ha="right", va="center",
                    fontsize=size, color="black" if r.part_time else "white")
        ax.set_title(labels[d], fontsize=10)
        ticks = _clock_ticks(low, high, len(labels))
        ax.set_xticks(ticks, [f"{int(h) % 24:02d}:00" for h in ticks],
                      fontsize=8 if len(labels) < 4 else 7,
                      rotation=0 if len(labels) < 4 else 90)
        ax.set_xlim(low, high)
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].set_yticks(range(len(rows)), [
        f"{r.pool} {_clock_text(r.start_h)}-{_clock_text(r.end_h)}" for r in rows.itertuples()],
        fontsize=size)
    axes[0, 0].set_ylim(max(len(rows), 6) - 0.5, -0.5)  # a few shifts: bars, not slabs
    handles = [Patch(color=PALETTE[i % len(PALETTE)], label=pool) for i, pool in enumerate(pools)]
    handles.append(Patch(facecolor="0.6", alpha=0.45, label="part-time (lighter)"))
    fig.legend(handles=handles, loc="lower center", ncols=min(len(handles), 6), frameon=False,
               fontsize=8)
    fig.suptitle(f"{scenario.name}: {roster.headcount} agents, {roster.shift_count} shifts "
                 "(bar label: agents on that shift; breaks in roster.xlsx)", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def _clock_ticks(low: float, high: float, panels: int) -> np.ndarray:
    step = 2 if panels == 1 and high - low <= 16 else 3 if panels < 4 or high - low <= 14 else 6
    return np.arange(np.ceil(low / step) * step, high + 0.01, step)


def _clock_text(hours: float) -> str:
    minutes = int(round(hours * 60)) % 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _hours_of(clock: str) -> float:
    hours, minutes = clock.split(":")
    return int(hours) + int(minutes) / 60


__all__ = ["coverage_figure", "gantt_figure", "shift_patterns"]
