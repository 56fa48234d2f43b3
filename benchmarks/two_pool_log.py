"""A two-pool contact log written without svcsim, with its true staffing.

A phone team (A01-A08) and a blended team (B01-B04) who also take chats, up
to 2 at once, but one channel at a time: an agent holding a chat takes no
call. With ``simultaneous`` (as the centre of the first such log did) a
blended agent holds a call and 2 chats at once, which svcsim's agents do
not do, so that staffing has no true value in svcsim's terms.

FIFO per channel; a freed blended agent takes the longer-waiting of the two
queues' heads; a call goes to a free phone agent before a blended one, and
a chat to a blended agent with a chat in hand before an idle one.
Exponential patience, lognormal handle times, Poisson arrivals spread evenly
over 09:00-18:00 on weekdays. Lunch: A07 and A08 are away 12:00-13:00, B04
13:00-14:00 (they finish what they hold first). Columns named as a Chinese
ACD export would name them, so ``svcsim fit`` reads it with ``COLUMNS``.

The event loop below is its own: nothing in it comes from svcsim's engine,
so a fit that recovers ``true_staffing`` is checked against a model it did
not write.
"""

from __future__ import annotations

import heapq
from collections import deque
from pathlib import Path

import numpy as np
import pandas as pd

PHONE, CHAT = "电话", "在线"
OPEN_S, CLOSE_S = 9 * 3600, 18 * 3600
PER_HALF_HOUR = {PHONE: 70, CHAT: 12}
MEAN_HANDLE_S = {PHONE: 240.0, CHAT: 600.0}
MEAN_PATIENCE_S = {PHONE: 120.0, CHAT: 300.0}
HANDLE_CV = 0.6
CONCURRENCY = 2
TEAM = {f"A{i:02d}": "phone" for i in range(1, 9)} | {f"B{i:02d}": "blended" for i in range(1, 5)}
AWAY = {"A07": (12 * 3600, 13 * 3600), "A08": (12 * 3600, 13 * 3600),
        "B04": (13 * 3600, 14 * 3600)}
COLUMNS = "arrival_time=来电时间,channel=渠道,outcome=结果,wait_s=等待秒,handle_s=通话秒,agent_id=坐席"
POOL_NAMES = {"phone": PHONE, "blended": f"{CHAT}+{PHONE}"}
"""The names ``svcsim fit`` gives the two pools (from the channels they serve)."""


def true_staffing(interval_s: float = 1800.0) -> dict[str, np.ndarray]:
    """Agents on duty per pool and interval of a day (fitted pool names)."""
    starts = np.arange(0, 86400, interval_s)
    out = {}
    for team, name in POOL_NAMES.items():
        on = np.zeros(len(starts), dtype=int)
        for agent in (a for a, t in TEAM.items() if t == team):
            away = AWAY.get(agent, (0, 0))
            on += (starts >= OPEN_S) & (starts < CLOSE_S) & ~((starts >= away[0])
                                                               & (starts < away[1]))
        out[name] = on
    return out


