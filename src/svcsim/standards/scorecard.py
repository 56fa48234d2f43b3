"""The weighted quality scorecard: dimensions scored by bands, weighted to 100.

```yaml
name: Service quality
scenario: ../bank_hotline.yaml        # simulated for the metrics below
dimensions:
  - name: response time
    metric: asa                        # simulated: asa, abandon_rate, attainment
    bands: [{points: 10, at_most: 5m}, {points: 5, at_most: 10m}, {points: 0}]
    weight: 20%
  - name: resolution rate
    input: fcr                         # measured, from inputs below
    bands: [{points: 10, at_least: 90%}, {points: 5, at_least: 80%}, {points: 0}]
    weight: 30%
inputs: {fcr: 86%, praise_rate: 7%, nps_promoters: 72%, csat: 78%}
alerts:
  - {input: csat, below: 80%}
```

A dimension scores the points of the first band its value satisfies (bands
best first; the last may have no condition: everything else). The total is
the weighted mean of points (out of 10) times ten: out of 100. Values read
as in scenarios: ``90%`` is a share, ``5m`` a duration in seconds.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator, model_validator

from svcsim.scenario import ScenarioError
from svcsim.scenario.base import Spec
from svcsim.scenario.errors import did_you_mean, shown
from svcsim.scenario.load import read_yaml, validation_problems
from svcsim.scenario.units import parse_duration

METRICS = ("asa", "abandon_rate", "attainment")


def measure(value: Any) -> float:
    """A scorecard value as a number: ``'90%'`` -> 0.9, ``'5m'`` -> 300.0."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, a percent or a duration, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.endswith("%"):
        try:
            return float(text[:-1]) / 100.0
        except ValueError:
            pass
    try:
        return parse_duration(text)
    except ValueError:
        raise ValueError(f"expected a number, a percent ('90%') or a duration ('5m'), "
                         f"got {value!r}") from None


class Band(Spec):
    """Points for values at least (or at most) a threshold; neither: the rest."""

    points: float = Field(ge=0, le=10)
    at_least: float | None = None
    at_most: float | None = None

    @field_validator("at_least", "at_most", mode="before")
    @classmethod
    def _measure(cls, value: Any) -> Any:
        return None if value is None else measure(value)

    @model_validator(mode="after")
    def _one(self) -> Band:
        if self.at_least is not None and self.at_most is not None:
            raise ValueError("give 'at_least' or 'at_most', not both")
        return self

    def holds(self, value: float) -> bool:
        if self.at_least is not None:
            return value >= self.at_least
        if self.at_most is not None:
            return value <= self.at_most
        return True


class Dimension(Spec):
    """One scored dimension, from a simulated metric or a measured input."""

    name: str
    metric: Literal["asa", "abandon_rate", "attainment"] | None = None
    standard: str | None = Field(None, description="for metric 'attainment': which standard")
    input: str | None = None
    bands: tuple[Band, ...] = Field(min_length=1)
    weight: float = Field(ge=0, description="share of the total, e.g. 20%")

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, value: Any) -> Any:
        return measure(value)

    @model_validator(mode="after")
    def _source(self) -> Dimension:
        if (self.metric is None) == (self.input is None):
            raise ValueError("give exactly one of 'metric' (simulated: asa, abandon_rate, "
                             "attainment) or 'input' (a measured value from 'inputs')")
        if self.metric == "attainment" and not self.standard:
            raise ValueError("metric 'attainment' needs 'standard': the standard's name")
        return self


class Alert(Spec):
    """A threshold to flag, on an input or a simulated metric."""

    input: str | None = None
    metric: Literal["asa", "abandon_rate", "attainment"] | None = None
    standard: str | None = None
    below: float | None = None
    above: float | None = None

    @field_validator("below", "above", mode="before")
    @classmethod
    def _measure(cls, value: Any) -> Any:
        return None if value is None else measure(value)

    @model_validator(mode="after")
    def _complete(self) -> Alert:
        if (self.metric is None) == (self.input is None):
            raise ValueError("give exactly one of 'metric' or 'input'")
        if (self.below is None) == (self.above is None):
            raise ValueError("give exactly one of 'below' or 'above'")
        return self


class Scorecard(Spec):
    """Dimensions with bands and weights, measured inputs, and alerts."""

    name: str
    scenario: str | None = Field(None, description="scenario to simulate, relative to this file")
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    inputs: dict[str, float] = Field(default_factory=dict)
    alerts: tuple[Alert, ...] = ()

    @field_validator("inputs", mode="before")
    @classmethod
    def _inputs(cls, value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: measure(v) for k, v in value.items()}
            over = [k for k, v in value.items()
                    if isinstance(v, str) and v.strip().endswith("%") and out[k] > 1]
            if over:
                raise ValueError(f"'{over[0]}': {value[over[0]]} is above 100%; a share is "
                                 "at most 100% (write NPS and other scores as plain numbers)")
            return out
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Scorecard:
        total = sum(d.weight for d in self.dimensions)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"the weights add up to {100 * total:g}%, not 100%")
        missing = sorted({d.input for d in self.dimensions if d.input is not None}
                         - set(self.inputs) | {a.input for a in self.alerts
                                               if a.input is not None} - set(self.inputs))
        if missing:
            raise ValueError(f"no value in 'inputs' for {', '.join(missing)}")
        return self


