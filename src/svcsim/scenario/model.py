"""The Scenario: the whole validated description of a contact centre."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr, field_validator, model_validator

from svcsim.scenario.arrivals import Arrivals, Profile
from svcsim.scenario.base import Spec
from svcsim.scenario.calendar import WEEKDAYS, Calendar, OpeningHours
from svcsim.scenario.channels import Channel, ContactTypeSpec, Tier
from svcsim.scenario.contact_types import ContactType
from svcsim.scenario.errors import did_you_mean, shown
from svcsim.scenario.names import Name, PatternName
from svcsim.scenario.pools import Pool
from svcsim.scenario.routing import matches, routing_warnings, serving_order
from svcsim.scenario.shifts import ShiftRules
from svcsim.scenario.standards import FIRST_RESPONSE, PROGRESS_UPDATE, RESOLUTION, Standard
from svcsim.scenario.units import Duration, Share, format_clock, format_duration

_BEHAVIOUR = ("handle_time", "after_contact_work", "patience", "deflection", "fcr",
              "repeat_delay", "retry", "handle_time_profile")


INTERVALS_S = (900.0, 1800.0, 3600.0)
"""Planning grids svcsim supports: 15-minute, 30-minute and hourly intervals."""


class Horizon(Spec):
    """The planning grid: ``days`` days of intervals of ``interval`` seconds,
    from weekday ``first_day`` (or the date ``start_date``)."""

    days: int = Field(1, ge=1, le=7, description="1 (a day) to 7 (a week)")
    interval: Duration = Field(900.0, description="15m, 30m or 1h")
    first_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    start_date: dt.date | None = Field(
        None, description="date of the first day (2026-12-07): rosters head their days with "
        "dates; first_day follows it")

    @field_validator("start_date", mode="before")
    @classmethod
    def _a_date(cls, value: Any) -> Any:
        if value is None or type(value) is dt.date:
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValueError(f"expected a date such as 2026-12-07, got {shown(value)}")

    @model_validator(mode="before")
    @classmethod
    def _first_day_of_the_date(cls, data: Any) -> Any:
        """Without ``first_day``, the weekday is the start date's."""
        if isinstance(data, dict) and "first_day" not in data:
            try:
                start = cls._a_date(data.get("start_date"))
            except ValueError:
                return data  # the field says what is wrong
            if start is not None:
                data = {**data, "first_day": WEEKDAYS[start.weekday()]}
        return data

    @model_validator(mode="after")
    def _grid(self) -> Horizon:
        if self.interval not in INTERVALS_S:
            raise ValueError(f"interval must be 15m, 30m or 1h, got {format_duration(self.interval)}")
        start = self.start_date
        if start is not None and WEEKDAYS[start.weekday()] != self.first_day:
            weekday = WEEKDAYS[start.weekday()]
            raise ValueError(f"start_date {start.isoformat()} is a {start:%A}, but first_day is "
                             f"'{self.first_day}' (the weekday profiles and opening hours "
                             f"follow first_day): write first_day: {weekday}, or leave "
                             "first_day out (it then follows the date)")
        return self


