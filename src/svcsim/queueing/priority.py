"""Non-preemptive priority classes sharing one pool's agents (M/M/c, equal
service rates): the waiting time each class sees.

While every agent is busy, completions form a Poisson stream of rate c mu,
so the queue behaves as an M/M/1 of rate c mu. A class-k arrival waits with
probability P(wait) (Erlang C or A, by PASTA) and then, by Cobham's argument
(1954), for a mean of

    1 / r_k,  r_k = c mu (1 - s_{k-1}) (1 - s_k),

where ``s_k`` is the load of classes 1..k per agent. With one class this is
the first-come-first-served conditional wait ``1 / (c mu - lambda)``.

Approximations (documented in docs/requirements.md):

* the conditional wait of class k is taken as exponential with rate r_k.
  Under Erlang C the mean is exact (Cobham) and the service level within T,
  ``1 - P(wait) exp(-r_k T)``, matches the simulator for the top class and
  is a little pessimistic for lower ones (tests/test_routing.py);
* with abandonment (patience rate theta), loads are counted as carried
  (abandoners leave, keeping every ``s_k`` below 1), ``P(wait)`` is Erlang
  A's, and a waiting class-k customer is answered within T when its wait
  ends before both T and its patience:
  ``r_k / (r_k + theta) (1 - exp(-(r_k + theta) T))``. Against the
  simulator this is close for the top class and pessimistic for the others;
* with trunk lines the same, with P(wait) and the carried share from the
  M/M/c/K chain (the finite room itself is ignored within a class).
"""

from __future__ import annotations

import numpy as np


def class_wait_rates(agents, class_rates: list[np.ndarray], mean_service,
                     carried=1.0) -> list[np.ndarray]:
    """Rate ``r_k`` (per second) of each class's conditional wait.

    Parameters
    ----------
    agents : array_like of int
        Agents (Erlang servers) on duty.
    class_rates : list of array_like
        Arrivals per second of each class, best class first.
    mean_service : array_like
        Mean work per contact, seconds (the same for every class).
    carried : array_like
        Share of arrivals that reach an agent (not abandoning or blocked), in (0, 1].

    Returns
    -------
    list of numpy.ndarray
        ``c mu (1 - s_{k-1}) (1 - s_k)`` per class; near 0 where the classes
        before it already load every agent.
    """
    agents = np.maximum(np.asarray(agents, dtype=float), 1e-12)
    service = np.asarray(mean_service, dtype=float)
    per_agent = [np.asarray(r, dtype=float) * service * np.asarray(carried, dtype=float)
                 / agents for r in class_rates]
    cap = 1.0 - 1e-9  # loads at or past the agents: the wait is unbounded
    rates, before = [], np.zeros(np.shape(per_agent[0]))
    for load in per_agent:
        after = np.minimum(before + load, cap)
        rates.append(agents / service * (1.0 - before) * (1.0 - after))
        before = after
    return rates


def class_service_level(answered_at_once, wait_probability, wait_rate, patience_rate,
                        threshold_s) -> np.ndarray:
    """Share of a class's arrivals answered within ``threshold_s``: those
    answered at once, plus those who wait (``wait_probability``) and whose
    exponential wait (rate ``wait_rate``) ends before both the threshold and
    their exponential patience (rate ``patience_rate``, 0 = never abandon)."""
    total = np.asarray(wait_rate, dtype=float) + np.asarray(patience_rate, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        served = np.where(total > 0, wait_rate / np.where(total > 0, total, 1.0), 0.0)
    return answered_at_once + wait_probability * served * (1.0 - np.exp(-total * threshold_s))


__all__ = ["class_service_level", "class_wait_rates"]
