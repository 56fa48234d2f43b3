"""Reading scenario files, and turning validation failures into messages a
planner can act on: the file, the field path, what is expected."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from svcsim.scenario import limits
from svcsim.scenario.errors import ScenarioError, did_you_mean, format_path
from svcsim.scenario.errors import shown as _shown
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
    ScenarioError naming it (and the line, for YAML errors).

    Checked before any validation: the file's size (``MAX_DOCUMENT_BYTES``),
    duplicate keys in a mapping (PyYAML would keep the last silently), the
    number of values once anchors and aliases are expanded
    (``MAX_EXPANDED_VALUES``) and the nesting depth (``MAX_DEPTH``).
    """
    source = str(path)
    if path.is_dir():
        raise ScenarioError(source, [("", "is a folder, not a file; give the path of a "
                                          ".yaml file")])
    if not path.is_file():
        raise ScenarioError(source, [("", "file not found (paths are relative to the "
                                          "working directory)")])
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise ScenarioError(source, [("", f"the file is {size / 2**20:.1f} MB; svcsim reads "
                                          f"YAML files up to {MAX_DOCUMENT_BYTES / 2**20:g} MB: "
                                          "put long series in a CSV file the YAML names")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, [("", f"is not UTF-8 text ({exc.reason} at byte "
                                          f"{exc.start}); save the file as UTF-8")]) from None
    except OSError as exc:
        raise ScenarioError(source, [("", f"cannot read the file: {exc.strerror}")]) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [("", _yaml_message(exc))]) from None
    except RecursionError:
        raise ScenarioError(source, [("", _TOO_DEEP)]) from None
    _check_expansion(data, source)
    return data


MAX_DOCUMENT_BYTES = 4 * 2**20
"""Largest YAML input file, bytes."""

MAX_EXPANDED_VALUES = 1_000_000
"""Most values (scalars, lists, mappings) a YAML document may hold once its
anchors and aliases are expanded."""

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings in a YAML document."""

_TOO_DEEP = (f"lists and mappings are nested more than {MAX_DEPTH} deep; a scenario needs "
             "a handful of levels: check the brackets")


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A key given twice in one YAML mapping."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the base loader reports it
                if first is not key_node:
                    raise _DuplicateKey(
                        None, None,
                        f"the key {_shown(key)} appears twice in one mapping (first at line "
                        f"{first.start_mark.line + 1}); YAML would keep only the last: "
                        "delete or rename one", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _check_expansion(data: Any, source: str) -> None:
    """Refuse documents whose aliases expand past ``MAX_EXPANDED_VALUES``
    values or that nest past ``MAX_DEPTH``; linear in the distinct objects."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    on_path: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        if not isinstance(node, (list, dict)):
            continue
        key = id(node)
        children = list(node.values()) + list(node.keys()) if isinstance(node, dict) \
            else node
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes.get(id(c), 1) for c in children
                                 if id(c) not in on_path)
            if sizes[key] > MAX_EXPANDED_VALUES:
                raise ScenarioError(source, [("", (
                    f"the document holds more than {MAX_EXPANDED_VALUES:,} values once its "
                    "anchors and aliases (&name, *name) are expanded; write the values out "
                    "or reuse fewer aliases"))])
            continue
        if key in sizes or key in on_path:
            continue  # shared through an alias (counted once), or a recursive alias
        if depth > MAX_DEPTH:
            raise ScenarioError(source, [("", _TOO_DEEP)])
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children)


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
    except RecursionError:
        raise ScenarioError(source, [("", _TOO_DEEP)]) from None
    problems = (_twice_named_standards(scenario) or limits.agent_problems(scenario)
                or limits.volume_problems(scenario))
    if problems:
        raise ScenarioError(source, problems)
    scenario._document = (copy.deepcopy(data), str(base_dir))
    return scenario


def _twice_named_standards(scenario: Scenario) -> list[tuple[str, str]]:
    """A standard named like another (by its name or its wording): study
    changes and tables could not tell them apart. Unnamed standards that
    differ only in scope or clock keep their shared wording."""
    labels = [standard.label for standard in scenario.standards]
    problems = []
    for i, standard in enumerate(scenario.standards):
        j = labels.index(standard.label)
        if j != i and (standard.name or scenario.standards[j].name):
            problems.append((f"standards[{i}].name", (
                f"'{standard.label}' also names standards[{j}]; give each standard its own "
                "name")))
    return problems


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
    if isinstance(exc, _DuplicateKey):
        return f"line {mark.line + 1}: {problem}"
    return f"malformed YAML{where}: {problem}; check the indentation and quoting there"


def validation_problems(exc: ValidationError, data: Any) -> list[tuple[str, str]]:
    """Each validation error as (field path in ``data``, a planner's message)."""
    problems: dict[str, str] = {}
    too_short: dict[str, str] = {}
    shape_only: dict[str, str] = {}
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
            if error["type"] in _SHAPE_ERRORS:
                shape_only[path] = message
    for path, message in too_short.items():
        if not any(other.startswith(path) for other in problems):
            problems[path] = message
    # A union's "must be a list/mapping" branch is noise when another branch
    # reached inside the value and says what is wrong there.
    inner = {ancestor for other in problems for ancestor in _ancestors(other)}
    for path in shape_only:
        if problems.get(path) == shape_only[path] and path in inner:
            del problems[path]
    return list(problems.items())


def _ancestors(path: str) -> list[str]:
    """``a.b[2].c`` -> ``a``, ``a.b``, ``a.b[2]``."""
    return [path[:i] for i, char in enumerate(path) if char in ".[" and i]


_SHAPE_ERRORS = {"dict_type", "model_type", "model_attributes_type", "dataclass_type",
                 "list_type", "tuple_type"}


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
    got = f", got {_shown(value)}"  # bounded: the input may be a whole document
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
    if kind == "finite_number":
        return f"must be a finite number (not .inf or .nan){got}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        word = value[:60] if isinstance(value, str) else ""
        return f"must be one of {expected}{got}{did_you_mean(word, options)}"
    if kind == "union_tag_invalid":
        return (f"'{ctx.get('tag')}' is not a known {ctx.get('discriminator')}"
                f"{did_you_mean(str(ctx.get('tag')), _tags(ctx))}; use one of "
                f"{ctx.get('expected_tags')}")
    if kind == "union_tag_not_found":
        return f"needs a {ctx.get('discriminator')} key (exponential, lognormal, gamma, " \
               "deterministic, uniform, empirical or phases)"
    if kind in ("too_short", "too_long"):
        return str(error["msg"]).replace("List", "the list").replace("Tuple", "the list") + str(got)
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return f"must be a mapping of keys{got}"
    if kind in ("list_type", "tuple_type"):
        return f"must be a list{got}"
    if kind == "string_pattern_mismatch":
        return f"must be a name that starts with a letter or '_' (no spaces){got}"
    return f"{error['msg']}{got}"


def _tags(ctx: dict[str, Any]) -> list[str]:
    return [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
