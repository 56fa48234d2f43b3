"""Contact types as the rest of svcsim sees them: one channel x tier pair with
every default resolved and its volumes on the planning grid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from svcsim.scenario.arrivals import FollowUp
from svcsim.scenario.calendar import Calendar
from svcsim.scenario.channels import Retry, Stage
from svcsim.scenario.distributions import Distribution


@dataclass(frozen=True, eq=False)
class ContactType:
    """One ``channel/tier`` pair, resolved.

    ``volumes`` are expected contacts offered per interval (before deflection;
    follow-up work already derived from its source contacts). Times are seconds.
    """

    name: str
    channel: str
    tier: str
    kind: Literal["immediate", "deferred"]
    priority: int
    head_start_s: float
    concurrency: int
    volumes: np.ndarray
    handle_time: Distribution
    after_contact_work: Distribution | None
    patience: Distribution | None
    deflection: float
    fcr: float
    repeat_delay: Distribution | None
    retry: Retry | None
    stages: tuple[Stage, ...]
    calendar: Calendar
    forecast_cv: float
    follow_up: FollowUp | None
    trunks: int | None = None  # lines of its channel, shared by every tier of it
    handle_factors: np.ndarray | None = None  # per interval: x the mean handle time
    shared_cv: float = 0.0  # part of forecast_cv shared by every contact type (a day factor)

    @property
    def assisted_volumes(self) -> np.ndarray:
        """Contacts per interval that reach an agent (after self-service deflection)."""
        return self.volumes * (1.0 - self.deflection)

    @property
    def stage_names(self) -> tuple[str, ...]:
        """The stages of the work; a single-stage contact has one, named ``contact``."""
        return tuple(stage.name for stage in self.stages) or ("contact",)

    def stage_handle_time(self, stage: str) -> tuple[Distribution, Distribution | None]:
        """Handle time and after-contact work of one stage (the contact type's by default)."""
        for spec in self.stages:
            if spec.name == stage:
                return (spec.handle_time or self.handle_time,
                        spec.after_contact_work or self.after_contact_work)
        return self.handle_time, self.after_contact_work

    def mean_work_s(self, stage: str | None = None) -> float:
        """Mean agent time per contact for one stage (handle + after-contact work), s,
        before any time-of-day profile."""
        handle, acw = self.stage_handle_time(stage or self.stage_names[0])
        return handle.mean + (acw.mean if acw is not None else 0.0)

    def interval_work_s(self, stage: str | None = None) -> float | np.ndarray:
        """Mean agent time per contact started in each interval, s: the mean
        handle time times the ``handle_time_profile`` factor, plus
        after-contact work (a float when there is no profile)."""
        if self.handle_factors is None:
            return self.mean_work_s(stage)
        handle, acw = self.stage_handle_time(stage or self.stage_names[0])
        return handle.mean * self.handle_factors + (acw.mean if acw is not None else 0.0)
