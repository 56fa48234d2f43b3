"""What the simulator shows for calibration: offered, abandoned and
answered-in-time contacts per replication, contact type and interval, and
the figures a log is compared on, estimated as pooled ratios."""

from __future__ import annotations

import numpy as np


def simulated_figures(scenario, staffing: dict[str, np.ndarray], replications: int,
                      seed: int, workers: int, within_s: float,
                      types: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Abandonment and service level per interval of the immediate contact
    types (``types``: their positions among them; default all), pooled over
    ``replications`` (:func:`pooled_figures`), under the same seed and
    streams as :func:`svcsim.simulate`."""
    counts = simulated_counts(scenario, staffing, replications, seed, workers, within_s)
    return pooled_figures(counts, list(range(counts.shape[2])) if types is None else types)


def pooled_figures(counts: np.ndarray, types: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Abandonment and service level per interval as pooled ratios: contacts
    abandoned (answered within the threshold) summed over replications and
    ``types``, over contacts offered summed likewise.

    That is what a log's figure is (its intervals summed over days), and how
    the engine's interval tables estimate a rate. The mean over replications
    of each one's share reads high where few contacts fall in an interval:
    a replication with two contacts both answered in time weighs as much as
    one with eight that queued behind each other.

    Parameters
    ----------
    counts : numpy.ndarray
        :func:`simulated_counts`: replication x (offered, abandoned, in time,
        taken up by each pool) x immediate contact type x interval.
    types : list of int
        The contact types (positions) to pool.
    """
    mine = counts[:, :3, types].sum(axis=(0, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return mine[1] / mine[0], mine[2] / mine[0]


def served_shares_simulated(counts: np.ndarray, types: list[int], pool: int) -> np.ndarray:
    """Per interval, the share of ``types``' contacts taken up by pool
    number ``pool`` (of those any pool took up), pooled over replications."""
    mine = counts[:, 3:, types].sum(axis=(0, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return mine[pool] / mine.sum(axis=0)


def simulated_counts(scenario, staffing: dict[str, np.ndarray], replications: int,
                     seed: int, workers: int, within_s: float) -> np.ndarray:
    """Offered, abandoned, answered within ``within_s`` seconds and taken up
    by each pool (in the scenario's order) per replication, immediate
    contact type and interval: measured for these counts only, since
    summarising every table across replications was a third of
    calibration's time. Same seed, same streams, same contacts as
    :func:`svcsim.simulate`."""
    from svcsim.sim.replications import map_ordered
    from svcsim.sim.staffing import on_duty, scheduled_staffing
    from svcsim.sim.streams import root_entropy

    agents = on_duty(scenario, scheduled_staffing(scenario, staffing))
    entropy = root_entropy(seed)
    return np.stack(map_ordered(_interval_counts, [(scenario, agents, entropy, r, within_s)
                                                   for r in range(replications)], workers))


def _interval_counts(scenario, agents: dict[str, np.ndarray], entropy: int, replication: int,
                     within_s: float) -> np.ndarray:
    """One replication's offered, abandoned and answered within ``within_s``
    contacts, then those taken up by each pool (first axis), per immediate
    contact type and interval."""
    from svcsim.sim import metrics
    from svcsim.sim.engine import Engine, no_cyclic_gc

    engine = Engine(scenario, agents, entropy, replication, 0)
    records = engine.run()
    with no_cyclic_gc():
        log = metrics.contact_log(scenario, records, engine.measure_from)
    immediate = [c.name for c in scenario.resolved_contact_types if c.kind == "immediate"]
    n = scenario.n_intervals
    pools = [p.name for p in scenario.pools]
    counts = np.zeros((3 + len(pools), len(immediate), n))
    types = log["contact_type"].to_numpy()
    pool = log["pool"].astype(str).to_numpy()
    interval = log["interval"].to_numpy()
    abandoned = (log["outcome"] == "abandoned").to_numpy()
    in_time = (log["answered_s"] - log["arrival_s"]).to_numpy() <= within_s + 1e-9
    for k, name in enumerate(immediate):
        mine = types == name
        for row, weights in enumerate((None, abandoned[mine], in_time[mine],
                                       *(pool[mine] == p for p in pools))):
            counts[row, k] = np.bincount(interval[mine], weights, minlength=n)[:n]
    return counts
