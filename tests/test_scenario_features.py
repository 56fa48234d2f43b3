"""Scenario features a real centre needs, end to end through the CLI as a new
user types it: hourly intervals, trunk lines per channel, handle time that
varies by time of day; and the clear error each gets when written wrongly
(file, field path, fix; exit 2; nothing written)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from test_cli import assert_clean_error, run

HELPDESK = """\
name: IT helpdesk, hourly plan
description: A small internal helpdesk planned by the hour, as its team lead writes it.
horizon: {days: 1, interval: 1h}
opening_hours: {mon-fri: "07:00-19:00"}
channels:
  phone:
    kind: immediate
    handle_time: {dist: lognormal, mean: 6m, cv: 0.7}
    patience: {dist: exponential, mean: 3m}
    arrivals:
      volumes:
        start: "07:00"
        values: [12, 30, 45, 50, 42, 30, 35, 44, 40, 28, 18, 9]
tiers:
  staff: {priority: 1}
standards:
  - {contacts: phone, metric: answer, percent: 80, within: 30s}
pools:
  - name: desk
    skills: [{contacts: phone}]
    shrinkage: 25%
    shift_rules: day
shift_rules:
  day:
    earliest_start: "07:00"
    latest_start: "11:00"
    shifts:
      - name: full
        length: 8h
        breaks: [{name: lunch, length: 1h, paid: false, window: [3h, 5h]}]
