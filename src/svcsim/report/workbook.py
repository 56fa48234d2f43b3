"""The roster workbook a workforce manager sends on as it is.

Sheets, in order: Summary (scenario, period, standards with their targets and
simulated attainment, headcount, paid hours, cost, the solver's outcome in
words, notes), Rota (one row per agent; per day the start, the end and each
break as Excel times), Shifts, Coverage and Legend. Times are real Excel
times (``hh:mm``), shares are percentages, counts are numbers; every table
has a frozen header, widths that fit and a filter. Solver internals (run
times, bounds) stay in ``roster_pools.csv``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from svcsim.files import write_atomic
from svcsim.report.days import day_dates, day_labels
from svcsim.roster import Roster
from svcsim.scenario import Scenario
from svcsim.scenario.units import parse_clock

TIME = "hh:mm"
HOURS = "0.0"
MONEY = "#,##0"
PERCENT = "0.0%"
AGENTS = "0.0"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
OFF_FILL = PatternFill("solid", fgColor="F2F2F2")
DAY_EDGE = Border(left=Side(style="thin", color="808080"))

STATUS_WORDS = {
    "OPTIMAL": "Optimal: no roster within the shift rules covers the requirement with "
               "fewer agents",
    "FEASIBLE": "Good, not proved best: the solver found this roster but did not prove, "
                "within its time limit, that fewer agents cannot do",
    "TIME_LIMIT": "No roster found within the solver's time limit: give it more time "
                  "(--time-limit)",
}
VERDICT_WORDS = {"met": "met (the confidence interval clears the target)",
                 "uncertain": "met on average; the confidence interval reaches below the target",
                 "missed": "missed"}


DATE = "ddd d mmm"
"""Excel's format for a day header: ``Mon 7 Dec``."""


def _day_cell(ws: Worksheet, row: int, column: int, scenario: Scenario, day: int):
    """Write day ``day`` (0-based) of the horizon: an Excel date shown as
    ``Mon 7 Dec`` when the start date is known, else its label."""
    dates = day_dates(scenario)
    cell = ws.cell(row, column, dates[day] if dates else day_labels(scenario)[day])
    if dates:
        cell.number_format = DATE
    return cell


