"""The command line, end to end, as a user types it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import traceback
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from conftest import MINIMAL, SCENARIOS, quarter_bank


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    """``svcsim ARGS`` as a user types it, run in this process (a new Python
    for each of the suite's hundreds of commands cost a minute of CPU):
    stdout and stderr apart, every warning printed to stderr as Python would
    (so tests asserting none still can fail), and an exception escaping the
    command printed as the traceback a user would see. ``run_process`` runs
    a real ``python -m svcsim`` where the process itself is under test."""
    from click.testing import CliRunner

    from svcsim.cli import main

    old = Path.cwd()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if cwd is not None:
                os.chdir(cwd)
            result = CliRunner().invoke(main, list(args), prog_name="svcsim")
        finally:
            os.chdir(old)
    stderr = result.stderr + "".join(
        warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in caught)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(
            traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["svcsim", *args], result.exit_code, result.stdout, stderr)


def run_process(*args: str, cwd=None) -> subprocess.CompletedProcess:
    """``python -m svcsim ARGS`` in a new process of this interpreter."""
    return subprocess.run([sys.executable, "-m", "svcsim", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def write_scenario(folder, data, name="centre.yaml"):
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def assert_clean_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("error: ")
    for fragment in fragments:
        assert fragment in result.stderr


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("validate", "requirements", "schema"):
        assert command in result.stdout


def test_validate_all_shipped_scenarios():
    result = run("validate", *map(str, sorted(SCENARIOS.glob("*.yaml"))))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok: ") == len(list(SCENARIOS.glob("*.yaml")))


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (lambda d: d["pools"][0].update(shrinkge=0.3),
         ["centre.yaml", "pools[0]", "did you mean 'shrinkage'"]),
        (lambda d: d["channels"]["phone"]["arrivals"]["volumes"]["values"].__setitem__(1, -90),
         ["centre.yaml", "channels.phone.arrivals", ">= 0"]),
        (lambda d: d["standards"][0].update(percent=120),
         ["centre.yaml", "standards[0].percent", "<= 100", "120"]),
        (lambda d: d["channels"]["phone"]["arrivals"].update(volumes={"csv": "missing.csv"}),
         ["centre.yaml", "channels.phone.arrivals.volumes", "missing.csv", "file not found"]),
    ],
    ids=["typo", "negative-rate", "percent-120", "missing-file"],
)
def test_bad_scenarios_get_one_clear_error(tmp_path, change, fragments):
    data = json.loads(json.dumps(MINIMAL))
    change(data)
    path = write_scenario(tmp_path, data)
    for command in (["validate", str(path)], ["requirements", str(path), "--out",
                                              str(tmp_path / "out")]):
        assert_clean_error(run(*command), *fragments)
    assert not (tmp_path / "out").exists(), "no partial output on bad input"


def test_malformed_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nchannels:\n  phone: {kind: immediate\n")
    assert_clean_error(run("validate", str(path)), "broken.yaml", "malformed YAML at line")


def test_missing_scenario_file(tmp_path):
    assert_clean_error(run("requirements", str(tmp_path / "nope.yaml")), "file not found")


def test_schema_is_json():
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert "channels" in schema["properties"]


def test_requirements_prints_the_table_and_writes_files(tmp_path):
    out = tmp_path / "bank"
    result = run("requirements", str(SCENARIOS / "bank_hotline.yaml"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "hotline" in result.stdout and "required" in result.stdout
    assert "10:30" in result.stdout  # the morning peak is listed
    for name in ("requirements_by_pool.csv", "requirements_by_contact_type.csv",
                 "requirements.png"):
        assert (out / name).stat().st_size > 0
    pools = pd.read_csv(out / "requirements_by_pool.csv")
    assert len(pools) == 48 and pools["required_agents"].max() > 0
    assert (out / "requirements.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(out.glob(".*")), "no temporary files left behind"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_requirements_machine_formats(tmp_path, fmt):
    result = run("requirements", str(SCENARIOS / "bank_hotline.yaml"), "--format", fmt,
                 "--by", "contact-type", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        rows = json.loads(result.stdout)
        assert rows[0]["contact_type"] == "phone/retail"
    else:
        assert result.stdout.splitlines()[0].startswith("interval,start,contact_type")


def staffing_csv(folder, rows, header="start,hotline"):
    path = folder / "staffing.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def bank_rows(agents=20):
    return [f"{h:02d}:{m:02d},{agents if 8 <= h < 20 else 0}"
            for h in range(24) for m in (0, 30)]


def test_simulate_prints_standards_and_writes_tables_and_charts(tmp_path):
    staffing = staffing_csv(tmp_path, bank_rows(24))
    out = tmp_path / "sim"
    result = run("simulate", str(SCENARIOS / "bank_hotline.yaml"), "--staffing", str(staffing),
                 "--replications", "5", "--seed", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "80/20 every half hour" in result.stdout and "verdict" in result.stdout
    assert "phone" in result.stdout and "retail" in result.stdout
    for name in ("standards.csv", "contact_types.csv", "intervals.csv", "pools.csv",
                 "service_level.png", "occupancy.png"):
        assert (out / name).stat().st_size > 0
    pools = pd.read_csv(out / "pools.csv")
    # 24 scheduled with 30 % shrinkage: floor(24 x 0.7) = 16 on duty while open
    assert pools.loc[pools["interval"] == 20, "agents"].item() == 16
    again = run("simulate", str(SCENARIOS / "bank_hotline.yaml"), "--staffing", str(staffing),
                "--replications", "5", "--seed", "3", "--out", str(tmp_path / "again"))
    assert again.returncode == 0
    assert (out / "standards.csv").read_text() == (tmp_path / "again" / "standards.csv").read_text()


@pytest.mark.parametrize(
    ("rows", "header", "fragments"),
    [
        (bank_rows(), "start,hotlnie", ["staffing.csv", "column 'hotlnie'",
                                        "did you mean 'hotline'"]),
        ([r.replace(",20", ",-3") for r in bank_rows()], "start,hotline",
         ["staffing.csv", "row 18, column 'hotline'", ">= 0", "-3"]),
        (["08:00,20", "08:15,20"], "start,hotline", [
            "staffing.csv", "row 3, column 'start'", "'08:15' is not the start of a 30-minute "
            "interval"]),
        (["08:00,20", "8:00,21"], "start,hotline", ["staffing.csv", "row 3",
                                                    "08:00 of 'hotline' is given twice"]),
        ([r.split(",")[1] for r in bank_rows()[:-1]], "hotline", [
            "staffing.csv", "47 rows", "48 intervals", "add a 'start' column"]),
        (bank_rows(), "start,hotline,pool", ["staffing.csv", "value column"]),
    ],
    ids=["unknown-pool", "negative", "off-grid", "twice", "too-short-without-start",
         "long-without-values"],
)
def test_bad_staffing_csv_is_named_by_row_and_column(tmp_path, rows, header, fragments):
    staffing = staffing_csv(tmp_path, rows, header)
    result = run("simulate", str(SCENARIOS / "bank_hotline.yaml"), "--staffing", str(staffing),
                 "--replications", "2", "--out", str(tmp_path / "out"))
    assert_clean_error(result, *fragments)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("shape", ["wide", "long"])
def test_a_staffing_csv_may_give_only_the_open_hours(tmp_path, shape):
    # the shipped example lists 08:00-19:30; the closed hours count as 0
    shipped = SCENARIOS / "staffing" / "bank_hotline_staffing.csv"
    rows = shipped.read_text().splitlines()[1:]
    assert rows[0].startswith("08:00,") and len(rows) == 24
    if shape == "long":
        rows = [f"{r.split(',')[0]},hotline,{r.split(',')[1]}" for r in rows]
    staffing = staffing_csv(tmp_path, rows, "start,hotline" if shape == "wide"
                            else "start,pool,agents")
    result = run("simulate", str(SCENARIOS / "bank_hotline.yaml"), "--staffing", str(staffing),
                 "--replications", "2", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    pools = pd.read_csv(tmp_path / "out" / "pools.csv")
    by_interval = pools.groupby("interval")["agents"].first()
    assert by_interval.iloc[:16].eq(0).all() and by_interval.iloc[16] > 0  # opens 08:00


def test_a_missing_staffing_file_says_where_the_path_is_taken_from(tmp_path):
    result = run("simulate", str(SCENARIOS / "bank_hotline.yaml"), "--staffing", "nope.csv",
                 "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_clean_error(result, "nope.csv", "file not found", "relative to the folder svcsim "
                       "runs in")


def test_roster_given_the_scenario_as_requirements_says_what_to_give(tmp_path):
    bank = str(SCENARIOS / "bank_hotline.yaml")
    assert_clean_error(run("roster", bank, "--rules", bank, "--out", str(tmp_path / "out")),
                       "bank_hotline.yaml", "is a scenario file, not a requirements table",
                       "svcsim requirements SCENARIO")
    assert not (tmp_path / "out").exists()


def test_requirements_then_roster_as_a_workforce_manager_would(tmp_path):
    bank = str(SCENARIOS / "bank_hotline.yaml")
    assert run("requirements", bank, "--out", str(tmp_path)).returncode == 0
    result = run("roster", str(tmp_path / "requirements_by_pool.csv"), "--rules", bank,
                 "--time-limit", "3", "--start-date", "2026-12-08", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "status" in result.stdout and "coffee" in result.stdout
    rota = openpyxl.load_workbook(tmp_path / "roster.xlsx")["Rota"]
    assert [c.value for c in rota[1] if c.value is not None] == [dt.datetime(2026, 12, 8)]
    pools = pd.read_csv(tmp_path / "roster_pools.csv")
    assert (pools["headcount"] == pools["headcount_bound"]).all()  # proved minimal
    for name in ("roster.xlsx", "roster_shifts.csv", "roster_coverage.csv", "coverage.png",
                 "shifts.png"):
        assert (tmp_path / name).stat().st_size > 0
    shifts = pd.read_csv(tmp_path / "roster_shifts.csv")
    ends = shifts["end"].str.slice(0, 2).astype(int) * 60 + shifts["end"].str.slice(3).astype(int)
    assert (ends <= 20 * 60).all()  # latest_end: nobody works past closing
    coverage = pd.read_csv(tmp_path / "roster_coverage.csv")
    assert (coverage["scheduled"] >= coverage["required"]).all()


def test_roster_rejects_a_requirements_file_that_does_not_fit(tmp_path):
    bad = tmp_path / "req.csv"
    bad.write_text("interval,pool,scheduled_agents\n0,hotlnie,3\n")
    result = run("roster", str(bad), "--rules", str(SCENARIOS / "bank_hotline.yaml"),
                 "--out", str(tmp_path / "out"))
    assert_clean_error(result, "req.csv", "row 2, column 'pool'", "did you mean 'hotline'")
    assert not (tmp_path / "out").exists()


def test_plan_is_the_whole_job(tmp_path):
    result = run("plan", str(SCENARIOS / "bank_hotline.yaml"), "--replications", "4",
                 "--time-limit", "2", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    headline = result.stdout.splitlines()[:3]
    assert "(roster OPTIMAL, gap 0.0 %" in headline[0]  # the solver's status and gap
    assert "80/20 every half hour: met (95 % confidence)" in headline[1] or \
        "not shown at 95 %" in headline[1]
    assert "analytic requirement alone" in result.stdout
    for name in ("roster.xlsx", "plan_history.csv", "standards.csv", "coverage.png",
                 "shifts.png", "service_level.png", "report.html"):
        assert (tmp_path / name).stat().st_size > 0
    history = pd.read_csv(tmp_path / "plan_history.csv")
    assert str(history["iteration"].iloc[0]) == "0"


def test_plan_holds_a_daily_standard_over_the_day(tmp_path):
    result = run("plan", str(SCENARIOS / "bank_hotline_daily.yaml"), "--replications", "4",
                 "--time-limit", "2", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    headline = result.stdout.splitlines()[0]
    agents = int(headline.split(": ")[2].split()[0])
    needed = int(result.stdout.split("in every interval would need ")[1].split()[0])
    assert agents < needed
    assert "Held over the day" in result.stdout and "80/20 over the day [hotline]" in result.stdout


def test_a_start_date_on_another_weekday_is_refused_before_any_work(tmp_path):
    result = run("plan", str(SCENARIOS / "bank_hotline.yaml"), "--start-date", "2026-12-09",
                 "--out", str(tmp_path / "out"))
    assert_clean_error(result, "--start-date", "2026-12-09 is a Wednesday", "first_day is 'tue'")
    assert not (tmp_path / "out").exists()
    result = run("plan", str(SCENARIOS / "bank_hotline.yaml"), "--start-date", "8 Dec")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'--start-date': '8 Dec' does not match the format '%Y-%m-%d'" in result.stderr


def test_plan_needs_shift_rules(tmp_path):
    data = json.loads(json.dumps(MINIMAL))
    path = write_scenario(tmp_path, data)
    assert_clean_error(run("plan", str(path), "--out", str(tmp_path / "out")),
                       "pools[0].shift_rules", "name a set of 'shift_rules'")
    assert not (tmp_path / "out").exists()


def test_compare_tests_a_proposed_standard(tmp_path):
    result = run_study(tmp_path, "compare", "name: 90/15 proposal\nbase: base.yaml\n"
                       "replications: 3\nvariants:\n  - name: 90/15\n    changes:\n"
                       "      - {standard: 80/20 every half hour, percent: 90, within: 15s}\n")
    assert result.returncode == 0, result.stderr
    assert "What each variant needs" in result.stdout and "Day one" in result.stdout
    plans = pd.read_csv(tmp_path / "out" / "plans.csv")
    assert list(plans["variant"]) == ["base", "90/15"]
    assert plans["headcount_change"].iloc[1] >= 0
    assert (tmp_path / "out" / "comparison.png").stat().st_size > 0
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert result.stdout.splitlines()[0] in page and "data:image/png;base64," in page


def test_compare_explains_a_bad_study(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(f"name: typo\nbase: {SCENARIOS / 'bank_hotline.yaml'}\n"
                     "variants:\n  - name: v\n    changes:\n"
                     "      - {standard: 80/20 every hour, percent: 90}\n")
    assert_clean_error(run("compare", str(study), "--out", str(tmp_path / "out")),
                       "variants[0].changes[0].standard", "did you mean '80/20 every half hour'")
    assert not (tmp_path / "out").exists()


def run_study(folder, command: str, study: str) -> subprocess.CompletedProcess:
    """``svcsim COMMAND`` on a study file (text) whose base is the quarter bank."""
    quarter_bank(folder)
    (folder / "study.yaml").write_text(study)
    return run(command, str(folder / "study.yaml"), "--time-limit", "2", "--out",
               str(folder / "out"))


def test_sweep_prints_each_point_and_writes_its_chart(tmp_path):
    result = run_study(tmp_path, "sweep", "name: volume\nbase: base.yaml\nreplications: 3\n"
                       "sweep:\n  change: {channel: phone, volume: [x0.8, x1.2]}\n")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "out" / "sweep.csv")
    assert list(table["volume"]) == [0.8, 1.2]
    assert table["headcount"].iloc[1] >= table["headcount"].iloc[0]
    assert "today: 80/20 every half hour" in table.columns
    assert (tmp_path / "out" / "sweep.png").stat().st_size > 0
    assert "Sweep: volume" in result.stdout


def test_sweep_needs_a_sweep(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(f"name: none\nbase: {SCENARIOS / 'bank_hotline.yaml'}\nvariants:\n"
                     "  - {name: v, changes: [{tier: retail, priority: 1}]}\n")
    assert_clean_error(run("sweep", str(study), "--out", str(tmp_path / "out")),
                       "sweep", "this study has no sweep")


def test_frontier_prints_what_each_target_costs_and_draws_it(tmp_path):
    result = run_study(tmp_path, "frontier", "name: phone targets\nbase: base.yaml\n"
                       "replications: 3\nfrontier:\n  standards: [80/20 every half hour]\n"
                       "  percent: [70, 80, 90]\n")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "out" / "frontier.csv")
    assert list(table["target"]) == [0.7, 0.8, 0.9]
    assert list(table["today"]) == [False, True, False]
    assert table["headcount"].is_monotonic_increasing
    step = table["headcount"].iloc[2] - table["headcount"].iloc[1]
    assert f"from today's 80%, 90% {step:+d} agents" in result.stdout
    assert (tmp_path / "out" / "frontier.png").stat().st_size > 0


def test_frontier_explains_a_bad_frontier(tmp_path):
    base = SCENARIOS / "bank_hotline.yaml"
    study = tmp_path / "study.yaml"
    study.write_text(f"name: f\nbase: {base}\nfrontier:\n"
                     "  standards: [80/20 every hour]\n  percent: [70, 80]\n")
    assert_clean_error(run("frontier", str(study), "--out", str(tmp_path / "out")),
                       "frontier.standards[0]", "did you mean '80/20 every half hour'")
    study.write_text(f"name: f\nbase: {base}\nfrontier:\n"
                     "  standards: [80/20 every half hour]\n  percent: [90, 80]\n")
    assert_clean_error(run("frontier", str(study), "--out", str(tmp_path / "out")),
                       "frontier.percent", "lowest first")
    study.write_text(f"name: f\nbase: {base}\nvariants:\n"
                     "  - {name: v, changes: [{tier: retail, priority: 1}]}\n")
    assert_clean_error(run("frontier", str(study), "--out", str(tmp_path / "out")),
                       "frontier", "this study has no frontier")
    assert not (tmp_path / "out").exists()


def test_scorecard_scores_measured_inputs_and_flags_alerts(tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text(yaml.safe_dump({
        "name": "desk", "inputs": {"fcr": "85%", "csat": "75%"},
        "dimensions": [{"name": "resolution", "input": "fcr", "weight": "100%", "bands": [
            {"points": 10, "at_least": "90%"}, {"points": 5, "at_least": "80%"},
            {"points": 0}]}],
        "alerts": [{"input": "csat", "below": "80%"}]}))
    result = run("scorecard", str(card), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "50.0 / 100" in result.stdout and "csat 75.0% is below 80.0%" in result.stdout
    assert (tmp_path / "out" / "scorecard.png").stat().st_size > 0


def test_scorecard_explains_weights_that_do_not_add_up(tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text(yaml.safe_dump({
        "name": "desk", "inputs": {"fcr": "85%"},
        "dimensions": [{"name": "resolution", "input": "fcr", "weight": "90%",
                        "bands": [{"points": 10}]}]}))
    assert_clean_error(run("scorecard", str(card), "--out", str(tmp_path / "out")),
                       str(card), "add up to 90%")
    assert not (tmp_path / "out").exists()
