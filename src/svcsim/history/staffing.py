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

Each pool (:mod:`svcsim.history.pools`) is calibrated on the contact types
it serves; pools that share a contact type are also matched on the share of
it each took up. Simulated figures are pooled ratios over replications
(:func:`svcsim.history.simulated.pooled_figures`), as the log's are over days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from svcsim.history.simulated import pooled_figures, served_shares_simulated, simulated_counts
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
    """Observed figures per pool and horizon interval, means per observed day.

    Columns of ``table``: ``pool``, ``interval``, ``weekday``, ``days``,
    ``offered`` (answered + abandoned of the immediate contact types the
    pool serves), ``abandoned``, ``in_time`` (answered within the target),
    ``busy_agents`` (handle time / concurrency / interval length, of the
    contacts the pool's agents answered), ``agents_seen`` (distinct agent
    ids of the pool; NaN without them), ``served_share`` (of the answered
    contacts with an agent id of those types, the share the pool's agents
    took up; NaN without them), ``abandon_rate``, ``service_level``.
    ``types`` names the immediate contact types each pool serves.
    """

    table: pd.DataFrame
    within_s: float
    types: dict[str, list[str]]

    def of(self, pool: str) -> pd.DataFrame:
        """One pool's rows, indexed by interval."""
        return self.table[self.table["pool"] == pool].set_index("interval", drop=False)


