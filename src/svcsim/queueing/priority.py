"""Non-preemptive priority classes sharing one pool's agents (M/M/c, equal
service rates): the waiting time each class sees.

While every agent is busy, completions form a Poisson stream of rate c mu,
so the queue behaves as an M/M/1 of rate c mu. A class-k arrival waits with
probability C (Erlang C, by PASTA) and then, by Cobham's argument (1954), for
a mean of ``1 / (c mu (1 - s_{k-1}) (1 - s_k))`` where ``s_k`` is the load of
classes 1..k per agent. First come first served would give ``1 / (c mu (1 -
s))``, so class k's conditional wait is FCFS's stretched by

    f_k = (1 - s) / ((1 - s_{k-1}) (1 - s_k)).

Approximations (documented in docs/simulation.md and docs/requirements.md):

* the conditional wait of class k is taken as exponential with that mean,
  so ``P(W_k > t) = P_FCFS(W > t / f_k)``: class k's service level within t
  is the pooled queue's within ``t / f_k``. Exact in mean (Cobham); for the
  top class the true tail is a little lighter, for the bottom a little
  heavier.
* with abandonment (Erlang A) the same stretch is applied to the pooled
  Erlang A queue, with loads counted as carried (abandoners leave), which
  keeps every ``s_k`` below 1.
"""

from __future__ import annotations

import numpy as np


def class_stretch(agents, class_rates: list[np.ndarray], mean_service,
                  carried=1.0) -> list[np.ndarray]:
    """Factor ``f_k`` by which class k's conditional wait exceeds FCFS's.

    Parameters
    ----------
    agents : array_like of int
        Agents (Erlang servers) on duty.
    class_rates : list of array_like
        Arrivals per second of each class, best class first.
    mean_service : array_like
        Mean work per contact, seconds (the same for every class).
    carried : array_like
        Share of arrivals that reach an agent (1 - abandonment), in (0, 1].

    Returns
    -------
    list of numpy.ndarray
        One factor per class (1 everywhere for a single class).
    """
    agents = np.maximum(np.asarray(agents, dtype=float), 1e-12)
    per_agent = [np.asarray(r, dtype=float) * np.asarray(mean_service, dtype=float)
                 * np.asarray(carried, dtype=float) / agents for r in class_rates]
    # loads at or past the agents: cap just under 1 (the FCFS wait is infinite too)
    cap = 1.0 - 1e-9
    total = np.minimum(sum(per_agent), cap)
    factors, before = [], np.zeros(np.shape(total))
    for load in per_agent:
        after = np.minimum(before + load, cap)
        factors.append((1.0 - total) / ((1.0 - before) * (1.0 - after)))
        before = after
    return factors


__all__ = ["class_stretch"]
