"""Contact logs: the format svcsim reads is the format the simulator writes,
and every bad row is named by row and column."""

from __future__ import annotations

import pandas as pd
import pytest

from svcsim import scenario_from_dict, simulate
from svcsim.history import HistoryError, read_contact_log, simulated_log, write_log
from svcsim.history.tables import parse_columns
from test_cli import assert_clean_error, run, write_scenario

GOOD = """arrival_time,channel,tier,outcome,wait_s,handle_s
2026-03-02 08:00:05,phone,gold,answered,12,240
2026-03-02 08:01:00,phone,gold,abandoned,0:01:30,
2026-03-02 08:02:00,phone,silver,short_abandon,2,
2026-03-02 08:03:00,chat,,blocked,,
"""


def test_a_log_is_read_with_every_row_counted(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(GOOD)
    log = read_contact_log(path)
    assert log.counts().sum() == 4
    assert log.counts()["blocked"] == 1
    assert log.contacts.loc[1, "wait_s"] == 90.0  # H:MM:SS read as seconds
    assert log.contacts.loc[3, "tier"] == "general"  # no tier: the one default tier
    assert log.contact_types == ["chat/general", "phone/gold", "phone/silver"]


def test_short_abandons_are_reclassified_and_counted(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(GOOD.replace("0:01:30", "3"))
    log = read_contact_log(path, short_abandon_s=5)
    assert log.reclassified == 1
    assert log.counts()["short_abandon"] == 2


def test_other_column_names_are_mapped(tmp_path):
    path = tmp_path / "acd.csv"
    path.write_text(GOOD.replace("arrival_time,channel", "CallStart,Queue"))
    log = read_contact_log(path, columns=parse_columns("arrival_time=CallStart,channel=Queue"))
    assert len(log.contacts) == 4
    with pytest.raises(HistoryError, match="arrival_time=<your column>"):
        read_contact_log(path)


@pytest.mark.parametrize(("cell", "replacement", "fragments"), [
    ("2026-03-02 08:01:00", "yesterday", ["row 3, column 'arrival_time'", "date-time"]),
    (",12,240", ",-12,240", ["row 2, column 'wait_s'", "negative"]),
    ("abandoned", "hung up", ["row 3, column 'outcome'", "answered, abandoned"]),
    (",12,240", ",12,four minutes", ["row 2, column 'handle_s'", "seconds"]),
])
def test_bad_rows_are_named_by_row_and_column(tmp_path, cell, replacement, fragments):
    path = tmp_path / "log.csv"
    path.write_text(GOOD.replace(cell, replacement, 1))
    with pytest.raises(HistoryError) as caught:
        read_contact_log(path)
    message = str(caught.value)
    for fragment in [str(path), "1 bad row(s)", *fragments]:
        assert fragment in message


def test_many_bad_rows_are_counted_not_all_listed(tmp_path):
    rows = [GOOD.splitlines()[0]] + ["2026-03-02 08:00:05,phone,gold,answered,-1,240"] * 50
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows))
    with pytest.raises(HistoryError, match="50 bad row"):
        read_contact_log(path)


def test_xlsx_logs_read_like_csv(tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(GOOD), dtype=str, keep_default_na=False)
    path = tmp_path / "log.xlsx"
    frame.to_excel(path, index=False)
    assert read_contact_log(path).counts().sum() == 4


def _abandoning(minimal):
    minimal["channels"]["phone"]["patience"] = {"dist": "exponential", "mean": "90s"}
    minimal["pools"][0]["headcount"] = 6
    return scenario_from_dict(minimal)


def test_the_simulators_log_is_a_contact_log(tmp_path, minimal, seed):
    """Every simulated contact comes back from the file with its outcome,
    wait and handle time; replications are dated a week apart, same weekday."""
    scenario = _abandoning(minimal)
    result = simulate(scenario, replications=3, seed=seed, keep_contacts=True)
    for suffix in ("csv", "xlsx"):
        path = write_log(simulated_log(result.contacts, scenario.first_weekday),
                         tmp_path / f"log.{suffix}")
        log = read_contact_log(path)
        assert len(log.contacts) == len(result.contacts)
        assert log.counts()["abandoned"] == (result.contacts["outcome"] == "abandoned").sum()
        assert set(log.contacts["weekday"]) == {scenario.first_weekday}
        assert len(log.dates) == 3
        waits = result.contacts.sort_values(["replication", "arrival_s"])["wait_s"].to_numpy()
        assert abs(log.contacts["wait_s"].to_numpy() - waits).max() < 1e-3


def test_simulate_log_from_the_command_line(tmp_path, minimal):
    path = write_scenario(tmp_path, minimal)
    result = run("simulate", str(path), "-n", "2", "--out", str(tmp_path / "out"),
                 "--log", str(tmp_path / "log.csv"))
    assert result.returncode == 0, result.stderr
    log = read_contact_log(tmp_path / "log.csv")
    assert log.counts()["answered"] > 0


def test_simulate_log_writes_nothing_on_bad_input(tmp_path, minimal):
    minimal["pools"][0]["shrinkge"] = 0.3
    path = write_scenario(tmp_path, minimal)
    result = run("simulate", str(path), "--log", str(tmp_path / "log.csv"))
    assert_clean_error(result, "shrinkage")
    assert not (tmp_path / "log.csv").exists()
