"""Chat concurrency from a contact log: how many contacts of one channel an
agent holds at once.

Where the log has ``agent_id``, each answered contact is a session from its
answer (arrival + wait) to its end (answer + handle time). Per agent and
channel, a sweep over the sessions gives the most held at once; sessions
that overlap by under ``OVERLAP_S`` (timestamps rounded, one call taken the
moment the last ends) do not count as held together.

The channel's concurrency is the largest number of sessions that at least
``REACHED_BY`` of its agents (those with ``MIN_SESSIONS`` or more sessions on
it) held at once at some time. The scenario's ``concurrency`` is a cap: no
agent holds more, and an agent with chats in hand takes the next one before
an idle agent does (as the engine routes them), so most agents reach the cap
on a busy day. The mode of the per-agent maxima would read low on a quiet
centre where most agents never fill their last slot; the plain maximum would
read high on one supervisor's override or one overlapping timestamp. Taking
the largest count reached by 5 % of agents (their 95th percentile) keeps the
cap and drops the odd one out.

Handle time under concurrency is the session's elapsed time, which is what
the log gives (answer to end) and what the engine draws: a chat holds one of
the agent's slots for its handle time, whatever else the agent holds. The
fit does not divide it by the concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

OVERLAP_S = 1.0
"""Sessions of one agent that overlap by less than this (seconds) are not held together."""
MIN_SESSIONS = 20
"""Sessions an agent needs on a channel for its most-held-at-once to count."""
REACHED_BY = 0.05
"""Share of agents that must reach a count for it to be the concurrency."""
MAX_CONCURRENCY = 20
"""The scenario's upper limit on ``concurrency``."""


@dataclass(frozen=True)
class ConcurrencyFit:
    """Concurrency per channel.

    ``table`` has one row per channel: ``channel``, ``agents`` (with
    ``MIN_SESSIONS`` or more sessions on it), ``sessions``, ``max_1`` ...
    (agents whose most held at once was 1, 2, ...: the columns present),
    ``concurrency`` (the estimate; NaN when no agent qualifies).
    """

    table: pd.DataFrame
    note: str

    def of(self, channel: str) -> int:
        """The fitted concurrency of ``channel`` (1 when not fitted)."""
        rows = self.table[self.table["channel"] == channel]
        if not len(rows) or not np.isfinite(rows["concurrency"].iloc[0]):
            return 1
        return int(rows["concurrency"].iloc[0])

    def per_contact(self, channels: pd.Series) -> np.ndarray:
        """The fitted concurrency of each row's channel (looked up once per
        channel: a lookup per row was an eighth of calibrating a month)."""
        return channels.map({ch: self.of(ch) for ch in channels.unique()}).to_numpy()

    @property
    def fitted(self) -> dict[str, int]:
        """Channels whose agents hold more than one contact at once."""
        return {ch: self.of(ch) for ch in self.table["channel"] if self.of(ch) > 1}


def most_held(sessions: pd.DataFrame) -> pd.Series:
    """Most sessions held at once per agent (``sessions``: ``agent_id``,
    ``start_s``, ``end_s`` on one clock, e.g. seconds since the log's first day).
    """
    starts = pd.DataFrame({"agent_id": sessions["agent_id"].to_numpy(),
                           "t": sessions["start_s"].to_numpy(), "delta": 1})
    ends = pd.DataFrame({"agent_id": sessions["agent_id"].to_numpy(),
                         "t": np.maximum(sessions["end_s"].to_numpy() - OVERLAP_S,
                                         sessions["start_s"].to_numpy()), "delta": -1})
    # an end at the same moment as a start frees its slot first
    events = pd.concat([starts, ends], ignore_index=True).sort_values(
        ["agent_id", "t", "delta"], kind="stable")
    held = events.groupby("agent_id", sort=False)["delta"].cumsum()
    return held.groupby(events["agent_id"], sort=True).max()


def fit_concurrency(contacts: pd.DataFrame) -> ConcurrencyFit:
    """Concurrency per channel from answered contacts with an agent id.

    Parameters
    ----------
    contacts : pandas.DataFrame
        :attr:`ContactLog.contacts`.
    """
    answered = contacts[(contacts["outcome"] == "answered") & (contacts["agent_id"] != "")
                        & contacts["handle_s"].notna()]
    channels = sorted(contacts["channel"].unique())
    if not len(answered):
        table = pd.DataFrame({"channel": channels, "agents": 0, "sessions": 0,
                              "concurrency": np.nan})
        return ConcurrencyFit(table, "concurrency not fitted: the log has no agent ids; a "
                                     "chat channel's concurrency is 1 unless you give it")
    origin = contacts["arrival"].min().normalize()
    start = (answered["arrival"] - origin).dt.total_seconds() + answered["wait_s"]
    sessions = pd.DataFrame({"channel": answered["channel"].to_numpy(),
                             "agent_id": answered["agent_id"].to_numpy(),
                             "start_s": start.to_numpy(),
                             "end_s": (start + answered["handle_s"]).to_numpy()})
    rows = []
    for channel in channels:
        mine = sessions[sessions["channel"] == channel]
        counts = mine["agent_id"].value_counts()
        qualified = counts.index[counts >= MIN_SESSIONS]
        row: dict = {"channel": channel, "agents": len(qualified), "sessions": len(mine),
                     "concurrency": np.nan}
        if len(qualified):
            held = most_held(mine[mine["agent_id"].isin(qualified)])
            for k, n in held.value_counts().sort_index().items():
                row[f"max_{k}"] = int(n)
            reached = np.array([(held >= k).mean() for k in range(1, int(held.max()) + 1)])
            row["concurrency"] = min(int(np.nonzero(reached >= REACHED_BY)[0].max()) + 1,
                                     MAX_CONCURRENCY)
        rows.append(row)
    table = pd.DataFrame(rows)
    maxes = sorted((c for c in table.columns if c.startswith("max_")),
                   key=lambda c: int(c[4:]))
    table = table[["channel", "agents", "sessions", *maxes, "concurrency"]]
    table[maxes] = table[maxes].fillna(0).astype(int)
    return ConcurrencyFit(table, _note(table))


def _note(table: pd.DataFrame) -> str:
    parts = []
    for _, row in table.iterrows():
        if not np.isfinite(row["concurrency"]):
            parts.append(f"{row['channel']}: not fitted (no agent with {MIN_SESSIONS} or more "
                         "sessions)")
            continue
        c = int(row["concurrency"])
        held = {int(k[4:]): row[k] for k in row.index if k.startswith("max_")}
        share = sum(n for k, n in held.items() if k >= c) / row["agents"]
        above = sum(n for k, n in held.items() if k > c)
        parts.append(f"{row['channel']} {c} ({share:.0%} of {int(row['agents'])} agents held "
                     f"{c} at once at some time"
                     + (f"; {int(above)} held more, fewer than {REACHED_BY:.0%}, left out"
                        if above else "") + ")")
    return ("concurrency (most contacts of a channel an agent holds at once, the largest count "
            f"at least {REACHED_BY:.0%} of its agents reached; handle time is each session's "
            "elapsed time, as the engine draws it): " + "; ".join(parts))