"""


def helpdesk(tmp_path, text: str = HELPDESK, name: str = "helpdesk.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(change) -> str:
    data = yaml.safe_load(HELPDESK)
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


# -- hourly intervals -------------------------------------------------------------------

def test_an_hourly_scenario_validates_gives_requirements_and_simulates(tmp_path):
    path = helpdesk(tmp_path)
    result = run("validate", str(path))
    assert result.returncode == 0, result.stderr
    assert "60-minute intervals" in result.stdout
    result = run("requirements", str(path), "--out", str(tmp_path / "req"), "--format", "csv")
    assert result.returncode == 0, result.stderr
    pools = pd.read_csv(tmp_path / "req" / "requirements_by_pool.csv")
    assert len(pools) == 24 and list(pools["start"][:2]) == ["00:00", "01:00"]
    open_hours = pools[(pools["start"] >= "07:00") & (pools["start"] < "19:00")]
    assert (open_hours["required_agents"] > 0).all()
    assert (pools.drop(open_hours.index)["required_agents"] == 0).all()
    result = run("simulate", str(path), "--out", str(tmp_path / "sim"), "--replications", "4")
    assert result.returncode == 0, result.stderr
    intervals = pd.read_csv(tmp_path / "sim" / "intervals.csv")
    assert len(intervals) == 24
    # an hour's offered contacts follow the hourly volumes
    busy = intervals.set_index("start").loc["10:00"]
    assert 30 < busy["offered"] < 70


def test_hourly_intervals_with_a_half_hour_shift_grid_is_a_clear_error(tmp_path):
    def half_hour(data):
        data["shift_rules"]["day"]["start_granularity"] = "30m"

    path = helpdesk(tmp_path, edited(half_hour))
    out = tmp_path / "req"
    result = run("requirements", str(path), "--out", str(out))
    assert_clean_error(result, str(path), "shift_rules.day.start_granularity",
                       "30m is not a multiple of the 1h interval", "use 1h")
    assert not out.exists()


def test_an_unsupported_interval_is_a_clear_error(tmp_path):
    def forty_five(data):
        data["horizon"]["interval"] = "45m"

    path = helpdesk(tmp_path, edited(forty_five))
    result = run("validate", str(path))
    assert_clean_error(result, str(path), "horizon", "15m, 30m or 1h", "45m")


# -- trunk lines ---------------------------------------------------------------------

def test_a_channel_with_trunks_validates_and_simulates_blocked_calls(tmp_path):
    def lines(data):
        data["channels"]["phone"]["trunks"] = 6

    path = helpdesk(tmp_path, edited(lines))
    result = run("requirements", str(path), "--out", str(tmp_path / "req"), "--format", "csv",
                 "--by", "contact-type")
    assert result.returncode == 0, result.stderr
    rows = pd.read_csv(tmp_path / "req" / "requirements_by_contact_type.csv")
    busy = rows[rows["volume"] > 0]
    assert set(busy["method"]) == {"erlang_k"} and (busy["required_agents"] <= 6).all()
    result = run("simulate", str(path), "--out", str(tmp_path / "sim"), "--replications", "3")
    assert result.returncode == 0, result.stderr
    intervals = pd.read_csv(tmp_path / "sim" / "intervals.csv")
    assert intervals["blocked"].sum() > 0


def test_bad_trunks_are_clear_errors_and_write_nothing(tmp_path):
    for value, message in ((0, "must be >= 1, got 0"), (-3, "must be >= 1, got -3"),
                           ("ten", "must be a whole number, got 'ten'"),
                           (2.5, "must be a whole number, got 2.5")):
        def lines(data, value=value):
            data["channels"]["phone"]["trunks"] = value

        path = helpdesk(tmp_path, edited(lines))
        out = tmp_path / "out"
        result = run("requirements", str(path), "--out", str(out))
        assert_clean_error(result, str(path), "channels.phone.trunks", message)
        assert not out.exists()

    def deferred(data):
        data["channels"]["email"] = {"kind": "deferred", "trunks": 10,
                                     "handle_time": {"dist": "exponential", "mean": "5m"}}

    path = helpdesk(tmp_path, edited(deferred))
    result = run("simulate", str(path), "--out", str(tmp_path / "out"))
    assert_clean_error(result, str(path), "channels.email", "trunks",
                       "give trunks only to immediate channels")
    assert not (tmp_path / "out").exists()


# -- handle time by time of day --------------------------------------------------------

EVENING = {"start": "07:00", "end": "19:00",
           "factors": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.5, 1.5]}


def profiled(data):
    data["channels"]["phone"]["handle_time_profile"] = EVENING


def test_a_handle_time_profile_changes_requirements_where_it_should(tmp_path):
    import svcsim
    from svcsim.queueing import required_agents

    plain = svcsim.load_scenario(helpdesk(tmp_path))
    slow = svcsim.load_scenario(helpdesk(tmp_path, edited(profiled), "slow.yaml"))
    before = svcsim.requirements(plain).pools.set_index("start")["required_agents"]
    after = svcsim.requirements(slow).pools.set_index("start")["required_agents"]
    evening = ["17:00", "18:00"]
    assert (after.drop(evening) == before.drop(evening)).all()  # factor 1: unchanged
    for start, volume in zip(evening, [18, 9], strict=True):
        # Erlang A by hand at 1.5 x the 6-minute mean handle time
        expected = required_agents(volume / 3600, 1.5 * 360.0, 0.8, 30.0, mean_patience=180.0)
        assert after[start] == expected
    assert (after[evening] > before[evening]).all()


def test_the_simulator_scales_handle_times_by_the_profile(tmp_path, seed):
    import svcsim

    scenario = svcsim.load_scenario(helpdesk(tmp_path, edited(profiled)))
    result = svcsim.simulate(scenario, replications=6, seed=seed, keep_contacts=True,
                             staffing={"desk": [12] * 24})
    log = result.contacts[result.contacts["outcome"] == "done"]
    handled = (log["end_s"] - log["answered_s"]).groupby(
        (log["answered_s"] // 3600).astype(int))
    means = handled.mean()
    counts = handled.size()
    # lognormal cv 0.7: the mean of n handle times has a standard error of
    # 0.7 x mean / sqrt(n); allow four of them
    for hour, factor in ((10, 1.0), (17, 1.5)):
        expected = 360.0 * factor
        assert abs(means[hour] - expected) < 4 * 0.7 * expected / np.sqrt(counts[hour])
    assert means[17] > 1.3 * means[10]


def test_a_profile_that_does_not_fit_the_grid_is_a_clear_error(tmp_path):
    def half_hourly(data):  # 30-minute factors in an hourly scenario
        data["channels"]["phone"]["handle_time_profile"] = {
            "start": "07:00", "end": "19:00", "factors": [1.0] * 24}

    path = helpdesk(tmp_path, edited(half_hourly))
    result = run("requirements", str(path), "--out", str(tmp_path / "out"))
    assert_clean_error(result, str(path), "channels.phone.handle_time_profile",
                       "24 factors for 07:00-19:00, but the 1h grid has 12 intervals there",
                       "one factor per interval")
    assert not (tmp_path / "out").exists()

    def negative(data):
        data["channels"]["phone"]["handle_time_profile"] = {"factors": [-1.0] + [1.0] * 23}

    path = helpdesk(tmp_path, edited(negative))
    result = run("simulate", str(path), "--out", str(tmp_path / "out"))
    assert_clean_error(result, str(path), "channels.phone.handle_time_profile.factors",
                       "must be > 0", "got -1")
    assert not (tmp_path / "out").exists()

    def off_grid(data):
        data["channels"]["phone"]["handle_time_profile"] = {
            "start": "07:30", "end": "19:30", "factors": [1.0] * 12}

    path = helpdesk(tmp_path, edited(off_grid))
    result = run("validate", str(path))
    assert_clean_error(result, str(path), "channels.phone.handle_time_profile",
                       "on the 1h interval grid")
