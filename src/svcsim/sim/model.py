"""The simulator's runtime objects: contacts, queues, agents and pools.

These carry run-time state and live only inside one replication; the
scenario objects they were built from stay immutable.
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np

WAITING, SERVING, DONE, ABANDONED, BLOCKED = 0, 1, 2, 3, 4
FIRST, RETRY, REPEAT = 0, 1, 2
"""Origins of a contact: a first attempt, a retry after abandoning, a repeat
after an unresolved contact."""


class Contact:
    """One contact (or work item) travelling through its stages."""

    __slots__ = ("id", "type_index", "origin", "arrival_s", "ready_s", "abandon_s", "state",
                 "stage", "first_start_s", "end_s", "stage_times", "measured", "pool", "agent",
                 "line")

    def __init__(self, id_: int, type_index: int, origin: int, arrival_s: float,
                 abandon_s: float, measured: bool):
        self.id = id_
        self.type_index = type_index
        self.origin = origin
        self.arrival_s = arrival_s
        self.ready_s = arrival_s       # when the current stage became work
        self.abandon_s = abandon_s     # inf when the customer never gives up
        self.state = WAITING
        self.stage = 0
        self.first_start_s = np.nan
        self.end_s = np.nan
        self.stage_times: list[tuple[float, float]] | None = None
        self.measured = measured
        self.pool = -1  # index of the pool that took up its first stage
        self.agent = -1  # number, in that pool, of the agent who took it up
        self.line = False  # holds one of its channel's trunk lines


class Draws:
    """A stream of pre-drawn durations (seconds), drawn in chunks for speed."""

    __slots__ = ("_dist", "_rng", "_buffer", "_next")

    def __init__(self, dist, rng: np.random.Generator, chunk: int = 1024):
        self._dist = dist
        self._rng = rng
        self._buffer: list[float] = []
        self._next = 0

    def next(self) -> float:
        if self._next >= len(self._buffer):
            self._buffer = self._dist.sample(self._rng, 1024).tolist()
            self._next = 0
        value = self._buffer[self._next]
        self._next += 1
        return value


class Queue:
    """Waiting work of one contact type at one stage, first come first served.

    Abandoned contacts are removed lazily: a customer whose patience ran out
    is skipped (and recorded as abandoned at that time) when it reaches the
    head, which gives the same outcomes as removing it when it left.
    """

    __slots__ = ("index", "name", "type_index", "stage", "channel", "concurrency", "pools",
                 "items", "handle", "after_work", "head_start_s", "on_abandon", "staged",
                 "waiting", "area", "last_s", "tier_priority", "factors")

    def __init__(self, index: int, name: str, type_index: int, stage: int, channel: str,
                 concurrency: int, head_start_s: float, tier_priority: int = 1):
        self.index = index
        self.name = name
        self.type_index = type_index
        self.stage = stage
        self.channel = channel
        self.concurrency = concurrency
        self.pools: list[Pool] = []
        self.items: deque[Contact] = deque()
        self.handle: Draws | None = None
        self.after_work: Draws | None = None
        self.head_start_s = head_start_s
        self.tier_priority = tier_priority  # 1 first, among queues of one skill level
        self.factors: list[float] | None = None  # handle time x this, per interval
        self.on_abandon = None
        self.staged = False  # its contact type has more than one stage
        # time-weighted count of waiting contacts: sum over time of the number
        # waiting, in contact-seconds (Little's law: area = sum of waits)
        self.waiting = 0
        self.area = 0.0
        self.last_s = 0.0

    def count(self, now: float, change: int) -> None:
        """Add ``change`` to the number waiting at time ``now``."""
        self.area += self.waiting * (now - self.last_s)
        self.last_s = now
        self.waiting += change

    def head(self, now: float) -> Contact | None:
        """The first contact still waiting, purging those who left."""
        items = self.items
        while items:
            contact = items[0]
            if contact.state == WAITING and contact.abandon_s > now:
                return contact
            items.popleft()
            # it stopped waiting when it left, not now: take the overcount back
            self.count(now, -1)
            self.area -= now - min(contact.abandon_s, now)
            if contact.state == WAITING:
                contact.state = ABANDONED
                if self.on_abandon is not None:
                    self.on_abandon(contact)
        return None


class Agent:
    """One agent on duty: the contacts in hand and their channel."""

    __slots__ = ("pool", "number", "load", "channel", "capacity", "parked")

    def __init__(self, pool: Pool):
        self.pool = pool
        self.number = pool.take_number()  # the lowest free in its pool, as a badge
        self.load = 0
        self.channel: str | None = None
        self.capacity = 1  # contacts it may hold on its current channel
        self.parked = False  # filed in its pool's idle or partial agents


class Pool:
    """Interchangeable agents with skills ordered by priority."""

    __slots__ = ("index", "name", "levels", "idle", "partial", "on_duty", "owed", "aging_s",
                 "skills", "leaving", "free_numbers", "numbers")

    def __init__(self, index: int, name: str):
        self.index = index
        self.name = name
        self.levels: list[list[Queue]] = []  # queues grouped by skill priority, best first
        self.idle: dict[Agent, None] = {}  # idle agents, the last freed taken first
        self.partial: dict[str, dict[Agent, None]] = {}  # chat agents with free slots
        self.on_duty = 0
        self.owed = 0  # agents to send home as soon as they are free
        # owed agents already chosen (chat agents with chats in hand): they
        # take no new work and go when their last chat ends
        self.leaving: dict[Agent, None] = {}
        self.aging_s: float | None = None  # waiting that earns one priority level
        self.skills: list[tuple[int, Queue]] = []  # (skill priority, queue), best first
        # agent numbers (the log's agent ids): one leaving frees its number for
        # the next to come, so a pool of 12 shows agents 1-12, not a new id
        # at every change of staffing
        self.free_numbers: list[int] = []
        self.numbers = 0

    def take_number(self) -> int:
        """The lowest agent number not in use (numbers start at 1)."""
        if self.free_numbers:
            return heapq.heappop(self.free_numbers)
        self.numbers += 1
        return self.numbers

    def give_back(self, agent: Agent) -> None:
        """``agent`` goes home: its number is free again."""
        heapq.heappush(self.free_numbers, agent.number)
