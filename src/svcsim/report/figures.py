"""Figures a planner reads: matplotlib, saved as PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files, never a window: the CLI and CI have no screen

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from svcsim.queueing.requirements import Requirements  # noqa: E402
from svcsim.report.files import write_atomic  # noqa: E402
from svcsim.scenario import Scenario  # noqa: E402

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]


def _hours(scenario: Scenario) -> np.ndarray:
    """Interval boundaries in hours from the start of the horizon."""
    return np.arange(scenario.n_intervals + 1) * scenario.interval_s / 3600.0


def _time_axis(ax, scenario: Scenario) -> None:
    days = scenario.horizon.days
    if days == 1:
        ax.set_xticks(np.arange(0, 25, 2))
        ax.set_xticklabels([f"{h:02d}:00" for h in range(0, 25, 2)])
        ax.set_xlim(*_active_hours(scenario))
        ax.set_xlabel("time of day")
    else:
        labels = scenario.interval_labels()[:: int(86400 / scenario.interval_s)]
        ax.set_xticks(np.arange(days) * 24 + 12)
        ax.set_xticklabels([label.split()[0] for label in labels])
        for day in range(1, days):
            ax.axvline(day * 24, color="0.8", lw=0.8, zorder=0)
        ax.set_xlim(0, days * 24)


def _active_hours(scenario: Scenario) -> tuple[float, float]:
    """The span of the day with any work, widened to whole hours."""
    volume = sum(c.volumes for c in scenario.resolved_contact_types)
    busy = np.nonzero(volume > 0)[0]
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


def save_figure(fig: Figure, path: str | Path, dpi: int = 120) -> Path:
    """Save a figure as PNG atomically and release it."""
    try:
        return write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png"))
    finally:
        plt.close(fig)
