"""Service standards: ``X % of <contacts> <metric> within T``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from svcsim.scenario.base import Spec
from svcsim.scenario.names import Name
from svcsim.scenario.units import Duration

FIRST_RESPONSE = ("answer", "first_reply", "response", "greet")
"""Metrics that name the first response: the start of a contact's first stage
(the wording differs by channel: a call is answered, a chat first-replied)."""
RESOLUTION = "resolution"
"""The metric for the end of a contact's last stage."""
PROGRESS_UPDATE = "progress_update"
"""The recurring metric: an open contact hears from us at least ``every`` T."""


def _percent(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a percent such as 80 or '80%', got {str(value).lower()}")
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1])
        except ValueError:
            return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1:
        raise ValueError(
            f"percent is out of 100: write {100 * value:g} (or '{100 * value:g}%') for "
            f"{100 * value:g} %, got {value!r}"
        )
    return value


Percent = Annotated[
    float,
    BeforeValidator(_percent),
    WithJsonSchema({"anyOf": [
        {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
        {"type": "string", "pattern": r"^\s*\d+(\.\d*)?\s*%\s*$"},
    ], "description": "percent: 80 or '80%'"}),
]
"""A percentage, 0-100, written ``80`` or ``'80%'``."""


def _as_tuple(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


Patterns = Annotated[
    tuple[str, ...],
    BeforeValidator(_as_tuple),
    WithJsonSchema({
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
        "description": "contact-type patterns 'channel/tier' with * wildcards",
    }),
]
"""Contact-type patterns ``channel/tier``, with ``*`` wildcards; a bare channel
name means all its tiers. One string or a list."""


class Standard(Spec):
    """A response target, e.g. 80 % of phone calls answered within 20 s.

    ``metric`` is a first-response word (``answer``, ``first_reply``,
    ``response``, ``greet``), ``resolution``, or the name of a stage. The event
    measured is the start of the stage for first-response metrics and its end
    otherwise, unless ``event`` says. Time runs from arrival, or from the end of
    the stage named in ``measured_from``; on the wall clock, or counting only
    open hours (``clock: business``). ``every`` states a recurring promise
    (progress updates every 4 h) instead of ``within``.
    """

    name: Name | None = None
    contacts: Patterns = Field(min_length=1)
    metric: str = "answer"
    percent: Percent = Field(
        gt=0, le=100, description="target attainment, percent (80 or '80%')"
    )
    within: Duration | None = Field(None, description="the threshold")
    every: Duration | None = Field(None, description="for recurring updates")
    scope: Literal["interval", "day", "week"] = Field(
        "day", description="over what the percent is measured"
    )
    interval_floor: Percent | None = Field(
        None, gt=0, le=100,
        description="with scope day or week: the lowest attainment any interval may plan for, "
                    "percent")
    interval_max_asa: Duration | None = Field(
        None, description="with scope day or week: the longest average wait any interval may "
                          "plan for")
    interval_max_abandon: Percent | None = Field(
        None, gt=0, le=100,
        description="with scope day or week: the most abandonment any interval may plan "
                          "for, percent")
    clock: Literal["wall", "business"] = "wall"
    measured_from: str = Field("arrival", description="'arrival' or a stage name")
    event: Literal["start", "end"] | None = None

    @model_validator(mode="after")
    def _threshold(self) -> Standard:
        if (self.within is None) == (self.every is None):
            raise ValueError("give exactly one of 'within' (a deadline) or 'every' (recurring)")
        if (self.every is not None) != (self.metric == PROGRESS_UPDATE):
            raise ValueError(
                f"'every' goes with metric '{PROGRESS_UPDATE}' (updates while a contact is "
                "open), and that metric needs 'every'"
            )
        for key in ("interval_floor", "interval_max_asa", "interval_max_abandon"):
            if getattr(self, key) is not None and self.scope == "interval":
                raise ValueError(f"'{key}' goes with scope 'day' or 'week' (with scope "
                                 "'interval' every interval is held to the target already)")
        if self.interval_floor is not None:
            if self.interval_floor > self.percent:
                raise ValueError("'interval_floor' is above the target 'percent'")
        return self

    @property
    def floor(self) -> Standard:
        """This standard with its interval floor as the target (scope interval)."""
        return self.model_copy(update={"percent": self.interval_floor, "scope": "interval",
                                       "interval_floor": None, "interval_max_asa": None,
                                       "interval_max_abandon": None})

    @property
    def target(self) -> float:
        """Target attainment as a fraction (0.8 for 80 %)."""
        return self.percent / 100.0

    @property
    def threshold_s(self) -> float:
        """The deadline (or update period), seconds."""
        return self.within if self.within is not None else self.every  # type: ignore[return-value]

    @property
    def measured_event(self) -> Literal["start", "end"]:
        """Which moment of the stage the deadline applies to."""
        if self.event is not None:
            return self.event
        return "start" if self.metric in FIRST_RESPONSE else "end"

    @property
    def is_first_response(self) -> bool:
        return self.metric in FIRST_RESPONSE and self.measured_from == "arrival"

    @property
    def label(self) -> str:
        """A planner's wording: ``80% of phone/* answer within 20s``."""
        from svcsim.scenario.units import format_duration

        if self.name:
            return self.name
        when = f"within {format_duration(self.within)}" if self.within is not None else (
            f"every {format_duration(self.every)}"  # type: ignore[arg-type]
        )
        return f"{self.percent:g}% of {', '.join(self.contacts)}: {self.metric} {when}"
