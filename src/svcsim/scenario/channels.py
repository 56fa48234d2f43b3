"""Channels, tiers and contact types (one channel x tier pair), with the
per-contact behaviour the simulator and the queueing formulas need."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, Field, field_validator, model_validator

from svcsim.scenario.arrivals import Arrivals
from svcsim.scenario.base import Spec
from svcsim.scenario.calendar import OpeningHours
from svcsim.scenario.distributions import Deterministic, Distribution
from svcsim.scenario.names import PatternName
from svcsim.scenario.standards import FIRST_RESPONSE, PROGRESS_UPDATE, RESOLUTION
from svcsim.scenario.units import ClockTime, Duration, Share, format_clock, format_duration

RESERVED_STAGE_NAMES = (*FIRST_RESPONSE, RESOLUTION, PROGRESS_UPDATE, "arrival", "contact")


def _fixed_duration(value: Any) -> Any:
    """Let a plain duration (``30s``) stand for a deterministic distribution."""
    if isinstance(value, float):
        return Deterministic(dist="deterministic", value=value)
    return value


AfterWork = Annotated[Distribution | Duration, AfterValidator(_fixed_duration)]
"""After-contact work: a duration (``30s``) or any distribution."""


class Retry(Spec):
    """A share of abandoned contacts calls again after a delay."""

    share: Share
    delay: Distribution


class Stage(Spec):
    """One step of multi-stage work (first contact, assessment, plan, ...),
    queued for the pools that list it once the previous step is done."""

    name: PatternName
    handle_time: Distribution | None = Field(None, description="default: the contact type's")

    @field_validator("name")
    @classmethod
    def _not_a_metric_word(cls, name: str) -> str:
        if name in RESERVED_STAGE_NAMES:
            raise ValueError(
                f"'{name}' is a metric word in standards ({', '.join(RESERVED_STAGE_NAMES)}), "
                "so a standard could not name this stage; choose another name, e.g. "
                f"'{name}_stage'"
            )
        return name
    after_contact_work: AfterWork | None = None
    delay: Distribution | None = Field(
        None, description="time between the previous stage's end and this stage becoming work"
    )


class HandleTimeProfile(Spec):
    """Handle time that varies by time of day: one multiplier of the mean
    handle time per interval from ``start`` to ``end`` (the same every day);
    1 outside. After-contact work is not scaled."""

    factors: tuple[float, ...] = Field(min_length=1, description="one per interval, > 0")
    start: ClockTime = Field(0.0, description="clock time of the first factor")
    end: ClockTime | None = Field(None, description="clock time the last factor ends "
                                  "(default 24:00)")

    @field_validator("factors")
    @classmethod
    def _positive(cls, factors: tuple[float, ...]) -> tuple[float, ...]:
        bad = [f for f in factors if not f > 0]
        if bad:
            raise ValueError(f"every factor must be > 0 (1 = the mean handle time), got {bad[0]:g}")
        return factors

    def array(self, n_intervals: int, interval_s: float) -> np.ndarray:
        """Multipliers on the horizon's grid; ValueError when the factors do not
        fit ``start``-``end`` on that grid (one per interval)."""
        end = 86400.0 if self.end is None or self.end == 0.0 else self.end
        step = format_duration(interval_s)
        if end <= self.start:
            raise ValueError(f"end {format_clock(end)} is not after start {format_clock(self.start)}")
        if self.start % interval_s or end % interval_s:
            raise ValueError(f"start and end must lie on the {step} interval grid, got "
                             f"{format_clock(self.start)}-{format_clock(end)}")
        expected = int(round((end - self.start) / interval_s))
        if len(self.factors) != expected:
            raise ValueError(
                f"{len(self.factors)} factors for {format_clock(self.start)}-"
                f"{format_clock(end)}, but the {step} grid has {expected} intervals there; "
                "give one factor per interval (or set 'start' and 'end' to the span they cover)")
        per_day = int(round(86400 / interval_s))
        day = np.ones(per_day)
        first = int(self.start // interval_s)
        day[first:first + expected] = self.factors
        return np.tile(day, n_intervals // per_day)


class Behaviour(Spec):
    """Fields a channel sets as defaults and a contact type may override."""

    handle_time: Distribution | None = None
    handle_time_profile: HandleTimeProfile | None = Field(
        None, description="multipliers of the mean handle time by time of day")
    after_contact_work: AfterWork | None = None
    patience: Distribution | None = Field(
        None, description="time a waiting customer stays before abandoning; none = never"
    )
    deflection: Share | None = Field(None, description="share removed by self-service")
    fcr: Share | None = Field(
        None, description="first-contact resolution; unresolved contacts come back as repeats"
    )
    repeat_delay: Distribution | None = Field(None, description="time until a repeat contact")
    retry: Retry | None = None


class Channel(Behaviour):
    """How contacts arrive: immediate (the customer waits and may abandon) or
    deferred (a work item waits in a backlog)."""

    kind: Literal["immediate", "deferred"]
    concurrency: int = Field(1, ge=1, le=20, description="contacts an agent holds at once (chat)")
    trunks: int | None = Field(
        None, ge=1, description="lines: contacts the channel holds at once, waiting plus in "
        "service; an arrival finding all busy is blocked. None = unlimited")
    arrivals: Arrivals | None = Field(None, description="split over tiers by their shares")
    opening_hours: OpeningHours | None = Field(None, description="default: the scenario's")

    @model_validator(mode="after")
    def _deferred_rules(self) -> Channel:
        if self.kind == "deferred" and self.patience is not None:
            raise ValueError("a deferred channel has no patience: its items wait in a backlog")
        if self.kind == "deferred" and self.retry is not None:
            raise ValueError("a deferred channel has no abandonment, so no retry")
        if self.kind == "deferred" and self.trunks is not None:
            raise ValueError("trunks: a deferred channel's items wait in a backlog, not on a "
                             "line; give trunks only to immediate channels (phone)")
        if self.arrivals is not None and self.arrivals.follow_up is not None:
            raise ValueError(
                "a follow-up is generated per tier: give it under contact_types "
                "('channel/tier': {arrivals: {follow_up: ...}})"
            )
        return self


class Tier(Spec):
    """A customer class: a priority (1 = served first) and a share of volume."""

    priority: int = Field(ge=1, description="1 is the highest")
    share: Share | dict[str, Share] | None = Field(
        None, description="share of each channel's arrivals: one number, or per channel"
    )
    head_start: Duration = Field(
        0.0, description="waiting time credited on arrival: a queue shared by several tiers "
        "is served in order of credited wait"
    )
    description: str | None = None


class ContactTypeSpec(Behaviour):
    """Overrides for one ``channel/tier`` pair, and its own arrivals or stages."""

    arrivals: Arrivals | None = None
    stages: tuple[Stage, ...] = Field((), description="multi-stage work, in order")
    priority: int | None = Field(None, ge=1, description="default: the tier's")
    opening_hours: OpeningHours | None = Field(None, description="default: the channel's")

    @model_validator(mode="after")
    def _unique_stages(self) -> ContactTypeSpec:
        names = [stage.name for stage in self.stages]
        if len(set(names)) != len(names):
            raise ValueError("stage names must be unique")
        return self
