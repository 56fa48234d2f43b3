"""The input files besides scenarios, as docs/ describes them: every YAML
example in the study and scorecard references loads, a variant may add a
standard, and each kind of file explains bad input by file, field and fix."""

from __future__ import annotations

import re

import numpy as np
import pytest
import yaml

import svcsim
from conftest import ROOT, SCENARIOS
from svcsim.roster.requirements_file import read_requirements

DOCS = ROOT / "docs"


def yaml_blocks(name: str) -> list[dict]:
    text = (DOCS / name).read_text(encoding="utf-8")
    return [yaml.safe_load(body) for body in re.findall(r"^```yaml\n(.*?)^```", text,
                                                         flags=re.S | re.M)]


def test_every_study_example_in_the_reference_loads():
    blocks = yaml_blocks("studies.md")
    whole = [b for b in blocks if "base" in b]
    assert len(whole) == 2
    for block in whole:
        svcsim.study_from_dict(block, base_dir=SCENARIOS / "studies")
    base = {"name": "part", "base": "../bank_hotline.yaml"}
    for part in (b for b in blocks if "base" not in b):  # a sweep or a frontier alone
        svcsim.study_from_dict({**base, **part}, base_dir=SCENARIOS / "studies")


def test_every_scorecard_example_in_the_reference_loads(tmp_path):
    (block,) = yaml_blocks("scorecards.md")
    block["scenario"] = str(SCENARIOS / "bank_hotline.yaml")
    (tmp_path / "card.yaml").write_text(yaml.safe_dump(block, allow_unicode=True))
    card = svcsim.load_scorecard(tmp_path / "card.yaml")
    assert len(card.dimensions) == 4 and sum(d.weight for d in card.dimensions) == 1


def test_a_variant_adds_a_standard_the_base_does_not_make():
    study = svcsim.study_from_dict(yaml_blocks("studies.md")[1], base_dir=SCENARIOS / "studies")
    (variant,) = study.variants.values()
    assert [s.label for s in study.base.standards] == ["80/20 every half hour"]
    assert [s.label for s in variant.standards] == ["80/20 every half hour",
                                                    "60/10 over the day"]
    assert variant.standards[1].scope == "day" and variant.standards[1].target == 0.6


@pytest.mark.parametrize(("change", "words"), [
    ({"add_standard": {"contacts": "phone/retail", "percent": 60, "within": "10s"},
      "percent": 3}, "'add_standard' stands alone in its change"),
    ({"add_standard": "60/10"}, "give the new standard's fields"),
    ({"add_standard": {"contacts": "phone/retail", "percent": 160, "within": "10s"}},
     r"standards\[1\]\.percent: must be <= 100"),
    ({"add_standard": {"contacts": "fax", "percent": 60, "within": "10s"}},
     "'fax' matches no contact type"),
])
def test_a_bad_added_standard_is_explained(change, words):
    with pytest.raises(svcsim.ScenarioError, match=words) as caught:
        svcsim.study_from_dict({"name": "s", "base": "bank_hotline.yaml",
                                "variants": [{"name": "v", "changes": [change]}]},
                               base_dir=SCENARIOS)
    assert "variant" in str(caught.value)


def test_with_changes_takes_a_scenario_as_well_as_its_file():
    path = SCENARIOS / "bank_hotline.yaml"
    scenario = svcsim.load_scenario(path)
    changes = [{"channel": "phone", "volume": "x1.1"}]
    from_file, from_scenario = svcsim.with_changes(path, changes), svcsim.with_changes(
        scenario, changes)
    volumes = [s.resolved_contact_types[0].volumes for s in (scenario, from_file, from_scenario)]
    assert np.allclose(volumes[1], volumes[2]) and np.allclose(volumes[1], 1.1 * volumes[0])
    twice = svcsim.with_changes(from_scenario, changes)  # a changed scenario changes again
    assert np.allclose(twice.resolved_contact_types[0].volumes, 1.21 * volumes[0])
    built = scenario.replace(description="built in Python")
    with pytest.raises(svcsim.ScenarioError, match="scenario.replace"):
        svcsim.with_changes(built, changes)


def test_requirements_staffing_is_a_table_with_interval_starts():
    scenario = svcsim.load_scenario(SCENARIOS / "tiered_service_desk.yaml")
    table = svcsim.requirements(scenario).staffing()
    assert list(table.columns) == ["start", "premier_team", "tier1_team", "service_desk"]
    assert table["start"].iloc[[0, 48]].tolist() == ["Mon 00:00", "Tue 00:00"]
    assert len(table) == scenario.n_intervals


@pytest.mark.parametrize(("text", "where"), [
    ("start,pool,required\nTue 08:00,premier_team,3\n", "'Tue 08:00' is not the start"),
    ("start,pool,required\nMon 08:00,premier,3\n", "row 2, column 'pool'"),
    ("start,premier_team\nMon 08:00,3\nMon 08:00,4\n", "given twice"),
    ("start,pool\nMon 08:00,premier_team\n", "needs a value column"),
])
def test_a_bad_requirements_csv_is_explained(tmp_path, text, where):
    # the week scenario starts on Monday: 'Tue 08:00' is day 2, fine; an
    # unknown weekday label is not
    scenario = svcsim.load_scenario(SCENARIOS / "tiered_service_desk.yaml")
    path = tmp_path / "req.csv"
    path.write_text(text.replace("Tue 08:00", "Tue 08:10"))
    with pytest.raises(svcsim.StaffingError) as caught:
        read_requirements(path, scenario)
    assert "req.csv" in str(caught.value)
    assert where.replace("Tue 08:00", "Tue 08:10") in str(caught.value)


def test_a_requirements_csv_of_open_hours_only_on_a_week(tmp_path):
    scenario = svcsim.load_scenario(SCENARIOS / "tiered_service_desk.yaml")
    path = tmp_path / "req.csv"
    path.write_text("start,tier1_team\nMon 08:00,3\ntue 9:30,2\n")
    need = read_requirements(path, scenario)
    assert need["tier1_team"].sum() == 5
    assert need["tier1_team"][16] == 3 and need["tier1_team"][48 + 19] == 2


def test_a_study_loaded_with_its_own_replications_keeps_the_rest_and_checks_them():
    path = SCENARIOS / "studies" / "phone_standard.yaml"
    as_written, quicker = svcsim.load_study(path), svcsim.load_study(path, replications=4)
    assert (as_written.study.replications, quicker.study.replications) == (10, 4)
    assert quicker.study.model_copy(update={"replications": 10}) == as_written.study
    with pytest.raises(svcsim.ScenarioError) as caught:
        svcsim.load_study(path, replications=1)
    assert str(path) in str(caught.value) and "replications" in str(caught.value)
