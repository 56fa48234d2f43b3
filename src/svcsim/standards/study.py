"""Study files: a base scenario and the variants an analyst wants to test.

```yaml
name: Tighter premier response
base: ../tiered_service_desk.yaml       # relative to this file
replications: 10
seed: 7
variants:
  - name: premier first contact 10 min
    changes:
      - standard: "95% of ticket/premier: first_contact within 15m"
        within: 10m
  - name: 20 % more calls
    changes:
      - {channel: hotline, volume: x1.2}
```

Instead of (or as well as) variants, a ``sweep`` (one change with one or two
fields given as lists) or a ``frontier`` (standards and the target percents
to plan each at: ``{standards: [...], percent: [70, 80, 90, 95]}``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from svcsim.scenario import Scenario, ScenarioError, scenario_from_dict
from svcsim.scenario.base import Spec
from svcsim.scenario.errors import did_you_mean, shown
from svcsim.scenario.load import read_yaml, validation_problems
from svcsim.scenario.standards import Percent
from svcsim.standards.overlays import apply_changes


class Variant(Spec):
    """A named set of changes to the base scenario."""

    name: str = Field(min_length=1)
    changes: tuple[dict[str, Any], ...] = Field(min_length=1)


class Sweep(Spec):
    """One change with one or two fields given as a list of values: a variant
    for each value (each pair: the grid), e.g. ``{channel: phone, volume:
    [x0.8, x0.9, x1.0, x1.1, x1.2]}`` or ``{standard: ..., percent: [70, 80,
    90]}`` (the cost of each point of service)."""

    change: dict[str, Any]

    @field_validator("change")
    @classmethod
    def _grid(cls, change: dict[str, Any]) -> dict[str, Any]:
        swept = [k for k, v in change.items() if isinstance(v, list)]
        if not 1 <= len(swept) <= 2:
            raise ValueError("give one or two fields as a list of values to sweep over, e.g. "
                             "volume: [x0.8, x1.0, x1.2]")
        for key in swept:
            if len(change[key]) < 2:
                raise ValueError(f"'{key}': sweep over two values or more")
        return change

    def points(self) -> list[dict[str, Any]]:
        """The values of the swept fields at each point of the grid."""
        swept = [k for k, v in self.change.items() if isinstance(v, list)]
        return [dict(zip(swept, values, strict=True))
                for values in itertools.product(*(self.change[k] for k in swept))]


class FrontierSpec(Spec):
    """The cost of each point of service: each named standard planned at each
    target percent in turn, the other standards as they are, e.g.
    ``{standards: ["80/20 every half hour"], percent: [70, 80, 90, 95]}``."""

    standards: tuple[str, ...] = Field(
        min_length=1, description="standards by name or label, as svcsim prints them")
    percent: tuple[Percent, ...] = Field(min_length=2, description="the targets to plan for")

    @field_validator("percent")
    @classmethod
    def _ascending(cls, percent: tuple[float, ...]) -> tuple[float, ...]:
        if list(percent) != sorted(set(percent)):
            raise ValueError("list each target once, lowest first, e.g. [70, 80, 90, 95]")
        return percent


@dataclass(frozen=True)
class FrontierPoint:
    """One point of a frontier: ``standard`` (the base's label) planned at
    ``percent``; ``variant`` names its scenario, ``base`` when the percent
    is today's."""

    standard: str
    percent: float
    variant: str


class Study(Spec):
    """A base scenario and its variants, a sweep, or a frontier."""

    name: str
    base: str = Field(description="the base scenario file, relative to the study file")
    replications: int = Field(10, ge=2, description="per simulation")
    seed: int = Field(7, ge=0, description="the same for every simulation (common random numbers)")
    variants: tuple[Variant, ...] = ()
    sweep: Sweep | None = None
    frontier: FrontierSpec | None = None

    @field_validator("variants")
    @classmethod
    def _unique(cls, variants: tuple[Variant, ...]) -> tuple[Variant, ...]:
        names = [v.name for v in variants]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"variant names must differ: {', '.join(twice)} appear twice")
        if "base" in names:
            raise ValueError("'base' names the base scenario; call the variant something else")
        return variants

    @model_validator(mode="after")
    def _something(self) -> Study:
        if not self.variants and self.sweep is None and self.frontier is None:
            raise ValueError("give 'variants' (changes to compare), a 'sweep' or a 'frontier'")
        return self


@dataclass(frozen=True)
class LoadedStudy:
    """A validated study: the base scenario and each variant's scenario. A
    sweep's points are variants named by their values; a frontier's points
    are kept apart (``frontier_variants``), as only ``svcsim frontier`` plans
    them."""

    study: Study
    base: Scenario
    variants: dict[str, Scenario]
    points: dict[str, dict[str, Any]] = field(default_factory=dict)  # sweep variant -> values
    frontier: tuple[FrontierPoint, ...] = ()
    frontier_variants: dict[str, Scenario] = field(default_factory=dict)


