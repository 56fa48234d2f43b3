"""Effective staffing: how many agents were really taking contacts, interval
by interval, found by making the simulator reproduce what the log shows.

Agents on a roster also do other work (back office, coaching, long after-call
work), so the staffing a log implies is rarely the staffing planned. Proxies
a log offers (distinct agents seen, busy agents) miss it by far at the peak.
Calibration instead searches, for every interval of the fitted horizon, the
agents on duty at which the simulated abandonment and service level match
the observed ones:

1. a start from Erlang A (each interval on its own, steady state): the best
   match, or where nobody queued the fewest agents within ``TOLERANCE`` of
   it;
2. rounds of simulation at every interval's current staffing and one agent
   either side, all with common random numbers; an interval moves to the
   candidate whose simulated abandonment and service level are closest to
   the observed when that gains more than ``TOLERANCE`` and more than the
   simulation's noise (``1 / sqrt(contacts simulated)``), never turning
   back, until no interval moves.

Intervals where nobody waited (no abandons, everything answered in time)
show only that staffing was at least enough; they are flagged as not
identified and get the smallest staffing that matches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from svcsim.queueing.erlang import erlang_a

CANDIDATES = (-1, 0, 1)
MAX_ROUNDS = 8
SETTLED = 0.02
"""Share of open intervals still moving at which calibration stops."""
TOLERANCE = 0.01
"""Gap (abandonment + service level, shares) within which two staffings match
equally well: the smaller is kept, and a move must gain more than this."""
UNIDENTIFIED_ABANDON = 0.01
UNIDENTIFIED_SERVICE = 0.97


@dataclass(frozen=True)
class Observed:
    """Observed figures per horizon interval, means per observed day.

    Columns of ``table``: ``interval``, ``weekday``, ``days``, ``offered``
    (answered + abandoned), ``abandoned``, ``in_time`` (answered within
    the target), ``busy_agents`` (handle time / interval length),
    ``agents_seen`` (distinct agent ids; NaN without them), ``abandon_rate``,
    ``service_level``.
    """

    table: pd.DataFrame
    within_s: float


def observe(fit) -> Observed:
    """What the log shows per horizon interval (immediate channels only)."""
    c = fit.log.contacts
    immediate = c["channel"].map(fit.kinds) == "immediate"
    mine = c[immediate & c["outcome"].isin(("answered", "abandoned"))]
    per_day, interval_s = fit.daily.per_day, fit.interval_s
    slot = np.minimum((mine["clock_s"].to_numpy() // interval_s).astype(int), per_day - 1)
    day = (mine["weekday"].to_numpy() - fit.first_weekday) % 7
    horizon = day * per_day + slot
    keep = day < fit.horizon_days
    frame = pd.DataFrame({
        "interval": horizon[keep],
        "answered": (mine["outcome"] == "answered").to_numpy()[keep],
        "abandoned": (mine["outcome"] == "abandoned").to_numpy()[keep],
        "in_time": ((mine["outcome"] == "answered") &
                    (mine["wait_s"] <= fit.target.within_s)).to_numpy()[keep],
        "handle_s": mine["handle_s"].fillna(0).to_numpy()[keep],
        "agent_id": mine["agent_id"].to_numpy()[keep],
        "date": mine["date"].to_numpy()[keep],
    })
    n = fit.n_intervals
    sums = frame.groupby("interval")[["answered", "abandoned", "in_time", "handle_s"]].sum() \
        .reindex(range(n), fill_value=0)
    weekday = fit.horizon_weekday(np.arange(n))
    days = np.array([(fit.daily.weekdays == w).sum() for w in weekday], dtype=float)
    days_safe = np.maximum(days, 1)
    table = pd.DataFrame({
        "interval": np.arange(n), "weekday": weekday, "days": days,
        "offered": (sums["answered"] + sums["abandoned"]).to_numpy() / days_safe,
        "abandoned": sums["abandoned"].to_numpy() / days_safe,
        "in_time": sums["in_time"].to_numpy() / days_safe,
        "busy_agents": sums["handle_s"].to_numpy() / days_safe / interval_s,
    })
    with_id = frame[frame["agent_id"] != ""]
    if len(with_id):
        seen = with_id.groupby(["interval", "date"])["agent_id"].nunique().groupby("interval") \
            .sum().reindex(range(n), fill_value=0).to_numpy()
        table["agents_seen"] = seen / days_safe
    else:
        table["agents_seen"] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        table["abandon_rate"] = table["abandoned"] / table["offered"]
        table["service_level"] = table["in_time"] / table["offered"]
    return Observed(table, fit.target.within_s)


def erlang_start(fit, observed: Observed) -> np.ndarray:
    """Agents per interval at which Erlang A best matches the observed
    abandonment and service level (each interval on its own)."""
    obs = observed.table
    handle = {h.contact_type: h.mean_s for h in fit.handle}
    patience = {p.contact_type: p.mean_s for p in fit.patience if p.spec is not None}
    volumes = {name: fit.expected_volumes(name) for name in handle if name in patience}
    total = sum(volumes.values()) if volumes else np.zeros(fit.n_intervals)
    start = np.zeros(fit.n_intervals, dtype=int)
    for i in np.nonzero(total > 0)[0]:
        weights = {k: v[i] / total[i] for k, v in volumes.items()}
        service = sum(w * handle[k] for k, w in weights.items())
        theta = 1 / sum(w / patience[k] for k, w in weights.items())
        start[i] = erlang_match(total[i] / fit.interval_s, service, theta, observed.within_s,
                                obs.loc[i, "abandon_rate"], obs.loc[i, "service_level"])[0]
    return start


def erlang_match(rate: float, service: float, patience: float, within_s: float,
                 abandon_rate: float, service_level: float) -> tuple[int, float]:
    """Agents at which Erlang A best matches an observed abandonment and
    service level, and the gap there (abandonment + service level, shares).

    Where nobody queued (not identified) the fewest agents within
    ``TOLERANCE`` of the best match are taken.

    Parameters
    ----------
    rate : float
        Arrivals per second.
    service, patience, within_s : float
        Mean handle time, mean patience and the service threshold, seconds.
    """
    agents = np.arange(1, int(rate * service * 2) + 3)
    result = erlang_a(agents, rate, service, patience, within_s)
    loss = _loss(np.asarray(result.abandon_rate), np.asarray(result.service_level),
                 abandon_rate, service_level)
    if _identified(abandon_rate, service_level):
        best = int(np.nanargmin(loss))
    else:  # nobody queued: the fewest agents that match
        best = int(np.argmax(loss <= np.nanmin(loss) + TOLERANCE))
    return int(agents[best]), float(loss[best])


def _identified(abandon_rate, service_level):
    """Whether an interval's figures show queueing (so pin its staffing down)."""
    return ~((abandon_rate < UNIDENTIFIED_ABANDON) & (service_level > UNIDENTIFIED_SERVICE))


