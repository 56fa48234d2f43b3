"""Every YAML example in docs/scenario.md validates (or, where marked
``yaml invalid``, fails), and the README's Python example runs, so the docs
cannot drift from the code."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

import svcsim
from conftest import ROOT
from svcsim.scenario import ScenarioError

DOC = ROOT / "docs" / "scenario.md"
BASE = yaml.safe_load("""
name: check
profiles:
  office_day:
    start: "08:00"
    intraday: [28, 45, 76, 95, 100, 96, 77, 57, 46, 46, 55, 69,
               82, 89, 87, 76, 61, 47, 37, 31, 29, 30, 35, 46]
channels:
  phone:
    kind: immediate
    handle_time: {dist: exponential, mean: 4m}
    arrivals: {volumes: [10, 20, 30]}
tiers:
  retail: {priority: 1}
pools:
  - name: everyone
    skills: [{contacts: "*"}]
""")


def fill(snippet: dict, base: dict) -> dict:
    """A partial snippet completed from a base scenario."""
    out = copy.deepcopy(base)
    for key, value in snippet.items():
        if key in {"profiles", "contact_types", "shift_rules"} and key in out:
            out[key] = {**out[key], **value}
        elif key == "standards" and key in out:
            out[key] = list(out[key]) + list(value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def test_every_scenario_example_in_the_reference(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "volumes.csv").write_text(
        "start,calls,chats\n08:00,71,40\n08:30,83,52\n09:00,107,66\n")
    text = DOC.read_text()
    section3 = text.index("## Expressing the standards")
    blocks = [(m.group(1), m.group(2), m.start()) for m in
              re.finditer(r"^```(yaml[^\n]*)\n(.*?)^```", text, flags=re.S | re.M)]
    assert len(blocks) > 20
    contexts = [BASE]
    failures = []
    for number, (info, body, position) in enumerate(blocks, 1):
        data = yaml.safe_load(body)
        if "invalid" in info:
            with pytest.raises(ScenarioError):
                svcsim.scenario_from_dict(data, base_dir=tmp_path)
            continue
        if {"name", "channels", "tiers", "pools"} <= data.keys():
            candidates = [data]
        elif "channels" in data:
            candidates = [fill(data, BASE)]
            contexts.append(candidates[0])
        else:  # builds on the example before it
            candidates = [fill(data, c) for c in
                          (contexts[-1:] if position > section3 else contexts[::-1])]
        errors = []
        for scenario in candidates:
            try:
                svcsim.scenario_from_dict(scenario, base_dir=tmp_path)
                break
            except ScenarioError as exc:
                errors.append(str(exc))
        else:
            failures.append(f"block {number} ({body.splitlines()[0]}): {errors[-1]}")
    assert not failures, "\n".join(failures)


def test_the_readme_python_example_runs(monkeypatch):
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"From Python:\n\n```python\n(.*?)```", readme, re.S).group(1)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    # the example as written, at 2 replications (its simulation's and its
    # study's plans'): what it shows is that it runs, not the numbers
    cheaper = {"replications=20": "replications=2",
               '"base": "bank_hotline.yaml",': '"base": "bank_hotline.yaml", "replications": 2,'}
    for written, quick in cheaper.items():
        assert written in code, f"the README example no longer has {written}"
        code = code.replace(written, quick)
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["result"].standards["attainment"].between(0, 1).all()
    busier, scenario = namespace["busier"], namespace["scenario"]
    assert busier.resolved_contact_types[0].volumes.sum() > \
        scenario.resolved_contact_types[0].volumes.sum()
