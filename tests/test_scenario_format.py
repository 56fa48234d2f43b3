"""The scenario format: shipped examples load, units parse, bad input is named."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

import svcsim
from conftest import SCENARIOS
from svcsim.scenario import ScenarioError, load_scenario, scenario_from_dict
from svcsim.scenario.units import format_duration, parse_clock, parse_duration, parse_share

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


def problems(data: dict, **kwargs) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, **kwargs)
    return list(info.value.problems)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_validate(path):
    scenario = load_scenario(path)
    assert scenario.resolved_contact_types
    assert scenario.standards, "every shipped scenario states its standards"


def test_three_shipped_scenarios_exist():
    names = {p.name for p in SHIPPED}
    assert {"ecommerce_peak.yaml", "tiered_service_desk.yaml", "bank_hotline.yaml"} <= names


def test_ecommerce_peak_is_a_peak_day_of_10k_to_20k_contacts():
    scenario = load_scenario(SCENARIOS / "ecommerce_peak.yaml")
    total = sum(c.volumes.sum() for c in scenario.resolved_contact_types)
    assert 10_000 <= total <= 20_000
    assert {c.channel for c in scenario.resolved_contact_types} == {"phone", "chat", "email"}
    assert scenario.channels["chat"].concurrency in (2, 3)
    assert len(scenario.tiers) == 3


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("20s", 20), ("4m", 240), ("1.5h", 5400), ("24h", 86400), ("2d", 172800), (30, 30),
     ("90 seconds", 90), (".5h", 1800), ("1h30m", 5400), ("2m 30s", 150), ("1d12h", 129600)],
)
def test_durations_parse_in_human_units(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["-5s", "20", "4 weeks", "", True, None, "1h30",
                                 "1h 30 weeks", "1h-30m"])
def test_bad_durations_are_rejected(bad):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_clock_times_and_shares():
    assert parse_clock("08:30") == 8.5 * 3600
    assert parse_clock("24:00") == 86400
    with pytest.raises(ValueError, match="quotes"):
        parse_clock(510)  # what YAML makes of an unquoted 08:30
    with pytest.raises(ValueError, match="no such clock time"):
        parse_clock("25:00")
    assert parse_share("30%") == pytest.approx(0.3)
    assert parse_share(0.25) == 0.25
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_share("130%")
    assert format_duration(5400) == "1.5h"
    assert format_duration(20) == "20s"


def test_volumes_are_placed_on_the_grid_from_their_start(minimal):
    scenario = scenario_from_dict(minimal)
    volumes = scenario.contact_type("phone/retail").volumes
    assert scenario.n_intervals == 48
    assert volumes[16:20].tolist() == [60, 90, 120, 90]
    assert volumes.sum() == 360


def test_daily_total_times_profile_with_weekday_factors(minimal):
    minimal["horizon"] = {"days": 7, "interval": "30m", "first_day": "mon"}
    minimal["profiles"] = {"office": {"start": "09:00", "intraday": [1, 3, 1],
                                      "weekdays": {"sat": 0.5, "sun": 0}}}
    minimal["channels"]["phone"]["arrivals"] = {"daily_total": 100, "profile": "office"}
    volumes = scenario_from_dict(minimal).contact_type("phone/retail").volumes
    per_day = volumes.reshape(7, 48).sum(axis=1)
    assert per_day.tolist() == pytest.approx([100, 100, 100, 100, 100, 50, 0])
    assert volumes[18:21].tolist() == pytest.approx([20, 60, 20])


def test_tier_shares_split_channel_volume(minimal):
    minimal["tiers"] = {"gold": {"priority": 1, "share": "20%"},
                        "basic": {"priority": 2, "share": 0.8}}
    scenario = scenario_from_dict(minimal)
    gold, basic = (scenario.contact_type(n).volumes.sum() for n in ("phone/gold", "phone/basic"))
    assert (gold, basic) == pytest.approx((72, 288))
    assert scenario.contact_type("phone/gold").priority == 1


def test_contact_type_overrides_channel_defaults(minimal):
    minimal["tiers"] = {"vip": {"priority": 1, "share": 0.1}, "std": {"priority": 2, "share": 0.9}}
    minimal["contact_types"] = {"phone/vip": {"handle_time": {"dist": "lognormal", "mean": "6m",
                                                             "cv": 0.5},
                                              "after_contact_work": "30s"}}
    scenario = scenario_from_dict(minimal)
    assert scenario.contact_type("phone/vip").mean_work_s() == pytest.approx(390)
    assert scenario.contact_type("phone/std").mean_work_s() == pytest.approx(240)


def test_csv_volumes_are_read_relative_to_the_scenario(tmp_path, minimal):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "calls.csv").write_text("start,calls\n08:00,10\n08:30,20\n09:00,5\n")
    minimal["channels"]["phone"]["arrivals"] = {
        "volumes": {"csv": "data/calls.csv", "start": "08:00"}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(minimal))
    volumes = load_scenario(path).contact_type("phone/retail").volumes
    assert volumes[16:19].tolist() == [10, 20, 5]


def test_csv_on_the_wrong_grid_names_the_row(tmp_path, minimal):
    (tmp_path / "calls.csv").write_text("start,calls\n08:00,10\n08:15,20\n08:30,5\n")
    minimal["channels"]["phone"]["arrivals"] = {"volumes": {"csv": "calls.csv", "start": "08:00"}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(minimal))
    with pytest.raises(ScenarioError, match="15-minute grid, but the scenario's interval is 30"):
        load_scenario(tmp_path / "s.yaml")
    (tmp_path / "calls.csv").write_text("start,calls\n08:00,10\n08:30,20\n09:15,5\n")
    with pytest.raises(ScenarioError, match=r"row 4, column 'start': expected 09:00"):
        load_scenario(tmp_path / "s.yaml")


# -- bad input: each names the file, the field path and the fix ---------------

def test_typo_in_a_key_suggests_the_right_one(minimal):
    minimal["pools"][0]["shrinkge"] = 0.3
    [(path, message)] = problems(minimal, source="centre.yaml")
    assert path == "pools[0]"
    assert "unknown key 'shrinkge'" in message and "did you mean 'shrinkage'" in message


def test_negative_rate_names_the_field(minimal):
    minimal["channels"]["phone"]["arrivals"] = {"daily_total": -5, "profile": "x"}
    [(path, message)] = problems(minimal)
    assert path == "channels.phone.arrivals.daily_total"
    assert "must be >= 0" in message and "-5" in message


def test_percent_over_100_names_the_standard(minimal):
    minimal["standards"][0]["percent"] = 120
    [(path, message)] = problems(minimal)
    assert path == "standards[0].percent"
    assert "<= 100" in message and "120" in message


def test_negative_skill_priority_is_named_by_index(minimal):
    minimal["pools"][0]["skills"][0]["priority"] = -2
    [(path, message)] = problems(minimal)
    assert path == "pools[0].skills[0].priority"
    assert ">= 1" in message and "-2" in message


def test_unknown_distribution_suggests_a_close_one(minimal):
    minimal["channels"]["phone"]["handle_time"] = {"dist": "lognormol", "mean": "4m", "cv": 1}
    [(path, message)] = problems(minimal)
    assert path == "channels.phone.handle_time"
    assert "did you mean 'lognormal'" in message


def test_missing_data_file_names_the_file(tmp_path, minimal):
    minimal["channels"]["phone"]["arrivals"] = {"volumes": {"csv": "nope.csv"}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(minimal))
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    text = str(info.value)
    assert "s.yaml" in text and "channels.phone.arrivals.volumes" in text and "nope.csv" in text


def test_malformed_yaml_gives_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nchannels:\n  phone: {kind: immediate\n  chat: 1\n")
    with pytest.raises(ScenarioError, match=r"broken.yaml: malformed YAML at line \d+, column"):
        load_scenario(path)


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "absent.yaml")


def test_tier_shares_must_add_up(minimal):
    minimal["tiers"] = {"a": {"priority": 1, "share": 0.5}, "b": {"priority": 2, "share": 0.3}}
    [(path, message)] = problems(minimal)
    assert path == "tiers" and "add up to 0.8" in message


def test_patterns_that_match_nothing_are_named(minimal):
    minimal["standards"][0]["contacts"] = "phnoe/*"
    minimal["pools"][0]["skills"].append({"contacts": "chat/*", "priority": 2})
    found = dict(problems(minimal))
    assert "phnoe/*" in found["standards[0].contacts[0]"]
    assert "matches no contact type" in found["pools[0].skills[1].contacts[0]"]


def test_work_no_pool_serves_is_an_error(minimal):
    minimal["tiers"] = {"vip": {"priority": 1, "share": 0.1}, "std": {"priority": 2, "share": 0.9}}
    minimal["pools"][0]["skills"][0]["contacts"] = "phone/std"
    [(path, message)] = problems(minimal)
    assert path == "pools" and "no pool serves phone/vip" in message


def test_stage_metrics_must_exist(minimal):
    minimal["contact_types"] = {"phone/retail": {"stages": [{"name": "first_contact"},
                                                            {"name": "fix"}]}}
    minimal["standards"].append({"contacts": "phone/retail", "metric": "fixx", "percent": 90,
                                 "within": "4h"})
    [(path, message)] = problems(minimal)
    assert path == "standards[1].metric" and "did you mean 'fix'" in message


def test_deferred_channels_have_no_patience(minimal):
    minimal["channels"]["phone"]["kind"] = "deferred"
    minimal["channels"]["phone"]["patience"] = {"dist": "exponential", "mean": "1m"}
    [(path, message)] = problems(minimal)
    assert path == "channels.phone" and "no patience" in message


def test_breaks_must_fit_in_their_shift(minimal):
    minimal["shift_rules"] = {"day": {"shifts": [{"name": "short", "length": "4h", "breaks": [
        {"name": "meal", "length": "30m", "paid": False, "window": ["3h", "4h"]}]}]}}
    [(path, message)] = problems(minimal)
    assert path == "shift_rules.day.shifts[0]" and "may end after the 4h shift" in message


def test_every_problem_is_reported_at_once(minimal):
    minimal["standards"][0]["percent"] = 120
    minimal["pools"][0]["shrinkage"] = "130%"
    paths = [path for path, _ in problems(minimal)]
    assert paths == ["standards[0].percent", "pools[0].shrinkage"]


# -- immutability and copies ---------------------------------------------------

def test_scenarios_are_immutable_and_replace_copies(minimal):
    scenario = scenario_from_dict(minimal)
    with pytest.raises(Exception, match="frozen"):
        scenario.name = "changed"
    with pytest.raises(ValueError, match="read-only"):
        scenario.contact_type("phone/retail").volumes[0] = 1.0
    other = scenario.replace(name="other", planning={"max_occupancy": 0.85})
    assert (scenario.name, other.name) == ("minimal", "other")
    assert scenario.planning.max_occupancy is None and other.planning.max_occupancy == 0.85
    with pytest.raises(ScenarioError.__mro__[1]):  # revalidated: a bad copy fails
        scenario.replace(standards=({"contacts": "x/*", "percent": 80, "within": 20},))


def test_validation_does_not_mutate_the_callers_mapping(minimal):
    before = json.dumps(minimal, sort_keys=True)
    scenario_from_dict(minimal)
    assert json.dumps(minimal, sort_keys=True) == before


# -- distributions ----------------------------------------------------------------

@pytest.mark.parametrize(
    "spec",
    [{"dist": "exponential", "mean": "4m"},
     {"dist": "lognormal", "mean": "5m", "cv": 0.8},
     {"dist": "gamma", "mean": "3m", "cv": 0.5},
     {"dist": "uniform", "low": "10s", "high": "15s"},
     {"dist": "phases", "phases": [
         {"name": "greet", "dist": "uniform", "low": "10s", "high": "15s"},
         {"name": "listen", "dist": "uniform", "low": "30s", "high": "60s"},
         {"name": "resolve", "dist": "gamma", "mean": "2m", "cv": 0.5},
         {"name": "confirm", "dist": "uniform", "low": "10s", "high": "20s"},
         {"name": "close", "dist": "uniform", "low": "5s", "high": "10s"}]}],
    ids=lambda s: s["dist"],
)
def test_distribution_samples_match_their_analytic_mean_and_cv(minimal, spec, seed):
    minimal["channels"]["phone"]["handle_time"] = spec
    dist = scenario_from_dict(minimal).contact_type("phone/retail").handle_time
    draws = dist.sample(np.random.default_rng(seed), 200_000)
    stderr = draws.std() / np.sqrt(len(draws))
    assert abs(draws.mean() - dist.mean) < 4 * stderr
    assert draws.std() / draws.mean() == pytest.approx(dist.cv, rel=0.03)


def test_phases_add_up_as_the_training_material_decomposes(minimal):
    minimal["channels"]["phone"]["handle_time"] = {"dist": "phases", "phases": [
        {"dist": "deterministic", "value": "12s"}, {"dist": "deterministic", "value": "45s"}]}
    dist = scenario_from_dict(minimal).contact_type("phone/retail").handle_time
    assert dist.mean == 57 and dist.cv == 0


def test_empirical_samples_from_csv(tmp_path, minimal):
    (tmp_path / "aht.csv").write_text("duration_s\n100\n200\n300\n")
    minimal["channels"]["phone"]["handle_time"] = {"dist": "empirical", "csv": "aht.csv"}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(minimal))
    dist = load_scenario(tmp_path / "s.yaml").contact_type("phone/retail").handle_time
    assert dist.mean == 200
    assert set(dist.sample(np.random.default_rng(1), 50)) <= {100.0, 200.0, 300.0}


# -- opening hours -------------------------------------------------------------

def test_opening_hours_share_per_interval(minimal):
    minimal["opening_hours"] = {"mon-fri": "08:15-12:00, 13:00-18:00", "sat": "closed"}
    scenario = scenario_from_dict(minimal)
    calendar = scenario.contact_type("phone/retail").calendar
    share = calendar.open_share(scenario.interval_starts_s, scenario.interval_s, 0)
    assert share[15] == 0 and share[16] == pytest.approx(0.5) and share[17] == 1
    assert share[24] == 0 and share[26] == 1 and share[36] == 0
    saturday = calendar.open_share(scenario.interval_starts_s, scenario.interval_s, 5)
    assert saturday.sum() == 0


def test_bad_opening_hours_are_explained(minimal):
    minimal["opening_hours"] = {"mon-fry": "08:00-18:00"}
    [(path, message)] = problems(minimal)
    assert path == "opening_hours" and "did you mean 'mon-fri'" not in message or "mon" in message
    minimal["opening_hours"] = {"daily": "20:00-06:00"}
    [(path, message)] = problems(minimal)
    assert "closes before it opens" in message


# -- every standard of STANDARDS.md can be stated -------------------------------

def test_tier_policy_standards_are_all_expressed():
    scenario = load_scenario(SCENARIOS / "tiered_service_desk.yaml")
    stated = {(s.contacts[0].split("/")[1], s.metric) for s in scenario.standards}
    for tier in ("premier", "tier1", "tier2"):
        for metric in ("first_contact", "assessment", "plan", "progress_update", "acceptance"):
            assert (tier, metric) in stated
    assert ("tier1", "plan_confirmed") in stated and ("tier3", "reply") in stated


def test_json_schema_describes_the_format():
    schema = svcsim.scenario.scenario_json_schema()
    assert set(schema["required"]) >= {"name", "channels", "tiers", "pools"}
    assert {"horizon", "standards", "shift_rules", "opening_hours"} <= set(schema["properties"])
    jsonschema = pytest.importorskip("jsonschema")
    for path in SHIPPED:
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)


# -- regressions from reviewing the format reference ----------------------------

def test_stages_may_not_take_a_metric_word_as_name(minimal):
    minimal["contact_types"] = {"phone/retail": {"stages": [{"name": "first_contact"},
                                                            {"name": "answer"}]}}
    [(path, message)] = problems(minimal)
    assert path == "contact_types.phone/retail.stages[1].name"
    assert "metric word" in message and "answer_stage" in message


def test_a_follow_up_belongs_to_a_contact_type_not_a_channel(minimal):
    minimal["channels"]["survey"] = {"kind": "deferred", "handle_time": {
        "dist": "exponential", "mean": "2m"}, "arrivals": {"follow_up": {"of": "phone", "share": 0.5}}}
    [(path, message)] = problems(minimal)
    assert path == "channels.survey" and "contact_types" in message


def test_follow_up_work_follows_its_source(minimal):
    minimal["channels"]["survey"] = {"kind": "deferred",
                                     "handle_time": {"dist": "exponential", "mean": "2m"}}
    minimal["contact_types"] = {"survey/retail": {"arrivals": {"follow_up": {
        "of": "phone", "share": "50%", "delay": {"dist": "deterministic", "value": "1h"}}}}}
    minimal["pools"][0]["skills"].append({"contacts": "survey/*", "priority": 2})
    scenario = scenario_from_dict(minimal)
    survey = scenario.contact_type("survey/retail").volumes
    assert survey.sum() == pytest.approx(180)
    assert survey[18:22].tolist() == [30, 45, 60, 45]  # two 30-minute intervals later


def test_union_branch_names_do_not_leak_into_paths(minimal):
    minimal["channels"]["phone"]["handle_time"] = {"dist": "exponential", "mean": "4m", "cv": 1}
    [(path, message)] = problems(minimal)
    assert path == "channels.phone.handle_time" and "unknown key 'cv'" in message
    minimal["channels"]["phone"]["handle_time"] = {"dist": "uniform", "low": "2m", "high": "1m"}
    [(path, message)] = problems(minimal)
    assert path == "channels.phone.handle_time" and "must not be below low" in message


def test_a_missing_csv_is_one_problem(tmp_path, minimal):
    minimal["channels"]["phone"]["arrivals"] = {"volumes": {"csv": "nope.csv"}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(minimal))
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    assert [p for p, _ in info.value.problems] == ["channels.phone.arrivals.volumes"]


def test_percent_is_out_of_100(minimal):
    minimal["standards"][0]["percent"] = 0.95
    [(path, message)] = problems(minimal)
    assert path == "standards[0].percent" and "write 95" in message
    minimal["standards"][0]["percent"] = "95%"
    assert scenario_from_dict(minimal).standards[0].target == pytest.approx(0.95)


def test_flat_profile_spreads_the_day_evenly(minimal):
    minimal["profiles"] = {"even": {"intraday": "flat"}}
    minimal["channels"]["phone"]["arrivals"] = {"daily_total": 480, "profile": "even"}
    volumes = scenario_from_dict(minimal).contact_type("phone/retail").volumes
    assert volumes.tolist() == [10.0] * 48


def test_profile_errors_point_at_the_profile(minimal):
    minimal["profiles"] = {"late": {"start": "23:00", "intraday": [1, 2, 3]}}
    minimal["channels"]["phone"]["arrivals"] = {"daily_total": 100, "profile": "late"}
    [(path, message)] = problems(minimal)
    assert path == "profiles.late" and "a profile is one day" in message


def test_shift_starts_must_sit_on_the_interval_grid(minimal):
    minimal["shift_rules"] = {"day": {"start_granularity": "7m", "shifts": [
        {"name": "full", "length": "8h"}]}}
    minimal["pools"][0]["shift_rules"] = "day"
    [(path, message)] = problems(minimal)
    assert path == "shift_rules.day.start_granularity" and "multiple" in message
