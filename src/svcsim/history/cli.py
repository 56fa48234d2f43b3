"""The history commands: ``svcsim fit``, ``svcsim forecast`` and ``svcsim replay``.

They are registered on the main command group by :func:`register`; bad
input (a bad row, a bad option) prints one message naming the file, row and
column, exits with status 2 and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import click

from svcsim.processes import workers_option
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


def _holidays(text: str | None, option: str = "--holidays"):
    import pandas as pd

    from svcsim.history.tables import HistoryError

    values = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        try:
            values.append(pd.to_datetime(part.strip(), format="%Y-%m-%d"))
        except ValueError:
            raise HistoryError(option, [("", f"'{part.strip()}' is not a date "
                                               "YYYY-MM-DD")]) from None
    return pd.DatetimeIndex(values)


def _read_history(history: Path, columns: str | None, interval: str):
    """Counts per queue, day and interval from a contact log or an interval
    report (told apart by an 'offered' column)."""
    from svcsim.history.arrivals import daily_counts
    from svcsim.history.reports import is_interval_report, read_interval_report
    from svcsim.history.tables import parse_columns

    mapping = parse_columns(columns)
    if is_interval_report(history, mapping):
        return read_interval_report(history, mapping).history()
    log = _read_log(history, columns, "0s")
    offered = ~log.contacts["outcome"].isin(("short_abandon", "blocked")).to_numpy()
    return daily_counts(log, _seconds(interval, "--interval"), fresh=offered)


COLUMNS_HELP = ("Column mapping for files that name columns otherwise: "
                "ours=theirs,... e.g. arrival_time=CallStart,channel=Queue.")


def _output_folder(path: Path):
    """The folder the command writes into, checked before any work; its files
    are written as one set (see svcsim.output)."""
    from svcsim.output import OutputFolder

    return OutputFolder(path if str(path) else Path("."))


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
    @workers_option("Local processes for the calibration's simulations.")
    @click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
    @reports_bad_input
    def fit(history: Path, out_path: Path, interval: str, columns: str | None,
            short_abandon: str, target_text: str, calibrate: bool, replications: int,
            workers: int, seed: int) -> None:
        """Fit a scenario to a contact log (CSV or XLSX): arrivals by weekday
        and interval, day-to-day overdispersion, handle time, patience from
        censored waits, retrials, pools and chat concurrency from agent ids,
        effective staffing per pool; commented with source and fit quality. An
        interval report (a file with an 'offered' column) is fitted by Erlang
        A: patience and effective agents from abandonment and service level."""
        from svcsim.history.fit import calibrate_fit, fit_history, write_fit
        from svcsim.history.report import fit_summary
        from svcsim.history.reports import is_interval_report, read_interval_report
        from svcsim.history.tables import parse_columns

        target = _target(target_text)
        out = _output_folder(out_path.parent)
        if is_interval_report(history, parse_columns(columns)):
            from svcsim.history import report_fit

            fitted_report = report_fit.fit_report(
                read_interval_report(history, parse_columns(columns)), target)
            click.echo(report_fit.report_summary(fitted_report))
            with out.writing() as folder:
                report_fit.write_report_fit(fitted_report, folder / out_path.name)
            click.echo(f"\n{out.summary()}")
            return
        log = _read_log(history, columns, short_abandon)
        fitted = fit_history(log, _seconds(interval, "--interval"), target, seed=seed)
        if calibrate:
            calibrate_fit(fitted, replications, seed, workers)
        click.echo(fit_summary(fitted))
        with out.writing() as folder:
            write_fit(fitted, folder / out_path.name)
        click.echo(f"\n{out.summary()}")

    @main.command()
    @click.argument("history", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--days", type=click.IntRange(min=1, max=366), required=True,
                  help="Days to forecast, from the day after the history ends.")
    @click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                  required=True, help="Folder for forecast.csv, backtest.csv, forecast.png.")
    @click.option("--interval", default="30m", show_default=True,
                  help="Interval of a contact log's counts (reports keep their own).")
    @click.option("--columns", help=COLUMNS_HELP)
    @click.option("--holidays", help="Dates YYYY-MM-DD, comma separated: left out of the fit "
                  "and forecast as closed.")
    @click.option("--coverage", type=click.FloatRange(1, 99.9), default=80.0, show_default=True,
                  help="Prediction interval, percent.")
    @click.option("--level-weeks", type=click.IntRange(min=1), default=4, show_default=True,
                  help="Recent weeks the level is the mean of.")
    @click.option("--backtest-weeks", type=click.IntRange(min=0), default=4, show_default=True)
    @click.option("--model", type=click.Choice(["default", "ets", "auto"]), default="default",
                  show_default=True, help="default: profile x recent level; ets: exponential "
                  "smoothing of the day totals with a damped trend (needs the 'forecast' "
                  "extra); auto: the one with the lower backtest WAPE.")
    @click.option("--scenario", "scenario_path", type=click.Path(dir_okay=False, path_type=Path),
                  help="A fitted scenario: also write forecast_scenario.yaml with the "
                  "forecast's first week as its arrivals.")
    @reports_bad_input
    def forecast(history: Path, days: int, out_dir: Path, interval: str, columns: str | None,
                 holidays: str | None, coverage: float, level_weeks: int, backtest_weeks: int,
                 model: str, scenario_path: Path | None) -> None:
        """Forecast contacts per interval with prediction intervals (weekday x
        interval profile times a level from recent weeks, with overdispersion,
        or exponential smoothing of the day totals with --model ets), and
        backtest it on the last weeks of the history (WAPE, coverage)."""
        import yaml

        from svcsim.files import write_text
        from svcsim.history import forecast as fc
        from svcsim.history.figures import forecast_figure
        from svcsim.report import save_figure
        from svcsim.scenario import scenario_from_dict
        from svcsim.scenario.load import read_yaml

        out = _output_folder(out_dir)
        closed = _holidays(holidays)
        base = read_yaml(scenario_path) if scenario_path is not None else None
        counts = _read_history(history, columns, interval)
        share = coverage / 100
        model, chosen = _forecast_model(model, counts, backtest_weeks, share, closed, level_weeks)
        table = fc.forecast(counts, days, coverage=share, holidays=closed,
                            level_weeks=level_weeks, model=model)
        per_week = chosen.per_week if chosen is not None else \
            fc.backtest(counts, backtest_weeks, share, closed, level_weeks, model=model)[0]
        extra = None
        if base is not None:
            data = fc.forecast_scenario(base, table, str(scenario_path))
            scenario_from_dict(data, source=str(scenario_path), base_dir=scenario_path.parent)
            extra = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=96)
        click.echo(forecast_text(table, per_week, share, model, chosen))
        with out.writing() as folder:
            write_text(folder / "forecast.csv", table.to_csv(index=False))
            write_text(folder / "backtest.csv", per_week.to_csv(index=False))
            save_figure(forecast_figure(counts, table, share), folder / "forecast.png")
            if extra is not None:
                write_text(folder / "forecast_scenario.yaml",
                           f"# {scenario_path} with the forecast of {history} as its "
                           "arrivals (svcsim forecast)\n" + extra)
        click.echo(f"\n{out.summary()}")

    @main.command()
    @click.argument("history", type=click.Path(dir_okay=False, path_type=Path))
    @click.argument("scenario_path", metavar="SCENARIO", type=click.Path(path_type=Path))
    @click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                  required=True, help="Folder for replay_intervals.csv, replay_day.csv, "
                  "replay_tiers.csv and replay.png.")
    @click.option("--day", "day_text", help="The day to replay, YYYY-MM-DD [default: the last].")
    @click.option("--mode", type=click.Choice(["trace", "model"]), default="trace",
                  show_default=True, help="trace: the logged arrivals and handle times; "
                  "model: the scenario's fitted arrivals and handle times.")
    @click.option("--columns", help=COLUMNS_HELP)
    @click.option("--replications", "-n", type=click.IntRange(min=2), default=20,
                  show_default=True)
    @click.option("--seed", type=click.IntRange(min=0), default=7, show_default=True)
    @reports_bad_input
    def replay(history: Path, scenario_path: Path, out_dir: Path, day_text: str | None,
               mode: str, columns: str | None, replications: int, seed: int) -> None:
        """Simulate a past day and compare it with what happened, per interval
        and for the day: abandonment, answered within the threshold, ASA and
        the tier split of queued contacts, with CIs and a chart."""
        from svcsim.files import write_text
        from svcsim.history.figures import replay_figure
        from svcsim.history.replay import replay as run_replay
        from svcsim.report import save_figure
        from svcsim.scenario import load_scenario

        out = _output_folder(out_dir)
        scenario = load_scenario(scenario_path)
        day = _holidays(day_text.replace(",", ""), "--day") if day_text else None
        log = _read_log(history, columns, "0s")
        result = run_replay(log, scenario, day[0] if day is not None and len(day) else None,
                            mode, replications, seed)
        click.echo(replay_text(result))
        with out.writing() as folder:
            write_text(folder / "replay_intervals.csv", result.intervals.to_csv(index=False))
            write_text(folder / "replay_day.csv", result.day.to_csv(index=False))
            write_text(folder / "replay_tiers.csv", result.tiers.to_csv(index=False))
            save_figure(replay_figure(result), folder / "replay.png")
        click.echo(f"\n{out.summary()}")


def replay_text(result) -> str:
    """The day's figures, observed against simulated with CI and prediction
    interval, then the tier split of queued contacts."""
    names = {"offered": "offered", "abandon_rate": "abandoned", "service_level":
             f"answered within {result.within_s:g} s", "asa_s": "ASA (s)"}
    lines = [f"{result.date:%a %Y-%m-%d}: {result.mode} replay, {result.replications} "
             f"replications; one day falls in the prediction interval 95 % of the time",
             f"{'':<26}{'observed':>10}{'model':>10}{'95 % CI':>18}{'one day, 95 %':>20}"]
    for _, row in result.day.iterrows():
        pct = row["figure"] in ("abandon_rate", "service_level")
        fmt = (lambda v: f"{v:.1%}") if pct else (lambda v: f"{v:,.1f}")
        lines.append(f"{names[row['figure']]:<26}{fmt(row['observed']):>10}"
                     f"{fmt(row['simulated']):>10}{fmt(row['ci_low']) + '-' + fmt(row['ci_high']):>18}"
                     f"{fmt(row['pi_low']) + '-' + fmt(row['pi_high']):>20}"
                     f"  {'inside' if row['inside'] else 'OUTSIDE'}")
    lines.append("tier share of queued contacts:")
    for _, row in result.tiers.iterrows():
        lines.append(f"  {row['tier']:<24}{row['observed_share']:>10.1%}{row['sim_share']:>10.1%}"
                     f"{row['sim_share_low']:>11.1%}-{row['sim_share_high']:.1%}")
    return "\n".join(lines)


def _forecast_model(model: str, counts, weeks: int, coverage: float, closed, level_weeks: int):
    """The model to forecast with and, for ``auto``, the choice (else None);
    ``ets`` without the extra is a HistoryError naming --model."""
    from svcsim.history import forecast_models

    if model == "ets":
        forecast_models.require_ets()
    if model != "auto":
        return model, None
    chosen = forecast_models.choose_model(counts, weeks, coverage, closed, level_weeks)
    return chosen.model, chosen


def forecast_text(table, per_week, coverage: float, model: str = "default",
                  chosen=None) -> str:
    """Per queue: contacts per forecast day with the prediction interval, and
    the backtest's WAPE and coverage (per model tried, with ``auto``)."""
    days = table.groupby(["queue", "date"]).agg(forecast=("day_forecast", "first"),
                                                low=("day_low", "first"),
                                                high=("day_high", "first"))
    lines = [f"{'queue':<22}{'date':<14}{'forecast':>10}  {coverage:.0%} interval"]
    for (queue, date), row in days.iterrows():
        lines.append(f"{queue:<22}{date:%a %Y-%m-%d}{row['forecast']:>10,.0f}"
                     f"  {row['low']:,.0f}-{row['high']:,.0f}")
    if len(per_week):
        lines.append("")
        lines.append(f"backtest over the last {per_week['week'].nunique()} week(s), each forecast "
                     "from the weeks before it:")
        lines.append(f"{'queue':<22}{'model':<9}{'WAPE interval':>14}{'WAPE day':>10}"
                     f"{'covered (interval)':>20}{'covered (day)':>15}")
        for (queue, name), mine in per_week.groupby(["queue", "model"], sort=False):
            weight = mine["actual"] / mine["actual"].sum()
            lines.append(f"{queue:<22}{name:<9}{(mine['wape_interval'] * weight).sum():>14.1%}"
                         f"{(mine['wape_day'] * weight).sum():>10.1%}"
                         f"{mine['coverage_interval'].mean():>20.1%}"
                         f"{mine['coverage_day'].mean():>15.1%}")
    else:
        lines.append("\nbacktest: not shown (the history is shorter than two weeks)")
    lines.append(f"\nmodel: {model}" + (_choice_text(chosen) if chosen is not None else ""))
    return "\n".join(lines)


def _choice_text(chosen) -> str:
    """Why ``auto`` kept its model: each tried model's backtest WAPE."""
    if not chosen.wape:
        tried = "no backtest"
    else:
        tried = ", ".join(f"{name} {wape:.1%}" for name, wape in chosen.wape.items())
        tried = f"backtest WAPE per interval {tried}"
    skipped = "".join(f"; {name} not tried: {why}" for name, why in chosen.left_out.items())
    return f" (auto: {tried}, the lower kept{skipped})"
