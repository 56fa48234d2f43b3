"""Charts of history work: the forecast with its prediction band, and the
replay's model against reality."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from svcsim.history.forecast import History


def forecast_figure(history: History, table: pd.DataFrame, coverage: float,
                    recent_days: int = 14) -> plt.Figure:
    """Per queue (up to four): the last ``recent_days`` observed days and the
    forecast with its prediction band, contacts per interval."""
    queues = list(dict.fromkeys(table["queue"]))[:4]
    fig, axes = plt.subplots(len(queues), 1, figsize=(10, 2.6 * len(queues)), squeeze=False)
    step = pd.Timedelta(seconds=history.interval_s)
    for ax, queue in zip(axes[:, 0], queues, strict=False):
        q = history.queues.index(queue)
        days = history.dates[-recent_days:]
        for d, date in zip(range(len(history.dates) - len(days), len(history.dates)), days,
                           strict=True):
            times = date + step * np.arange(history.counts.shape[2])
            ax.plot(times, history.counts[q, d], color="0.45", lw=0.8,
                    label="observed" if date == days[0] else None)
        mine = table[table["queue"] == queue]
        times = pd.to_datetime(mine["date"]) + step * mine["interval"].to_numpy()
        ax.fill_between(times, mine["low"], mine["high"], color="tab:blue", alpha=0.25, lw=0,
                        label=f"{coverage:.0%} prediction interval")
        ax.plot(times, mine["forecast"], color="tab:blue", lw=1.2, label="forecast")
        ax.set_title(queue, loc="left", fontsize=10)
        ax.set_ylabel("contacts / interval")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper left", fontsize=8, ncol=3)
    fig.tight_layout()
    return fig


def replay_figure(result) -> plt.Figure:
    """Model vs reality: observed abandonment, service level and offered per
    interval against the simulated mean, its CI and the one-day prediction
    interval."""
    t = result.intervals
    offered = "offered (as logged)" if result.mode == "trace" else "offered"
    panels = [("service_level", f"answered within {result.within_s:g} s", 100),
              ("abandon_rate", "abandoned", 100), ("offered", offered, 1)]
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 7.8), sharex=True)
    x = np.arange(len(t))
    for ax, (figure, label, scale) in zip(axes, panels, strict=True):
        ax.fill_between(x, scale * t[f"sim_{figure}_pi_low"], scale * t[f"sim_{figure}_pi_high"],
                        color="tab:blue", alpha=0.15, lw=0, label="model: one day, 95 %")
        ax.fill_between(x, scale * t[f"sim_{figure}_low"], scale * t[f"sim_{figure}_high"],
                        color="tab:blue", alpha=0.35, lw=0, label="model: mean, 95 % CI")
        ax.plot(x, scale * t[f"sim_{figure}"], color="tab:blue", lw=1.2, label="model")
        ax.plot(x, scale * t[f"observed_{figure}"], "o-", color="black", ms=3, lw=0.8,
                label="observed")
        ax.set_ylabel(label + (" %" if scale == 100 else ""))
        if scale == 100:
            ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 5))
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower right", fontsize=8, ncol=2, framealpha=0.9)
    step = max(1, len(t) // 12)
    axes[-1].set_xticks(x[::step], t["start"].iloc[::step])
    day = result.day.set_index("figure")
    how = ("the day's own arrivals and handle times" if result.mode == "trace"
           else "the scenario's arrivals and handle times")
    fig.suptitle(f"Model vs reality: {result.date:%a %Y-%m-%d}, per interval", x=0.01,
                 ha="left", fontsize=12, fontweight="bold")
    axes[0].set_title(
        f"{result.mode} replay ({how}), {result.replications} replications\nthe day: abandoned "
        f"{day.loc['abandon_rate', 'observed']:.1%} observed vs "
        f"{day.loc['abandon_rate', 'simulated']:.1%} model; within {result.within_s:g} s "
        f"{day.loc['service_level', 'observed']:.1%} vs {day.loc['service_level', 'simulated']:.1%}",
        loc="left", fontsize=9)
    fig.tight_layout()
    return fig