@dataclass(frozen=True)
class Score:
    """A scored scorecard.

    Attributes
    ----------
    dimensions : pandas.DataFrame
        Per dimension: value and its unit (``share`` or ``seconds``), points
        (0-10), weight, weighted points (out of 100 in all) and points lost,
        weakest first.
    total : float
        Out of 100.
    alerts : list of str
        Thresholds crossed.
    """

    dimensions: pd.DataFrame
    total: float
    alerts: list[str]


def load_scorecard(path: str | Path) -> Scorecard:
    """Read and validate a scorecard file (errors name the file and field)."""
    path = Path(path)
    data = read_yaml(path)
    try:
        return Scorecard.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(str(path), validation_problems(exc, data)) from None


def check_simulated(card: Scorecard, scenario, source: str) -> None:
    """Raise a ScenarioError naming ``source`` and the field when the card
    reads a simulated metric but names no scenario, or the attainment of a
    standard its scenario does not have (checked before simulating)."""
    problems = []
    labels = [standard.label for standard in scenario.standards] if scenario else []
    for kind, items in (("dimensions", card.dimensions), ("alerts", card.alerts)):
        for i, item in enumerate(items):
            if item.metric is None:
                continue
            if scenario is None:
                problems.append((f"{kind}[{i}].metric", (
                    f"'{item.metric}' is simulated, but the card names no 'scenario' to "
                    "simulate: add scenario: <file.yaml> (relative to the card), or score "
                    "it from 'inputs'")))
            elif item.metric == "attainment" and item.standard not in labels:
                problems.append((f"{kind}[{i}].standard", (
                    f"no standard '{item.standard}' in {card.scenario}"
                    f"{did_you_mean(str(item.standard), labels)}; standards: "
                    + "; ".join(labels))))
    if problems:
        raise ScenarioError(source, problems)


def simulated_metrics(result, scenario) -> dict[str, float]:
    """The metrics a scorecard can read off a simulation: ``asa`` (mean wait
    of answered immediate contacts, s), ``abandon_rate`` and, per standard
    name, ``attainment:<name>``."""
    types = result.contact_types
    immediate = {c.name for c in scenario.resolved_contact_types if c.kind == "immediate"}
    rows = types[types["contact_type"].isin(immediate)]
    answered = rows["answered"].sum()
    out = {"asa": float((rows["asa_s"] * rows["answered"]).sum() / answered) if answered
           else float("nan"),
           "abandon_rate": float((rows["abandon_rate"] * rows["offered"]).sum()
                                 / max(rows["offered"].sum(), 1))}
    for standard, attained in zip(scenario.standards, result.standards["attainment"],
                                  strict=True):
        out[f"attainment:{standard.label}"] = float(attained)
    return out


def score(card: Scorecard, metrics: dict[str, float] | None = None) -> Score:
    """Score the card from simulated ``metrics`` and its measured inputs.

    Raises
    ------
    ScenarioError
        A metric the card reads is missing from ``metrics`` or is not a number.
    """
    metrics = metrics or {}
    wrong = [(f"metrics[{key!r}]", f"must be a number, got {shown(value)}")
             for key, value in metrics.items()
             if not isinstance(value, numbers.Real) or isinstance(value, bool)]
    if wrong:
        raise ScenarioError("score()", wrong)
    rows = []
    for dimension in card.dimensions:
        value = _value(dimension, card, metrics)
        points = next((b.points for b in dimension.bands if b.holds(value)), 0.0) \
            if np.isfinite(value) else 0.0
        seconds = dimension.metric == "asa" or (dimension.metric is None and value > 1)
        rows.append({"dimension": dimension.name, "value": value,
                     "unit": "seconds" if seconds else "share", "points": points,
                     "weight": dimension.weight, "score": 10 * points * dimension.weight,
                     "lost": 10 * (10 - points) * dimension.weight})
    table = pd.DataFrame(rows).sort_values("lost", ascending=False, kind="stable")
    alerts = []
    for alert in card.alerts:
        value = _value(alert, card, metrics)
        name = alert.input or alert.metric
        if alert.below is not None and value < alert.below:
            alerts.append(f"{name} {_show(value)} is below {_show(alert.below)}")
        if alert.above is not None and value > alert.above:
            alerts.append(f"{name} {_show(value)} is above {_show(alert.above)}")
    return Score(table.reset_index(drop=True), float(table["score"].sum()), alerts)


def _value(item, card: Scorecard, metrics: dict[str, float]) -> float:
    if item.input is not None:
        return card.inputs[item.input]
    key = item.metric if item.metric != "attainment" else f"attainment:{item.standard}"
    if key not in metrics:
        known = ", ".join(k.split(":", 1)[-1] for k in metrics if k.startswith("attainment:"))
        raise ScenarioError(f"scorecard '{card.name}'", [(
            f"{item.metric}", f"no simulated value for '{key}'"
            + (f"; standards: {known}" if known else ""))])
    return metrics[key]


def _show(value: float) -> str:
    return f"{100 * value:.1f}%" if abs(value) <= 1 else f"{value:g}"


__all__ = ["Score", "Scorecard", "check_simulated", "load_scorecard", "measure", "score",
           "simulated_metrics"]
