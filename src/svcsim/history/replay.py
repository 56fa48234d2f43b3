"""Replay: simulate a past day and set what the model says beside what
happened, interval by interval and for the day ("model vs reality").

Two ways to drive it:

* ``trace``: the day's logged arrival times (each contact at its own second)
  and logged handle times: the k-th service of a contact type takes the k-th
  logged handle time of that type in arrival order (contacts the log shows
  abandoning have none; when the trace runs out, the scenario's distribution
  fills in). Patience is drawn from the scenario, so replications differ only
  in who abandons and what follows from it.
* ``model``: the scenario as fitted (its arrivals, handle times, patience).

Both compare the same figures: offered, abandonment, answered within the
threshold of offered (the service level), ASA, and each tier's share of the
contacts that queued. Simulated figures come with the mean's confidence
interval and the prediction interval of one day (``mean +- t sd
sqrt(1 + 1/n)``): the observed day, itself one draw, should fall inside the
prediction interval, not necessarily the mean's CI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from svcsim.history.logs import ContactLog
from svcsim.scenario import Scenario
from svcsim.sim.engine import Engine, no_cyclic_gc
from svcsim.sim.metrics import contact_log
from svcsim.sim.model import Draws
from svcsim.sim.staffing import on_duty, scheduled_staffing
from svcsim.sim.streams import root_entropy

FIGURES = ("offered", "abandon_rate", "service_level", "asa_s")


class _Trace:
    """Logged durations in order, then the fallback distribution's draws."""

    __slots__ = ("_values", "_next", "_fallback")

    def __init__(self, values: list[float], fallback: Draws):
        self._values = values
        self._next = 0
        self._fallback = fallback

    def next(self) -> float:
        if self._next < len(self._values):
            value = self._values[self._next]
            self._next += 1
            return value
        return self._fallback.next()


class TraceEngine(Engine):
    """The engine fed with logged arrivals and handle times.

    NOTE: it overrides the engine's arrival scheduling (``_arrivals``) and
    swaps each first-stage queue's handle-time stream; both are engine
    internals, so a change there must keep this subclass in step (the replay
    tests run it).
    """

    def __init__(self, scenario: Scenario, on_duty_: dict[str, np.ndarray], entropy: int,
                 replication: int, arrivals: list[tuple[float, int]],
                 handles: dict[int, list[float]]):
        self._trace = sorted(arrivals)
        super().__init__(scenario, on_duty_, entropy, replication, 0)
        for t, queue in enumerate(self.first_queue):
            queue.handle = _Trace(handles.get(t, []), queue.handle)  # type: ignore[arg-type]

    def _arrivals(self, cycles: int) -> None:
        n = self.scenario.n_intervals
        self.records.deflected = {t: np.zeros(n) for t in range(len(self.types))}
        self.arrival_times = [time_s for time_s, _ in self._trace]
        self.arrival_types = [t for _, t in self._trace]
        self.next_arrival = 0
        if self._trace:
            self.env.timeout(self._trace[0][0]).callbacks.append(self._first_arrival)


@dataclass(frozen=True)
class Replay:
    """Observed against simulated figures.

    Attributes
    ----------
    intervals : pandas.DataFrame
        Per interval of the day with contacts: ``interval``, ``start``, and
        for each figure ``observed_<f>``, ``sim_<f>``, ``sim_<f>_low`` /
        ``_high`` (the mean's CI) and ``sim_<f>_pi_low`` / ``_pi_high`` (the
        prediction interval of one day).
    day : pandas.DataFrame
        One row per figure for the whole day, same columns plus ``inside``
        (the observed figure lies in the prediction interval).
    tiers : pandas.DataFrame
        Each tier's share of queued contacts, observed and simulated.
    """

    intervals: pd.DataFrame
    day: pd.DataFrame
    tiers: pd.DataFrame
    date: pd.Timestamp
    mode: str
    replications: int
    within_s: float
    level: float


