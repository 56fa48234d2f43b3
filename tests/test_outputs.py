"""What a workforce manager receives: the roster workbook, the shift chart,
names in any script. Checked by opening the files as a reader would
(openpyxl for the workbook, the PNG's pixel size for the chart)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from PIL import Image

import svcsim
from conftest import ROOT, SCENARIOS
from svcsim.report import save_figure
from svcsim.report.fonts import cjk_family
from svcsim.report.roster_figures import coverage_figure, gantt_figure
from svcsim.report.workbook import write_workbook
from svcsim.roster import SolverSettings, schedule_roster
from test_roster import need_from, small

CHINESE = ROOT / "tests" / "data" / "chinese_hotline.yaml"
needs_cjk_font = pytest.mark.skipif(
    cjk_family() is None, reason="no CJK font on this system (apt-get install fonts-noto-cjk; "
    ".ci/run installs it)")


def requirement(scenario) -> dict[str, np.ndarray]:
    table = svcsim.requirements(scenario).pools
    return {pool: rows["scheduled_agents"].to_numpy()
            for pool, rows in table.groupby("pool", sort=False)}


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    """The bank hotline rostered and simulated, and its workbook."""
    scenario = svcsim.load_scenario(SCENARIOS / "bank_hotline.yaml")
    roster = schedule_roster(scenario, requirement(scenario), SolverSettings(time_limit_s=3))
    result = svcsim.simulate(scenario, staffing=svcsim.staffing_of(roster), replications=4,
                             seed=1)
    path = write_workbook(tmp_path_factory.mktemp("bank") / "roster.xlsx", roster, scenario,
                          result)
    return scenario, roster, result, openpyxl.load_workbook(path)


def test_the_workbook_opens_on_a_summary_a_manager_can_read(bank):
    scenario, roster, result, book = bank
    assert book.sheetnames == ["Summary", "Rota", "Shifts", "Coverage", "Legend"]
    summary = book["Summary"]
    facts = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert facts["Scenario"] == "Bank hotline"
    assert facts["Period"].startswith("Tue")  # the scenario's first_day
    assert facts["Headcount"] == roster.headcount
    assert facts["Paid hours"] == pytest.approx(roster.paid_hours)
    assert facts["Cost"] == pytest.approx(roster.cost)
    assert facts["Roster"].startswith("Optimal")  # the solver's status, in words
    standard = next(r for r in summary.iter_rows() if r[0].value == "80/20 every half hour")
    target, attained = standard[2], standard[3]
    assert target.value == pytest.approx(0.8) and target.number_format == "0.0%"
    assert attained.value == pytest.approx(result.standards["attainment"].iloc[0])
    assert attained.number_format == "0.0%"
    every_cell = [str(c.value) for ws in book for row in ws.iter_rows() for c in row]
    assert not any("runtime" in text or "headcount_bound" in text for text in every_cell)


def test_the_rota_has_real_times_per_day_and_frozen_headers(bank):
    scenario, roster, _, book = bank
    rota = book["Rota"]
    assert rota["F1"].value == "Tue"
    headers = [c.value for c in rota[2]]
    assert headers[:7] == ["Pool", "Agent", "Contract", "Days", "Paid hours", "Start", "End"]
    assert headers[7:] == ["coffee", "lunch"]
    assert rota.freeze_panes == "C3" and rota.auto_filter.ref.startswith("A2:")
    assert rota.max_row - 2 == roster.headcount
    for row in rota.iter_rows(min_row=3):
        start, end = row[5], row[6]
        assert isinstance(start.value, dt.time) and start.number_format == "hh:mm"
        assert isinstance(end.value, dt.time) and end.value <= dt.time(20, 0)  # latest_end
        for brk in row[7:]:
            if brk.value is not None:
                assert isinstance(brk.value, dt.time) and start.value < brk.value < end.value
    for name in ("Shifts", "Coverage"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        assert all(sheet.column_dimensions[c].width for c in "ABC")
    coverage = book["Coverage"]
    assert isinstance(coverage["C2"].value, dt.time) and coverage["E2"].number_format == "0.0"


def test_a_roster_not_simulated_says_so_rather_than_showing_a_number(tmp_path):
    scenario = svcsim.load_scenario(SCENARIOS / "bank_hotline.yaml")
    roster = schedule_roster(scenario, requirement(scenario), SolverSettings(time_limit_s=2))
    book = openpyxl.load_workbook(write_workbook(tmp_path / "r.xlsx", roster, scenario))
    row = next(r for r in book["Summary"].iter_rows(values_only=True)
               if r[0] == "80/20 every half hour")
    assert row[3] == "not simulated" and "not shown" in row[6]


def week_scenario(**labour):
    shifts = [{"name": "full", "length": "8h"},
              {"name": "part", "length": "4h", "part_time": True}]
    return small(shifts, earliest="06:00", latest="16:00", days=7, max_days_per_week=5,
                 min_rest="11h", max_part_time="40%", **labour)


def week_need():
    day = need_from(14, [2] * 4 + [5] * 6 + [3] * 6 + [4] * 6 + [2] * 4)  # 07:00 to 20:00
    return np.concatenate([day] * 5 + [day // 2] * 2)


def rota_weeks(book) -> list[dict]:
    """Each agent's week read back from the Rota sheet: contract, starts
    (minutes after midnight) and paid hours."""
    rota = book["Rota"]
    per_day = [c.column for c in rota[2] if c.value == "Start"]
    weeks = []
    for row in rota.iter_rows(min_row=3, values_only=True):
        starts = [row[c - 1] for c in per_day if isinstance(row[c - 1], dt.time)]
        weeks.append({"contract": row[2], "starts": [t.hour * 60 + t.minute for t in starts],
                      "paid_hours": row[4]})
    return weeks


def test_everyone_keeps_one_contract_steady_starts_and_weekly_hours(tmp_path):
    scenario = week_scenario(max_start_change="2h",
                             weekly_hours={"full_time": ["32h", "40h"],
                                           "part_time": ["8h", "20h"]})
    roster = schedule_roster(scenario, {"desk": week_need()}, SolverSettings(time_limit_s=5))
    assert roster.meets_requirements and not roster.explanations
    book = openpyxl.load_workbook(write_workbook(tmp_path / "week.xlsx", roster, scenario))
    assert [c.value for c in book["Rota"][1] if c.value][:2] == ["Mon (day 1)", "Tue (day 2)"]
    weeks = rota_weeks(book)
    assert {w["contract"] for w in weeks} <= {"full-time", "part-time"}  # never 'mixed'
    for week in weeks:
        assert max(week["starts"]) - min(week["starts"]) <= 120
        low, high = (32, 40) if week["contract"] == "full-time" else (8, 20)
        assert low <= week["paid_hours"] <= high
    # the workbook's shifts are the roster's: every agent-day accounted for
    assert sum(len(w["starts"]) for w in weeks) == roster.shift_count


def test_weekly_hours_no_naming_can_meet_are_said_in_the_workbook(tmp_path):
    # 8-hour shifts on at most 5 days give at most 40 paid hours: 45 cannot be met
    scenario = week_scenario(weekly_hours={"full_time": ["45h", "48h"]})
    roster = schedule_roster(scenario, {"desk": week_need()}, SolverSettings(time_limit_s=3))
    assert any("weekly hours" in note and "cannot be met" in note
               for note in roster.explanations)
    book = openpyxl.load_workbook(write_workbook(tmp_path / "week.xlsx", roster, scenario))
    notes = [r[0] for r in book["Summary"].iter_rows(values_only=True) if r[0]]
    assert any("weekly hours" in str(note) for note in notes)
    assert {w["contract"] for w in rota_weeks(book)} <= {"full-time", "part-time"}


@pytest.mark.parametrize("days", [1, 7])
def test_the_shift_chart_is_slide_sized_for_a_day_or_a_week(tmp_path, days):
    scenario = week_scenario() if days == 7 else small(
        [{"name": "full", "length": "8h"}, {"name": "part", "length": "4h", "part_time": True}],
        earliest="06:00", latest="16:00")
    need = week_need() if days == 7 else week_need()[:48]
    roster = schedule_roster(scenario, {"desk": need}, SolverSettings(time_limit_s=3))
    path = save_figure(gantt_figure(roster, scenario), tmp_path / "shifts.png")
    assert Image.open(path).size == (1440, 810)


def test_a_start_date_heads_the_days_with_dates_in_the_workbook_and_the_shift_chart(tmp_path):
    # a planner's week: Monday 7 December 2026 to Sunday 13 December
    scenario = week_scenario().replace(horizon={"days": 7, "interval": "30m",
                                                "start_date": "2026-12-07"})
    assert scenario.horizon.first_day == "mon"  # the weekday follows the date
    roster = schedule_roster(scenario, {"desk": week_need()}, SolverSettings(time_limit_s=2))
    book = openpyxl.load_workbook(write_workbook(tmp_path / "week.xlsx", roster, scenario))
    week = [dt.datetime(2026, 12, 7 + d) for d in range(7)]
    heads = [c for c in book["Rota"][1] if c.value is not None]
    assert [c.value for c in heads] == week  # real dates, not text
    assert {c.number_format for c in heads} == {"ddd d mmm"}  # shown as Mon 7 Dec
    for name in ("Shifts", "Coverage"):
        sheet = book[name]
        assert sheet["B1"].value == "Day"
        days = [row[1] for row in sheet.iter_rows(min_row=2)]
        assert {c.value for c in days} <= set(week) and {c.number_format for c in days} == \
            {"ddd d mmm"}
    facts = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert facts["Period"].startswith("7 days, Mon 7 Dec to Sun 13 Dec 2026")
    figure = gantt_figure(roster, scenario)
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert titles == ["Mon 7 Dec", "Tue 8 Dec", "Wed 9 Dec", "Thu 10 Dec", "Fri 11 Dec",
                      "Sat 12 Dec", "Sun 13 Dec"]
    assert Image.open(save_figure(figure, tmp_path / "shifts.png")).size == (1440, 810)


@pytest.mark.parametrize(("horizon", "fragments"), [
    ({"start_date": "2026-12-08", "first_day": "mon"},
     ["start_date 2026-12-08 is a Tuesday, but first_day is 'mon'", "first_day: tue"]),
    ({"start_date": "8/12/2026"}, ["horizon.start_date", "a date such as 2026-12-07"]),
    ({"start_date": 20261208}, ["horizon.start_date", "a date such as 2026-12-07"]),
])
def test_a_start_date_that_is_not_a_date_or_not_the_first_day_is_refused(minimal, horizon,
                                                                         fragments):
    minimal["horizon"] = {**minimal["horizon"], **horizon}
    with pytest.raises(svcsim.ScenarioError) as caught:
        svcsim.scenario_from_dict(minimal)
    for fragment in fragments:
        assert fragment in str(caught.value), str(caught.value)


def test_without_a_start_date_days_keep_their_weekday_names(minimal):
    from svcsim.report.days import day_labels

    assert day_labels(svcsim.scenario_from_dict(minimal)) == ["Mon"]
    minimal["horizon"].update(start_date="2026-12-09")
    scenario = svcsim.scenario_from_dict(minimal)
    assert scenario.horizon.first_day == "wed" and day_labels(scenario) == ["Wed 9 Dec"]


def test_names_follow_one_rule_in_any_script(minimal):
    minimal["pools"][0]["name"] = "贵宾组"
    minimal["standards"][0]["name"] = "20秒接通率"
    assert svcsim.scenario_from_dict(minimal).pools[0].name == "贵宾组"
    for where, bad, said in [
        (("pools", 0, "name"), " 贵宾组", "spaces at the start or end"),
        (("pools", 0, "name"), "", "cannot be empty"),
        (("standards", 0, "name"), "a\tb", "control characters"),
    ]:
        data = {**minimal, "pools": [dict(minimal["pools"][0])],
                "standards": [dict(minimal["standards"][0])]}
        data[where[0]][where[1]][where[2]] = bad
        with pytest.raises(svcsim.ScenarioError, match=said) as error:
            svcsim.scenario_from_dict(data)
        assert ".".join(map(str, where)).replace(".0.", "[0].") in str(error.value)
    data = dict(minimal, tiers={"vip/gold": {"priority": 1}})
    with pytest.raises(svcsim.ScenarioError, match=r"tiers.*cannot hold /"):
        svcsim.scenario_from_dict(data)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_terminal_tables_align_chinese_names():
    from svcsim.report.tables import requirements_by_pool_text

    scenario = svcsim.load_scenario(CHINESE)
    text = requirements_by_pool_text(svcsim.requirements(scenario), scenario)
    summary = text.split("Summary")[1].splitlines()[1:]
    assert "贵宾组" in summary[1]
    assert len({display_width(line) for line in summary}) == 1


@needs_cjk_font
def test_a_chinese_scenario_validates_plans_and_draws_without_missing_glyphs(tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "error::UserWarning"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-c", "from svcsim.cli import main; main()", "plan", str(CHINESE),
         "--replications", "3", "--time-limit", "2", "--out", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "贵宾组" in result.stdout and "Glyph" not in result.stderr
    book = openpyxl.load_workbook(tmp_path / "roster.xlsx")
    assert book["Rota"]["A3"].value == "贵宾组"
    assert [c.value for c in book["Rota"][2]][7:] == ["午休"]
    scenario = svcsim.load_scenario(CHINESE)
    roster = schedule_roster(scenario, requirement(scenario), SolverSettings(time_limit_s=2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for figure in (gantt_figure(roster, scenario), coverage_figure(roster, scenario)):
            save_figure(figure, Path(tmp_path) / "chart.png")
