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


def read_csv_rows(path: Path, hint: str = "paths are relative to the scenario file"
                  ) -> tuple[list[str], list[dict[str, str]]]:
    """Read a CSV file with a header row; raise ValueError naming the file when it
    is missing, empty or unreadable (``hint`` says where a path is taken from)."""
    if not path.is_file():
        raise ValueError(f"file not found: {path} ({hint})")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = [name.strip() for name in (reader.fieldnames or [])]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    if not header or not rows:
        raise ValueError(f"{path} is empty; expected a header row and at least one data row")
    for line, row in enumerate(rows, start=2):
        if None in row:  # csv.DictReader keeps cells beyond the header under None
            raise ValueError(f"{path}, row {line}: {len(header) + len(row[None])} cells but the "
                             f"header has {len(header)}; is this a CSV file with a header row?")
    rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in rows]
    return header, rows


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
