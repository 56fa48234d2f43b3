"""Work streams: what analytic staffing sizes.

A stream is one stage of one contact type: its offered volume per interval
(after deflection, with repeat contacts from unresolved first contacts added),
its agent time per item, the pool that serves it first, and the standards that
apply to it, each turned into a deadline for that stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from svcsim.scenario import ContactType, Scenario, Standard
from svcsim.scenario.standards import FIRST_RESPONSE, PROGRESS_UPDATE, RESOLUTION


@dataclass(frozen=True)
class StageTarget:
    """A standard as it bears on one stage, from when the stage becomes work.

    ``wait_s`` is the longest acceptable wait before an agent starts it;
    ``finish_s`` the time by which it must be finished.
    """

    standard: Standard
    wait_s: float
    finish_s: float
    business_clock: bool

    @property
    def target(self) -> float:
        return self.standard.target


@dataclass(frozen=True, eq=False)
class WorkStream:
    """One stage of one contact type, as analytic staffing sees it."""

    contact: ContactType
    stage: str
    kind: Literal["immediate", "deferred"]
    volumes: np.ndarray
    mean_work_s: float | np.ndarray  # per interval with a handle-time profile
    pool: str
    targets: tuple[StageTarget, ...]

    @property
    def name(self) -> str:
        if len(self.contact.stage_names) == 1:
            return self.contact.name
        return f"{self.contact.name}:{self.stage}"

    @property
    def mean_patience_s(self) -> float | None:
        patience = self.contact.patience
        return patience.mean if patience is not None and self.kind == "immediate" else None


def offered_volumes(scenario: Scenario, contact: ContactType) -> np.ndarray:
    """Contacts reaching an agent per interval: deflection removed, repeat
    contacts (``1 - fcr`` of them) added after the mean repeat delay; the
    horizon is taken to repeat, so repeats late in the horizon wrap round.
    A repeat that would reach an immediate channel while it is closed comes
    at its next opening instead (nobody can phone a closed line)."""
    assisted = contact.assisted_volumes
    if contact.fcr >= 1.0:
        return assisted
    delay = contact.repeat_delay.mean if contact.repeat_delay is not None else 0.0
    shift = int(round(delay / scenario.interval_s))
    # Each repeat can itself be unresolved: a geometric series of returns.
    repeats = np.roll(assisted * (1.0 - contact.fcr) / contact.fcr, shift)
    if contact.kind == "immediate":
        open_share = contact.calendar.open_share(
            scenario.interval_starts_s, scenario.interval_s, scenario.first_weekday)
        repeats = carry_to_open(repeats, open_share > 0)
    return assisted + repeats


def carry_to_open(volumes: np.ndarray, is_open: np.ndarray) -> np.ndarray:
    """Move volume from closed intervals to the next open one (cyclically)."""
    if is_open.all() or not is_open.any():
        return volumes
    out = np.where(is_open, volumes, 0.0)
    n = len(volumes)
    first_open = int(np.argmax(is_open))
    held = 0.0
    for step in range(n):  # start at an open interval so every carry lands
        i = (first_open + 1 + step) % n
        if is_open[i]:
            out[i] += held
            held = 0.0
        else:
            held += volumes[i]
    return out


def work_streams(scenario: Scenario) -> list[WorkStream]:
    """Every stage of every contact type, in scenario order."""
    streams = []
    for contact in scenario.resolved_contact_types:
        volumes = offered_volumes(scenario, contact)
        standards = scenario.standards_for(contact)
        used: list[StageTarget] = []
        for index, stage in enumerate(contact.stage_names):
            kind = contact.kind if index == 0 else "deferred"
            work = contact.mean_work_s(stage)
            targets = tuple(
                _stage_target(contact, index, standard, work, used)
                for standard in standards
                if _applies(contact, index, standard)
            )
            used.extend(targets)
            pool = scenario.serving_pools(contact, stage)[0][0].name
            streams.append(WorkStream(contact, stage, kind, volumes,
                                      contact.interval_work_s(stage), pool, targets))
    return streams


def _applies(contact: ContactType, index: int, standard: Standard) -> bool:
    if standard.metric == PROGRESS_UPDATE:
        return False  # recurring updates are measured by the simulator only
    if standard.metric in FIRST_RESPONSE:
        return index == 0
    if standard.metric == RESOLUTION:
        return index == len(contact.stage_names) - 1
    return standard.metric == contact.stage_names[index]


def _stage_target(
    contact: ContactType, index: int, standard: Standard, work_s: float,
    earlier: list[StageTarget],
) -> StageTarget:
    """Turn a standard into this stage's own deadline.

    A deadline measured from arrival is shared with the earlier stages: the
    stage gets what is left after the longest earlier deadline (the time
    already promised to them) and after any customer delay before it.
    """
    deadline = standard.within or 0.0
    if standard.measured_from == "arrival" and index > 0:
        deadline -= max((t.standard.within or 0.0 for t in earlier), default=0.0)
    stage_spec = contact.stages[index] if contact.stages else None
    if stage_spec is not None and stage_spec.delay is not None:
        deadline -= stage_spec.delay.mean
    deadline = max(deadline, 0.0)
    if standard.measured_event == "start":
        wait, finish = deadline, deadline + work_s
    else:
        wait, finish = max(deadline - work_s, 0.0), deadline
    return StageTarget(standard, wait, finish, standard.clock == "business")
