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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator

from svcsim.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict
from svcsim.scenario.base import Spec
from svcsim.scenario.load import validation_problems
from svcsim.standards.overlays import apply_changes


class Variant(Spec):
    """A named set of changes to the base scenario."""

    name: str = Field(min_length=1)
    changes: tuple[dict[str, Any], ...] = Field(min_length=1)


class Study(Spec):
    """A base scenario and its variants."""

    name: str
    base: str = Field(description="the base scenario file, relative to the study file")
    replications: int = Field(10, ge=2, description="per simulation")
    seed: int = Field(7, ge=0, description="the same for every simulation (common random numbers)")
    variants: tuple[Variant, ...] = Field(min_length=1)

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


@dataclass(frozen=True)
class LoadedStudy:
    """A validated study: the base scenario and each variant's scenario."""

    study: Study
    path: Path
    base: Scenario
    variants: dict[str, Scenario]


def load_study(path: str | Path) -> LoadedStudy:
    """Read a study file, its base scenario, and build every variant.

    Raises
    ------
    ScenarioError
        Naming the study file and the field path (``variants[1].changes[0]``)
        of a problem in the study, or the base file and its field for a
        problem there; a variant whose changes make an invalid scenario is
        reported with the variant's path.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise ScenarioError(source, [("", "file not found")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [("", f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise ScenarioError(source, [("", "expected a mapping: name, base, variants")])
    try:
        study = Study.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, validation_problems(exc, data)) from None
    base_path = (path.parent / study.base).resolve()
    if not base_path.is_file():
        raise ScenarioError(source, [("base", f"no scenario file at {base_path}")])
    base = load_scenario(base_path)
    document = yaml.safe_load(base_path.read_text(encoding="utf-8"))
    labels = [standard.label for standard in base.standards]
    variants = {}
    for i, variant in enumerate(study.variants):
        where = f"variants[{i}].changes"
        changed = apply_changes(document, list(variant.changes), labels, source, where)
        try:
            variants[variant.name] = scenario_from_dict(
                changed, source=f"{source}: variant '{variant.name}'", base_dir=base_path.parent)
        except ScenarioError as exc:
            raise ScenarioError(exc.source, [(p, f"{m} (after the changes of {where})")
                                             for p, m in exc.problems]) from None
    return LoadedStudy(study, path, base, variants)


__all__ = ["LoadedStudy", "Study", "Variant", "load_study"]
