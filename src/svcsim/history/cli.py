"""The history commands: ``svcsim fit``, ``svcsim forecast`` and ``svcsim replay``.

They are registered on the main command group by :func:`register`; bad
input (a bad row, a bad option) prints one message naming the file, row and
column, exits with status 2 and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import click

from svcsim.scenario.units import parse_duration


def _seconds(text: str, option: str) -> float:
    from svcsim.history.tables import HistoryError

    try:
        return float(parse_duration(text))
    except (ValueError, TypeError) as exc:
        raise HistoryError(option, [("", f"'{text}' is not a duration (e.g. 5s, 30m): {exc}")]) \
            from None


def _target(text: str):
    from svcsim.history.fit import Target
    from svcsim.history.tables import HistoryError

    percent, sep, within = text.partition("/")
    try:
        value = float(percent.rstrip("% "))
    except ValueError:
        value = -1.0
    if not sep or not 0 < value <= 100:
        raise HistoryError("--target", [("", f"'{text}' is not PERCENT/WITHIN, e.g. 80/20s")])
    return Target(value, _seconds(within, "--target"))


def _read_log(history: Path, columns: str | None, short_abandon: str):
    from svcsim.history.logs import read_contact_log
    from svcsim.history.tables import parse_columns

    return read_contact_log(history, parse_columns(columns),
                            _seconds(short_abandon, "--short-abandon"))


COLUMNS_HELP = ("Column mapping for files that name columns otherwise: "
                "ours=theirs,... e.g. arrival_time=CallStart,channel=Queue.")


def register(main: click.Group, reports_bad_input) -> None:
    """Add the history commands to ``main``."""

    @main.command()
    @click.argument("history", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
                  required=True, help="The scenario YAML to write; fit_*.csv go beside it.")
    @click.option("--interval", default="30m", show_default=True,
                  type=click.Choice(["15m", "30m"]), help="Planning interval of the scenario.")
    @click.option("--columns", help=COLUMNS_HELP)
    @click.option("--short-abandon", default="0s", show_default=True,
                  help="Abandons quicker than this are short abandons (not impatience).")
    @click.option("--target", "target_text", default="80/20s", show_default=True,
                  help="The standard to write: PERCENT/WITHIN (a target, not fitted).")
    @click.option("--calibrate/--no-calibrate", default=True, show_default=True,
                  help="Calibrate effective staffing against the simulator.")
    @click.option("--replications", "-n", type=click.IntRange(min=2), default=20,
                  show_default=True, help="Replications per calibration candidate.")
    @click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Local processes for the calibration's simulations.")
    @click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
    @reports_bad_input
    def fit(history: Path, out_path: Path, interval: str, columns: str | None,
            short_abandon: str, target_text: str, calibrate: bool, replications: int,
            workers: int, seed: int) -> None:
        """Fit a scenario to a contact log (CSV or XLSX): arrivals by weekday
        and interval, day-to-day overdispersion, handle time, patience from
        censored waits, retrials; commented with source and fit quality."""
        from svcsim.history.fit import calibrate_fit, fit_history, write_fit
        from svcsim.history.report import fit_summary

        target = _target(target_text)
        log = _read_log(history, columns, short_abandon)
        fitted = fit_history(log, _seconds(interval, "--interval"), target, seed=seed)
        if calibrate:
            calibrate_fit(fitted, replications, seed, workers)
        click.echo(fit_summary(fitted))
        written = write_fit(fitted, out_path)
        click.echo(f"\nwrote {', '.join(str(p) for p in written)}")