def _clock(seconds: float) -> dt.time:
    """An Excel time of day from seconds after midnight (days dropped)."""
    seconds = int(round(seconds)) % 86400
    return dt.time(seconds // 3600, seconds % 3600 // 60)


def _text_width(value) -> int:
    """Columns a cell's text takes (Chinese characters take two)."""
    if isinstance(value, dt.time):
        return 5
    if isinstance(value, dt.date):
        return 10  # ddd d mmm
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(ws: Worksheet, first_row: int = 1, most: int = 60) -> None:
    """Column widths that fit the text from ``first_row`` down."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), _text_width(cell.value))
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(most, width + 2)


def _table(ws: Worksheet, header_row: int, headers: list[str], rows: Iterable[list],
           formats: dict[str, str]) -> int:
    """Write a table with a styled, frozen, filtered header; return its last row."""
    for c, name in enumerate(headers, start=1):
        cell = ws.cell(header_row, c, name)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    r = header_row
    for r, values in enumerate(rows, start=header_row + 1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            fmt = formats.get(headers[c - 1])
            if fmt and not isinstance(value, str):
                cell.number_format = fmt
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{max(r, header_row)}"
    return r


def _contracts(roster: Roster) -> dict[str, str]:
    """Each agent's contract in words, from the shifts they work."""
    if roster.agent_days.empty:
        return {}
    part = roster.agent_days.groupby("agent")["part_time"].agg(lambda s: set(s))
    return {agent: ("part-time" if kinds == {True} else "full-time" if kinds == {False}
                    else "mixed") for agent, kinds in part.items()}


def _summary_sheet(ws: Worksheet, roster: Roster, scenario: Scenario, simulation,
                   title: str | None) -> None:
    ws.title = "Summary"
    ws.cell(1, 1, title or f"Roster: {scenario.name}").font = TITLE
    labels, dates = day_labels(scenario), day_dates(scenario)
    if dates:  # with the year: the summary is the sheet that gets filed
        period = labels[0] if len(labels) == 1 else f"{len(labels)} days, {labels[0]} to {labels[-1]}"
        period += f" {dates[-1].year}"
    else:
        period = labels[0] if len(labels) == 1 else (
            f"{scenario.horizon.days} days, {labels[0].split()[0]} to {labels[-1].split()[0]}")
    contracts = pd.Series(_contracts(roster)).value_counts()
    facts = [
        ("Scenario", scenario.name),
        ("Period", f"{period}, {scenario.interval_s / 60:g}-minute intervals"),
        ("Headcount", roster.headcount, "0"),
        ("  full-time", int(contracts.get("full-time", 0)), "0"),
        ("  part-time", int(contracts.get("part-time", 0)), "0"),
        ("Shifts worked", roster.shift_count, "0"),
        ("Paid hours", roster.paid_hours, HOURS),
        ("Cost", roster.cost, MONEY),
        ("Roster", STATUS_WORDS.get(roster.status, roster.status)),
        ("Requirement covered", "every interval" if roster.meets_requirements else
         "not in every interval: see the notes and the Coverage sheet"),
    ]
    for r, fact in enumerate(facts, start=3):
        ws.cell(r, 1, fact[0]).font = BOLD
        cell = ws.cell(r, 2, fact[1])
        if len(fact) > 2:
            cell.number_format = fact[2]
            cell.alignment = Alignment(horizontal="left")
    top = 3 + len(facts) + 1
    ws.cell(top, 1, "Standards").font = TITLE
    headers = ["Standard", "Scope", "Target", "Simulated attainment", "95% CI low",
               "95% CI high", "Verdict"]
    if simulation is None:
        rows = [[s.label, s.scope, s.target, "not simulated", None, None,
                 "not shown: run svcsim plan or simulate"] for s in scenario.standards]
    else:
        rows = [[s.standard, s.scope, s.target, s.attainment, s.attainment_low,
                 s.attainment_high, VERDICT_WORDS.get(s.verdict, s.verdict)]
                for s in simulation.standards.itertuples()]
    rows = rows or [["none: the scenario states no standard", "", None, None, None, None, ""]]
    formats = dict.fromkeys(headers[2:6], PERCENT)
    end = _table(ws, top + 1, headers, rows, formats)
    ws.auto_filter.ref = None  # one small table among facts: no filter, no frozen pane
    ws.freeze_panes = None
    notes = list(roster.explanations)
    ws.cell(end + 2, 1, "Notes").font = TITLE
    for i, note in enumerate(notes or ["none: the roster keeps every shift rule and covers "
                                       "the requirement"], start=end + 3):
        ws.cell(i, 1, note)
    _fit(ws, first_row=3)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 22)
    ws.column_dimensions["B"].width = 40


def _break_names(roster: Roster) -> list[str]:
    names: dict[str, None] = {}
    for taken in roster.agent_days["breaks"]:
        names.update((name, None) for name, _, _ in taken)
    return list(names)


