"""Data files a scenario names (arrival volumes, empirical samples, staffing),
resolved relative to the scenario file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from pydantic import ValidationInfo


def resolve_path(relative: str, info: ValidationInfo | None) -> Path:
    """Resolve ``relative`` against the scenario file's folder (the validation
    context's ``base_dir``; the working directory for scenarios built in Python)."""
    base = Path((info.context or {}).get("base_dir", ".")) if info is not None else Path(".")
    path = Path(relative)
    return path if path.is_absolute() else base / path


MAX_CSV_BYTES = 16 * 2**20
"""Largest CSV data file, bytes (a week of 15-minute intervals for a hundred
pools is well under 1 MB)."""


def read_csv_rows(path: Path, relative_to: str = "the scenario file", hint: str | None = None
                  ) -> tuple[list[str], list[dict[str, str]]]:
    """Read a CSV file with a header row; raise ValueError naming the file when it
    is missing, empty, unreadable, too large, has a column named twice, or a
    row with more fields than the header (a trailing comma, a decimal comma in
    a ``;`` file).

    ``relative_to`` says, in the not-found message, what a relative path is
    resolved against; ``hint`` replaces that sentence when given.
    """
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a CSV file")
    if not path.is_file():
        raise ValueError(f"file not found: {path} "
                         f"({hint or f'paths are relative to {relative_to}'})")
    if path.stat().st_size > MAX_CSV_BYTES:
        raise ValueError(f"{path} is {path.stat().st_size / 2**20:.1f} MB; svcsim reads CSV "
                         f"files up to {MAX_CSV_BYTES / 2**20:g} MB")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            lines = list(reader)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                         "save it as UTF-8 CSV") from None
    except (OSError, csv.Error) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if len(lines) < 2:
        raise ValueError(f"{path} is empty; expected a header row and at least one data row")
    header = [name.strip() for name in lines[0]]
    _check_header(path, header)
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if len(line) > len(header):
            raise ValueError(f"{path}, row {number}: {len(line)} fields, but the header has "
                             f"{len(header)}; remove the extra field (a trailing comma, or "
                             "a decimal comma: write 12.5, not 12,5)")
        cells = [cell.strip() for cell in line] + [""] * (len(header) - len(line))
        rows.append(dict(zip(header, cells, strict=True)))
    return header, rows


def csv_problem(exc: ValueError, path: Path) -> tuple[str, str]:
    """A read_csv_rows error as (where, what) for a message that names the file
    itself: ``("row 21", "11 fields, ...")`` rather than the path twice."""
    text, prefix = str(exc), str(path)
    if not text.startswith(prefix):
        return "", text
    rest = text[len(prefix):]
    if rest.startswith(", "):
        where, _, what = rest[2:].partition(": ")
        return where, what
    return "", rest.removeprefix(": ").lstrip()


def _check_header(path: Path, header: list[str]) -> None:
    if len(header) == 1 and ";" in header[0]:
        raise ValueError(f"{path} is separated by ';'; svcsim reads comma-separated CSV: "
                         "save it with ',' between fields and '.' for decimals")
    seen = set()
    for name in header:
        if name in seen:
            raise ValueError(f"{path}: the column '{name}' appears twice in the header; "
                             "keep one")
        seen.add(name)


def read_csv_numbers(path: Path, column: str) -> list[float]:
    """Return the numeric values of ``column`` in a CSV file, naming the row of
    the first bad value."""
    header, rows = read_csv_rows(path)
    if column not in header:
        raise ValueError(f"{path} has no column '{column}' (columns: {', '.join(header)})")
    values = []
    for line, row in enumerate(rows, start=2):
        values.append(parse_number(row[column], f"{path}, row {line}, column '{column}'"))
    return values


def parse_number(text: Any, where: str) -> float:
    """Parse one finite number from a data file cell."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{where}: expected a finite number, got {text!r}")
    return value
