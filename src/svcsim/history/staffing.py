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
   simulation's noise (``1 / sqrt(contacts simulated)``), never returning to
   a staffing it left, until no more than ``SETTLED`` of the intervals move
   or a round's moves close less than ``GAINING`` of the gap left.

Intervals where nobody waited (no abandons, everything answered in time)
show only that staffing was at least enough; they are flagged as not
identified and get the smallest staffing that matches.

Each pool (:mod:`svcsim.history.pools`) is calibrated on the contact types
it serves; pools that share a contact type are also matched on the share of
it each took up, and move together, judged on the sum of their gaps
(:mod:`svcsim.history.rounds`). Simulated figures are pooled ratios over
replications (:func:`svcsim.history.simulated.pooled_figures`), as the log's
are over days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from svcsim.history.rounds import (
    NO_FIGURE,
    Candidate,
    Component,
    candidates,
    components_of,
    groups_of,
    pool_loss,
    steps_of,
    transfers,
)
from svcsim.history.simulated import pooled_figures, served_shares_simulated, simulated_counts
from svcsim.queueing.erlang import erlang_a

MAX_ROUNDS = 8
SETTLED = 0.02
"""Share of open intervals still moving at which calibration stops."""
GAINING = 0.05
"""Calibration also stops when a round's moves close less than this share of
the gap left (summed over intervals): the moves left trade noise for noise,
as where the model cannot reproduce the log exactly."""
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
    ``types`` names the immediate contact types each pool serves;
    ``by_type`` holds ``offered``, ``abandoned`` and ``in_time`` per
    contact type (rows) and interval (columns), per observed day.
    """

    table: pd.DataFrame
    within_s: float
    types: dict[str, list[str]]
    by_type: dict[str, pd.DataFrame]

    def of(self, pool: str) -> pd.DataFrame:
        """One pool's rows, indexed by interval."""
        return self.table[self.table["pool"] == pool].set_index("interval", drop=False)

    def rates(self, types: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Abandonment and service level per interval of ``types`` together."""
        offered, abandoned, in_time = (self.by_type[k].reindex(types).sum().to_numpy()
                                       for k in ("offered", "abandoned", "in_time"))
        with np.errstate(invalid="ignore", divide="ignore"):
            return abandoned / offered, in_time / offered


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
    concurrency = fit.concurrency.per_contact(mine["channel"])
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
    sums = frame.assign(offered=frame["answered"] | frame["abandoned"]).groupby(
        ["contact_type", "interval"])[["offered", "abandoned", "in_time"]].sum()
    by_type = {k: sums[k].unstack(fill_value=0).reindex(columns=range(n), fill_value=0)
               / days_safe for k in ("offered", "abandoned", "in_time")}
    return Observed(pd.concat(tables, ignore_index=True), fit.target.within_s, types, by_type)


def erlang_start(fit, observed: Observed) -> dict[str, np.ndarray]:
    """Agents per pool and interval at which Erlang A best matches the
    observed abandonment and service level (each interval on its own).

    Pools that share contact types (a component, :mod:`svcsim.history.rounds`)
    are sized together, as one queue of every type they serve, and the agents
    split between them in proportion to their busy agents (the handle time
    each pool's agents logged): sizing each alone for its share of the
    shared work gave the dedicated pool an agent too many and the blended
    one too few (it pools less). A channel with concurrency ``c`` counts as
    ``c`` servers per agent.
    """
    pools = [p for p in fit.pools.pools if observed.types[p]]
    out = {p: np.zeros(fit.n_intervals, dtype=int) for p in fit.pools.pools}
    for component in components_of(observed.types, pools):
        types = sorted({t for p in component for t in observed.types[p]})
        total = _erlang_agents(fit, observed, types)
        if len(component) == 1:
            out[component[0]] = total
            continue
        busy = np.array([observed.of(p)["busy_agents"].to_numpy() for p in component])
        open_ = np.array([observed.of(p)["offered"].to_numpy() > 0 for p in component])
        for i in np.nonzero(total > 0)[0]:
            split = _split(total[i], busy[:, i], open_[:, i])
            for p, agents in zip(component, split, strict=True):
                out[p][i] = agents
    return out


def _erlang_agents(fit, observed: Observed, types: list[str]) -> np.ndarray:
    """Agents per interval at which Erlang A, for ``types`` as one queue,
    best matches their observed abandonment and service level."""
    handle = {h.contact_type: h.mean_s for h in fit.handle}
    patience = {p.contact_type: p.mean_s for p in fit.patience if p.spec is not None}
    volumes = {name: fit.expected_volumes(name) for name in types
               if name in handle and name in patience}
    total = sum(volumes.values()) if volumes else np.zeros(fit.n_intervals)
    abandon_rate, service_level = observed.rates(types)
    start = np.zeros(fit.n_intervals, dtype=int)
    for i in np.nonzero(total > 0)[0]:
        weights = {k: v[i] / total[i] for k, v in volumes.items()}
        service = sum(w * handle[k] for k, w in weights.items())
        theta = 1 / sum(w / patience[k] for k, w in weights.items())
        slots = sum(w * fit.concurrency.of(k.partition("/")[0]) for k, w in weights.items())
        servers = erlang_match(total[i] / fit.interval_s, service, theta, observed.within_s,
                               abandon_rate[i], service_level[i])[0]
        start[i] = max(1, int(round(servers / slots)))
    return start


def _split(total: int, busy: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """``total`` agents (at least one per open pool) split in proportion to
    ``busy`` (evenly without it), largest remainders first; an open pool
    left without an agent takes one from the largest share."""
    weights = np.where(open_, busy, 0.0)
    weights = weights / weights.sum() if weights.sum() > 0 else open_ / max(open_.sum(), 1)
    exact = weights * max(total, int(open_.sum()))
    agents = np.floor(exact).astype(int)
    for k in np.argsort(-(exact - agents), kind="stable")[:int(round(exact.sum() - agents.sum()))]:
        agents[k] += 1
    for k in np.nonzero(open_ & (agents == 0))[0]:
        agents[int(np.argmax(agents))] -= 1
        agents[k] = 1
    return agents


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
    """Effective staffing per pool and horizon interval and how well it
    reproduces the log.

    ``table`` adds to :class:`Observed`'s columns ``agents`` (effective, on
    duty), ``erlang_agents`` (the analytic start), ``sim_abandon_rate``,
    ``sim_service_level``, ``sim_served_share`` (for pools sharing contact
    types; NaN otherwise) and ``identified``; ``rounds`` is the number of
    simulation rounds run and ``moved`` the intervals each round moved
    (over every pool). The simulated figures are those of the candidate
    each interval ended at (predicted for a transfer between pools).
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
    immediate contact types it serves; pools that share a contact type are
    also matched on the share of it each took up, and judged together on
    the sum of their gaps (:mod:`svcsim.history.rounds`). A round simulates
    the current staffing and one agent either side for each group of pools
    that share nothing (3 simulations with one pool, 5 with a phone team
    beside a blended team), all under common random numbers. Rounds stop
    when no more than ``SETTLED`` of the open intervals move, or when the
    moves close less than ``GAINING`` of the gap left.

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
    groups = groups_of(observed.types, pools)
    components = [Component.start(c, fit.n_intervals)
                  for c in components_of(observed.types, pools)]
    # pools sharing a contact type are also matched on the share of it they
    # took up (the agent ids show it): abandonment and service level alone
    # cannot tell which of them staffed the contacts both serve
    shared = {p for c in components if len(c.pools) > 1 for p in c.pools}
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

    def simulate(candidate: Candidate) -> dict[str, tuple[np.ndarray, ...]]:
        steps = steps_of(candidate, groups)
        staffing = dict(fixed)
        for p in pools:
            staffing[p] = np.where(open_[p], np.maximum(agents[p] + steps.get(p, 0), 1), 0)
        counts = simulated_counts(scenario, staffing, replications, seed, workers,
                                  observed.within_s)
        return {p: figures(counts, p) for p in pools}

    moved: list[int] = []
    best_sim: dict[str, tuple[np.ndarray, ...]] = {}
    rounds = 0
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - the count is reported
        sims = {k: simulate(k) for k in candidates(groups)}
        steps = [_step(component, sims, groups, observed_figures, agents, open_, rows,
                       replications, best_sim) for component in components]
        total, gained, gap = (sum(s[k] for s in steps) for k in range(3))
        moved.append(total)
        if total <= SETTLED * sum(o.sum() for o in open_.values()) or gained < GAINING * gap:
            break  # none, a few intervals still walking one step, or moves that trade noise
    tables = []
    for p in fit.pools.pools:
        table = rows[p].reset_index(drop=True).copy()
        if p in pools:
            table["agents"] = np.where(open_[p], agents[p], 0)
            table["erlang_agents"] = start[p]
            table["sim_abandon_rate"], table["sim_service_level"] = best_sim[p][:2]
            table["sim_served_share"] = best_sim[p][2] if p in shared else np.nan
            table["identified"] = open_[p] & _identified(table["abandon_rate"],
                                                         table["service_level"])
        else:  # deferred work only: nothing to calibrate against
            table["agents"] = fixed[p]
            table["erlang_agents"] = 0
            table["sim_abandon_rate"] = table["sim_service_level"] = np.nan
            table["sim_served_share"] = np.nan
            table["identified"] = False
        tables.append(table)
    return Calibration(pd.concat(tables, ignore_index=True), rounds, replications, moved)


def _step(component: Component, sims: dict[Candidate, dict[str, tuple[np.ndarray, ...]]],
          groups: list[list[str]], observed: dict[str, tuple[np.ndarray, ...]],
          agents: dict[str, np.ndarray], open_: dict[str, np.ndarray],
          rows: dict[str, pd.DataFrame], runs: int,
          best_sim: dict[str, tuple[np.ndarray, ...]]) -> tuple[int, float, float]:
    """Move one component's intervals (``agents`` in place) and record the
    simulated figures at the staffing each ends the round at in
    ``best_sim``; return how many intervals moved, the gap (summed loss)
    their moves closed and the gap at the round's staffing where the
    simulation gave every figure."""
    mine = [k for k in sims if not k or set(steps_of(k, groups)) & set(component.pools)]
    found = {k: sims[k] for k in mine}
    for k in transfers(groups, component.pools):  # predicted: the two steps' effects added
        up, down = sims[k[:1]], sims[k[1:]]
        found[k] = {p: tuple(np.clip(a + b - c, 0, 1) for a, b, c in
                             zip(up[p], down[p], sims[()][p], strict=True))
                    for p in component.pools}
    losses = {k: sum(pool_loss(found[k][p], observed[p]) for p in component.pools)
              for k in found}
    # a move must gain more than the simulation's own noise: about one binomial
    # standard error at p = 1/2 of the contacts simulated, for each pool's gap
    with np.errstate(divide="ignore"):
        tolerance = sum(np.maximum(TOLERANCE, 1 / np.sqrt(rows[p]["offered"].to_numpy() * runs))
                        for p in component.pools)
    taken = component.step(losses, tolerance, agents, open_, groups)
    for p in component.pools:
        best_sim[p] = tuple(np.choose(taken, [found[k][p][f] for k in found])
                            for f in range(len(observed[p])))
    stay = losses[()]
    after = np.choose(taken, list(losses.values()))
    given = stay < NO_FIGURE
    return (int(np.count_nonzero(taken)), float((stay - after)[given].sum()),
            float(stay[given].sum()))


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
    work = (answered["handle_s"].fillna(0).to_numpy()
            / fit.concurrency.per_contact(answered["channel"]))[keep]
    busy = np.bincount(interval, work, minlength=fit.n_intervals)[:fit.n_intervals]
    weekday = fit.horizon_weekday(np.arange(fit.n_intervals))
    days = np.maximum([(fit.daily.weekdays == w).sum() for w in weekday], 1)
    return np.ceil(busy / days / fit.interval_s - 1e-9).astype(int)