def observe(fit) -> Observed:
    """What the log shows per pool and horizon interval (immediate channels only)."""
    c = fit.log.contacts
    immediate = c["channel"].map(fit.kinds) == "immediate"
    mine = c[immediate & c["outcome"].isin(("answered", "abandoned"))]
    per_day, interval_s = fit.daily.per_day, fit.interval_s
    slot = np.minimum((mine["clock_s"].to_numpy() // interval_s).astype(int), per_day - 1)
    day = (mine["weekday"].to_numpy() - fit.first_weekday) % 7
    horizon = day * per_day + slot
    keep = day < fit.horizon_days
    concurrency = mine["channel"].map(fit.concurrency.of).to_numpy()
    frame = pd.DataFrame({
        "interval": horizon[keep],
        "channel": mine["channel"].to_numpy()[keep],
        "contact_type": mine["contact_type"].to_numpy()[keep],
        "answered": (mine["outcome"] == "answered").to_numpy()[keep],
        "abandoned": (mine["outcome"] == "abandoned").to_numpy()[keep],
        "in_time": ((mine["outcome"] == "answered") &
                    (mine["wait_s"] <= fit.target.within_s)).to_numpy()[keep],
        "handle_s": (mine["handle_s"].fillna(0).to_numpy() / concurrency)[keep],
        "agent_id": mine["agent_id"].to_numpy()[keep],
        "served_by": fit.pools.pool_of(mine["agent_id"]).to_numpy()[keep],
        "date": mine["date"].to_numpy()[keep],
    })
    n = fit.n_intervals
    weekday = fit.horizon_weekday(np.arange(n))
    days = np.array([(fit.daily.weekdays == w).sum() for w in weekday], dtype=float)
    days_safe = np.maximum(days, 1)
    tables, types = [], {}
    for pool, channels in fit.pools.pools.items():
        serves = frame[frame["channel"].isin(channels)]
        types[pool] = sorted(serves["contact_type"].unique())
        sums = serves.groupby("interval")[["answered", "abandoned", "in_time"]].sum() \
            .reindex(range(n), fill_value=0)
        ours = frame[frame["served_by"] == pool]
        busy = ours.groupby("interval")["handle_s"].sum().reindex(range(n), fill_value=0)
        table = pd.DataFrame({
            "pool": pool, "interval": np.arange(n), "weekday": weekday, "days": days,
            "offered": (sums["answered"] + sums["abandoned"]).to_numpy() / days_safe,
            "abandoned": sums["abandoned"].to_numpy() / days_safe,
            "in_time": sums["in_time"].to_numpy() / days_safe,
            "busy_agents": busy.to_numpy() / days_safe / interval_s,
        })
        with_id = ours[ours["agent_id"] != ""]
        known = serves[serves["answered"] & (serves["agent_id"] != "")]
        taken = known.groupby("interval").size().reindex(range(n), fill_value=0).to_numpy()
        mine = (known["served_by"] == pool).groupby(known["interval"]).sum() \
            .reindex(range(n), fill_value=0).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            table["served_share"] = mine / taken
        if len(with_id):
            seen = with_id.groupby(["interval", "date"])["agent_id"].nunique() \
                .groupby("interval").sum().reindex(range(n), fill_value=0).to_numpy()
            table["agents_seen"] = seen / days_safe
        else:
            table["agents_seen"] = np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            table["abandon_rate"] = table["abandoned"] / table["offered"]
            table["service_level"] = table["in_time"] / table["offered"]
        tables.append(table)
    return Observed(pd.concat(tables, ignore_index=True), fit.target.within_s, types)


def erlang_start(fit, observed: Observed) -> dict[str, np.ndarray]:
    """Agents per pool and interval at which Erlang A best matches the
    observed abandonment and service level (each interval on its own).

    A pool is sized for its share of each contact type's answered contacts
    (all of them with one pool); a channel with concurrency ``c`` counts as
    ``c`` servers per agent.
    """
    handle = {h.contact_type: h.mean_s for h in fit.handle}
    patience = {p.contact_type: p.mean_s for p in fit.patience if p.spec is not None}
    share = served_shares(fit)
    out = {}
    for pool in fit.pools.pools:
        obs = observed.of(pool)
        volumes = {name: fit.expected_volumes(name) * share.get((pool, name), 1.0)
                   for name in observed.types[pool] if name in handle and name in patience}
        total = sum(volumes.values()) if volumes else np.zeros(fit.n_intervals)
        start = np.zeros(fit.n_intervals, dtype=int)
        for i in np.nonzero(total > 0)[0]:
            weights = {k: v[i] / total[i] for k, v in volumes.items()}
            service = sum(w * handle[k] for k, w in weights.items())
            theta = 1 / sum(w / patience[k] for k, w in weights.items())
            slots = sum(w * fit.concurrency.of(k.partition("/")[0]) for k, w in weights.items())
            servers = erlang_match(total[i] / fit.interval_s, service, theta, observed.within_s,
                                   obs.loc[i, "abandon_rate"], obs.loc[i, "service_level"])[0]
            start[i] = max(1, int(round(servers / slots)))
        out[pool] = start
    return out


def served_shares(fit) -> dict[tuple[str, str], float]:
    """(pool, contact type) -> the share of the type's answered contacts with
    an agent id that the pool's agents answered (empty with one pool)."""
    if not fit.pools.several:
        return {}
    c = fit.log.contacts
    answered = c[(c["outcome"] == "answered") & (c["agent_id"] != "")]
    pool = fit.pools.pool_of(answered["agent_id"])
    table = pd.crosstab(pool, answered["contact_type"], normalize="columns")
    return {(p, t): float(table.loc[p, t]) for p in table.index for t in table.columns
            if p}


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


def _gap(simulated: tuple[np.ndarray, ...], observed: tuple[np.ndarray, ...]) -> np.ndarray:
    """Sum of the absolute gaps of each figure (abandonment, service level
    and, for pools sharing contact types, the share taken up)."""
    return sum(np.abs(s - o) for s, o in zip(simulated, observed, strict=True))


@dataclass(frozen=True)
class Calibration:
    """Effective staffing per pool and horizon interval and how well it
    reproduces the log.

    ``table`` adds to :class:`Observed`'s columns ``agents`` (effective, on
    duty), ``erlang_agents`` (the analytic start), ``sim_abandon_rate``,
    ``sim_service_level`` and ``identified``; ``rounds`` is the number of
    simulation rounds run and ``moved`` the intervals each round moved
    (over every pool).
    """

    table: pd.DataFrame
    rounds: int
    replications: int
    moved: list[int]

    @property
    def agents(self) -> dict[str, np.ndarray]:
        """Effective agents per pool and interval."""
        return {pool: rows["agents"].to_numpy() for pool, rows in
                self.table.groupby("pool", sort=False)}


def calibrate(fit, replications: int = 20, seed: int = 0, workers: int = 1,
              max_rounds: int = MAX_ROUNDS) -> Calibration:
    """Calibrate effective staffing so the simulator reproduces the log.

    Each pool is calibrated against the abandonment and service level of the
    immediate contact types it serves. Pools that share no contact type
    move in the same simulations (they do not interact); pools that share
    one are also matched on the share of its contacts each took up, and
    move one after the other within a round, each from the staffing the
    last left (moving together, both would answer one gap and overshoot).
    A round runs 3 simulations per such group, all under common random
    numbers; with one pool, or pools that share nothing, 3 in all.

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
    scenario = fit.scenario()
    immediate = [c.name for c in scenario.resolved_contact_types if c.kind == "immediate"]
    pools = [p for p in fit.pools.pools if observed.types[p]]
    rows = {p: observed.of(p) for p in fit.pools.pools}
    columns = {p: [immediate.index(t) for t in observed.types[p]] for p in pools}
    agents = erlang_start(fit, observed)
    start = {p: a.copy() for p, a in agents.items()}
    fixed = {p: worked_agents(fit, p) for p in fit.pools.pools if p not in pools}
    open_ = {p: rows[p]["offered"].to_numpy() > 0 for p in pools}
    # a move must gain more than the simulation's own noise: about one binomial
    # standard error at p = 1/2 of the contacts simulated in the interval
    with np.errstate(divide="ignore"):
        tolerance = {p: np.maximum(TOLERANCE, 1 / np.sqrt(rows[p]["offered"].to_numpy()
                                                          * replications)) for p in pools}
    # pools sharing a contact type are also matched on the share of it they
    # took up (the agent ids show it): abandonment and service level alone
    # cannot tell which of them staffed the contacts both serve
    shared = {p for p in pools if any(set(observed.types[p]) & set(observed.types[q])
                                      for q in pools if q != p)}
    names = [p.name for p in scenario.pools]
    observed_figures = {p: (rows[p]["abandon_rate"].to_numpy(),
                            rows[p]["service_level"].to_numpy(),
                            *((rows[p]["served_share"].to_numpy(),) if p in shared else ()))
                        for p in pools}

    def figures(counts: np.ndarray, p: str) -> tuple[np.ndarray, ...]:
        found = pooled_figures(counts, columns[p])
        if p in shared:
            found += (served_shares_simulated(counts, columns[p], names.index(p)),)
        return found

    direction = {p: np.zeros(fit.n_intervals, dtype=int) for p in pools}
    moved: list[int] = []
    best_sim: dict[str, tuple[np.ndarray, ...]] = {}
    rounds = 0

    def staffing(shifted: set[str], shift: int) -> dict[str, np.ndarray]:
        out = dict(fixed)
        for p in pools:
            step = shift if p in shifted else 0
            out[p] = np.where(open_[p], np.maximum(agents[p] + step, 1), 0)
        return out

    def simulate(shifted: set[str], shift: int) -> np.ndarray:
        return simulated_counts(scenario, staffing(shifted, shift), replications, seed,
                                workers, observed.within_s)

    groups = _rounds_of(observed.types, pools)
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - the count is reported
        total = 0
        for together in groups:  # one group after the other, each from the last's staffing
            sims = {shift: simulate(set(together), shift) for shift in CANDIDATES}
            for p in together:
                moves, best_sim[p] = _moves({c: figures(sims[c], p) for c in CANDIDATES},
                                            observed_figures[p], tolerance[p], open_[p],
                                            direction[p])
                if p not in shared:  # a pool sharing work may turn back when the other moves
                    direction[p] = np.where(moves != 0, moves, direction[p])
                agents[p] = np.maximum(agents[p] + moves, np.where(open_[p], 1, 0))
                total += int(np.count_nonzero(moves))
        moved.append(total)
        if not total:
            break
        if total <= SETTLED * sum(o.sum() for o in open_.values()):
            break  # a few intervals still walking one step: settled enough
    if len(groups) > 1:  # a later group moved after an earlier one's figures: measure again
        final = simulate(set(), 0)
        best_sim = {p: figures(final, p) for p in pools}
    tables = []
    for p in fit.pools.pools:
        table = rows[p].reset_index(drop=True).copy()
        if p in pools:
            table["agents"] = np.where(open_[p], agents[p], 0)
            table["erlang_agents"] = start[p]
            table["sim_abandon_rate"], table["sim_service_level"] = best_sim[p][:2]
            table["identified"] = open_[p] & _identified(table["abandon_rate"],
                                                         table["service_level"])
        else:  # deferred work only: nothing to calibrate against
            table["agents"] = fixed[p]
            table["erlang_agents"] = 0
            table["sim_abandon_rate"] = table["sim_service_level"] = np.nan
            table["identified"] = False
        tables.append(table)
    return Calibration(pd.concat(tables, ignore_index=True), rounds, replications, moved)


def _rounds_of(types: dict[str, list[str]], pools: list[str]) -> list[list[str]]:
    """Pools grouped so that no two in a group share a contact type: a group
    moves in one simulation."""
    groups: list[list[str]] = []
    for p in pools:
        for group in groups:
            if not any(set(types[p]) & set(types[q]) for q in group):
                group.append(p)
                break
        else:
            groups.append([p])
    return groups


def _moves(sims: dict[int, tuple[np.ndarray, ...]],
           observed: tuple[np.ndarray, ...], tolerance: np.ndarray, open_: np.ndarray,
           direction: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """One pool's step per interval (-1, 0, +1) and the simulated figures at
    the staffing it ends the round at."""
    losses = np.nan_to_num(np.array([_gap(sims[c], observed) for c in CANDIDATES]),
                           nan=10.0, posinf=10.0)
    stay = CANDIDATES.index(0)
    best = np.argmin(losses, axis=0)
    gain = losses[stay] - losses[best, np.arange(losses.shape[1])]
    choice = np.where(gain > tolerance, best, stay)
    moves = np.array(CANDIDATES)[choice] * open_
    # an interval never turns back: noise cannot make it oscillate
    moves = np.where(moves * direction < 0, 0, moves)
    taken = moves + stay  # the candidate each interval ends the round at
    figures = tuple(np.choose(taken, [sims[c][k] for c in CANDIDATES]) for k in range(2))
    return moves, figures  # type: ignore[return-value]


def worked_agents(fit, pool: str) -> np.ndarray:
    """Agents a pool without immediate work needs per interval: its agents'
    handle time (over concurrency) by the interval service started in, per
    observed day, rounded up; the log cannot show more than that."""
    c = fit.log.contacts
    answered = c[(c["outcome"] == "answered") & (fit.pools.pool_of(c["agent_id"]) == pool)]
    started = answered["clock_s"] + answered["wait_s"]
    day = (answered["weekday"] + started // 86400 - fit.first_weekday).astype(int) % 7
    slot = ((started % 86400) // fit.interval_s).astype(int)
    keep = (day < fit.horizon_days).to_numpy()
    interval = (day * fit.daily.per_day + slot).to_numpy()[keep]
    work = (answered["handle_s"].fillna(0) / answered["channel"].map(fit.concurrency.of)) \
        .to_numpy()[keep]
    busy = np.bincount(interval, work, minlength=fit.n_intervals)[:fit.n_intervals]
    weekday = fit.horizon_weekday(np.arange(fit.n_intervals))
    days = np.maximum([(fit.daily.weekdays == w).sum() for w in weekday], 1)
    return np.ceil(busy / days / fit.interval_s - 1e-9).astype(int)


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
    pools = list(dict.fromkeys(t["pool"]))
    if len(pools) == 1:
        return text + _agents_note(t[open_])
    return text + "; per pool: " + "; ".join(f"{pool}: " + _pool_note(t[t["pool"] == pool])
                                             for pool in pools)


def _pool_note(t: pd.DataFrame) -> str:
    open_ = t["offered"] > 0
    if open_.any():
        return _agents_note(t[open_]).removeprefix("; ")
    working = t["agents"] > 0
    return (f"no immediate contacts to calibrate against, so the agents its handle time needs "
            f"(rounded up): {t['agents'][working].mean() if working.any() else 0:.1f} in "
            f"{int(working.sum())} intervals")


def _agents_note(t: pd.DataFrame) -> str:
    """Effective agents against what the log shows, over open intervals."""
    text = ""
    seen = t["agents_seen"]
    if seen.notna().any() and seen.sum() > 0:
        text += (f"; agents seen in the log average {seen.mean():.1f} per open interval against "
                 f"{t['agents'].mean():.1f} effective")
    text += f"; busy agents (handle time / interval) average {t['busy_agents'].mean():.1f}"
    return text
