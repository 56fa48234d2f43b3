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