class Planning(Spec):
    """Settings for analytic requirements."""

    max_occupancy: Share | None = Field(
        None, description="cap on occupancy in every requirement (e.g. 85%)"
    )
    unstandarded_occupancy: Share = Field(
        0.85, description="occupancy used to staff work that no standard covers"
    )
    meet_probability: Share | None = Field(
        None, description="plan to this chance of meeting each standard on a random day "
                          "(e.g. 90%): staff to the forecast's quantile day"
    )

    @field_validator("meet_probability")
    @classmethod
    def _chance(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value < 1:
            raise ValueError("must be above 0 % and below 100 % (e.g. 90%): no staffing meets "
                             "a standard on every possible day")
        return value


class Scenario(Spec):
    """A contact centre over a planning horizon: channels, tiers, arrivals,
    handle times, patience, standards, pools and shift rules.

    Build it with :func:`svcsim.load_scenario` (from YAML) or
    ``Scenario.model_validate(mapping)``. It is immutable; derive variants
    with :meth:`replace`.
    """

    name: str
    description: str = ""
    horizon: Horizon = Field(default_factory=Horizon)
    opening_hours: OpeningHours | None = Field(None, description="default: open 24x7")
    profiles: dict[str, Profile] = Field(default_factory=dict)
    channels: dict[PatternName, Channel] = Field(min_length=1)
    tiers: dict[PatternName, Tier] = Field(min_length=1)
    contact_types: dict[str, ContactTypeSpec] = Field(
        default_factory=dict, description="overrides per 'channel/tier'"
    )
    standards: tuple[Standard, ...] = ()
    pools: tuple[Pool, ...] = Field(min_length=1)
    shift_rules: dict[Name, ShiftRules] = Field(default_factory=dict)
    planning: Planning = Field(default_factory=Planning)
    shared_forecast_cv: float = Field(
        0.0, ge=0, le=2,
        description="part of every contact type's forecast_cv that is shared: one gamma day "
                    "factor with this cv multiplies every contact type with a forecast_cv",
    )

    _resolved: tuple[ContactType, ...] = PrivateAttr(default=())
    # the mapping it was validated from and its folder, for what-if copies
    # (svcsim.standards.with_changes); None when built another way
    _document: tuple[dict, str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve(self) -> Scenario:
        problems: list[str] = []
        object.__setattr__(self, "shift_rules", _on_grid(self.shift_rules, self.interval_s))
        resolved = _resolve_contact_types(self, problems)
        if not problems:
            object.__setattr__(self, "_resolved", tuple(resolved))
            _check_standards(self, resolved, problems)
            _check_pools(self, resolved, problems)
            _check_shared_cv(self, resolved, problems)
        if problems:
            raise ValueError("\n".join(problems))
        object.__setattr__(self, "_resolved", tuple(resolved))
        return self

    # -- the planning grid -------------------------------------------------
    @property
    def interval_s(self) -> float:
        """Interval length, seconds."""
        return self.horizon.interval

    @property
    def n_intervals(self) -> int:
        """Number of intervals in the horizon."""
        return int(round(self.horizon.days * 86400 / self.interval_s))

    @property
    def interval_starts_s(self) -> np.ndarray:
        """Start of each interval, seconds from the start of the horizon."""
        return np.arange(self.n_intervals) * self.interval_s

    @property
    def first_weekday(self) -> int:
        """Weekday of the first day, 0 = Monday."""
        return WEEKDAYS.index(self.horizon.first_day)

    def interval_labels(self) -> list[str]:
        """``08:30`` for a day horizon, ``Tue 08:30`` for longer ones."""
        labels = []
        for start in self.interval_starts_s:
            clock = format_clock(start)
            if self.horizon.days > 1:
                day = WEEKDAYS[(self.first_weekday + int(start // 86400)) % 7].capitalize()
                clock = f"{day} {clock}"
            labels.append(clock)
        return labels

    # -- resolved views ----------------------------------------------------
    @property
    def resolved_contact_types(self) -> tuple[ContactType, ...]:
        """Every contact type with defaults resolved, in a stable order."""
        return self._resolved

    def contact_type(self, name: str) -> ContactType:
        """The resolved contact type ``channel/tier``."""
        for contact in self._resolved:
            if contact.name == name:
                return contact
        names = [c.name for c in self._resolved]
        raise KeyError(f"no contact type '{name}'{did_you_mean(name, names)}")

    def match(self, patterns: tuple[str, ...]) -> list[ContactType]:
        """Contact types matching any of ``patterns`` (``phone/*``, ``*/premier``)."""
        return [c for c in self._resolved if any(_matches(p, c.name) for p in patterns)]

    def pool(self, name: str) -> Pool:
        """The pool called ``name``."""
        for pool in self.pools:
            if pool.name == name:
                return pool
        raise KeyError(f"no pool '{name}'{did_you_mean(name, [p.name for p in self.pools])}")

    def serving_pools(self, contact: ContactType, stage: str | None = None) -> list[tuple[Pool, int]]:
        """Pools that serve a contact type (and stage) with their skill priority
        (queue order inside the pool), in pool-preference order: lowest
        preference, then the most specialised pool, then the one listed first
        (see :mod:`svcsim.scenario.routing`)."""
        return serving_order(self.pools, self._resolved, contact,
                             stage or contact.stage_names[0])

    def routing_warnings(self) -> list[str]:
        """Legal routing that is probably not meant (``svcsim validate`` prints it)."""
        return routing_warnings(self.pools, self._resolved)

    def standards_for(self, contact: ContactType) -> list[Standard]:
        """Standards whose patterns cover a contact type."""
        return [s for s in self.standards if any(_matches(p, contact.name) for p in s.contacts)]

    def staffing(self) -> dict[str, np.ndarray]:
        """Agents scheduled per interval for pools that state their staffing."""
        out = {}
        for pool in self.pools:
            if pool.headcount is not None:
                out[pool.name] = np.full(self.n_intervals, float(pool.headcount))
            elif pool.staffing is not None:
                out[pool.name] = pool.staffing.array(self.n_intervals, self.interval_s)
        return out

    def replace(self, **changes: Any) -> Scenario:
        """A validated copy with top-level fields replaced; ``self`` is unchanged."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        return type(self).model_validate(data, context={"revalidate": True})


_matches = matches


def _check_shared_cv(scenario: Scenario, resolved: list[ContactType],
                     problems: list[str]) -> None:
    """The shared day factor is a part of each contact type's forecast_cv."""
    shared = scenario.shared_forecast_cv
    if shared <= 0:
        return
    uncertain = [c for c in resolved if c.forecast_cv > 0]
    if not uncertain:
        problems.append("shared_forecast_cv: no contact type has a forecast_cv for it to be "
                        "part of; give the arrivals a forecast_cv, or remove it")
    for contact in uncertain:
        if contact.forecast_cv < shared - 1e-12:
            problems.append(f"shared_forecast_cv: {shared:g} is more than {contact.name}'s "
                            f"forecast_cv {contact.forecast_cv:g}; the shared part of a day's "
                            "uncertainty cannot exceed the whole: lower it to at most "
                            f"{contact.forecast_cv:g}")


def _on_grid(rules: dict[str, ShiftRules], interval_s: float) -> dict[str, ShiftRules]:
    """Shift rules that leave ``start_granularity`` unset start shifts on the
    planning grid when it is coarser than the 15-minute default (hourly
    intervals: shifts start on the hour); copies, the caller's are unchanged."""
    return {name: rule.model_copy(update={"start_granularity": interval_s})
            if "start_granularity" not in rule.model_fields_set
            and rule.start_granularity % interval_s else rule
            for name, rule in rules.items()}


def _tier_share(tier: Tier, channel: str, n_tiers: int) -> float | None:
    if tier.share is None:
        return 1.0 if n_tiers == 1 else None
    if isinstance(tier.share, dict):
        return tier.share.get(channel, 0.0)
    return tier.share


def _resolve_contact_types(scenario: Scenario, problems: list[str]) -> list[ContactType]:
    """Build every contact type; report broken references as ``path: message``."""
    channels, tiers = scenario.channels, scenario.tiers
    n, step = scenario.n_intervals, scenario.interval_s

    for key in scenario.contact_types:
        channel, _, tier = key.partition("/")
        if channel not in channels or tier not in tiers:
            bad, choices = (channel, channels) if channel not in channels else (tier, tiers)
            problems.append(
                f"contact_types.{key}: '{bad}' is not a defined "
                f"{'channel' if channel not in channels else 'tier'}{did_you_mean(bad, choices)}; "
                "keys are 'channel/tier'"
            )
    for name, tier in tiers.items():
        if isinstance(tier.share, dict):
            for channel in tier.share:
                if channel not in channels:
                    problems.append(f"tiers.{name}.share.{channel}: no such channel"
                                    f"{did_you_mean(channel, channels)}")

    def volumes(arrivals: Arrivals, path: str) -> np.ndarray | None:
        if arrivals.profile is not None and arrivals.profile not in scenario.profiles:
            problems.append(f"{path}.profile: no profile '{arrivals.profile}'"
                            f"{did_you_mean(arrivals.profile, scenario.profiles)} in 'profiles'")
            return np.zeros(n)
        if arrivals.profile is not None:
            try:
                scenario.profiles[arrivals.profile].day_shape(int(round(86400 / step)), step)
            except ValueError as exc:
                problems.append(f"profiles.{arrivals.profile}: {exc} (a profile is one day)")
                return np.zeros(n)
        try:
            return arrivals.array(n, step, scenario.first_weekday, scenario.profiles)
        except ValueError as exc:
            problems.append(f"{path}: {exc}")
            return np.zeros(n)

    plan: list[tuple[str, str, np.ndarray | None, Arrivals | None]] = []
    for cname, channel in channels.items():
        channel_volumes = (volumes(channel.arrivals, f"channels.{cname}.arrivals")
                           if channel.arrivals is not None else None)
        if channel_volumes is not None:
            shares = {t: _tier_share(tier, cname, len(tiers)) for t, tier in tiers.items()}
            if any(share is None for share in shares.values()):
                problems.append(f"tiers: give each tier a 'share' to split channels.{cname}"
                                ".arrivals over tiers")
                continue
            total = sum(shares.values())  # type: ignore[arg-type]
            if abs(total - 1.0) > 1e-6:
                problems.append(f"tiers: the shares of channel '{cname}' add up to "
                                f"{total:.4g}, not 1 (100%)")
        for tname in tiers:
            spec = scenario.contact_types.get(f"{cname}/{tname}")
            if spec is not None and spec.arrivals is not None:
                path = f"contact_types.{cname}/{tname}.arrivals"
                plan.append((cname, tname, volumes(spec.arrivals, path), spec.arrivals))
            elif channel_volumes is not None and shares[tname]:
                plan.append((cname, tname, channel_volumes * shares[tname], channel.arrivals))
            elif spec is not None:
                problems.append(f"contact_types.{cname}/{tname}: has no arrivals (give "
                                f"'arrivals', or channels.{cname}.arrivals with a tier share)")
    if problems:
        return []

    resolved = [_contact_type(scenario, c, t, v, a, problems) for c, t, v, a in plan]
    if not resolved and not problems:
        problems.append("channels: no contact type has arrivals; give a channel 'arrivals'")
    return _derive_follow_ups(scenario, resolved, problems)


def _contact_type(
    scenario: Scenario, cname: str, tname: str, volumes: np.ndarray | None,
    arrivals: Arrivals | None, problems: list[str],
) -> ContactType:
    channel, tier = scenario.channels[cname], scenario.tiers[tname]
    spec = scenario.contact_types.get(f"{cname}/{tname}", ContactTypeSpec())
    merged = {f: getattr(spec, f) if getattr(spec, f) is not None else getattr(channel, f)
              for f in _BEHAVIOUR}
    name = f"{cname}/{tname}"
    if merged["handle_time"] is None:
        problems.append(f"channels.{cname}.handle_time: missing; {name} needs a handle time "
                        f"(here, or in contact_types.{name})")
    if channel.kind == "deferred" and spec.patience is not None:
        problems.append(f"contact_types.{name}.patience: a deferred channel has no patience")
    if channel.kind == "deferred" and spec.retry is not None:
        problems.append(f"contact_types.{name}.retry: a deferred channel has no abandonment, "
                        "so no retry")
    calendar = (spec.opening_hours or channel.opening_hours or scenario.opening_hours
                or Calendar.always_open())
    factors = None
    if merged["handle_time_profile"] is not None:
        where = (f"contact_types.{name}" if spec.handle_time_profile is not None
                 else f"channels.{cname}")
        try:
            factors = merged["handle_time_profile"].array(scenario.n_intervals,
                                                          scenario.interval_s)
            factors.setflags(write=False)
        except ValueError as exc:
            problems.append(f"{where}.handle_time_profile: {exc}")
    return ContactType(
        name=name, channel=cname, tier=tname, kind=channel.kind,
        priority=spec.priority or tier.priority, head_start_s=tier.head_start,
        concurrency=channel.concurrency,
        volumes=volumes if volumes is not None else np.zeros(scenario.n_intervals),
        handle_time=merged["handle_time"], after_contact_work=merged["after_contact_work"],
        patience=merged["patience"], deflection=merged["deflection"] or 0.0,
        fcr=merged["fcr"] if merged["fcr"] is not None else 1.0,
        repeat_delay=merged["repeat_delay"], retry=merged["retry"], stages=spec.stages,
        calendar=calendar, forecast_cv=arrivals.forecast_cv if arrivals else 0.0,
        follow_up=arrivals.follow_up if arrivals else None,
        trunks=channel.trunks, handle_factors=factors,
        shared_cv=scenario.shared_forecast_cv if arrivals and arrivals.forecast_cv > 0 else 0.0,
    )


def _derive_follow_ups(
    scenario: Scenario, resolved: list[ContactType], problems: list[str]
) -> list[ContactType]:
    """Follow-up work: a share of its sources' assisted volume, shifted by the
    mean delay on the planning grid (wrapping round the horizon, i.e. the
    horizon is taken to repeat: a steady-state day or week)."""
    from dataclasses import replace

    out = []
    for contact in resolved:
        follow = contact.follow_up
        if follow is None:
            out.append(contact)
            continue
        sources = [c for c in resolved if c.follow_up is None
                   and any(_matches(p, c.name) for p in follow.of)]
        if not sources:
            problems.append(f"contact_types.{contact.name}.arrivals.follow_up.of: matches no "
                            "contact type with arrivals")
            continue
        base = sum(c.assisted_volumes for c in sources) * follow.share
        shift = int(round((follow.delay.mean if follow.delay else 0.0) / scenario.interval_s))
        volumes = np.roll(base, shift)
        volumes.setflags(write=False)
        out.append(replace(contact, volumes=volumes))
    for contact in out:
        contact.volumes.setflags(write=False)
    return out


def _check_standards(scenario: Scenario, resolved: list[ContactType], problems: list[str]) -> None:
    names = [c.name for c in resolved]
    for i, standard in enumerate(scenario.standards):
        path = f"standards[{i}]"
        matched = []
        for j, pattern in enumerate(standard.contacts):
            hits = [c for c in resolved if _matches(pattern, c.name)]
            if not hits:
                problems.append(f"{path}.contacts[{j}]: '{pattern}' matches no contact type"
                                f"{did_you_mean(pattern, names)}; known: {', '.join(names)}")
            matched += hits
        for contact in matched:
            stages = contact.stage_names
            if standard.metric not in FIRST_RESPONSE + (RESOLUTION, PROGRESS_UPDATE) and \
                    standard.metric not in stages:
                choices = [*FIRST_RESPONSE, RESOLUTION, PROGRESS_UPDATE, *stages]
                problems.append(
                    f"{path}.metric: '{standard.metric}' is not a metric of {contact.name}"
                    f"{did_you_mean(standard.metric, choices)}; use {', '.join(choices)}")
                break
            if standard.measured_from not in ("arrival",) + stages:
                problems.append(f"{path}.measured_from: {contact.name} has no stage "
                                f"'{standard.measured_from}'; use 'arrival' or a stage name")
                break
        if standard.clock == "business" and matched and scenario.opening_hours is None and all(
            scenario.channels[c.channel].opening_hours is None
            and scenario.contact_types.get(c.name, ContactTypeSpec()).opening_hours is None
            for c in matched
        ):
            problems.append(f"{path}.clock: business hours need 'opening_hours' in the scenario")


def _check_pools(scenario: Scenario, resolved: list[ContactType], problems: list[str]) -> None:
    names = [c.name for c in resolved]
    seen: set[str] = set()
    for i, pool in enumerate(scenario.pools):
        if pool.name in seen:
            problems.append(f"pools[{i}].name: '{pool.name}' is used by two pools")
        seen.add(pool.name)
        rules = scenario.shift_rules.get(pool.shift_rules or "")
        if rules is not None and rules.start_granularity % scenario.interval_s:
            step = format_duration(scenario.interval_s)
            problems.append(f"shift_rules.{pool.shift_rules}.start_granularity: "
                            f"{format_duration(rules.start_granularity)} is not a multiple of "
                            f"the {step} interval; use {step} or a multiple of it, or leave "
                            "it out to start shifts on the interval grid")
        if pool.shift_rules is not None and pool.shift_rules not in scenario.shift_rules:
            problems.append(f"pools[{i}].shift_rules: no rules '{pool.shift_rules}'"
                            f"{did_you_mean(pool.shift_rules, scenario.shift_rules)} in "
                            "'shift_rules'")
        if pool.staffing is not None:
            try:
                pool.staffing.array(scenario.n_intervals, scenario.interval_s)
            except ValueError as exc:
                problems.append(f"pools[{i}].staffing: {exc}")
        for j, skill in enumerate(pool.skills):
            for k, pattern in enumerate(skill.contacts):
                hits = [c for c in resolved if _matches(pattern, c.name)]
                if not hits:
                    problems.append(f"pools[{i}].skills[{j}].contacts[{k}]: '{pattern}' matches "
                                    f"no contact type{did_you_mean(pattern, names)}; known: "
                                    f"{', '.join(names)}")
                elif skill.stage is not None and not any(skill.stage in c.stage_names
                                                         for c in hits):
                    problems.append(f"pools[{i}].skills[{j}].stage: no contact type matching "
                                    f"'{pattern}' has a stage '{skill.stage}'")
    if problems:
        return
    for contact in resolved:
        for stage in contact.stage_names:
            if not scenario.serving_pools(contact, stage):
                what = contact.name if len(contact.stage_names) == 1 else \
                    f"stage '{stage}' of {contact.name}"
                problems.append(f"pools: no pool serves {what}; add a skill for it")
