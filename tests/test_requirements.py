"""Analytic staffing requirements from scenarios."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import svcsim
from conftest import MINIMAL, SCENARIOS
from svcsim.queueing import erlang_a, requirements
from svcsim.queueing.streams import carry_to_open


def test_bank_hotline_matches_erlang_c_by_hand():
    # 08:00: 71 calls in 30 min at 4 min = 9.467 Erlangs. Erlang C, 80/20:
    #   12 agents: C = 0.3441, SL = 1 - 0.3441 exp(-(12/240 - 71/1800) 20) = 0.7213
    #   13 agents: C = 0.2109, SL = 0.8429            -> 13 on duty
    # 10:30: 167 calls = 22.27 Erlangs:
    #   26 agents: C = 0.3471, SL = 0.7457;  27 agents: C = 0.2501, SL = 0.8314 -> 27
    # Scheduled with 30 % shrinkage: ceil(13 / 0.7) = 19, ceil(27 / 0.7) = 39.
    scenario = svcsim.load_scenario(SCENARIOS / "bank_hotline.yaml")
    pools = requirements(scenario).pools.set_index("start")
    assert pools.loc["08:00", "required_agents"] == 13
    assert pools.loc["10:30", "required_agents"] == 27
    assert pools.loc["08:00", "service_level"] == pytest.approx(0.8429, abs=1e-4)
    assert pools.loc["10:30", "service_level"] == pytest.approx(0.8314, abs=1e-4)
    assert (pools.loc["08:00", "scheduled_agents"], pools.loc["10:30", "scheduled_agents"]) \
        == (19, 39)
    assert pools.loc["07:30", "required_agents"] == 0  # closed: no calls, nobody


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_gets_a_sane_requirement(path):
    scenario = svcsim.load_scenario(path)
    req = requirements(scenario)
    pools = req.pools
    assert len(pools) == scenario.n_intervals * len(scenario.pools)
    assert (pools["required_agents"] >= 0).all()
    assert (pools["scheduled_agents"] >= pools["required_agents"]).all()
    staffing = req.staffing()  # the plan svcsim simulate uses when a scenario has none
    assert list(staffing.columns) == ["start", *(pool.name for pool in scenario.pools)]
    assert staffing["start"].tolist() == scenario.interval_labels()
    for pool in scenario.pools:
        assert np.array_equal(staffing[pool.name].to_numpy(),
                              pools.loc[pools["pool"] == pool.name, "scheduled_agents"])
    busy = pools[pools["required_agents"] > 0]
    # enough agents for the work offered in every interval (occupancy <= 100 %)
    assert (busy["occupancy"].dropna() <= 1.0 + 1e-9).all()
    targets = {s.label: s.target for s in scenario.standards}
    rows = req.contacts.dropna(subset=["service_level"])
    erlang = rows[rows["method"].str.startswith("erlang")]
    assert (erlang["service_level"] >= erlang["standard"].map(targets) - 1e-9).all()
    # backlog work meets its target over the horizon (late-day items may be later)
    backlog = rows[rows["method"] == "backlog"]
    for _, work in backlog.groupby(["contact_type", "stage"]):
        share = np.average(work["service_level"], weights=work["volume"])
        assert share >= targets[work["standard"].iloc[0]] - 1e-9


def test_nobody_is_staffed_while_the_lines_are_closed():
    scenario = svcsim.load_scenario(SCENARIOS / "ecommerce_peak.yaml")
    pools = requirements(scenario).pools
    before_opening = pools[(pools["interval"] < 32) & (pools["pool"] != "email_team")]
    assert (before_opening["required_agents"] == 0).all()


def test_repeats_arriving_while_closed_come_at_opening():
    volumes = np.array([1.0, 2, 3, 4, 5, 6])
    is_open = np.array([False, False, True, True, False, True])
    moved = carry_to_open(volumes, is_open)
    assert moved.tolist() == [0, 0, 6, 4, 0, 11]
    assert moved.sum() == volumes.sum()


def scenario_with(**changes) -> svcsim.Scenario:
    data = copy.deepcopy(MINIMAL)
    for path, value in changes.items():
        node = data
        keys = path.split(".")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(keys[-1]) if keys[-1].isdigit() else keys[-1]] = value
    return svcsim.scenario_from_dict(data)


def test_a_stricter_standard_never_needs_fewer_agents():
    loose = requirements(scenario_with(**{"standards.0.percent": 80})).pools
    strict = requirements(scenario_with(**{"standards.0.percent": 90})).pools
    quick = requirements(scenario_with(**{"standards.0.within": "10s"})).pools
    assert (strict["required_agents"] >= loose["required_agents"]).all()
    assert (quick["required_agents"] >= loose["required_agents"]).all()
    assert strict["required_agents"].sum() > loose["required_agents"].sum()


def test_patience_uses_erlang_a():
    scenario = scenario_with(**{"channels.phone.patience": {"dist": "exponential",
                                                            "mean": "2m"}})
    rows = requirements(scenario).contacts
    row = rows[rows["start"] == "09:00"].iloc[0]
    assert row["method"] == "erlang_a"
    theory = erlang_a(int(row["required_agents"]), 120 / 1800, 240.0, 120.0, 20.0)
    assert row["service_level"] == pytest.approx(theory.service_level)
    assert row["abandon_rate"] == pytest.approx(theory.abandon_rate)


def test_chat_agents_are_slots_over_concurrency():
    single = requirements(scenario_with(**{"channels.phone.concurrency": 1})).pools
    triple = requirements(scenario_with(**{"channels.phone.concurrency": 3})).pools
    slots = single["required_agents"].to_numpy()
    assert (triple["required_agents"].to_numpy() == np.ceil(slots / 3)).all()


def test_deflection_and_repeats_change_the_work():
    base = requirements(scenario_with()).contacts["volume"].sum()
    deflected = requirements(scenario_with(**{"channels.phone.deflection": "25%"}))
    assert deflected.contacts["volume"].sum() == pytest.approx(0.75 * base)
    repeats = requirements(scenario_with(**{"channels.phone.fcr": "80%"}))
    assert repeats.contacts["volume"].sum() == pytest.approx(base / 0.8)


def test_deferred_work_meets_its_deadline_with_a_flat_level():
    scenario = svcsim.load_scenario(SCENARIOS / "ecommerce_peak.yaml")
    rows = requirements(scenario).contacts
    email = rows[rows["contact_type"] == "email/member"]
    assert set(email["method"]) == {"backlog"}
    staffed = email[email["required_agents"] > 0]["required_agents"]
    assert staffed.nunique() == 1  # one level across the open hours
    work_h = email["volume"].sum() * 240 / 3600
    assert staffed.iloc[0] * 16 == pytest.approx(work_h, rel=0.01)  # 24 h deadline: just the work


def test_staged_work_is_sized_per_stage():
    scenario = svcsim.load_scenario(SCENARIOS / "tiered_service_desk.yaml")
    rows = requirements(scenario).contacts
    stages = rows[rows["contact_type"] == "ticket/tier1"]["stage"].unique().tolist()
    assert stages == ["first_contact", "assessment", "plan", "plan_confirmed", "delivery",
                      "acceptance"]
    hotline = rows[rows["contact_type"] == "hotline/premier"]
    assert set(hotline["method"]) == {"erlang_a"}
