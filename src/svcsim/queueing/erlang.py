"""Erlang B, Erlang C (M/M/n) and Erlang A (M/M/n+M): pure functions.

Times are seconds and rates per second. Every function broadcasts its
arguments as numpy arrays: all-scalar calls return Python floats (ints for
:func:`required_agents`), anything else returns arrays.

Numerics: no factorials. Erlang B comes from the recursion
``B_k = A B_{k-1} / (k + A B_{k-1})``, which is stable at any size (2,000
agents and 2,000 Erlangs and beyond), run once over ``k`` for a whole array.
Erlang A sums its birth-death chain in log space over a queue length
truncated where the terms fall below 1e-16 of the peak.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

_MAX_AGENTS = 200_000
_MAX_QUEUE_STATES = 200_000
_CHUNK_ELEMENTS = 4_000_000
_UNKNOWN = -1


class UnreachableTarget(ValueError):
    """No finite staffing reaches a service-level target (100 % within any
    time, or more agents than any centre has).

    Attributes
    ----------
    target : float
        The target, a fraction (1.0 for 100 %).
    threshold_s : float
        Its time, seconds.
    agents : int or None
        A staffing tried in the busiest interval, and ``level`` its service
        level (a fraction), when one was evaluated.
    standard : str
        The standard's label, once known.
    """

    def __init__(self, target: float, threshold_s: float, agents: int | None = None,
                 level: float | None = None, standard: str = ""):
        self.target, self.threshold_s = float(target), float(threshold_s)
        self.agents, self.level, self.standard = agents, level, standard
        super().__init__(self._render())

    def __reduce__(self):
        return type(self), (self.target, self.threshold_s, self.agents, self.level,
                            self.standard)

    def for_standard(self, label: str) -> UnreachableTarget:
        """The same error naming the standard it came from."""
        return UnreachableTarget(self.target, self.threshold_s, self.agents, self.level, label)

    def _render(self) -> str:
        head = f"standard '{self.standard}': " if self.standard else ""
        text = (f"{head}no staffing reaches {100 * self.target:g} % within "
                f"{_duration_text(self.threshold_s)}")
        if self.agents is not None and self.level is not None:
            text += (f": at {self.agents:,} agents (busiest interval) it is "
                     f"{_percent_text(self.level)}")
        if self.target >= 1:
            return text + ("; some contacts always wait longer in a queue, so give a "
                           "percent below 100 (e.g. 99)")
        return text + "; check the volumes and handle times, or lower the target"


def _duration_text(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"


def _percent_text(fraction: float) -> str:
    """A share near 1 with enough digits to differ from 100 % (99.97 %)."""
    digits = 1
    while digits < 6 and round(100 * fraction, digits) >= 100:
        digits += 1
    return f"{100 * fraction:.{digits}f} %"


@dataclass(frozen=True)
class ErlangResult:
    """Steady-state performance of a queue.

    Attributes
    ----------
    wait_probability : float or ndarray
        Probability that an arrival has to wait (finds every agent busy).
    service_level : float or ndarray
        Share of all arrivals answered within the threshold; contacts that
        abandon count as misses.
    asa : float or ndarray
        Average speed of answer: mean wait of answered contacts, seconds
        (``inf`` for an unstable Erlang C queue, ``nan`` with no agents).
    abandon_rate : float or ndarray
        Share of arrivals that abandon (0 in Erlang C).
    occupancy : float or ndarray
        Carried load per agent, in [0, 1].
    """

    wait_probability: float | np.ndarray
    service_level: float | np.ndarray
    asa: float | np.ndarray
    abandon_rate: float | np.ndarray
    occupancy: float | np.ndarray


def _arrays(**named):
    """Broadcast the named arguments; check they are finite and >= 0."""
    scalar = all(np.ndim(v) == 0 for v in named.values())
    values = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in named.values()))
    out = {}
    for (name, raw), value in zip(named.items(), values, strict=True):
        if np.any(~np.isfinite(value)) or np.any(value < 0):
            raise ValueError(f"{name} must be finite and >= 0, got {raw!r}")
        out[name] = value
    return scalar, out


def _agents(value: np.ndarray) -> np.ndarray:
    if np.any(value != np.round(value)):
        raise ValueError(f"agents must be whole numbers, got {value}")
    return value.astype(np.int64)


def _out(scalar: bool, value):
    value = np.asarray(value)
    return value.item() if scalar else value


def erlang_b(agents, load):
    """Blocking probability of M/M/n/n (Erlang B).

    Parameters
    ----------
    agents : int or array_like
        Number of servers, >= 0.
    load : float or array_like
        Offered load, Erlangs (arrival rate x mean service time).
    """
    scalar, v = _arrays(agents=agents, load=load)
    return _out(scalar, _erlang_b(_agents(v["agents"]), v["load"]))


def _erlang_b(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    blocking = np.ones(agents.shape)
    result = np.where(agents == 0, 1.0, 0.0)
    top = int(agents.max(initial=0))
    for k in range(1, top + 1):
        blocking = load * blocking / (k + load * blocking)
        result = np.where(agents == k, blocking, result)
    return result


def erlang_c(agents, arrival_rate, mean_service, threshold) -> ErlangResult:
    """M/M/n with no abandonment (Erlang C).

    Parameters
    ----------
    agents : int or array_like
        Agents on duty.
    arrival_rate : float or array_like
        Arrivals per second.
    mean_service : float or array_like
        Mean handle time, seconds (exponential).
    threshold : float or array_like
        Service-level threshold, seconds (answered within it).
    """
    scalar, v = _arrays(agents=agents, arrival_rate=arrival_rate, mean_service=mean_service,
                        threshold=threshold)
    n = _agents(v["agents"])
    lam, service, t = v["arrival_rate"], v["mean_service"], v["threshold"]
    result = _erlang_c(n, lam, service, t)
    return ErlangResult(*(_out(scalar, x) for x in result))


def _erlang_c(n, lam, service, t):
    load = lam * service
    stable = n > load
    idle = lam == 0
    blocking = _erlang_b(n, load)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(n > 0, load / np.maximum(n, 1), 1.0)
        wait = np.where(stable, blocking / (1 - rho * (1 - blocking)), 1.0)
        spare = np.where(stable, n / np.where(service > 0, service, 1.0) - lam, 0.0)
        level = np.where(stable, 1 - wait * np.exp(-spare * t), 0.0)
        asa = np.where(stable, wait / np.where(stable, spare, 1.0), np.inf)
    occupancy = np.where(stable, rho, 1.0)
    wait = np.where(idle, 0.0, wait)
    level = np.where(idle, 1.0, level)
    asa = np.where(idle, 0.0, asa)
    occupancy = np.where(idle, 0.0, occupancy)
    return wait, level, asa, np.zeros(np.shape(wait)), occupancy


def erlang_a(agents, arrival_rate, mean_service, mean_patience, threshold) -> ErlangResult:
    """M/M/n+M: exponential patience (Erlang A, Palm's queue).

    Exact: the birth-death chain is summed in log space. A customer who
    finds ``j`` waiting is at position ``m = j + 1``; every event there has
    rate ``n mu + m theta`` and is an advance with probability
    ``(n mu + (m - 1) theta) / (n mu + m theta)``, so the customer is served
    with probability ``n mu / (n mu + m theta)``, after a time distributed as
    ``-log(B) / theta`` with ``B ~ Beta(n mu / theta + 1, m)``.

    Parameters
    ----------
    agents : int or array_like
        Agents on duty.
    arrival_rate : float or array_like
        Arrivals per second.
    mean_service : float or array_like
        Mean handle time, seconds.
    mean_patience : float or array_like
        Mean time a waiting customer stays before abandoning, seconds (> 0).
    threshold : float or array_like
        Service-level threshold, seconds.
    """
    scalar, v = _arrays(agents=agents, arrival_rate=arrival_rate, mean_service=mean_service,
                        mean_patience=mean_patience, threshold=threshold)
    if np.any(v["mean_patience"] <= 0):
        raise ValueError(f"mean_patience must be > 0, got {mean_patience!r}")
    if np.any(v["mean_service"] <= 0):
        raise ValueError(f"mean_service must be > 0, got {mean_service!r}")
    n = _agents(v["agents"])
    shape = n.shape
    flat = [x.ravel() for x in (n, v["arrival_rate"], v["mean_service"], v["mean_patience"],
                                v["threshold"])]
    parts = [np.empty(n.size) for _ in range(5)]
    start = 0
    while start < n.size:
        stop = _chunk_end(start, flat[1], flat[0], flat[2], flat[3])
        for out, value in zip(parts, _erlang_a(*(x[start:stop] for x in flat)), strict=True):
            out[start:stop] = value
        start = stop
    return ErlangResult(*(_out(scalar, p.reshape(shape)) for p in parts))


def _queue_states(n, lam, service, patience) -> np.ndarray:
    """Queue lengths to sum per cell: past the peak of the chain, far enough
    into the tail that what is left is below 1e-16 of the peak."""
    mu, theta = 1.0 / service, 1.0 / patience
    peak = np.maximum((lam - n * mu) / theta, 0.0)
    spread = np.sqrt(lam / theta + 1.0)
    ratio = lam / (n * mu + (peak + 1.0) * theta)  # decay just past the peak
    with np.errstate(divide="ignore"):
        geometric = np.where(ratio < 1, 37.0 / -np.log(np.maximum(ratio, 1e-300)), np.inf)
    tail = np.minimum(12.0 * spread, geometric)
    return np.minimum(np.ceil(peak + tail + 20.0), _MAX_QUEUE_STATES)


def _chunk_end(start, lam, n, service, patience) -> int:
    states = _queue_states(n[start:], lam[start:], service[start:], patience[start:])
    width = np.maximum.accumulate(states)
    rows = np.arange(1, len(states) + 1)
    fits = np.nonzero(rows * width <= _CHUNK_ELEMENTS)[0]
    return start + (int(fits[-1]) + 1 if fits.size else 1)


def _erlang_a(n, lam, service, patience, t):
    mu, theta = 1.0 / service, 1.0 / patience
    load = lam * service
    rate = n * mu  # service rate with every agent busy
    states = int(_queue_states(n, lam, service, patience).max(initial=1))
    m = np.arange(1, states + 1)[None, :]  # position in queue of an arrival
    blocking = _erlang_b(n, load)
    with np.errstate(divide="ignore", invalid="ignore"):
        # log of pi_{n+j} / pi_n for j = 0 .. states-1
        steps = np.log(lam[:, None]) - np.log(rate[:, None] + (m[:, :-1]) * theta[:, None])
        log_queue = np.concatenate([np.zeros((len(n), 1)), np.cumsum(steps, axis=1)], axis=1)
        top = log_queue.max(axis=1, keepdims=True)
        queue = np.exp(log_queue - top)  # scaled by exp(-top)
        below = np.where(blocking > 0, (1 - blocking) / blocking, np.inf)  # sum_{k<n} pi_k / pi_n
        scale = np.exp(-top[:, 0])
        total = below * scale + queue.sum(axis=1)  # all scaled by exp(-top)
        weights = queue / total[:, None]  # P(arrival finds n + j)
        weights = np.where(np.isfinite(weights), weights, 0.0)
        immediate = np.clip(1.0 - weights.sum(axis=1), 0.0, 1.0)
        served_if = rate[:, None] / (rate[:, None] + m * theta[:, None])
        # P(reached service within t | position m): only where the weight matters
        # (betainc dominates the cost)
        x = np.broadcast_to((rate / theta)[:, None] + 1.0, weights.shape)
        z = np.broadcast_to(np.exp(-theta * t)[:, None], weights.shape)
        positions = np.broadcast_to(m, weights.shape)
        matters = weights > 1e-17
        in_time = np.zeros(weights.shape)
        in_time[matters] = 1.0 - special.betainc(x[matters], positions[matters], z[matters])
        level = immediate + (weights * served_if * in_time).sum(axis=1)
        abandon = (weights * (1.0 - served_if)).sum(axis=1)
        to_service = np.cumsum(1.0 / (rate[:, None] + m * theta[:, None]), axis=1)
        waited = (weights * served_if * to_service).sum(axis=1)
        answered = 1.0 - abandon
        asa = np.where(answered > 0, waited / answered, np.nan)
        occupancy = np.where(n > 0, load * answered / np.maximum(n, 1), 0.0)
    wait = 1.0 - immediate
    idle = lam == 0
    return (np.where(idle, 0.0, wait), np.where(idle, 1.0, level), np.where(idle, 0.0, asa),
            np.where(idle, 0.0, abandon), np.where(idle, 0.0, np.clip(occupancy, 0.0, 1.0)))


def required_agents(arrival_rate, mean_service, target, threshold, mean_patience=None,
                    max_occupancy=None):
    """The fewest agents whose service level reaches ``target``.

    Erlang A when ``mean_patience`` is given, else Erlang C. With
    ``max_occupancy``, also at least ``load / max_occupancy`` agents.

    Parameters
    ----------
    arrival_rate : float or array_like
        Arrivals per second.
    mean_service : float or array_like
        Mean handle time, seconds.
    target : float or array_like
        Service-level target as a fraction, in (0, 1).
    threshold : float or array_like
        Service-level threshold, seconds.
    mean_patience : float or array_like, optional
        Mean patience, seconds.
    max_occupancy : float, optional
        Occupancy cap in (0, 1].

    Returns
    -------
    int or numpy.ndarray of int
        Agents; 0 where nothing arrives.

    Raises
    ------
    ValueError
        For a target outside (0, 1].
    UnreachableTarget
        (a ValueError) For a target of 1 (100 %), which no finite staffing
        reaches, or one no staffing below 200,000 agents meets.
    """
    named = {"arrival_rate": arrival_rate, "mean_service": mean_service, "target": target,
             "threshold": threshold}
    if mean_patience is not None:
        named["mean_patience"] = mean_patience
    scalar, v = _arrays(**named)
    if np.any(v["target"] <= 0) or np.any(v["target"] > 1):
        raise ValueError(f"target must lie strictly between 0 and 1, got {target!r}")
    if np.any(v["target"] >= 1):
        raise _unreachable(named, mean_patience, max_occupancy)
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ValueError(f"max_occupancy must lie in (0, 1], got {max_occupancy!r}")
    load = v["arrival_rate"] * v["mean_service"]
    floor = np.zeros(load.shape)
    if max_occupancy is not None:
        floor = np.ceil(load / max_occupancy - 1e-9)
    if mean_patience is None:
        agents = _required_erlang_c(load, v["arrival_rate"], v["mean_service"], v["target"],
                                    v["threshold"], floor)
    else:
        agents = _required_erlang_a(v, floor)
    agents = np.where(v["arrival_rate"] == 0, 0, agents).astype(np.int64)
    return _out(scalar, agents)


def _unreachable(named: dict, mean_patience, max_occupancy) -> UnreachableTarget:
    """The error for a 100 % target, with the service level in the busiest
    interval at the staffing that reaches 99.9 %."""
    _, v = _arrays(**named)
    shape = np.broadcast(*v.values()).shape
    lam = np.broadcast_to(v["arrival_rate"], shape)
    t = np.broadcast_to(v["threshold"], shape)
    cell = np.unravel_index(int(np.argmax(lam)), shape) if shape else ()
    threshold = float(t[cell])
    if not lam.size or lam[cell] <= 0:
        return UnreachableTarget(1.0, threshold)
    one = {k: np.broadcast_to(x, shape)[cell] for k, x in v.items()}
    try:
        agents = int(required_agents(one["arrival_rate"], one["mean_service"], 0.999,
                                     one["threshold"], one.get("mean_patience"), max_occupancy))
    except UnreachableTarget:
        return UnreachableTarget(1.0, threshold)
    if mean_patience is None:
        level = erlang_c(agents, one["arrival_rate"], one["mean_service"], threshold)
    else:
        level = erlang_a(agents, one["arrival_rate"], one["mean_service"],
                         one["mean_patience"], threshold)
    return UnreachableTarget(1.0, threshold, agents, float(level.service_level))


def _required_erlang_c(load, lam, service, target, t, floor) -> np.ndarray:
    """One pass of the Erlang B recursion over k, stopping each cell at its first
    k meeting the target."""
    found = np.where(lam == 0, 0, -1).astype(np.int64)
    blocking = np.ones(load.shape)
    k = 0
    while np.any(found < 0):
        k += 1
        if k > _MAX_AGENTS:
            raise UnreachableTarget(float(np.max(target)), float(np.max(t)))
        blocking = load * blocking / (k + load * blocking)
        stable = k > load
        # only stable cells can meet a target: elsewhere the exponent would be
        # positive and overflow at busy intervals with long thresholds
        spare = np.where(stable, k / service - lam, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            wait = blocking / (1 - (load / k) * (1 - blocking))
            level = 1 - wait * np.exp(-spare * t)
        ok = (found < 0) & stable & (level >= target - 1e-12) & (k >= floor)
        found = np.where(ok, k, found)
    return found


def _required_erlang_a(v, floor) -> np.ndarray:
    """Erlang A's service level rises with agents, so search per cell: start at
    the Erlang C answer (usually within an agent or two), gallop outwards to a
    bracket [fails, meets], then bisect; each round evaluates only the cells
    still undecided."""
    lam, service = v["arrival_rate"], v["mean_service"]
    patience, target, t = v["mean_patience"], v["target"], v["threshold"]
    shape = lam.shape
    lam, service, patience, target, t, floor = (
        np.broadcast_to(x, shape).ravel() for x in (lam, service, patience, target, t, floor))

    def meets(cells, agents):
        level = np.atleast_1d(erlang_a(agents, lam[cells], service[cells], patience[cells],
                                       t[cells]).service_level)
        return (level >= target[cells] - 1e-12) & (agents >= floor[cells])

    start = np.maximum(_required_erlang_c(lam * service, lam, service, target, t, floor), 1)
    cells = np.nonzero(lam > 0)[0]
    out = np.zeros(lam.shape, dtype=np.int64)
    out[cells] = smallest_meeting(
        meets, cells, start[cells],
        lambda: UnreachableTarget(float(np.max(target)), float(np.max(t))))
    return out.reshape(shape)


def smallest_meeting(meets, cells: np.ndarray, start: np.ndarray,
                     unreachable=lambda: UnreachableTarget(1.0, 0.0)) -> np.ndarray:
    """The fewest agents meeting a test that agents can only help, per cell.

    ``meets(cells, agents)`` says, for each cell, whether that many agents
    meet it. From ``start`` (one count per cell in ``cells``, usually within
    an agent or two of the answer) gallop outwards to a bracket [fails, meets], then bisect; each round
    evaluates only the cells still undecided. ``unreachable()`` builds the
    error raised when a cell needs more agents than any centre has.
    """
    start = np.asarray(start, dtype=np.int64)
    # Bracket per cell: ``low`` fails (-1: no count below ``high`` left to try),
    # ``high`` meets (``_UNKNOWN`` until one is found).
    met = meets(cells, start)
    high = np.where(met, start, _UNKNOWN)
    low = np.where(met, _UNKNOWN, start)
    step = np.ones(len(cells), dtype=np.int64)
    while True:  # gallop: down from a count that meets, up from one that fails
        down = (low == _UNKNOWN) & (high > 0)
        up = high == _UNKNOWN
        moving = np.nonzero(down | up)[0]
        if moving.size == 0:
            break
        probe = np.where(down[moving], np.maximum(high[moving] - step[moving], 0),
                         low[moving] + step[moving])
        if probe.max(initial=0) > _MAX_AGENTS:
            raise unreachable()
        good = meets(cells[moving], probe)
        high[moving[good]] = probe[good]
        low[moving[~good]] = probe[~good]
        step[moving] *= 2
    low = np.where(low == _UNKNOWN, -1, low)  # zero agents met
    while True:  # bisect the brackets still wider than one agent
        wide = np.nonzero(high - low > 1)[0]
        if wide.size == 0:
            break
        mid = (low[wide] + high[wide]) // 2
        good = meets(cells[wide], mid)
        high[wide[good]] = mid[good]
        low[wide[~good]] = mid[~good]
    return high