def _loss(abandon, service, abandon_obs, service_obs):
    return np.abs(abandon - abandon_obs) + np.abs(service - service_obs)


@dataclass(frozen=True)
class Calibration:
    """Effective staffing per horizon interval and how well it reproduces the log.

    ``table`` adds to :class:`Observed`'s columns ``agents`` (effective, on
    duty), ``erlang_agents`` (the analytic start), ``sim_abandon_rate``,
    ``sim_service_level`` and ``identified``; ``rounds`` is the number of
    simulation rounds run and ``moved`` the intervals each round moved.
    """

    table: pd.DataFrame
    rounds: int
    replications: int
    moved: list[int]

    @property
    def agents(self) -> np.ndarray:
        return self.table["agents"].to_numpy()


def calibrate(fit, replications: int = 20, seed: int = 0, workers: int = 1,
              max_rounds: int = MAX_ROUNDS) -> Calibration:
    """Calibrate effective staffing so the simulator reproduces the log.

    Parameters
    ----------
    fit : HistoryFit
        A fit without staffing (``fit.scenario()`` must load).
    replications : int
        Replications per candidate staffing.
    seed : int
        Seed of the simulations (common random numbers across candidates).
    workers : int
        Local processes for the replications.
    max_rounds : int
        Most simulation rounds.
    """
    observed = observe(fit)
    obs = observed.table
    scenario = fit.scenario()
    agents = erlang_start(fit, observed)
    start = agents.copy()
    open_ = obs["offered"].to_numpy() > 0
    # a move must gain more than the simulation's own noise: about one binomial
    # standard error at p = 1/2 of the contacts simulated in the interval
    with np.errstate(divide="ignore"):
        tolerance = np.maximum(TOLERANCE, 1 / np.sqrt(obs["offered"].to_numpy() * replications))
    rounds = 0
    direction = np.zeros(fit.n_intervals, dtype=int)
    moved: list[int] = []
    best_sim = None
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - the count is reported
        losses, sims = [], []
        for shift in CANDIDATES:
            staff = np.where(open_, np.maximum(agents + shift, 1), 0)
            abandon, service = simulated_figures(scenario, {"agents": staff}, replications,
                                                 seed, workers, observed.within_s)
            losses.append(_loss(abandon, service, obs["abandon_rate"].to_numpy(),
                                obs["service_level"].to_numpy()))
            sims.append((abandon, service))
        losses_arr = np.nan_to_num(np.array(losses), nan=10.0, posinf=10.0)
        stay = CANDIDATES.index(0)
        best = np.argmin(losses_arr, axis=0)
        gain = losses_arr[stay] - losses_arr[best, np.arange(losses_arr.shape[1])]
        choice = np.where(gain > tolerance, best, stay)
        moves = np.array(CANDIDATES)[choice] * open_
        # an interval never turns back: noise cannot make it oscillate
        moves = np.where(moves * direction < 0, 0, moves)
        direction = np.where(moves != 0, moves, direction)
        taken = moves + CANDIDATES.index(0)  # the candidate each interval ends the round at
        best_sim = tuple(np.choose(taken, [s[k] for s in sims]) for k in range(2))
        moved.append(int(np.count_nonzero(moves)))
        if not moves.any():
            break
        agents = np.maximum(agents + moves, np.where(open_, 1, 0))
        if moved[-1] <= SETTLED * open_.sum():
            break  # a few intervals still walking one step: settled enough
    table = obs.copy()
    table["agents"] = np.where(open_, agents, 0)
    table["erlang_agents"] = start
    table["sim_abandon_rate"], table["sim_service_level"] = best_sim
    table["identified"] = open_ & _identified(obs["abandon_rate"], obs["service_level"])
    return Calibration(table, rounds, replications, moved)


