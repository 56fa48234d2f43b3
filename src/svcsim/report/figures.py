"""Figures a planner reads: matplotlib, saved as PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from svcsim.files import write_atomic
from svcsim.queueing.requirements import Requirements
from svcsim.report.days import day_dates, day_labels
from svcsim.scenario import Scenario

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]


def _hours(scenario: Scenario) -> np.ndarray:
    """Interval boundaries in hours from the start of the horizon."""
    return np.arange(scenario.n_intervals + 1) * scenario.interval_s / 3600.0


def _time_axis(ax, scenario: Scenario, busy: np.ndarray | None = None) -> None:
    """Clock labels on a one-day axis, trimmed to the busy intervals (default:
    those with any offered work); day labels on a longer horizon."""
    days = scenario.horizon.days
    if days == 1:
        ax.set_xticks(np.arange(0, 25, 2))
        ax.set_xticklabels([f"{h:02d}:00" for h in range(0, 25, 2)])
        if busy is None:
            busy = sum(c.volumes for c in scenario.resolved_contact_types) > 0
        ax.set_xlim(*_busy_hours(scenario, busy))
        dates = day_dates(scenario)
        ax.set_xlabel("time of day" + (f", {day_labels(scenario)[0]}" if dates else ""))
    else:
        labels = [label.split(" (")[0] for label in day_labels(scenario)]  # Mon, or Mon 7 Dec
        ax.set_xticks(np.arange(days) * 24 + 12)
        ax.set_xticklabels(labels)
        for day in range(1, days):
            ax.axvline(day * 24, color="0.8", lw=0.8, zorder=0)
        ax.set_xlim(0, days * 24)


def _busy_hours(scenario: Scenario, busy: np.ndarray) -> tuple[float, float]:
    """The span of the day from the first to the last busy interval, widened
    to whole hours."""
    busy = np.nonzero(busy)[0]
    if len(busy) == 0:
        return 0.0, 24.0
    hours = _hours(scenario)
    return float(np.floor(hours[busy[0]])), float(np.ceil(hours[busy[-1] + 1]))


def requirements_figure(req: Requirements, scenario: Scenario) -> Figure:
    """Offered contacts per interval by channel (top) against agents required on
    duty per pool, with the scheduled total after shrinkage (bottom)."""
    edges = _hours(scenario)
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(12, 7.5), sharex=True, gridspec_kw={"height_ratios": [1, 1.3]}
    )
    per = f"{scenario.interval_s / 60:g} min"

    channels: dict[str, np.ndarray] = {}
    for contact in scenario.resolved_contact_types:
        channels[contact.channel] = channels.get(contact.channel, 0) + contact.volumes
    base = np.zeros(scenario.n_intervals)
    for i, (name, volume) in enumerate(channels.items()):
        top.stairs(base + volume, edges, baseline=base, fill=True, alpha=0.85,
                   color=PALETTE[i % len(PALETTE)], label=name)
        base = base + volume
    top.set_ylabel(f"contacts offered per {per}")
    top.set_title(f"{scenario.name}: offered volume and staffing requirement")
    top.legend(title="channel", loc="upper left", frameon=False, ncols=len(channels))
    top.grid(axis="y", alpha=0.3)
    top.set_ylim(0, max(base.max() * 1.18, 1))

    pools = req.pools
    base = np.zeros(scenario.n_intervals)
    scheduled = np.zeros(scenario.n_intervals)
    for i, pool in enumerate(scenario.pools):
        rows = pools[pools["pool"] == pool.name]
        agents = rows["required_agents"].to_numpy(dtype=float)
        bottom.stairs(base + agents, edges, baseline=base, fill=True, alpha=0.85,
                      color=PALETTE[(i + 3) % len(PALETTE)], label=pool.name)
        base = base + agents
        scheduled += rows["scheduled_agents"].to_numpy(dtype=float)
    bottom.stairs(scheduled, edges, color="black", lw=1.4, ls="--",
                  label="scheduled (after shrinkage)")
    bottom.set_ylabel("agents required on duty")
    bottom.legend(title="pool", loc="upper left", frameon=False, ncols=min(len(scenario.pools) + 1, 5))
    bottom.grid(axis="y", alpha=0.3)
    bottom.set_ylim(0, max(scheduled.max() * 1.22, 1))
    _time_axis(bottom, scenario)
    fig.text(0.01, 0.005, "Analytic requirement (Erlang A/C per interval; backlog model for "
             "deferred work). Shared pools pool their traffic: an approximation the "
             "simulator checks.", fontsize=8, color="0.35")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def service_level_figure(result, scenario: Scenario) -> Figure:
    """Simulated service level by interval with its CI band, one panel per
    channel and one line per tier, against each standard's target."""
    edges = _hours(scenario)
    mids = (edges[:-1] + edges[1:]) / 2
    channels = list(dict.fromkeys(c.channel for c in scenario.resolved_contact_types))
    fig, axes = plt.subplots(len(channels), 1, figsize=(12, 2.8 * len(channels) + 0.8),
                             sharex=True, squeeze=False)
    table = result.intervals
    for ax, channel in zip(axes[:, 0], channels, strict=True):
        targets = set()
        contacts = [c for c in scenario.resolved_contact_types if c.channel == channel]
        for i, contact in enumerate(contacts):
            rows = table[table["contact_type"] == contact.name].sort_values("interval")
            busy = rows["offered"].to_numpy() > 0
            level = np.where(busy, rows["service_level"].to_numpy(dtype=float), np.nan)
            low = np.where(busy, rows["service_level_low"].to_numpy(dtype=float), np.nan)
            high = np.where(busy, rows["service_level_high"].to_numpy(dtype=float), np.nan)
            color = PALETTE[i % len(PALETTE)]
            ax.plot(mids, 100 * level, color=color, lw=1.6, label=contact.tier)
            ax.fill_between(mids, 100 * low, 100 * high, color=color, alpha=0.18, lw=0)
            label = rows["standard"].iloc[0] if len(rows) else ""
            standard = next((s for s in scenario.standards if s.label == label), None)
            if standard is not None:
                targets.add((standard.percent, label))
        for percent, label in sorted(targets):
            ax.axhline(percent, color="0.3", ls="--", lw=1)
            ax.annotate(f"target: {label}", (0.995, percent), xycoords=("axes fraction", "data"),
                        ha="right", va="bottom", fontsize=8, color="0.3")
        ax.set_ylabel(f"{channel}\n% within standard")
        ax.set_ylim(0, 104)
        ax.grid(alpha=0.3)
        ax.legend(title="tier", loc="lower left", frameon=False, ncols=len(contacts), fontsize=8)
    axes[0, 0].set_title(f"{scenario.name}: simulated service level by interval "
                         f"(mean of {result.replications} replications, "
                         f"{100 * result.level:g}% CI shaded)")
    _time_axis(axes[-1, 0], scenario)
    fig.tight_layout()
    return fig