class _Day:
    """One day's event loop: arrivals, service completions, lunch breaks."""

    def __init__(self, rng: np.random.Generator, day: pd.Timestamp, rows: list,
                 simultaneous: bool) -> None:
        self.rng, self.day, self.rows = rng, day, rows
        self.simultaneous = simultaneous
        self.queue = {PHONE: deque(), CHAT: deque()}
        self.held = {a: {PHONE: 0, CHAT: 0} for a in TEAM}
        self.on_duty = dict.fromkeys(TEAM, True)
        self.events: list = []
        self.seq = 0

    def push(self, at: float, kind: str, item) -> None:
        self.seq += 1
        heapq.heappush(self.events, (at, self.seq, kind, item))

    def run(self) -> None:
        sigma = np.sqrt(np.log(1 + HANDLE_CV ** 2))
        for ch, per in PER_HALF_HOUR.items():
            n = self.rng.poisson(per * (CLOSE_S - OPEN_S) / 1800)
            for t in np.sort(self.rng.uniform(OPEN_S, CLOSE_S, n)):
                handle = self.rng.lognormal(np.log(MEAN_HANDLE_S[ch]) - sigma ** 2 / 2, sigma)
                self.push(t, "arrive", (t, ch, self.rng.exponential(MEAN_PATIENCE_S[ch]), handle))
        for agent, (leave, back) in AWAY.items():
            self.push(leave, "off", agent)
            self.push(back, "on", agent)
        while self.events:
            at, _, kind, item = heapq.heappop(self.events)
            getattr(self, "_" + kind)(at, item)
        for waiting in self.queue.values():  # nobody left to answer them
            while waiting:
                self._abandon(waiting.popleft())

    def _can_take(self, agent: str, ch: str) -> bool:
        held = self.held[agent]
        if not self.on_duty[agent] or (TEAM[agent] == "phone" and ch != PHONE):
            return False
        room = held[ch] < (CONCURRENCY if ch == CHAT else 1)
        other = held[CHAT if ch == PHONE else PHONE]
        return room and (self.simultaneous or other == 0)

    def _free_for(self, ch: str) -> str | None:
        if ch == PHONE:  # the phone team first, then an idle blended agent
            order = [a for t in ("phone", "blended") for a in TEAM if TEAM[a] == t]
        else:  # a chat in hand and a free slot first, then an idle agent
            order = sorted(TEAM, key=lambda a: self.held[a][CHAT] == 0)
        return next((a for a in order if self._can_take(a, ch)), None)

    def _serve(self, agent: str, contact, at: float) -> None:
        arrival, ch, _, handle = contact
        self.held[agent][ch] += 1
        self.rows.append((self.day + pd.Timedelta(seconds=arrival), ch, "answered",
                          round(at - arrival, 1), round(handle, 1), agent))
        self.push(at + handle, "done", (agent, ch))

    def _abandon(self, contact) -> None:
        arrival, ch, patience, _ = contact
        self.rows.append((self.day + pd.Timedelta(seconds=arrival), ch, "abandoned",
                          round(patience, 1), np.nan, ""))

    def _head(self, ch: str, at: float):
        """The first contact still waiting in ``ch``'s queue (the ones whose
        patience ran out before ``at`` are written as abandoned)."""
        waiting = self.queue[ch]
        while waiting and waiting[0][0] + waiting[0][2] < at:
            self._abandon(waiting.popleft())
        return waiting[0] if waiting else None

    def _pull(self, agent: str, at: float) -> None:
        """The freed agent takes the longest-waiting contact it can hold, again
        while it has room."""
        while True:
            heads = [(h[0], ch) for ch in (PHONE, CHAT)
                     if self._can_take(agent, ch) and (h := self._head(ch, at)) is not None]
            if not heads:
                return
            ch = min(heads)[1]
            self._serve(agent, self.queue[ch].popleft(), at)

    def _arrive(self, at: float, contact) -> None:
        agent = self._free_for(contact[1])
        if agent is None:
            self.queue[contact[1]].append(contact)
        else:
            self._serve(agent, contact, at)

    def _done(self, at: float, item) -> None:
        agent, ch = item
        self.held[agent][ch] -= 1
        self._pull(agent, at)

    def _off(self, at: float, agent: str) -> None:
        self.on_duty[agent] = False

    def _on(self, at: float, agent: str) -> None:
        self.on_duty[agent] = True
        self._pull(agent, at)


def write_two_pool_log(path: Path, days: int = 22, seed: int = 11,
                       simultaneous: bool = False) -> Path:
    """Write ``days`` weekdays from 2026-06-01 of the two-pool centre to
    ``path`` (CSV, Chinese column names) and return it; ``simultaneous``:
    blended agents hold a call and chats at once."""
    rng = np.random.default_rng(seed)
    rows: list = []
    for day in pd.bdate_range("2026-06-01", periods=days):
        _Day(rng, day, rows, simultaneous).run()
    log = pd.DataFrame(rows, columns=["来电时间", "渠道", "结果", "等待秒", "通话秒", "坐席"])
    log.sort_values("来电时间", kind="stable").to_csv(path, index=False)
    return path