def replay(log: ContactLog, scenario: Scenario, date: pd.Timestamp | None = None,
           mode: str = "trace", replications: int = 20, seed: int = 7,
           within_s: float | None = None, level: float = 0.95) -> Replay:
    """Replay one observed day of ``log`` on ``scenario``.

    Parameters
    ----------
    log : ContactLog
    scenario : Scenario
        Usually the fitted one (with its effective staffing).
    date : pandas.Timestamp, optional
        The day; default the last observed day. Its weekday must be in the
        scenario's horizon.
    mode : {"trace", "model"}
    replications : int
    seed : int
    within_s : float, optional
        Service-level threshold, seconds; default the scenario's first
        standard's.
    level : float
        Level of the confidence and prediction intervals.
    """
    from svcsim.history.tables import HistoryError

    if mode not in ("trace", "model"):
        raise ValueError(f"mode must be 'trace' or 'model', got {mode!r}")
    date = pd.Timestamp(date).normalize() if date is not None else log.dates[-1]
    if date not in log.dates:
        raise HistoryError(log.source, [("--day", f"{date:%Y-%m-%d} is not a day of the log "
                                         f"({log.dates[0]:%Y-%m-%d} to {log.dates[-1]:%Y-%m-%d})")])
    offset_day = (date.weekday() - scenario.first_weekday) % 7
    if offset_day >= scenario.horizon.days:
        raise HistoryError(log.source, [("--day", f"{date:%a %Y-%m-%d} is not a weekday of the "
                                         "scenario's horizon")])
    within = within_s if within_s is not None else (
        scenario.standards[0].threshold_s if scenario.standards else 20.0)
    day = log.contacts[(log.contacts["date"] == date)
                       & ~log.contacts["outcome"].isin(("short_abandon", "blocked"))]
    names = [c.name for c in scenario.resolved_contact_types]
    unknown = sorted(set(day["contact_type"]) - set(names))
    if unknown:
        raise HistoryError(log.source, [("contact_type", f"{', '.join(unknown)} on "
                                         f"{date:%Y-%m-%d} are not contact types of the scenario")])
    start_s = offset_day * 86400.0
    observed = pd.DataFrame({
        "replication": -1, "contact_type": day["contact_type"].to_numpy(),
        "arrival_s": day["clock_s"].to_numpy() + start_s, "wait_s": day["wait_s"].to_numpy(),
        "outcome": np.where(day["outcome"] == "answered", "done",
                            np.where(day["outcome"] == "abandoned", "abandoned", "waiting"))})
    if mode == "trace":
        simulated = _trace_runs(scenario, day, start_s, replications, seed)
    else:
        from svcsim.sim import simulate

        simulated = simulate(scenario, replications=replications, seed=seed,
                             keep_contacts=True).contacts
        simulated = simulated.assign(contact_type=simulated["contact_type"].astype(str),
                                     outcome=simulated["outcome"].astype(str))
    window = (start_s, start_s + 86400.0)
    obs = _figures(observed, scenario.interval_s, within, window)
    sims = _figures(simulated, scenario.interval_s, within, window)
    intervals, whole = _compare(obs, sims, scenario.interval_s, start_s, level)
    return Replay(intervals, whole, _tiers(observed, simulated, window), date, mode,
                  replications, within, level)


def _trace_runs(scenario: Scenario, day: pd.DataFrame, start_s: float, replications: int,
                seed: int) -> pd.DataFrame:
    index = {c.name: t for t, c in enumerate(scenario.resolved_contact_types)}
    types = day["contact_type"].map(index).to_numpy()
    arrivals = list(zip((day["clock_s"].to_numpy() + start_s).tolist(), types.tolist(),
                        strict=True))
    answered = day[day["outcome"] == "answered"]
    handles = {index[name]: mine["handle_s"].dropna().tolist()
               for name, mine in answered.groupby("contact_type")}
    agents = on_duty(scenario, scheduled_staffing(scenario, None))
    entropy = root_entropy(seed)
    frames = []
    for r in range(replications):
        engine = TraceEngine(scenario, agents, entropy, r, arrivals, handles)
        records = engine.run()
        with no_cyclic_gc():
            frame = contact_log(scenario, records, engine.measure_from)
        frames.append(frame.assign(replication=r, contact_type=frame["contact_type"].astype(str),
                                   outcome=frame["outcome"].astype(str)))
    return pd.concat(frames, ignore_index=True)