def simulated_figures(scenario, staffing: dict[str, np.ndarray], replications: int,
                      seed: int, workers: int, within_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Abandonment and service level per interval of the immediate contact
    types over ``replications``, as :func:`svcsim.simulate` reports them
    (same seed, same streams, same numbers) but measured for these two
    figures only: summarising every table across replications was a third
    of calibration's time.

    Abandonment is pooled (abandoned over offered, every replication and
    type); the service level is each type's mean over replications of its
    share answered within ``within_s`` seconds, weighted by its mean offered
    (``simulate``'s interval table).
    """
    from svcsim.sim.replications import map_ordered
    from svcsim.sim.staffing import on_duty, scheduled_staffing
    from svcsim.sim.streams import root_entropy

    agents = on_duty(scenario, scheduled_staffing(scenario, staffing))
    entropy = root_entropy(seed)
    counts = np.stack(map_ordered(_interval_counts, [(scenario, agents, entropy, r, within_s)
                                                     for r in range(replications)], workers))
    offered, abandoned, in_time = counts[:, 0], counts[:, 1], counts[:, 2]  # replication x type
    weights = offered.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = in_time / np.where(offered > 0, offered, np.nan)
        mean_share = np.nansum(share, axis=0) / np.isfinite(share).sum(axis=0)
        service = np.nansum(mean_share * weights, axis=0) / weights.sum(axis=0)
        return abandoned.sum(axis=(0, 1)) / offered.sum(axis=(0, 1)), service


def _interval_counts(scenario, agents: dict[str, np.ndarray], entropy: int, replication: int,
                     within_s: float) -> np.ndarray:
    """One replication's offered, abandoned and answered within ``within_s``
    contacts (first axis) per immediate contact type and interval."""
    from svcsim.sim import metrics
    from svcsim.sim.engine import Engine, no_cyclic_gc

    engine = Engine(scenario, agents, entropy, replication, 0)
    records = engine.run()
    with no_cyclic_gc():
        log = metrics.contact_log(scenario, records, engine.measure_from)
    immediate = [c.name for c in scenario.resolved_contact_types if c.kind == "immediate"]
    n = scenario.n_intervals
    counts = np.zeros((3, len(immediate), n))
    types = log["contact_type"].to_numpy()
    interval = log["interval"].to_numpy()
    abandoned = (log["outcome"] == "abandoned").to_numpy()
    in_time = (log["answered_s"] - log["arrival_s"]).to_numpy() <= within_s + 1e-9
    for k, name in enumerate(immediate):
        mine = types == name
        for row, weights in enumerate((None, abandoned[mine], in_time[mine])):
            counts[row, k] = np.bincount(interval[mine], weights, minlength=n)[:n]
    return counts


def staffing_note(calibration: Calibration) -> str:
    """The YAML comment and CLI line on the calibrated staffing."""
    t = calibration.table
    open_ = t["offered"] > 0
    gap_a = (t["sim_abandon_rate"] - t["abandon_rate"])[open_].abs()
    gap_s = (t["sim_service_level"] - t["service_level"])[open_].abs()
    text = (f"effective agents on duty per interval (after breaks, absence and other work), "
            f"calibrated so the simulated abandonment and service level match the observed: "
            f"{calibration.rounds} rounds of {calibration.replications} replications; mean gap "
            f"{100 * gap_a.mean():.1f} points of abandonment and {100 * gap_s.mean():.1f} of "
            f"service level per open interval; {int((~t['identified'] & open_).sum())} open "
            "intervals without queueing are not identified (lowest staffing that matches)")
    seen = t["agents_seen"][open_]
    if seen.notna().any() and seen.sum() > 0:
        text += (f"; agents seen in the log average {seen.mean():.1f} per open interval against "
                 f"{t['agents'][open_].mean():.1f} effective")
    busy = t["busy_agents"][open_]
    text += f"; busy agents (handle time / interval) average {busy.mean():.1f}"
    return text
