"""Overlays: a variant's changes applied to a base scenario's document.

A change names what it changes by one key and sets fields on it:

* ``standard: NAME`` (its name, or its label as svcsim prints it, such as
  ``95% of ticket/premier: first_contact within 15m``) with any standard
  field: ``percent``, ``within``, ``scope``, ``interval_floor``, ...;
* ``channel: NAME`` with ``volume`` and ``handle_time`` as a factor
  (``x1.2``: 20 % more) or a new value, and any channel field
  (``deflection``, ``fcr``, ``patience``, ...);
* ``tier: NAME`` with ``share``, ``priority``, ``head_start``, ...;
* ``pool: NAME`` with ``skills``, ``headcount``, ``shrinkage``, ...;
* ``add_standard:`` a whole new standard (the fields of a scenario's
  ``standards`` entry), for a promise the base does not make yet.

The base document is not touched; the result is validated as a scenario
by the caller, so a field a scenario does not have is reported there.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from svcsim.scenario import ScenarioError
from svcsim.scenario.errors import did_you_mean

KINDS = ("standard", "channel", "tier", "pool")
ADD_STANDARD = "add_standard"
RESTATED = {"percent", "within", "every", "metric", "contacts"}
"""Standard fields that change its promise: a changed standard keeps its name
only when the change gives one."""
_FACTOR = re.compile(r"^\s*[x×]\s*(\d+(?:\.\d*)?|\.\d+)\s*$")


def apply_changes(base: dict, changes: list[dict], labels: list[str], source: str,
                  where: str) -> dict:
    """A copy of the scenario document ``base`` with ``changes`` applied;
    ``labels`` are the base's standards' labels, in order.

    Raises
    ------
    ScenarioError
        Naming ``source`` and ``where`` (e.g. ``variants[1].changes[0]``)
        for a change that names nothing, or something the base lacks.
    """
    data = copy.deepcopy(base)
    for i, change in enumerate(changes):
        path = f"{where}[{i}]"
        if isinstance(change, dict) and ADD_STANDARD in change:
            _add_standard(data, change, source, path)
            continue
        kinds = [k for k in KINDS if k in change]
        if len(kinds) != 1:
            raise ScenarioError(source, [(path, "name exactly one of " + ", ".join(
                f"'{k}'" for k in KINDS) + " to say what the change applies to (or "
                f"'{ADD_STANDARD}' for a new standard)")])
        kind = kinds[0]
        fields = {k: v for k, v in change.items() if k != kind}
        if not fields:
            raise ScenarioError(source, [(path, f"says which {kind} but changes nothing")])
        target = _find(data, kind, str(change[kind]), labels, source, path)
        if kind == "standard" and "name" not in fields and set(fields) & RESTATED:
            target.pop("name", None)  # the old name would misstate the new promise
        for key, value in fields.items():
            _set(target, kind, key, value, source, f"{path}.{key}")
    return data


def _add_standard(data: dict, change: dict, source: str, path: str) -> None:
    """Append the change's new standard to the document's standards."""
    extra = [k for k in change if k != ADD_STANDARD]
    if extra:
        raise ScenarioError(source, [(path, f"'{ADD_STANDARD}' stands alone in its change; "
                                      f"move {', '.join(map(repr, extra))} to another change")])
    standard = change[ADD_STANDARD]
    if not isinstance(standard, dict):
        raise ScenarioError(source, [(f"{path}.{ADD_STANDARD}", "give the new standard's "
                                      "fields, e.g. {name: 'premier 90/15', contacts: "
                                      "phone/premier, percent: 90, within: 15s}")])
    data["standards"] = [*(data.get("standards") or []), copy.deepcopy(standard)]


def _find(data: dict, kind: str, name: str, labels: list[str], source: str,
          path: str) -> dict:
    if kind == "standard":
        items = data.get("standards") or []
        for item, label in zip(items, labels, strict=True):
            if name == label:
                return item
        raise ScenarioError(source, [(f"{path}.standard", f"no standard '{name}' in the base"
                                      f"{did_you_mean(name, labels)}; standards: "
                                      + "; ".join(labels))])
    if kind == "pool":
        items = data.get("pools") or []
        names = [p.get("name") for p in items]
        for item in items:
            if item.get("name") == name:
                return item
        raise ScenarioError(source, [(f"{path}.pool", f"no pool '{name}' in the base"
                                      f"{did_you_mean(name, names)}")])
    table = data.get("channels" if kind == "channel" else "tiers") or {}
    if name not in table:
        raise ScenarioError(source, [(f"{path}.{kind}", f"no {kind} '{name}' in the base"
                                      f"{did_you_mean(name, list(table))}")])
    return table[name]


def _set(target: dict, kind: str, key: str, value: Any, source: str, path: str) -> None:
    factor = factor_of(value)
    if factor is not None and factor <= 0:
        raise ScenarioError(source, [(path, f"the factor {value!r} must be above x0: x0 leaves "
                                      "no work to plan or staff; give e.g. 'x0.5', or leave "
                                      "the channel out of the study")])
    if kind == "channel" and key == "volume":
        if factor is None:
            raise ScenarioError(source, [(path, "give the volume as a factor such as 'x1.2'")])
        _scale_arrivals(target.setdefault("arrivals", {}), factor, source, path)
        return
    if kind == "channel" and key == "handle_time" and factor is not None:
        handle = target.get("handle_time")
        if not isinstance(handle, dict) or "mean" not in handle:
            raise ScenarioError(source, [(path, "the base handle time has no 'mean' to scale; "
                                          "give the whole distribution instead")])
        handle["mean"] = _scaled(handle["mean"], factor, source, path)
        return
    if factor is not None:
        hint = did_you_mean(key, ["volume", "handle_time"]) if kind == "channel" else ""
        raise ScenarioError(source, [(path, f"a factor ('x1.2') applies to a channel's volume "
                                      f"and handle_time only{hint}; give the new value")])
    target[key] = value


def factor_of(value: Any) -> float | None:
    """The factor of a value written like ``x1.2``, else None."""
    if isinstance(value, str):
        match = _FACTOR.match(value)
        if match:
            return float(match.group(1))
    return None


def _scale_arrivals(arrivals: dict, factor: float, source: str, path: str) -> None:
    if "daily_total" in arrivals:
        arrivals["daily_total"] = _scaled(arrivals["daily_total"], factor, source, path)
    volumes = arrivals.get("volumes")
    if isinstance(volumes, list):
        arrivals["volumes"] = [_scaled(v, factor, source, path) for v in volumes]
    elif isinstance(volumes, dict) and isinstance(volumes.get("values"), list):
        volumes["values"] = [_scaled(v, factor, source, path) for v in volumes["values"]]
    elif "daily_total" not in arrivals:
        raise ScenarioError(source, [(path, "the base gives no volumes or daily_total to "
                                      "scale (volumes from a CSV file cannot be scaled)")])


def _scaled(value: Any, factor: float, source: str, path: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        from svcsim.scenario.units import parse_duration

        try:  # a duration such as '4m'
            return parse_duration(value) * factor
        except ValueError:
            raise ScenarioError(source, [(path, f"cannot scale {value!r}")]) from None
    return value * factor


__all__ = ["KINDS", "apply_changes"]