def _rota_sheet(ws: Worksheet, roster: Roster, scenario: Scenario) -> None:
    """Two header rows (the day, then Start / End / each break); one row per agent."""
    breaks = _break_names(roster) if not roster.agent_days.empty else []
    per_day = ["Start", "End", *breaks]
    fixed = ["Pool", "Agent", "Contract", "Days", "Paid hours"]
    labels = day_labels(scenario)
    for c, name in enumerate(fixed, start=1):
        ws.cell(2, c, name)
    for d in range(len(labels)):
        first = len(fixed) + 1 + d * len(per_day)
        head = _day_cell(ws, 1, first, scenario, d)
        head.font, head.fill = BOLD, HEADER_FILL
        head.alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=1, start_column=first, end_row=1,
                       end_column=first + len(per_day) - 1)
        for j, name in enumerate(per_day):
            ws.cell(2, first + j, name)
    for cell in ws[2]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    contracts = _contracts(roster)
    days = roster.agent_days.set_index(["agent", "day"]) if not roster.agent_days.empty else None
    for r, agent in enumerate(roster.agents.itertuples(), start=3):
        values = [agent.pool, agent.agent, contracts.get(agent.agent, ""), agent.days,
                  agent.paid_hours]
        for c, value in enumerate(values, start=1):
            ws.cell(r, c, value)
        ws.cell(r, 5).number_format = HOURS
        for d in range(len(labels)):
            first = len(fixed) + 1 + d * len(per_day)
            key = (agent.agent, d + 1)
            if days is None or key not in days.index:
                ws.cell(r, first, "off")
                for j in range(len(per_day)):
                    ws.cell(r, first + j).fill = OFF_FILL
                continue
            row = days.loc[key]
            ws.cell(r, first, _clock(row["start_s"])).number_format = TIME
            ws.cell(r, first + 1, _clock(row["end_s"])).number_format = TIME
            for name, start_s, _ in row["breaks"]:
                cell = ws.cell(r, first + 2 + breaks.index(name), _clock(start_s))
                cell.number_format = TIME
    for d in range(len(labels)):
        column = len(fixed) + 1 + d * len(per_day)
        for r in range(1, ws.max_row + 1):
            ws.cell(r, column).border = DAY_EDGE
    ws.freeze_panes = ws.cell(3, 3)
    ws.auto_filter.ref = f"A2:{get_column_letter(ws.max_column)}{max(ws.max_row, 2)}"
    _fit(ws, first_row=2)
    for d in range(len(labels)):  # the day header spans its columns; keep times narrow
        for j in range(len(per_day)):
            letter = get_column_letter(len(fixed) + 1 + d * len(per_day) + j)
            ws.column_dimensions[letter].width = max(7, _text_width(per_day[j]) + 2)


def _shifts_sheet(ws: Worksheet, roster: Roster, scenario: Scenario) -> None:
    labels = day_dates(scenario) or day_labels(scenario)
    options = roster.agent_days.drop_duplicates(["pool", "shift"]).set_index(
        ["pool", "shift"]) if not roster.agent_days.empty else None
    headers = ["Pool", "Day", "Shift", "Contract", "Start", "End", "Crosses midnight",
               "Breaks", "Agents", "Paid hours each"]
    rows = []
    for s in roster.shifts.itertuples():
        known = options is not None and (s.pool, s.shift) in options.index
        part = bool(options.loc[(s.pool, s.shift), "part_time"]) if known else None
        paid = float(options.loc[(s.pool, s.shift), "paid_hours"]) if known else None
        rows.append([s.pool, labels[s.day - 1], s.shift,
                     "" if part is None else "part-time" if part else "full-time",
                     _clock(parse_clock(s.start)), _clock(parse_clock(s.end)),
                     "yes" if s.crosses_midnight else "no", s.breaks, s.count, paid])
    _table(ws, 1, headers, rows, {"Day": DATE, "Start": TIME, "End": TIME, "Agents": "0",
                                  "Paid hours each": HOURS})
    _fit(ws)