def occupancy_figure(result, scenario: Scenario) -> Figure:
    """Agents on duty (bars) and simulated occupancy (line) per pool."""
    edges = _hours(scenario)
    mids = (edges[:-1] + edges[1:]) / 2
    pools = [p.name for p in scenario.pools]
    fig, axes = plt.subplots(len(pools), 1, figsize=(12, 2.4 * len(pools) + 0.8), sharex=True,
                             squeeze=False)
    for ax, name in zip(axes[:, 0], pools, strict=True):
        rows = result.pools[result.pools["pool"] == name].sort_values("interval")
        agents = rows["agents"].to_numpy(dtype=float)
        ax.stairs(agents, edges, fill=True, color="0.85", label="agents on duty")
        ax.set_ylabel(f"{name}\nagents")
        ax.set_ylim(0, max(agents.max() * 1.25, 1))
        twin = ax.twinx()
        twin.plot(mids, 100 * rows["occupancy"].to_numpy(dtype=float), color=PALETTE[3], lw=1.6,
                  label="occupancy")
        twin.set_ylim(0, 105)
        twin.set_ylabel("occupancy %")
        handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        ax.legend(handles, ["agents on duty", "occupancy"], loc="upper left", frameon=False,
                  ncols=2, fontsize=8)
    axes[0, 0].set_title(f"{scenario.name}: agents on duty and simulated occupancy by pool")
    _time_axis(axes[-1, 0], scenario)
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: str | Path, dpi: int = 120) -> Path:
    """Save a figure as PNG atomically and release it."""
    try:
        return write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png"))
    finally:
        plt.close(fig)
