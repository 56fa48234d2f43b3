"""Reading scenario files, and turning validation failures into messages a
planner can act on: the file, the field path, what is expected."""

from __future__ import annotations

import copy

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from svcsim.scenario.errors import ScenarioError, did_you_mean, format_path
from svcsim.scenario.model import Scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file.

    Data files it names (CSV volumes, staffing, samples) are resolved relative
    to the scenario file's folder.

    Raises
    ------
    ScenarioError
        When the file is missing, is not valid YAML, or does not validate; the
        message names the file and the field path of every problem.
    """
    path = Path(path)
    return scenario_from_dict(read_yaml(path), source=str(path), base_dir=path.parent)


def read_yaml(path: Path) -> Any:
    """The parsed YAML file; a missing, unreadable or malformed file raises a
    ScenarioError naming it (and the line, for YAML errors)."""
    source = str(path)
    if not path.is_file():
        raise ScenarioError(source, [("", "file not found")])
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [("", _yaml_message(exc))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(source, [("", f"cannot read the file: {exc}")]) from None


def scenario_from_dict(
    data: Any, source: str = "<dict>", base_dir: str | Path = "."
) -> Scenario:
    """Validate a scenario given as a mapping (the parsed YAML).

    Raises
    ------
    ScenarioError
        Naming ``source`` and the field path of every problem.
    """
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(source, [("", f"the file is {kind}; expected a mapping of keys "
                                          "(name, horizon, channels, tiers, pools, ...)")])
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": str(base_dir)})
    except ValidationError as exc:
        raise ScenarioError(source, validation_problems(exc, data)) from None
    scenario._document = (copy.deepcopy(data), str(base_dir))
    return scenario


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors that validate YAML."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "svcsim scenario"
    return schema


def scenario_json_schema_text() -> str:
    return json.dumps(scenario_json_schema(), indent=2)


def _yaml_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return f"malformed YAML{where}: {problem}; check the indentation and quoting there"


def validation_problems(exc: ValidationError, data: Any) -> list[tuple[str, str]]:
    """Each validation error as (field path in ``data``, a planner's message)."""
    problems: dict[str, str] = {}
    too_short: dict[str, str] = {}
    for error in exc.errors():
        loc = _data_path(error["loc"], data, keep_last=error["type"] == "missing")
        message = _message(error)
        if not loc and error["type"] == "value_error" and "\n" in message or (
            not loc and ": " in message and error["type"] == "value_error"
        ):
            for line in message.splitlines():
                path, _, text = line.partition(": ")
                problems.setdefault(path, text)
            continue
        path = format_path(loc)
        if error["type"] == "too_short" and error.get("input"):
            too_short[path] = message  # unless its items' own errors say what is wrong
            continue
        # Of a union's failed branches, the one that reached a value check says most.
        if path not in problems or error["type"] == "value_error":
            problems[path] = message
    for path, message in too_short.items():
        if not any(other.startswith(path) for other in problems):
            problems[path] = message
    return list(problems.items())


def _data_path(loc: tuple[Any, ...], data: Any, keep_last: bool) -> list[Any]:
    """Keep the parts of a pydantic location that are keys of the user's data
    (dropping union branch labels such as ``lognormal`` or ``function-before``)."""
    path, node = [], data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif keep_last and i == len(loc) - 1 and isinstance(part, str):
            path.append(part)  # a missing key
    return path



def _message(error: dict[str, Any]) -> str:
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    got = f", got {value!r}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        return "is required but missing"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
              "less_than": "<"}[kind]
        bound = next(iter(ctx.values()))
        return f"must be {op} {bound}{got}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number{got}"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number{got}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        return f"must be one of {expected}{got}{did_you_mean(str(value), options)}"
    if kind == "union_tag_invalid":
        return (f"'{ctx.get('tag')}' is not a known {ctx.get('discriminator')}"
                f"{did_you_mean(str(ctx.get('tag')), _tags(ctx))}; use one of "
                f"{ctx.get('expected_tags')}")
    if kind == "union_tag_not_found":
        return f"needs a {ctx.get('discriminator')} key (exponential, lognormal, gamma, " \
               "deterministic, uniform, empirical or phases)"
    if kind in ("too_short", "too_long"):
        return str(error["msg"]).replace("List", "the list").replace("Tuple", "the list") + got
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return f"must be a mapping of keys{got}"
    if kind in ("list_type", "tuple_type"):
        return f"must be a list{got}"
    if kind == "string_pattern_mismatch":
        return f"must be a name that starts with a letter or '_' (no spaces){got}"
    return f"{error['msg']}{got}"


def _tags(ctx: dict[str, Any]) -> list[str]:
    return [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
