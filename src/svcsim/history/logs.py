"""Contact logs: one row per contact, as an ACD or ticket system exports them,
and as ``svcsim simulate --log`` writes them.

Columns (svcsim's names; map others with ``columns``):

==============  ========  ====================================================
column          needed    meaning
==============  ========  ====================================================
arrival_time    yes       date-time the contact arrived (2026-03-02 08:31:05)
channel         yes       channel or queue (phone, chat, ...)
outcome         yes       answered, abandoned, short_abandon, blocked, open
wait_s          yes       seconds waited before answer or abandon (seconds or
                          H:MM:SS); empty for blocked and open contacts
tier            no        customer tier (default: one tier, ``general``)
handle_s        no        talk/handle time of answered contacts, seconds
acw_s           no        after-contact work, seconds
agent_id        no        agent who answered
caller_id       no        customer or number, to link redials (retrials)
origin          no        first, retry or repeat (the simulator writes it)
==============  ========  ====================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from svcsim.files import write_atomic
from svcsim.history.tables import Problems, parse_durations, parse_times, read_table

REQUIRED = ("arrival_time", "channel", "outcome", "wait_s")
OPTIONAL = ("tier", "handle_s", "acw_s", "agent_id", "caller_id", "origin")
OUTCOMES = ("answered", "abandoned", "short_abandon", "blocked", "open")
DEFAULT_TIER = "general"
LOG_EPOCH = pd.Timestamp("2026-01-05")  # a Monday: simulated logs start in its week


@dataclass(frozen=True)
class ContactLog:
    """A checked contact log.

    Attributes
    ----------
    contacts : pandas.DataFrame
        One row per contact: ``arrival`` (datetime), ``date``, ``weekday``
        (0 = Monday), ``clock_s`` (seconds since midnight), ``channel``,
        ``tier``, ``contact_type`` (``channel/tier``), ``outcome``,
        ``wait_s``, ``handle_s``, ``acw_s``, ``agent_id``, ``caller_id``,
        ``origin``, ``row`` (row in the file).
    source : str
        The file read.
    short_abandon_s : float
        Abandons within this many seconds were counted as short abandons.
    reclassified : int
        Abandons the reader reclassified as short abandons.
    """

    contacts: pd.DataFrame
    source: str
    short_abandon_s: float = 0.0
    reclassified: int = 0

    @property
    def dates(self) -> pd.DatetimeIndex:
        """Days with at least one contact: the observed days."""
        return pd.DatetimeIndex(sorted(self.contacts["date"].unique()))

    @property
    def contact_types(self) -> list[str]:
        """``channel/tier`` names, sorted."""
        return sorted(self.contacts["contact_type"].unique())

    def counts(self) -> pd.Series:
        """Contacts per outcome (every row is counted in exactly one)."""
        return self.contacts["outcome"].value_counts().reindex(OUTCOMES, fill_value=0)


def read_contact_log(path: str | Path, columns: Mapping[str, str] | None = None,
                     short_abandon_s: float = 0.0) -> ContactLog:
    """Read and check a contact log (CSV or XLSX).

    Parameters
    ----------
    path : str or Path
        The log file.
    columns : mapping, optional
        svcsim column name -> the file's column name.
    short_abandon_s : float
        Abandons that waited less than this (seconds) count as short abandons
        (misdials, hang-ups in the greeting); 0 keeps the file's outcomes.

    Raises
    ------
    HistoryError
        Naming every bad row and column (unparseable date-times, negative or
        unreadable durations, outcomes not in the list) with a count; no row
        is dropped silently.
    """
    table = read_table(path, REQUIRED, OPTIONAL, columns)
    problems = Problems(str(path))
    arrival = parse_times(table, "arrival_time", problems)
    empty_channel = table["channel"] == ""
    problems.add(table.loc[empty_channel, "row"].to_numpy(), "channel", "empty channel")
    outcome = table["outcome"].str.lower().str.replace(" ", "_")
    unknown = ~outcome.isin(OUTCOMES)
    problems.add(table.loc[unknown, "row"].to_numpy(), "outcome",
                 f"outcome must be one of {', '.join(OUTCOMES)}")
    waited = outcome.isin(("answered", "abandoned", "short_abandon")).to_numpy()
    wait = parse_durations(table, "wait_s", problems, needed=waited)
    handle = parse_durations(table, "handle_s", problems)
    acw = parse_durations(table, "acw_s", problems)
    problems.raise_if_any()
    tier = table["tier"].where(table["tier"] != "", DEFAULT_TIER) if "tier" in table \
        else pd.Series(DEFAULT_TIER, index=table.index)
    reclassify = (outcome == "abandoned") & (wait < short_abandon_s)
    outcome = outcome.where(~reclassify, "short_abandon")
    contacts = pd.DataFrame({
        "arrival": arrival,
        "date": arrival.dt.normalize(),
        "weekday": arrival.dt.day_of_week,
        "clock_s": (arrival - arrival.dt.normalize()).dt.total_seconds(),
        "channel": table["channel"],
        "tier": tier,
        "outcome": outcome,
        "wait_s": wait,
        "handle_s": handle.where(outcome == "answered"),
        "acw_s": acw,
        "agent_id": _optional(table, "agent_id"),
        "caller_id": _optional(table, "caller_id"),
        "origin": _optional(table, "origin"),
        "row": table["row"],
    })
    contacts["contact_type"] = contacts["channel"] + "/" + contacts["tier"]
    contacts = contacts.sort_values("arrival", kind="stable").reset_index(drop=True)
    return ContactLog(contacts, str(path), short_abandon_s, int(reclassify.sum()))


def _optional(table: pd.DataFrame, column: str) -> pd.Series:
    return table[column] if column in table else pd.Series("", index=table.index)


def simulated_log(contacts: pd.DataFrame, first_weekday: int,
                  start: pd.Timestamp = LOG_EPOCH) -> pd.DataFrame:
    """The per-contact records of a simulation as a contact log.

    Replication ``r`` is dated ``r`` weeks after the first ``first_weekday``
    on or after ``start``, so a weekday keeps its name and a horizon of up
    to seven days never overlaps the next replication.

    Parameters
    ----------
    contacts : pandas.DataFrame
        ``SimulationResult.contacts`` (``simulate(..., keep_contacts=True)``).
    first_weekday : int
        The scenario's first day, 0 = Monday.
    start : pandas.Timestamp
        A date in the week of the first replication.
    """
    monday = start.normalize() - pd.Timedelta(days=start.weekday())
    day0 = monday + pd.Timedelta(days=first_weekday)
    arrival = (day0 + pd.to_timedelta(contacts["replication"].to_numpy() * 7, unit="D")
               + pd.to_timedelta(contacts["arrival_s"].to_numpy(), unit="s")).round("ms")
    channel, _, tier = contacts["contact_type"].astype(str).str.partition("/").T.to_numpy()
    sim_outcome = contacts["outcome"].astype(str).to_numpy()
    outcome = np.select([sim_outcome == "done", sim_outcome == "in_service",
                         sim_outcome == "abandoned"], ["answered", "answered", "abandoned"],
                        "open")
    handle = (contacts["end_s"] - contacts["answered_s"]).to_numpy()
    pool = contacts["pool"].astype(str).replace("nan", "").to_numpy()
    log = pd.DataFrame({
        "arrival_time": arrival,
        "channel": channel,
        "tier": tier,
        "outcome": outcome,
        "wait_s": np.where(outcome == "open", np.nan, contacts["wait_s"].to_numpy()).round(3),
        "handle_s": np.where(outcome == "answered", handle, np.nan).round(3),
        "origin": contacts["origin"].astype(str).to_numpy(),
        "pool": pool,
        "agent_id": _agent_ids(pool, contacts),
    })
    return log.sort_values("arrival_time", kind="stable").reset_index(drop=True)


def _agent_ids(pool: np.ndarray, contacts: pd.DataFrame) -> np.ndarray:
    """``pool#number`` of the agent who took each contact up (empty if none
    did); logs of simulations run before agents were numbered have none."""
    if "agent" not in contacts:
        return np.full(len(pool), "", dtype=object)
    number = contacts["agent"].to_numpy()
    ids = pd.Series(pool, dtype=object) + "#" + pd.Series(number).astype(str)
    return np.where((pool != "") & (number >= 0), ids.to_numpy(), "")


def write_log(log: pd.DataFrame, path: str | Path) -> Path:
    """Write a contact log atomically: XLSX for ``.xlsx``, else CSV."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_atomic(path, lambda tmp: log.to_excel(tmp, index=False))
    return write_atomic(path, lambda tmp: log.to_csv(
        tmp, index=False, date_format="%Y-%m-%d %H:%M:%S.%f"))
