"""The simulation engine: one replication of a scenario on SimPy's event loop.

Contacts do not get a SimPy process each: arrivals come from one driver
process, and service completions and stage hand-overs are plain timeout
events with callbacks, which keeps the per-contact cost low. Simultaneous
events run in SimPy's (time, priority, insertion) order, and every choice
between equals is made in a fixed order, so a run is a function of its seed.

Routing
-------
* An arriving contact goes to a free agent of the pool that lists it with
  the best skill priority (most specialised first), else it waits in its
  queue.
* A freed agent takes, among the queues its pool serves, from the best skill
  priority level first; within a level the contact with the longest credited
  wait (waiting time plus its tier's ``head start``), first come first served.
* Handle time: drawn from the contact type's distribution, times its
  ``handle_time_profile`` factor for the interval the service starts in.
* Trunks: a channel with ``trunks`` holds that many contacts at once,
  waiting plus in service (until the end of the first stage's handle time,
  or abandoning); an arrival finding every line busy is blocked.
* Chat: an agent holds up to ``concurrency`` chats of one channel; chats go
  to an agent with chats in hand and a free slot before an idle one, keeping
  idle agents free for other work. Handle time is the elapsed time a chat
  holds a slot at that concurrency, as the scenario states it.
"""

from __future__ import annotations

import gc
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import simpy

from svcsim.scenario import Scenario
from svcsim.sim.arrivals import day_factors, draw_arrivals
from svcsim.sim.model import (
    ABANDONED,
    BLOCKED,
    DONE,
    FIRST,
    REPEAT,
    RETRY,
    SERVING,
    WAITING,
    Agent,
    Contact,
    Draws,
    Pool,
    Queue,
)
from svcsim.sim.streams import stream