def _figures(contacts: pd.DataFrame, interval_s: float, within_s: float,
             window: tuple[float, float]) -> pd.DataFrame:
    """Per replication and interval (-1: the whole day): offered, abandon
    rate, service level, ASA."""
    c = contacts[(contacts["arrival_s"] >= window[0]) & (contacts["arrival_s"] < window[1])]
    frame = pd.DataFrame({
        "replication": c["replication"].to_numpy(),
        "interval": ((c["arrival_s"] - window[0]) // interval_s).astype(int).to_numpy(),
        "offered": 1.0,
        "abandoned": (c["outcome"] == "abandoned").to_numpy(float),
        "answered": c["outcome"].isin(("done", "in_service")).to_numpy(float),
        "in_time": (c["outcome"].isin(("done", "in_service")) & (c["wait_s"] <= within_s))
        .to_numpy(float),
    })
    frame["answered_wait_s"] = np.where(frame["answered"] > 0, c["wait_s"].to_numpy(), 0.0)
    sums = ["offered", "abandoned", "answered", "in_time", "answered_wait_s"]
    per = frame.groupby(["replication", "interval"])[sums].sum().reset_index()
    whole = frame.groupby("replication")[sums].sum().reset_index().assign(interval=-1)
    table = pd.concat([per, whole], ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["abandon_rate"] = table["abandoned"] / table["offered"]
        table["service_level"] = table["in_time"] / table["offered"]
        table["asa_s"] = table["answered_wait_s"] / table["answered"]
    return table


def _compare(obs: pd.DataFrame, sims: pd.DataFrame, interval_s: float, start_s: float,
             level: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = sorted(set(obs["interval"]))
    n = sims["replication"].nunique()
    rows = []
    for key in keys:
        row: dict = {"interval": key}
        mine = sims[sims["interval"] == key]
        seen = obs[obs["interval"] == key].iloc[0]
        for figure in FIGURES:
            values = np.zeros(n) if figure == "offered" else np.full(n, np.nan)
            present = mine.set_index("replication")[figure]
            values[: len(present)] = present.to_numpy()  # replications with no contact: 0 offered
            row.update(_interval_stats(figure, seen[figure], values, level))
        rows.append(row)
    table = pd.DataFrame(rows)
    starts = (start_s % 86400 + table["interval"] * interval_s) % 86400
    table.insert(1, "start", [f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}" for s in starts])
    day = table[table["interval"] == -1].drop(columns=["interval", "start"])
    long = pd.DataFrame([{
        "figure": f, "observed": day[f"observed_{f}"].iloc[0], "simulated": day[f"sim_{f}"].iloc[0],
        "ci_low": day[f"sim_{f}_low"].iloc[0], "ci_high": day[f"sim_{f}_high"].iloc[0],
        "pi_low": day[f"sim_{f}_pi_low"].iloc[0], "pi_high": day[f"sim_{f}_pi_high"].iloc[0]}
        for f in FIGURES])
    long["inside"] = (long["observed"] >= long["pi_low"]) & (long["observed"] <= long["pi_high"])
    return table[table["interval"] >= 0].reset_index(drop=True), long


def _interval_stats(figure: str, observed: float, values: np.ndarray, level: float) -> dict:
    values = values[np.isfinite(values)]
    n = len(values)
    mean = float(values.mean()) if n else np.nan
    if n >= 2:
        t = stats.t.ppf(0.5 + level / 2, n - 1)
        sd = float(values.std(ddof=1))
        ci, pi = t * sd / np.sqrt(n), t * sd * np.sqrt(1 + 1 / n)
    else:
        ci = pi = np.nan
    top = 1.0 if figure in ("abandon_rate", "service_level", "share") else np.inf
    bounds = np.clip([mean - ci, mean + ci, mean - pi, mean + pi], 0.0, top)
    return {f"observed_{figure}": observed, f"sim_{figure}": mean,
            f"sim_{figure}_low": bounds[0], f"sim_{figure}_high": bounds[1],
            f"sim_{figure}_pi_low": bounds[2], f"sim_{figure}_pi_high": bounds[3]}


def _tiers(observed: pd.DataFrame, simulated: pd.DataFrame,
           window: tuple[float, float]) -> pd.DataFrame:
    """Each tier's share of the contacts that queued (waited, or abandoned)."""
    def shares(c: pd.DataFrame) -> pd.DataFrame:
        c = c[(c["arrival_s"] >= window[0]) & (c["arrival_s"] < window[1])]
        queued = c[(c["wait_s"] > 0) | (c["outcome"] == "abandoned")]
        tier = queued["contact_type"].str.partition("/")[2]
        counts = queued.groupby([queued["replication"], tier]).size().unstack(fill_value=0)
        return counts.div(counts.sum(axis=1), axis=0)
    seen, sims = shares(observed), shares(simulated)
    rows = []
    for tier in sorted(set(seen.columns) | set(sims.columns)):
        values = sims[tier].to_numpy() if tier in sims else np.zeros(len(sims))
        stats_ = _interval_stats("share", float(seen[tier].iloc[0]) if tier in seen else 0.0,
                                 values, 0.95)
        rows.append({"tier": tier, **stats_})
    return pd.DataFrame(rows)