def load_study(path: str | Path, replications: int | None = None) -> LoadedStudy:
    """Read a study file, its base scenario, and build every variant.

    ``replications`` (per simulation, at least 2) replaces the file's, e.g.
    for a quicker first look in a notebook: each plan then certifies with up
    to eight times as many.

    Raises
    ------
    ScenarioError
        Naming the study file and the field path (``variants[1].changes[0]``)
        of a problem in the study, or the base file and its field for a
        problem there; a variant whose changes make an invalid scenario is
        reported with the variant's path.
    """
    path = Path(path)
    data = read_yaml(path)
    if replications is not None and isinstance(data, dict):
        data = {**data, "replications": replications}
    return study_from_dict(data, source=str(path), base_dir=path.parent)


def study_from_dict(data: Any, source: str = "<study>", base_dir: str | Path = ".") -> LoadedStudy:
    """A study given as a mapping (the parsed YAML, or written in a notebook);
    its ``base`` is relative to ``base_dir``. Raises as ``load_study``,
    naming ``source``."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [("", "expected a mapping: name, base, variants")])
    try:
        study = Study.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, validation_problems(exc, data)) from None
    base_path = (Path(base_dir) / study.base).resolve()
    if not base_path.is_file():
        raise ScenarioError(source, [("base", f"no scenario file at {base_path}")])
    document = read_yaml(base_path)
    base = scenario_from_dict(document, source=str(base_path), base_dir=base_path.parent)
    labels = [standard.label for standard in base.standards]
    variants: dict[str, Scenario] = {}
    planned = [(v.name, list(v.changes), f"variants[{i}].changes")
               for i, v in enumerate(study.variants)]
    points = {}
    if study.sweep is not None:
        for values in study.sweep.points():
            name = ", ".join(f"{key} {value}" for key, value in values.items())
            points[name] = values
            planned.append((name, [{**study.sweep.change, **values}], "sweep.change"))
    for name, changes, where in planned:
        variants[name] = _variant(document, changes, labels, source, where, name, base_path)
    frontier, frontier_variants = [], {}
    for i, label in enumerate(study.frontier.standards if study.frontier else ()):
        where = f"frontier.standards[{i}]"
        today = _standard(base, label, labels, source, where)
        for percent in study.frontier.percent:
            name = f"{today.label} at {percent:g}%"
            if percent == today.percent:
                name = "base"
            else:
                frontier_variants[name] = _variant(
                    document, [{"standard": label, "percent": percent}], labels, source,
                    where, name, base_path)
            frontier.append(FrontierPoint(today.label, percent, name))
    return LoadedStudy(study, base, variants, points, tuple(frontier), frontier_variants)


def with_changes(scenario: str | Path | Scenario, changes: list[dict[str, Any]]) -> Scenario:
    """A scenario with ``changes`` applied, as a study variant's are, e.g.
    ``with_changes("ecommerce_peak.yaml", [{"channel": "phone", "volume":
    "x1.15"}])``: for a what-if in a notebook.

    Parameters
    ----------
    scenario : str, Path or Scenario
        A scenario file, or a Scenario loaded from one (or from a mapping,
        or made by ``with_changes``); the original is not changed.
    changes : list of dict
        Changes as a study file writes them (docs/studies.md).

    Raises
    ------
    ScenarioError
        For a change that names nothing in the scenario, or a Scenario that
        was not built from a file or mapping (use ``Scenario.replace``).
    """
    if isinstance(scenario, Scenario):
        if scenario._document is None:
            raise ScenarioError(scenario.name, [("", "with_changes needs a scenario loaded from "
                                                 "a file or a mapping; for this one use "
                                                 "scenario.replace(...)")])
        document, folder = scenario._document
        source, base_path = f"<scenario '{scenario.name}'>", Path(folder) / "scenario.yaml"
        base = scenario
    else:
        base_path = Path(scenario)
        document = read_yaml(base_path)
        source = str(base_path)
        base = scenario_from_dict(document, source=source, base_dir=base_path.parent)
    if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
        raise ScenarioError(source, [("changes", "expected a list of changes, each a mapping "
                                      "such as {'channel': 'phone', 'volume': 'x1.2'}, got "
                                      f"{shown(changes)}")])
    labels = [standard.label for standard in base.standards]
    return _variant(document, changes, labels, source, "changes", "changed", base_path.resolve())


def _variant(document: dict, changes: list[dict], labels: list[str], source: str, where: str,
             name: str, base_path: Path) -> Scenario:
    """The base document with ``changes`` applied, validated as a scenario."""
    changed = apply_changes(document, changes, labels, source, where)
    try:
        return scenario_from_dict(changed, source=f"{source}: variant '{name}'",
                                  base_dir=base_path.parent)
    except ScenarioError as exc:
        raise ScenarioError(exc.source, [(p, f"{m} (after the changes of {where})")
                                         for p, m in exc.problems]) from None


def _standard(base: Scenario, name: str, labels: list[str], source: str, where: str):
    """The base's standard called ``name`` (its name or label)."""
    for standard, label in zip(base.standards, labels, strict=True):
        if name == label:
            return standard
    raise ScenarioError(source, [(where, f"no standard '{name}' in the base"
                                  f"{did_you_mean(name, labels)}; standards: "
                                  + "; ".join(labels))])


__all__ = ["FrontierPoint", "FrontierSpec", "LoadedStudy", "Study", "Sweep", "Variant", "load_study",
           "study_from_dict", "with_changes"]