@contextmanager
def no_cyclic_gc():
    """Pause Python's cyclic garbage collector.

    A run keeps every contact alive until it ends, and the collector would
    rescan them all again and again, so the cost per contact would grow with
    the length of the run. Events are freed by reference counting anyway.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@dataclass
class RunRecords:
    """Raw output of one replication (arrays, one row per contact or service)."""

    contacts: list[Contact] = field(default_factory=list)
    deflected: dict[int, np.ndarray] = field(default_factory=dict)
    # flat (pool index, start s, end s, share of an agent) per service
    services: array = field(default_factory=lambda: array("d"))
    # flat (pool index, time s, agents present from then on) per change
    present: array = field(default_factory=lambda: array("d"))
    queue_area_s: dict[str, float] = field(default_factory=dict)
    end_s: float = 0.0


class Engine:
    """One replication.

    Parameters
    ----------
    scenario : Scenario
        What to simulate.
    on_duty : dict of str to numpy.ndarray
        Agents on duty per pool per interval (after shrinkage and breaks).
    entropy : int
        Root seed entropy; with ``replication`` it keys every random stream.
    replication : int
        Replication number.
    warmup_cycles : int
        Horizon-long cycles simulated before the measured one (for 24x7
        centres that never empty); measured contacts are those arriving in
        the measured cycle.
    """

    def __init__(self, scenario: Scenario, on_duty: dict[str, np.ndarray], entropy: int,
                 replication: int, warmup_cycles: int = 0):
        self.scenario = scenario
        self.env = simpy.Environment()
        self.entropy = entropy
        self.replication = replication
        self.cycle_s = scenario.n_intervals * scenario.interval_s
        self.warmup_cycles = warmup_cycles
        self.measure_from = warmup_cycles * self.cycle_s
        self.measure_to = self.measure_from + self.cycle_s
        self.on_duty = on_duty
        self.types = scenario.resolved_contact_types
        self.records = RunRecords()
        # Measured contacts whose outcome is still open: those without patience
        # from arrival, those with patience from the start of their service
        # (until then their patience settles them by last_abandon_s at latest).
        self.pending = 0
        self.last_abandon_s = 0.0
        self.measuring_closed = False
        self._build()

    # -- set-up ---------------------------------------------------------------
    def _rng(self, *names: str) -> np.random.Generator:
        return stream(self.entropy, self.replication, *names)

    def _build(self) -> None:
        scenario = self.scenario
        self.pools = [Pool(i, p.name) for i, p in enumerate(scenario.pools)]
        by_name = {p.name: p for p in self.pools}
        self.queues: list[Queue] = []
        self.first_queue: list[Queue] = []
        self.stage_queues: list[list[Queue]] = []
        self.patience: list[Draws | None] = []
        self.repeat_delay: list[Draws | None] = []
        self.retry_delay: list[Draws | None] = []
        self.luck: list[np.random.Generator] = []
        self.patience_timer: list[bool] = []
        self.lines: dict[str, list[int]] = {}  # channel -> [lines busy, trunks]
        levels: dict[str, dict[int, list[Queue]]] = {p.name: {} for p in self.pools}
        for t, contact in enumerate(self.types):
            queues = []
            for s, stage in enumerate(contact.stage_names):
                queue = Queue(len(self.queues), f"{contact.name}:{stage}", t, s,
                              contact.channel, contact.concurrency, contact.head_start_s,
                              contact.priority)
                handle, after = contact.stage_handle_time(stage)
                queue.handle = Draws(handle, self._rng(contact.name, stage, "handle"))
                if contact.handle_factors is not None:
                    queue.factors = contact.handle_factors.tolist()
                if after is not None:
                    queue.after_work = Draws(after, self._rng(contact.name, stage, "after_work"))
                for pool, priority in scenario.serving_pools(contact, stage):
                    queue.pools.append(by_name[pool.name])
                    levels[pool.name].setdefault(priority, []).append(queue)
                self.queues.append(queue)
                queues.append(queue)
            for queue in queues:
                queue.staged = len(queues) > 1
            self.stage_queues.append(queues)
            self.first_queue.append(queues[0])
            patience = contact.patience if contact.kind == "immediate" else None
            self.patience.append(Draws(patience, self._rng(contact.name, "patience"))
                                 if patience is not None else None)
            self.repeat_delay.append(
                Draws(contact.repeat_delay, self._rng(contact.name, "repeat_delay"))
                if contact.repeat_delay is not None else None)
            self.retry_delay.append(
                Draws(contact.retry.delay, self._rng(contact.name, "retry_delay"))
                if contact.retry is not None else None)
            self.luck.append(self._rng(contact.name, "outcomes"))
            retries = contact.retry is not None and contact.retry.share > 0
            queues[0].on_abandon = self._abandoned_with_retry if retries else self._abandoned
            # a retry must happen when patience runs out, not when the queue
            # is next looked at: such contacts get a timer
            # so must a line held by a customer who hangs up
            self.patience_timer.append((retries or contact.trunks is not None)
                                       and patience is not None)
            if contact.trunks is not None:
                self.lines[contact.channel] = [0, contact.trunks]
        for pool, spec in zip(self.pools, scenario.pools, strict=True):
            pool.levels = [levels[pool.name][p] for p in sorted(levels[pool.name])]
            pool.skills = [(p, q) for p in sorted(levels[pool.name]) for q in levels[pool.name][p]]
            pool.aging_s = spec.priority_aging
        self.stage_delay = [
            [Draws(stage.delay, self._rng(c.name, stage.name, "delay"))
             if stage.delay is not None else None for stage in c.stages] or [None]
            for c in self.types
        ]

    # -- running ---------------------------------------------------------------
    def run(self) -> RunRecords:
        """Simulate warm-up, the measured cycle and a drain, and return records.

        After the measured cycle the next cycles' arrivals and staffing go on
        (the horizon repeats) until every measured contact is done or gone, so
        work carried past the end is finished and measured, not dropped. The
        drain lasts at most long enough for the longest deadline (three times
        it for business-hours deadlines) and at least one cycle.
        """
        env = self.env
        cycles = self.warmup_cycles + 1 + self._drain_cycles()
        env.process(self._staffing(cycles))
        self._arrivals(cycles)
        self.done = env.event()
        env.process(self._close_measurement())
        with no_cyclic_gc():
            env.run(until=simpy.AnyOf(env, [self.done, env.timeout(cycles * self.cycle_s)]))
        self.records.end_s = env.now
        for queue in self.queues:
            queue.head(env.now)  # purge abandoners still queued, correcting the area
            queue.count(env.now, 0)
            self.records.queue_area_s[queue.name] = queue.area
        return self.records

    def _drain_cycles(self) -> int:
        longest = 0.0
        for standard in self.scenario.standards:
            span = standard.threshold_s * (3 if standard.clock == "business" else 1)
            longest = max(longest, span)
        return max(1, int(np.ceil(longest / self.cycle_s)))

    def _close_measurement(self):
        yield self.env.timeout(self.measure_to)
        self.measuring_closed = True
        if self.last_abandon_s > self.env.now:
            yield self.env.timeout(self.last_abandon_s - self.env.now)
        self._maybe_done()

    def _maybe_done(self) -> None:
        if self.measuring_closed and self.pending == 0 and self.env.now >= self.last_abandon_s \
                and not self.done.triggered:
            self.done.succeed()

    def _staffing(self, cycles: int):
        env, interval = self.env, self.scenario.interval_s
        n = self.scenario.n_intervals
        targets = [self.on_duty.get(p.name, np.zeros(n)).astype(int) for p in self.pools]
        for step in range(cycles * n):
            for pool, target in zip(self.pools, targets, strict=True):
                self._set_staff(pool, int(target[step % n]))
            yield env.timeout(interval)

    def _arrivals(self, cycles: int) -> None:
        """Schedule every cycle's arrivals: one event at a time, each arrival's
        callback scheduling the next (no generator process per arrival)."""
        times: list[np.ndarray] = []
        types: list[np.ndarray] = []
        for cycle in range(cycles):
            offset = cycle * self.cycle_s
            shared = self._shared_day_factors(cycle)
            for t, contact in enumerate(self.types):
                draw = draw_arrivals(contact, contact.volumes, self.scenario.interval_s,
                                     self._rng(contact.name, "arrivals", str(cycle)), offset,
                                     shared)
                if cycle == self.warmup_cycles:
                    self.records.deflected[t] = draw.deflected
                times.append(np.asarray(draw.times_s, dtype=float))
                types.append(np.full(len(draw.times_s), t, dtype=np.int64))
        merged_times = np.concatenate(times) if times else np.zeros(0)
        merged_types = np.concatenate(types) if types else np.zeros(0, dtype=np.int64)
        order = np.lexsort((merged_types, merged_times))  # by time, then contact type
        self.arrival_times = merged_times[order].tolist()
        self.arrival_types = merged_types[order].tolist()
        self.next_arrival = 0
        if self.arrival_times:
            self.env.timeout(self.arrival_times[0]).callbacks.append(self._first_arrival)

    def _shared_day_factors(self, cycle: int) -> np.ndarray | None:
        """One gamma day factor per day of the cycle shared by every contact
        type (``shared_forecast_cv``), from its own stream; None without one."""
        cv = self.scenario.shared_forecast_cv
        if cv <= 0:
            return None
        return day_factors(self._rng("shared_day_factor", str(cycle)), cv,
                           self.scenario.horizon.days)

    def _first_arrival(self, event) -> None:
        i = self.next_arrival
        times = self.arrival_times
        self.next_arrival = i + 1
        if i + 1 < len(times):
            self.env.timeout(times[i + 1] - times[i]).callbacks.append(self._first_arrival)
        self._arrive(self.arrival_types[i], FIRST)

    def _arrive(self, t: int, origin: int) -> None:
        now = self.env.now
        patience = self.patience[t]
        abandon = now + patience.next() if patience is not None else np.inf
        measured = self.measure_from <= now < self.measure_to
        contact = Contact(len(self.records.contacts), t, origin, now, abandon, measured)
        self.records.contacts.append(contact)
        lines = self.lines.get(self.types[t].channel)
        if lines is not None:
            if lines[0] >= lines[1]:  # every line busy: the caller hears busy tone
                contact.state = BLOCKED
                return
            lines[0] += 1
            contact.line = True
        if measured:
            if patience is None:
                self.pending += 1
            else:
                self.last_abandon_s = max(self.last_abandon_s, abandon)
        queue = self.first_queue[t]
        if self.patience_timer[t]:
            timer = self.env.timeout(abandon - now)
            timer.contact = contact  # type: ignore[attr-defined]
            timer.callbacks.append(self._patience_over)
        self._offer(queue, contact)

    def _offer(self, queue: Queue, contact: Contact) -> None:
        """Serve at once if a pool that serves the queue has a free agent, else wait."""
        for pool in queue.pools:
            agent = self._take_free_agent(pool, queue)
            if agent is not None:
                self._start(agent, queue, contact)
                return
        queue.items.append(contact)
        queue.count(self.env.now, +1)

    def _take_free_agent(self, pool: Pool, queue: Queue) -> Agent | None:
        """Unpark and return an agent of ``pool`` who can take ``queue`` now."""
        if queue.concurrency > 1:
            partial = pool.partial.get(queue.channel)
            if partial:
                agent = next(iter(partial))
                del partial[agent]
                agent.parked = False
                return agent
        if pool.idle:
            agent = pool.idle.popitem()[0]
            agent.parked = False
            return agent
        return None

    # -- service ---------------------------------------------------------------
    def _start(self, agent: Agent, queue: Queue, contact: Contact) -> None:
        """An unparked agent takes up ``contact`` from ``queue``."""
        now = self.env.now
        pool = agent.pool
        agent.load += 1
        agent.channel = queue.channel
        agent.capacity = queue.concurrency
        if agent.load < agent.capacity:
            self._park(agent)
        contact.state = SERVING
        if contact.stage == 0:
            contact.first_start_s = now
            contact.pool = pool.index
            contact.agent = agent.number
            if contact.measured and contact.abandon_s != np.inf:
                self.pending += 1
        handle = queue.handle.next()  # type: ignore[union-attr]
        if queue.factors is not None:  # time-of-day profile, by the interval it starts in
            factors = queue.factors
            handle *= factors[int(now // self.scenario.interval_s) % len(factors)]
        after = queue.after_work.next() if queue.after_work is not None else 0.0
        if queue.staged:
            if contact.stage_times is None:
                contact.stage_times = []
            contact.stage_times.append((now, now + handle))
        self.records.services.extend((pool.index, now, now + handle + after,
                                      1.0 / queue.concurrency))
        free = self.env.timeout(handle + after)
        free.agent = agent  # type: ignore[attr-defined]
        free.queue = queue  # type: ignore[attr-defined]
        free.callbacks.append(self._agent_free)
        if after > 0 or queue.staged:
            ended = self.env.timeout(handle)
            ended.contact = contact  # type: ignore[attr-defined]
            ended.callbacks.append(self._stage_ended)
        else:
            free.contact = contact  # type: ignore[attr-defined]
            free.callbacks.append(self._stage_ended)

    def _release(self, contact: Contact) -> None:
        """Free the trunk line a contact holds (at most once)."""
        if contact.line:
            contact.line = False
            self.lines[self.types[contact.type_index].channel][0] -= 1

    def _stage_ended(self, event) -> None:
        contact: Contact = event.contact
        self._release(contact)
        now = self.env.now
        t = contact.type_index
        queues = self.stage_queues[t]
        if contact.stage + 1 < len(queues):
            contact.stage += 1
            contact.abandon_s = np.inf  # customers abandon only the first wait
            delay = self.stage_delay[t][contact.stage]
            wait = delay.next() if delay is not None else 0.0
            contact.state = WAITING
            if wait > 0:
                timer = self.env.timeout(wait)
                timer.contact = contact  # type: ignore[attr-defined]
                timer.callbacks.append(self._stage_ready)
            else:
                self._stage_ready_now(contact)
            return
        contact.state = DONE
        contact.end_s = now
        self._settle(contact)
        fcr = self.types[t].fcr
        if fcr < 1.0 and self.luck[t].random() >= fcr:
            delay = self.repeat_delay[t]
            self._later(delay.next() if delay is not None else 0.0, t, REPEAT)

    def _stage_ready(self, event) -> None:
        self._stage_ready_now(event.contact)

    def _stage_ready_now(self, contact: Contact) -> None:
        contact.ready_s = self.env.now
        self._offer(self.stage_queues[contact.type_index][contact.stage], contact)

    def _agent_free(self, event) -> None:
        agent: Agent = event.agent
        pool = agent.pool
        if agent.parked:
            self._unpark(agent)
        agent.load -= 1
        if agent in pool.leaving:  # winding down: no new work, home when empty
            if agent.load == 0:
                del pool.leaving[agent]
                self._go_home(agent)
            return
        if pool.owed > len(pool.leaving):  # a shift has ended: this agent goes
            if agent.load == 0:
                self._go_home(agent)
            else:
                pool.leaving[agent] = None
            return
        if agent.load == 0:
            agent.channel = None
        self._pull(agent)

    def _go_home(self, agent: Agent) -> None:
        pool = agent.pool
        pool.give_back(agent)
        pool.owed -= 1
        pool.on_duty -= 1
        self.records.present.extend((pool.index, self.env.now, pool.on_duty))

    def _pull(self, agent: Agent) -> None:
        """Give a freed agent the best waiting contact it can take, or park it."""
        pool = agent.pool
        queue = self._best_queue(agent) if pool.aging_s is None else self._best_aged(agent)
        if queue is not None:
            queue.count(self.env.now, -1)
            self._start(agent, queue, queue.items.popleft())
            return
        self._park(agent)

    def _can_take(self, agent: Agent, queue: Queue) -> bool:
        return not agent.load or (queue.channel == agent.channel
                                  and agent.load < queue.concurrency)

    def _best_queue(self, agent: Agent) -> Queue | None:
        """Best skill priority level first; within it the best tier priority,
        then the longest credited wait."""
        now = self.env.now
        for level in agent.pool.levels:
            best, best_key = None, None
            for queue in level:
                if not self._can_take(agent, queue):
                    continue
                head = queue.head(now)
                if head is not None:
                    key = (queue.tier_priority, head.ready_s - queue.head_start_s, queue.index)
                    if best_key is None or key < best_key:
                        best, best_key = queue, key
            if best is not None:
                return best
        return None

    def _best_aged(self, agent: Agent) -> Queue | None:
        """Dynamic priority: every ``aging_s`` of waiting lifts a contact one skill
        level; within a level, tier priority, then the longest credited wait."""
        now, aging = self.env.now, agent.pool.aging_s
        best, best_key = None, None
        for priority, queue in agent.pool.skills:
            if not self._can_take(agent, queue):
                continue
            head = queue.head(now)
            if head is not None:
                credited = now - head.ready_s + queue.head_start_s
                key = (priority - int(credited // aging), queue.tier_priority, -credited,
                       queue.index)
                if best_key is None or key < best_key:
                    best, best_key = queue, key
        return best

    def _park(self, agent: Agent) -> None:
        """File an agent where routing looks for it: idle, or a chat slot free."""
        pool = agent.pool
        if agent.load == 0:
            pool.idle[agent] = None
            agent.parked = True
        elif agent.load < agent.capacity:
            pool.partial.setdefault(agent.channel, {})[agent] = None  # type: ignore[index]
            agent.parked = True

    def _unpark(self, agent: Agent) -> None:
        pool = agent.pool
        if agent.load == 0:
            del pool.idle[agent]
        else:
            del pool.partial[agent.channel][agent]  # type: ignore[index]
        agent.parked = False

    # -- staffing -------------------------------------------------------------
    def _set_staff(self, pool: Pool, target: int) -> None:
        """Move a pool to ``target`` agents on duty: new agents take waiting work
        at once; leaving agents go when idle, busy ones after their contact."""
        present = pool.on_duty - pool.owed
        if target > present:
            cancel = min(pool.owed, target - present)
            pool.owed -= cancel
            while len(pool.leaving) > pool.owed:  # stay after all: take work again
                self._pull(pool.leaving.popitem()[0])
            for _ in range(target - present - cancel):
                pool.on_duty += 1
                agent = Agent(pool)
                self._pull(agent)
        elif target < present:
            leave = present - target
            while leave and pool.idle:
                pool.give_back(pool.idle.popitem()[0])
                pool.on_duty -= 1
                leave -= 1
            pool.owed += leave
            for partial in pool.partial.values():  # chat agents with a free slot
                while pool.owed > len(pool.leaving) and partial:
                    agent = partial.popitem()[0]
                    agent.parked = False
                    pool.leaving[agent] = None
        self.records.present.extend((pool.index, self.env.now, pool.on_duty))

    # -- endings --------------------------------------------------------------
    def _patience_over(self, event) -> None:
        contact: Contact = event.contact
        if contact.state == WAITING and contact.stage == 0:
            self.first_queue[contact.type_index].on_abandon(contact)  # type: ignore[misc]

    def _abandoned(self, contact: Contact) -> None:
        contact.state = ABANDONED
        self._release(contact)

    def _abandoned_with_retry(self, contact: Contact) -> None:
        contact.state = ABANDONED
        self._release(contact)
        t = contact.type_index
        retry = self.types[t].retry
        if retry is not None and self.luck[t].random() < retry.share:
            self._later(self.retry_delay[t].next(), t, RETRY)  # type: ignore[union-attr]

    def _settle(self, contact: Contact) -> None:
        """A measured contact is done: the run may end once all are."""
        if contact.measured:
            self.pending -= 1
            self._maybe_done()

    def _later(self, delay: float, t: int, origin: int) -> None:
        timer = self.env.timeout(delay)
        timer.type_index = t  # type: ignore[attr-defined]
        timer.origin = origin  # type: ignore[attr-defined]
        timer.callbacks.append(lambda e: self._arrive(e.type_index, e.origin))


__all__ = ["Engine", "RunRecords", "no_cyclic_gc"]
