"""Interval reports (ACD exports): read, checked row by row, and forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from svcsim.history import HistoryError
from svcsim.history.reports import read_interval_report
from test_cli import assert_clean_error, run
from test_history_forecast import synthetic

HEADER = "interval_start,queue,offered,answered,abandoned,answered_within,aht_s,agents_logged_in"


def _report(history, days: int = 28) -> str:
    """The synthetic counts as a report: everything answered, AHT 4 min."""
    rows = [HEADER]
    for q, queue in enumerate(history.queues):
        for d, date in enumerate(history.dates[-days:]):
            day = history.counts[q, len(history.dates) - days + d]
            for i in np.nonzero(day)[0]:
                n = int(day[i])
                rows.append(f"{date:%Y-%m-%d} {i // 2:02d}:{30 * (i % 2):02d},{queue},{n},{n},0,"
                            f"{n},0:04:00,12")
    return "\n".join(rows) + "\n"


def test_a_report_is_read_and_its_interval_inferred(tmp_path, seed):
    path = tmp_path / "acd.csv"
    path.write_text(_report(synthetic(seed, weeks=4)))
    report = read_interval_report(path)
    assert report.interval_s == 1800
    assert report.rows["aht_s"].iloc[0] == 240
    history = report.history()
    assert history.queues == ["billing", "sales", "support"]
    assert history.counts.sum() == report.rows["offered"].sum()


@pytest.mark.parametrize(("old", "new", "fragments"), [
    (",12\n", ",-3\n", ["row 2, column 'agents_logged_in'"]),
    ("0:04:00", "four", ["row 2, column 'aht_s'"]),
    (":30,", ":17,", ["column 'interval_start'", "grid"]),
])
def test_bad_report_rows_are_named(tmp_path, seed, old, new, fragments):
    text = _report(synthetic(seed, weeks=1), days=2)
    path = tmp_path / "acd.csv"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(HistoryError) as caught:
        read_interval_report(path)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_answered_beyond_offered_is_a_bad_row(tmp_path):
    path = tmp_path / "acd.csv"
    path.write_text(f"{HEADER}\n2026-03-02 08:00,phone,10,9,3,5,240,4\n"
                    "2026-03-02 08:30,phone,10,9,1,5,240,4\n")
    with pytest.raises(HistoryError, match="row 2, column 'offered'.*exceed"):
        read_interval_report(path)


def test_forecast_reads_a_report(tmp_path, seed):
    path = tmp_path / "acd.xlsx"
    text = _report(synthetic(seed, weeks=4))
    frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str)
    frame.to_excel(path, index=False)
    result = run("forecast", str(path), "--days", "3", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "out" / "forecast.csv")
    assert set(table["queue"]) == {"billing", "sales", "support"}


def test_forecast_rejects_a_bad_report_and_writes_nothing(tmp_path):
    path = tmp_path / "acd.csv"
    path.write_text(f"{HEADER}\n2026-03-02 08:00,phone,ten,9,0,5,240,4\n"
                    "2026-03-02 08:30,phone,10,9,1,5,240,4\n")
    result = run("forecast", str(path), "--days", "3", "--out", str(tmp_path / "out"))
    assert_clean_error(result, "row 2, column 'offered'", "1 bad row")
    assert not (tmp_path / "out").exists()


def test_a_report_with_other_column_names(tmp_path):
    path = tmp_path / "acd.csv"
    path.write_text("Start,Split,Calls\n2026-03-02 08:00,phone,10\n2026-03-02 08:30,phone,12\n")
    report = read_interval_report(path, {"interval_start": "Start", "queue": "Split",
                                         "offered": "Calls"})
    assert report.rows["offered"].tolist() == [10, 12]


@pytest.mark.parametrize("command", ["fit", "forecast", "replay"])
def test_a_blocked_output_is_refused_before_any_work(tmp_path, seed, command):
    """Like every command's --out: a file where the folder goes is named with
    the fix before the history is read, and nothing is written."""
    history = tmp_path / "acd.csv"
    history.write_text(_report(synthetic(seed, weeks=1), days=2))
    blocker = tmp_path / "taken"
    blocker.write_text("a file where the output folder goes\n")
    folder = blocker / "out"
    out = {"fit": ["--out", str(folder / "fitted.yaml")],
           "forecast": ["--days", "2", "--out", str(folder)],
           "replay": [str(tmp_path / "missing.yaml"), "--out", str(folder)]}[command]
    before = sorted(tmp_path.rglob("*"))
    assert_clean_error(run(command, str(history), *out), "--out",
                       f"{blocker} is a file; give --out another folder")
    assert sorted(tmp_path.rglob("*")) == before
