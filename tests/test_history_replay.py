"""Replay: a log simulated from a known scenario, replayed on that scenario,
reproduces its own day figures inside the one-day prediction intervals."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from svcsim import scenario_from_dict, simulate
from svcsim.history import read_contact_log, simulated_log, write_log
from svcsim.history.replay import replay
from test_cli import assert_clean_error, run, write_scenario
from test_history_fit import KNOWN
from test_history_staffing import HIDDEN

LEVEL = 0.99  # several figures per test: together they fail by chance in a few seeds in 100


@pytest.fixture(scope="module")
def known():
    data = copy.deepcopy(KNOWN)
    data["pools"] = [{"name": "agents",
                      "skills": [{"contacts": "*/gold", "priority": 1},
                                 {"contacts": "*/silver", "priority": 2}],
                      "staffing": {"start": "09:00", "values": HIDDEN}}]
    return data


@pytest.fixture(scope="module")
def logged(known, tmp_path_factory):
    import os

    seed = int(os.environ.get("SVCSIM_TEST_SEED", "20261122"))
    scenario = scenario_from_dict(known)
    result = simulate(scenario, replications=2, seed=seed, keep_contacts=True)
    folder = tmp_path_factory.mktemp("replay")
    path = write_log(simulated_log(result.contacts, scenario.first_weekday), folder / "log.csv")
    return path, scenario, seed


@pytest.mark.parametrize("mode", ["trace", "model"])
def test_replay_reproduces_its_own_day(logged, mode):
    path, scenario, seed = logged
    log = read_contact_log(path)
    for date in log.dates:
        result = replay(log, scenario, date, mode, replications=30, seed=seed + 1, level=LEVEL)
        day = result.day.set_index("figure")
        observed = log.contacts[log.contacts["date"] == date]
        assert day.loc["offered", "observed"] == len(observed)
        assert day.loc["abandon_rate", "observed"] == pytest.approx(
            (observed["outcome"] == "abandoned").mean())
        assert day["inside"].all(), day
        tiers = result.tiers.set_index("tier")
        for tier in ("gold", "silver"):
            share = tiers.loc[tier, "observed_share"]
            assert tiers.loc[tier, "sim_share_pi_low"] - 0.02 <= share \
                <= tiers.loc[tier, "sim_share_pi_high"] + 0.02


def test_trace_replay_uses_the_logged_arrivals(logged):
    path, scenario, seed = logged
    log = read_contact_log(path)
    result = replay(log, scenario, log.dates[0], "trace", replications=3, seed=seed)
    per_interval = result.intervals
    assert (per_interval["sim_offered"] == per_interval["observed_offered"]).all()


def test_replay_from_the_command_line(logged, known, tmp_path):
    path, _, _ = logged
    scenario = write_scenario(tmp_path, known)
    out = tmp_path / "out"
    result = run("replay", str(path), str(scenario), "--out", str(out), "-n", "5")
    assert result.returncode == 0, result.stderr
    assert "answered within 20 s" in result.stdout
    day = pd.read_csv(out / "replay_day.csv")
    assert set(day["figure"]) == {"offered", "abandon_rate", "service_level", "asa_s"}
    assert (out / "replay.png").exists()


@pytest.mark.parametrize(("extra", "fragments"), [
    (["--day", "2025-01-01"], ["--day", "not a day of the log"]),
    (["--day", "someday"], ["--day", "someday", "YYYY-MM-DD"]),
])
def test_replay_rejects_a_bad_day(logged, known, tmp_path, extra, fragments):
    path, _, _ = logged
    scenario = write_scenario(tmp_path, known)
    result = run("replay", str(path), str(scenario), "--out", str(tmp_path / "out"), *extra)
    assert_clean_error(result, *fragments)
    assert not (tmp_path / "out").exists()


def test_replay_rejects_a_bad_log(known, tmp_path):
    scenario = write_scenario(tmp_path, known)
    path = tmp_path / "log.csv"
    path.write_text("arrival_time,channel,tier,outcome,wait_s\n"
                    "2026-01-07 09:00,phone,gold,answered,abc\n")
    result = run("replay", str(path), str(scenario), "--out", str(tmp_path / "out"))
    assert_clean_error(result, "row 2, column 'wait_s'")
    assert not (tmp_path / "out").exists()
