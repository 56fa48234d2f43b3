"""Agent pools: interchangeable agents with skills, and their staffing."""

from __future__ import annotations

from pydantic import Field, model_validator

from svcsim.scenario.base import Spec
from svcsim.scenario.names import Name
from svcsim.scenario.series import SeriesOrList
from svcsim.scenario.standards import Patterns
from svcsim.scenario.units import Duration, Share


class Skill(Spec):
    """Contact types a pool may serve, with the order it serves them in
    (priority 1 first), which pool they try first (preference 1 first) and,
    for multi-stage work, the stage."""

    contacts: Patterns = Field(min_length=1)
    priority: int = Field(1, ge=1, description="queue order inside the pool: 1 is served first")
    preference: int | None = Field(
        None, ge=1, description="pool preference: a contact tries the pool listing it with "
        "the lowest preference first; default: the skill's priority")
    stage: str | None = Field(None, description="only this stage (default: every stage)")


class Pool(Spec):
    """A group of interchangeable agents.

    Staffing is the number of agents scheduled per interval (``headcount`` for
    every interval, or a ``staffing`` series); ``shrinkage`` is the share of
    scheduled time lost to absence, training and meetings, so agents on duty =
    scheduled x (1 - shrinkage). Breaks placed by the roster are not shrinkage.
    """

    name: Name
    skills: tuple[Skill, ...] = Field(min_length=1)
    headcount: int | None = Field(None, ge=0, description="agents scheduled in every interval")
    staffing: SeriesOrList | None = Field(None, description="agents scheduled per interval")
    shrinkage: Share = 0.0
    shift_rules: str | None = Field(None, description="name in the scenario's 'shift_rules'")
    max_agents: int | None = Field(None, ge=1, description="cap on agents on duty at once")
    priority_aging: Duration | None = Field(
        None, gt=0, description="every this much waiting moves a contact up one skill "
        "priority level (dynamic priority); none = fixed priorities"
    )

    @model_validator(mode="after")
    def _staffing(self) -> Pool:
        if self.headcount is not None and self.staffing is not None:
            raise ValueError("give 'headcount' or 'staffing', not both")
        if self.shrinkage >= 1:
            raise ValueError("shrinkage must be below 100%: nobody would be on duty")
        if self.staffing is not None:
            bad = [v for v in self.staffing.values or () if v < 0 or v != int(v)]
            if bad:
                raise ValueError(f"staffing must be whole numbers >= 0, got {bad[0]:g}")
        return self
