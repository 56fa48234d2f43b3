"""Property tests: mutated input files either load or raise the documented
error, never anything else; the CLI exits 0 or 2 on them, never with a
traceback.

The mutations start from the shipped scenarios, studies, scorecards and the
CSV tables svcsim itself writes, and change them the way users and their
tools do: a value replaced by one of the wrong kind or size (``.inf``,
``.nan``, ``true``, ``-1``, ``1e30``, an empty list, a deep list), a key
deleted, misspelt or given twice, a CSV cell edited, a row given an extra
field, a column repeated, a line cut short.
"""

from __future__ import annotations

import copy
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SCENARIOS
from svcsim.cli import main
from svcsim.queueing.erlang import UnreachableTarget
from svcsim.roster.requirements_file import read_requirements
from svcsim.scenario import ScenarioError, load_scenario
from svcsim.sim.staffing import scheduled_staffing
from svcsim.standards import load_study
from svcsim.standards.scorecard import load_scorecard

EXAMPLES = int(os.environ.get("SVCSIM_FUZZ_EXAMPLES", "40"))
"""Examples per property: kept small for CI (a fixed, derandomized set);
raise it by hand for a deeper search (SVCSIM_FUZZ_EXAMPLES=1000)."""

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))
STUDY_FILES = sorted((SCENARIOS / "studies").glob("*.yaml"))
CARD_FILES = sorted((SCENARIOS / "scorecards").glob("*.yaml"))

NASTY = [None, True, False, 0, -1, 1e30, 10**30, math.inf, -math.inf, math.nan, "", "x",
         "100%", "-5%", "1e9", "24:61", "1h-5m", "大客户", [], {}, [1, 2], [[[[[]]]]],
         {"unknown": 1}, "x0", "x-1", 100, 0.5, "30s", [math.nan], ["x"] * 3]


def _paths(node, prefix=()):
    """Every (path, value) in a parsed YAML tree."""
    yield prefix, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _mutate(data, draw):
    """One structural mutation of ``data`` (a copy), chosen by ``draw``."""
    data = copy.deepcopy(data)
    paths = [p for p, _ in _paths(data) if p]
    path = draw(st.sampled_from(paths))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "rename", "add"]))
    if action == "replace":
        parent[key] = copy.deepcopy(draw(st.sampled_from(NASTY)))
    elif action == "delete":
        del parent[key]
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{key}e"] = parent.pop(key)
    elif action == "add" and isinstance(parent, dict):
        parent["extra_key"] = draw(st.sampled_from(NASTY))
    elif isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    return data


def _text_mutation(text: str, draw) -> str:
    """A textual edit: a line duplicated (a repeated key), cut, or a character
    inserted."""
    lines = text.splitlines()
    i = draw(st.integers(0, len(lines) - 1))
    kind = draw(st.sampled_from(["duplicate", "cut", "insert", "truncate"]))
    if kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "cut":
        lines[i] = lines[i][: len(lines[i]) // 2]
    elif kind == "insert":
        char = draw(st.sampled_from(["&a ", "*a", "[", "{", ":", "\t", "!!python/none ", "%"]))
        pos = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:pos] + char + lines[i][pos:]
    else:
        lines = lines[: i + 1]
    return "\n".join(lines) + "\n"


def _dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@st.composite
def mutated_documents(draw, files):
    """(source file, mutated text) of one of ``files``."""
    source = draw(st.sampled_from(files))
    text = source.read_text(encoding="utf-8")
    if draw(st.booleans()):
        return source, _text_mutation(text, draw)
    return source, _dump(_mutate(yaml.safe_load(text), draw))


def _write_beside(tmp_path: Path, source: Path, text: str) -> Path:
    """The mutated file, where relative paths in it (a study's base, a card's
    scenario) still resolve: a copy of the shipped tree in ``tmp_path``."""
    tree = tmp_path / "scenarios"
    if not tree.exists():
        import shutil

        shutil.copytree(SCENARIOS, tree)
    target = tree / source.relative_to(SCENARIOS).parent / f"mutated_{source.name}"
    target.write_text(text, encoding="utf-8")
    return target


LOADERS = {"scenario": (SCENARIO_FILES, load_scenario), "study": (STUDY_FILES, load_study),
           "scorecard": (CARD_FILES, load_scorecard)}


@pytest.mark.parametrize("kind", sorted(LOADERS))
@FUZZ
@given(data=st.data())
def test_mutated_yaml_files_load_or_raise_scenario_error(tmp_path_factory, kind, data):
    files, load = LOADERS[kind]
    path = _write_beside(tmp_path_factory.mktemp(kind), *data.draw(mutated_documents(files)))
    try:
        load(path)
        return
    except ScenarioError as exc:
        message = str(exc)
    assert str(path) in message  # a study's errors name the study or its base
    assert len(message) < 20_000


