"""A finite number of lines: M/M/c/K, and M/M/c/K+M with abandonment.

A channel with ``trunks: K`` holds at most K contacts at once, waiting plus
in service; an arrival finding all K lines busy is blocked (counted as
offered and as missed). The birth-death chain has states j = 0..K with
birth rate lambda below K and death rate ``min(j, c) mu + max(j - c, 0)
theta``; it is summed in log space (no factorials). An arrival that finds j
< c is answered at once; one that finds j >= c waits at position
``m = j - c + 1``, and reaches service exactly as in Erlang A
(:func:`svcsim.queueing.erlang.erlang_a`): with probability ``c mu / (c mu +
m theta)``, after ``-log(B) / theta`` with ``B ~ Beta(c mu / theta + 1, m)``;
with theta = 0 (nobody abandons) after a Gamma(m, c mu) time. Those behind a
customer never change its progress, so the finite room only truncates the
chain. With K -> infinity this is Erlang C (theta = 0) or Erlang A; with K = c
and theta = 0, Erlang B.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special


@dataclass(frozen=True)
class BlockingResult:
    """Steady state of a queue with K lines (arrays, or floats for scalars).

    Attributes
    ----------
    blocking : float or ndarray
        Share of arrivals that find every line busy.
    wait_probability : float or ndarray
        Share of arrivals that get a line but find every agent busy.
    service_level : float or ndarray
        Share of all arrivals (blocked ones included) answered within the threshold.
    asa : float or ndarray
        Mean wait of answered contacts, seconds.
    abandon_rate : float or ndarray
        Share of all arrivals that abandon.
    occupancy : float or ndarray
        Carried load per agent.
    """

    blocking: float | np.ndarray
    wait_probability: float | np.ndarray
    service_level: float | np.ndarray
    asa: float | np.ndarray
    abandon_rate: float | np.ndarray
    occupancy: float | np.ndarray


def erlang_k(agents, arrival_rate, mean_service, lines, threshold,
             mean_patience=None) -> BlockingResult:
    """M/M/c/K (or M/M/c/K+M with ``mean_patience``).

    Parameters
    ----------
    agents : int or array_like
        Agents (servers) on duty; only ``min(agents, lines)`` can be busy.
    arrival_rate : float or array_like
        Arrivals per second.
    mean_service : float or array_like
        Mean handle time, seconds (exponential), > 0.
    lines : int or array_like
        K: contacts the channel holds at once, waiting plus in service, >= 1.
    threshold : float or array_like
        Service-level threshold, seconds.
    mean_patience : float or array_like, optional
        Mean patience, seconds (exponential), > 0; none = nobody abandons.
    """
    named = [agents, arrival_rate, mean_service, lines, threshold,
             np.inf if mean_patience is None else mean_patience]
    scalar = all(np.ndim(v) == 0 for v in named)
    c, lam, service, k, t, patience = (np.asarray(x, dtype=float).ravel() for x in
                                       np.broadcast_arrays(*named))
    if np.any(k < 1) or np.any(k != np.round(k)) or np.any(c < 0) or np.any(c != np.round(c)):
        raise ValueError("agents must be whole numbers >= 0 and lines whole numbers >= 1")
    if np.any(service <= 0) or np.any(patience <= 0) or np.any(lam < 0) or np.any(t < 0):
        raise ValueError("mean_service and mean_patience must be > 0; rates and threshold >= 0")
    c = np.minimum(c, k)
    mu, theta = 1.0 / service, 1.0 / patience  # theta = 0 when nobody abandons
    top = int(k.max(initial=1))
    j = np.arange(1, top + 1)[None, :]
    deaths = np.minimum(j, c[:, None]) * mu[:, None] + np.maximum(j - c[:, None], 0) \
        * theta[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.log(lam[:, None]) - np.log(deaths)
        log_p = np.concatenate([np.zeros((len(c), 1)), np.cumsum(steps, axis=1)], axis=1)
    states = np.arange(top + 1)[None, :]
    log_p = np.where(states <= k[:, None], log_p, -np.inf)
    log_p = np.where(np.isnan(log_p), -np.inf, log_p)
    log_p[:, 0] = 0.0
    with np.errstate(invalid="ignore"):
        p = np.exp(log_p - log_p.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
    blocking = p[np.arange(len(c)), k.astype(int)]
    m = states - c[:, None] + 1  # queue position of an arrival finding j
    waits = (states >= c[:, None]) & (states < k[:, None])
    rate = (c * mu)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        served = np.where(waits, rate / (rate + np.maximum(m, 1) * theta[:, None]), 0.0)
        position = np.maximum(m, 1)
        abandoning = theta[:, None] > 0
        x = np.broadcast_to((rate / np.where(abandoning, theta[:, None], 1.0)) + 1.0, p.shape)
        z = np.broadcast_to(np.exp(-theta * t)[:, None], p.shape)
        beta_in_time = 1.0 - special.betainc(x, position, z)
        gamma_in_time = special.gammainc(position, np.broadcast_to(rate * t[:, None], p.shape))
        in_time = np.where(abandoning, beta_in_time, gamma_in_time)
        # mean time to reach service from position m: sum_{i=1..m} 1 / (c mu + i theta)
        steps_to = 1.0 / (rate + np.arange(1, top + 2)[None, :] * theta[:, None])
        index = np.broadcast_to(np.clip(position - 1, 0, top), p.shape).astype(int)
        to_service = np.take_along_axis(np.cumsum(steps_to, axis=1), index, axis=1)
    answered_now = np.where(states < c[:, None], p, 0.0).sum(axis=1)
    weights = np.where(waits, p, 0.0)
    level = answered_now + (weights * served * np.nan_to_num(in_time)).sum(axis=1)
    abandon = (weights * (1.0 - served)).sum(axis=1)
    answered = answered_now + (weights * served).sum(axis=1)
    waited = (weights * served * np.nan_to_num(to_service)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = np.where(answered > 0, waited / answered, np.nan)
        occupancy = np.where(c > 0, lam * service * answered / np.maximum(c, 1), 0.0)
    stuck = (c == 0) & (theta == 0)  # no agents, nobody leaves: every line stays busy
    blocking, level, abandon = (np.where(stuck, v, x) for v, x in
                                ((1.0, blocking), (0.0, level), (0.0, abandon)))
    idle = lam == 0
    queued = np.where(stuck, 0.0, weights.sum(axis=1))
    out = [np.where(idle, 0.0, blocking), np.where(idle, 0.0, queued),
           np.where(idle, 1.0, level), np.where(idle, 0.0, asa),
           np.where(idle, 0.0, abandon), np.where(idle, 0.0, np.clip(occupancy, 0.0, 1.0))]
    shape = np.broadcast(*named).shape
    return BlockingResult(*(v.reshape(shape).item() if scalar else v.reshape(shape)
                            for v in out))


__all__ = ["BlockingResult", "erlang_k"]