def _coverage_sheet(ws: Worksheet, roster: Roster, scenario: Scenario) -> None:
    labels = day_dates(scenario) or day_labels(scenario)
    per_day = int(round(86400 / scenario.interval_s))
    headers = ["Pool", "Day", "Interval start", "Required", "Scheduled", "On break",
               "Surplus", "Shortfall"]
    staffed = roster.coverage[roster.coverage[["required", "scheduled", "on_break"]].sum(axis=1)
                              > 0]
    rows = [[c.pool, labels[int(c.interval) // per_day],
             _clock(int(c.interval) * scenario.interval_s), c.required, c.scheduled,
             c.on_break, c.surplus, c.shortfall] for c in staffed.itertuples()]
    _table(ws, 1, headers, rows, {"Day": DATE, "Interval start": TIME, "Required": "0",
                                  "Scheduled": AGENTS, "On break": AGENTS,
                                  "Surplus": AGENTS, "Shortfall": AGENTS})
    _fit(ws)


LEGEND = [
    ("Summary", "", "What the roster costs and reaches, and anything it could not keep."),
    ("Summary", "Simulated attainment", "Mean share of contacts within the standard over "
     "the simulation's replications, with its 95% confidence interval; 'not simulated' "
     "when the roster was not simulated."),
    ("Rota", "", "One row per agent; per day the shift's start and end and each break's "
     "start, as clock times. 'off' is a day off."),
    ("Rota", "Contract", "full-time or part-time: each agent works one kind of shift all "
     "week (part-time shifts are those the shift rules mark part_time)."),
    ("Rota", "End", "An end earlier than the start is the next morning (a night shift)."),
    ("Rota", "Paid hours", "Over the whole period, unpaid breaks taken out."),
    ("Shifts", "", "Each shift pattern (start, end, breaks) and how many agents work it."),
    ("Coverage", "", "Per pool and interval; intervals nobody is required or rostered in "
     "are left out."),
    ("Coverage", "Required", "Agents the requirement asks for in the interval "
     "(scheduled, i.e. after shrinkage)."),
    ("Coverage", "Scheduled", "Agents the roster has on duty, breaks taken out; fractions "
     "are breaks that cover part of the interval."),
    ("Coverage", "On break", "Agents on the roster but on a break."),
    ("Coverage", "Surplus / Shortfall", "Scheduled above or below the requirement."),
    ("All", "Times", "Local clock times of the scenario's centre."),
    ("All", "Days", "Weekday and date (Excel dates) when the scenario gives "
     "horizon.start_date; else the weekday, and the day number over several days."),
]


def _legend_sheet(ws: Worksheet, scenario: Scenario) -> None:
    rows = [list(item) for item in LEGEND]
    rows += [["Summary", "Roster: " + word.split(":")[0], text]
             for word, text in ((w, w) for w in STATUS_WORDS.values())]
    for rules_name, rules in scenario.shift_rules.items():
        said = [f"at most {rules.max_days_per_week} days a week",
                f"at least {rules.min_rest / 3600:g} h rest between shifts"]
        if rules.max_start_change is not None:
            said.append(f"start times within {rules.max_start_change / 3600:g} h of each "
                        "other over the week")
        for key in ("full_time", "part_time"):
            span = getattr(rules.weekly_hours, key)
            if span is not None:
                said.append(f"{key.replace('_', '-')} {span[0] / 3600:g}-{span[1] / 3600:g} "
                            "paid hours a week")
        rows.append(["Rota", f"Shift rules '{rules_name}'", "; ".join(said)])
    _table(ws, 1, ["Sheet", "Column", "Meaning"], rows, {})
    _fit(ws, most=100)
    for row in ws.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")


def roster_workbook(roster: Roster, scenario: Scenario, simulation=None,
                    title: str | None = None) -> Workbook:
    """The roster as a workbook to send on.

    Parameters
    ----------
    roster : Roster
        A solved roster (:func:`svcsim.schedule_roster`, or ``Plan.roster``).
    scenario : Scenario
        The scenario it was rostered for (names, calendar, standards).
    simulation : SimulationResult, optional
        The roster's simulation; its attainment of every standard goes on the
        summary. Without it the summary says "not simulated".
    title : str, optional
        The summary's heading [default: ``Roster: <scenario name>``].
    """
    book = Workbook()
    _summary_sheet(book.active, roster, scenario, simulation, title)
    _rota_sheet(book.create_sheet("Rota"), roster, scenario)
    _shifts_sheet(book.create_sheet("Shifts"), roster, scenario)
    _coverage_sheet(book.create_sheet("Coverage"), roster, scenario)
    _legend_sheet(book.create_sheet("Legend"), scenario)
    return book


def write_workbook(path: str | Path, roster: Roster, scenario: Scenario, simulation=None,
                   title: str | None = None) -> Path:
    """Write :func:`roster_workbook` to ``path`` (``.xlsx``) atomically."""
    book = roster_workbook(roster, scenario, simulation, title)
    return write_atomic(path, lambda tmp: book.save(tmp))


__all__ = ["day_dates", "day_labels", "roster_workbook", "write_workbook"]