# CSV tables: the requirements svcsim writes for bank_hotline, and a staffing
# table in the wide form simulate reads.

@pytest.fixture(scope="module")
def bank():
    return load_scenario(SCENARIOS / "bank_hotline.yaml")


@pytest.fixture(scope="module")
def requirements_csv(bank):
    from svcsim.queueing import requirements

    return requirements(bank).pools.to_csv(index=False)


@pytest.fixture(scope="module")
def staffing_csv(bank):
    table = pd.DataFrame({"start": bank.interval_labels(),
                          bank.pools[0].name: np.full(bank.n_intervals, 40)})
    return table.to_csv(index=False)


CELLS = ["", "x", "-1", "1.5", "inf", "nan", "1e12", "12,5", "０", "40;41", "\"", "1e400"]


@st.composite
def csv_mutations(draw):
    """A function mutating CSV text the way spreadsheets and hands do."""
    kind = draw(st.sampled_from(["cell", "extra_field", "drop_row", "repeat_column",
                                 "semicolons", "cut", "blank_line", "header"]))
    row = draw(st.integers(0, 60))
    column = draw(st.integers(0, 12))
    cell = draw(st.sampled_from(CELLS))

    def mutate(text: str) -> str:
        lines = text.splitlines()
        i = row % len(lines)
        fields = lines[i].split(",")
        j = column % len(fields)
        if kind == "cell":
            fields[j] = cell
            lines[i] = ",".join(fields)
        elif kind == "extra_field":
            lines[i] += ",extra"
        elif kind == "drop_row" and i:
            del lines[i]
        elif kind == "repeat_column":
            lines = [line + "," + line.split(",")[j] for line in lines]
        elif kind == "semicolons":
            lines = [line.replace(",", ";") for line in lines]
        elif kind == "cut":
            lines[i] = lines[i][: len(lines[i]) // 2]
        elif kind == "blank_line":
            lines.insert(i, "")
        else:
            fields[j] = cell or "pool"
            lines[0] = ",".join(fields) if i == 0 else lines[0]
        return "\n".join(lines) + "\n"

    return mutate


@pytest.mark.parametrize("kind", ["requirements", "staffing"])
@FUZZ
@given(mutate=csv_mutations())
def test_mutated_csv_tables_read_or_raise_staffing_error(tmp_path_factory, bank, kind,
                                                         requirements_csv, staffing_csv,
                                                         mutate):
    text, read = {"requirements": (requirements_csv, read_requirements),
                  "staffing": (staffing_csv, scheduled_staffing)}[kind]
    path = tmp_path_factory.mktemp("r") / f"{kind}.csv"
    path.write_text(mutate(text), encoding="utf-8")
    try:
        table = read(path, bank) if kind == "requirements" else read(bank, path)
    except ScenarioError as exc:
        message = str(exc)
    else:
        message = None
    if message is not None:
        assert str(path) in message
        return
    for values in table.values():
        assert np.all(np.isfinite(values)) and np.all(values >= 0)


# The CLI over the same mutations, in process: exit 0 or 2, never a traceback.

def _cli(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    return result


@FUZZ
@given(document=mutated_documents(SCENARIO_FILES))
def test_cli_validate_on_mutated_scenarios(tmp_path_factory, document):
    path = _write_beside(tmp_path_factory.mktemp("v"), *document)
    _cli("validate", str(path))


@settings(FUZZ, max_examples=max(EXAMPLES // 3, 5))
@given(document=mutated_documents([SCENARIOS / "bank_hotline.yaml",
                                   SCENARIOS / "bank_hotline_daily.yaml"]))
def test_cli_requirements_on_mutated_scenarios(tmp_path_factory, document):
    folder = tmp_path_factory.mktemp("q")
    path = _write_beside(folder, *document)
    result = _cli("requirements", str(path), "--out", str(folder / "out"))
    if result.exit_code == 2:
        assert not (folder / "out").exists()  # nothing written


@settings(FUZZ, max_examples=max(EXAMPLES // 3, 5))
@given(mutate=csv_mutations())
def test_cli_simulate_on_mutated_staffing(tmp_path_factory, staffing_csv, mutate):
    folder = tmp_path_factory.mktemp("m")
    path = folder / "staffing.csv"
    path.write_text(mutate(staffing_csv), encoding="utf-8")
    result = _cli("simulate", str(SCENARIOS / "bank_hotline.yaml"), "--staffing", str(path),
                  "-n", "2", "--out", str(folder / "out"))
    if result.exit_code == 2:
        assert not (folder / "out").exists()


def test_documented_errors_are_value_errors():
    """Callers catching ValueError keep working: both documented types are."""
    assert issubclass(ScenarioError, ValueError)
    assert issubclass(UnreachableTarget, ValueError)
