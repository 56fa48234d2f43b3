"""Per-interval series (arrival volumes, staffing): inline lists or CSV files."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from svcsim.scenario.base import Spec
from svcsim.scenario.files import parse_number, read_csv_rows, resolve_path
from svcsim.scenario.units import ClockTime, Duration, format_clock, parse_clock


def as_series(value: Any) -> Any:
    """Let a bare list stand for ``{values: [...]}``."""
    if isinstance(value, tuple):
        return IntervalSeries(values=value)
    return value


class IntervalSeries(Spec):
    """Values per interval, placed consecutively from ``start`` on the first day.

    Intervals the series does not reach are 0. A CSV file needs a header row
    with the value column; an optional ``start`` column (``HH:MM``) is checked
    against the planning grid, row by row.
    """

    values: tuple[float, ...] | None = Field(None, description="one value per interval")
    csv: str | None = Field(None, description="CSV file, relative to the scenario file")
    column: str | None = Field(None, description="CSV column holding the values")
    start: ClockTime = Field(0.0, description="clock time of the first value (default 00:00)")
    interval: Duration | None = Field(
        None, description="interval length of the values (default: the scenario's); read "
        "from a CSV's 'start' column"
    )

    @model_validator(mode="before")
    @classmethod
    def _read_csv(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        revalidating = bool((info.context or {}).get("revalidate"))
        if "csv" in data and "values" in data and not revalidating:
            raise ValueError("give either 'values' (a list) or 'csv' (a file), not both")
        if "csv" not in data and "values" not in data:
            raise ValueError("give 'values' (a list, one per interval) or 'csv' (a file)")
        if "csv" in data and "values" not in data:
            column = data.get("column")
            start = parse_clock(data["start"]) if "start" in data else 0.0
            values, step = _read_series_csv(str(data["csv"]), column, start, info)
            data = {**data, "values": values}
            if step is not None and "interval" not in data:
                data["interval"] = step
        return data

    def array(self, n_intervals: int, interval_s: float) -> np.ndarray:
        """The series on the horizon's grid of ``n_intervals`` intervals of
        ``interval_s`` seconds; raises ValueError when it does not fit."""
        if self.interval is not None and self.interval != interval_s:
            source = self.csv or "the values"
            raise ValueError(
                f"{source} is on a {self.interval / 60:g}-minute grid, but the scenario's "
                f"interval is {interval_s / 60:g} minutes"
            )
        return place_on_grid(self.values or (), self.start, n_intervals, interval_s)


def place_on_grid(
    values: tuple[float, ...] | list[float], start_s: float, n_intervals: int, interval_s: float
) -> np.ndarray:
    """Put consecutive ``values`` on a grid from clock time ``start_s`` (seconds),
    zero elsewhere; raise ValueError when they are off-grid or run past the end."""
    if start_s % interval_s:
        raise ValueError(
            f"start {format_clock(start_s)} is not on the {interval_s / 60:g}-minute grid"
        )
    first = int(start_s // interval_s)
    if first + len(values) > n_intervals:
        raise ValueError(
            f"{len(values)} values from {format_clock(start_s)} run past the end of the "
            f"horizon ({n_intervals} intervals of {interval_s / 60:g} min)"
        )
    out = np.zeros(n_intervals)
    out[first : first + len(values)] = values
    return out


def _read_series_csv(
    relative: str, column: str | None, start_s: float, info: ValidationInfo
) -> tuple[list[float], float | None]:
    path = resolve_path(relative, info)
    header, rows = read_csv_rows(path)
    if column is None:
        candidates = [name for name in header if name != "start"]
        if len(candidates) != 1:
            raise ValueError(f"{path} has several columns ({', '.join(header)}); "
                             "name the one to use with 'column'")
        column = candidates[0]
    if column not in header:
        raise ValueError(f"{path} has no column '{column}' (columns: {', '.join(header)})")
    values = []
    step = None
    for line, row in enumerate(rows, start=2):
        value = parse_number(row[column], f"{path}, row {line}, column '{column}'")
        if value < 0:
            raise ValueError(f"{path}, row {line}, column '{column}': must be >= 0, got {value:g}")
        values.append(value)
        if "start" in header and line == 3:
            step = (parse_clock(row["start"]) - parse_clock(rows[0]["start"])) % 86400
    if "start" in header:
        _check_grid(path, rows, start_s, step)
    return values, step


def _check_grid(path: object, rows: list[dict[str, str]], start_s: float, step: float | None) -> None:
    try:
        first = parse_clock(rows[0]["start"])
    except ValueError as exc:
        raise ValueError(f"{path}, row 2, column 'start': {exc}") from None
    if first != start_s % 86400:
        raise ValueError(
            f"{path}, row 2, column 'start': the first row is {rows[0]['start']}, but the "
            f"series starts at {format_clock(start_s)}; set 'start' in the scenario to match"
        )
    if step is None:
        return
    for line, row in enumerate(rows, start=2):
        expected = format_clock(first + (line - 2) * step)
        if row["start"].zfill(5) != expected:
            raise ValueError(
                f"{path}, row {line}, column 'start': expected {expected} on the "
                f"{step / 60:g}-minute grid, got {row['start']}"
            )


SeriesOrList = Annotated[
    IntervalSeries | tuple[float, ...], AfterValidator(as_series)
]
"""An interval series, or a bare list of values from 00:00."""
