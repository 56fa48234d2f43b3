"""The ``svcsim`` command line.

Bad input (a scenario or data file) prints one clear message naming the file
and field, and exits with status 2; no traceback, no partial output.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path

import click

from svcsim.processes import workers_option
from svcsim.scenario import ScenarioError, load_scenario
from svcsim.scenario.load import scenario_json_schema_text

EXIT_BAD_INPUT = 2


def _reports_bad_input(command):
    """The one error path of every command: bad input (a ScenarioError, an
    unreachable standard, an output folder that cannot take the files) prints
    one clear message and exits 2; Ctrl-C or SIGTERM stops the command within
    about two seconds, prints one line and exits 130 (143); never a
    traceback, never a half-written output folder."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from svcsim import interrupts
        from svcsim.local_cluster import ClusterStartError
        from svcsim.queueing.erlang import UnreachableTarget

        with interrupts.stoppable() as stopper:
            try:
                return command(*args, **kwargs)
            except ScenarioError as exc:
                _fail(str(exc))
            except UnreachableTarget as exc:
                _fail(f"{_input_file(kwargs)}: {exc}")
            except ClusterStartError as exc:
                _fail(f"--dask local: {exc}; run without --dask (--workers 2 uses local "
                      "processes), or start a scheduler with `dask scheduler` and give its address")
            except KeyboardInterrupt:
                interrupts.finish(stopper)
            except Exception:
                if stopper is not None and stopper.interrupted:
                    interrupts.finish(stopper)  # e.g. a process pool ended by the interrupt
                raise

    return wrapper


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _input_file(kwargs: dict) -> str:
    """The file a command was given (for messages about what it asks)."""
    for key in ("scenario_path", "study_path", "card_path", "scenarios"):
        if kwargs.get(key):
            value = kwargs[key]
            return str(value[0] if isinstance(value, tuple) else value)
    return "svcsim"


def _load_dated(path: Path, start_date):
    """The scenario file, its horizon starting on ``start_date`` when given
    (validated like ``horizon.start_date`` in the file: its weekday must be
    the scenario's ``first_day``)."""
    if start_date is None:
        return load_scenario(path)
    from svcsim.scenario import scenario_from_dict
    from svcsim.scenario.load import read_yaml

    data = read_yaml(path)
    if isinstance(data, dict) and isinstance(data.get("horizon", {}), dict):
        data["horizon"] = {**data.get("horizon", {}), "start_date": start_date.date()}
    return scenario_from_dict(data, source=f"{path} with --start-date", base_dir=path.parent)


def _output(out_dir: Path | None, default: Path):
    """The command's output folder, checked before any work (see svcsim.output)."""
    from svcsim.output import OutputFolder

    return OutputFolder(out_dir or default)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="svcsim")
def main() -> None:
    """svcsim: plan contact-centre staffing against service standards.

    Describe a centre in a scenario YAML file (channels, tiers, arrivals,
    handle times, standards, pools, shift rules), then:

    \b
      svcsim validate scenarios/*.yaml          check scenario files
      svcsim requirements scenarios/bank_hotline.yaml
                                                agents needed per interval
      svcsim simulate scenarios/ecommerce_peak.yaml
                                                service level with that staffing
      svcsim roster out/bank_hotline/requirements_by_pool.csv \\
          --rules scenarios/bank_hotline.yaml   shifts at minimum headcount
      svcsim plan scenarios/bank_hotline.yaml   roster verified (and repaired) by simulation
      svcsim compare scenarios/studies/phone_standard.yaml
                                                a proposed standard against today's
      svcsim sweep scenarios/studies/phone_volume.yaml
                                                what-if over volume or a target
      svcsim frontier scenarios/studies/phone_frontier.yaml
                                                the cost of each point of service
      svcsim scorecard scenarios/scorecards/bank_quality.yaml
                                                the weighted quality scorecard
      svcsim fit calls.csv --out fitted.yaml    a scenario from your contact log or ACD report
      svcsim forecast calls.csv --days 7 --out forecast
                                                coming days with prediction intervals
      svcsim replay calls.csv fitted.yaml --out replay
                                                the model against a logged day
      svcsim schema > scenario.schema.json      JSON Schema for editors
    """
    import matplotlib

    matplotlib.use("Agg")  # charts go to files, never a window


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@_reports_bad_input
def validate(scenarios: tuple[Path, ...]) -> None:
    """Check scenario files; report every problem with its field path."""
    failed = False
    for path in scenarios:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            click.echo(f"error: {exc}", err=True)
            failed = True
            continue
        contacts = scenario.resolved_contact_types
        volume = sum(c.volumes.sum() for c in contacts)
        click.echo(
            f"ok: {path}: '{scenario.name}', {scenario.horizon.days} day(s) of "
            f"{scenario.interval_s / 60:g}-minute intervals, {len(contacts)} contact types, "
            f"{volume:,.0f} contacts, {len(scenario.standards)} standards, "
            f"{len(scenario.pools)} pools"
        )
        for message in scenario.routing_warnings():
            click.echo(f"warning: {path}: {message}", err=True)
        from svcsim.plan import unfloored
        for i in unfloored(scenario):
            standard = scenario.standards[i]
            click.echo(f"warning: {path}: standards[{i}] ({standard.label}): held over the "
                       f"{standard.scope} with no interval_floor, so single intervals may "
                       "fall anywhere; set interval_floor to bound them", err=True)
    if failed:
        sys.exit(EXIT_BAD_INPUT)


@contextlib.contextmanager
def _progress_bar(label: str):
    """A ``progress(done, total)`` callback drawing a bar on stderr when it is
    a terminal (from the first call, which gives the total); None otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    with contextlib.ExitStack() as stack:
        bar, seen = None, 0

        def advance(done: int, total: int) -> None:
            nonlocal bar, seen
            if bar is None:
                bar = stack.enter_context(
                    click.progressbar(length=total, label=label, file=sys.stderr))
            bar.update(done - seen)
            seen = done

        yield advance


@main.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor validation)."""
    click.echo(scenario_json_schema_text())


@main.command()
@click.argument("scenario_path", metavar="SCENARIO", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the CSV tables and the chart [default: out/<scenario name>].")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="How to print the table.")
@click.option("--by", type=click.Choice(["pool", "contact-type"]), default="pool",
              show_default=True, help="Print requirements per pool or per contact type.")
@_reports_bad_input
def requirements(scenario_path: Path, out_dir: Path | None, fmt: str, by: str) -> None:
    """Agents required per interval to meet the scenario's standards.

    Analytic: Erlang A (or C when nobody abandons) for calls and chats, a
    backlog model for e-mail and tickets. Writes requirements_by_pool.csv,
    requirements_by_contact_type.csv and requirements.png to --out.
    """
    from svcsim.queueing.requirements import requirements as compute
    from svcsim.report import requirements_figure, save_figure, write_text
    from svcsim.report.tables import requirements_by_contact_text, requirements_by_pool_text

    scenario = load_scenario(scenario_path)
    out = _output(out_dir, Path("out") / scenario_path.stem)
    req = compute(scenario)
    table = req.pools if by == "pool" else req.contacts

    if fmt == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(table.to_json(orient="records", indent=1))
    elif by == "pool":
        click.echo(requirements_by_pool_text(req, scenario))
    else:
        click.echo(requirements_by_contact_text(req))

    with out.writing() as folder:
        write_text(folder / "requirements_by_pool.csv", req.pools.to_csv(index=False))
        write_text(folder / "requirements_by_contact_type.csv",
                   req.contacts.to_csv(index=False))
        save_figure(requirements_figure(req, scenario), folder / "requirements.png")
    click.echo(f"\n{out.summary()}", err=fmt != "table")


@main.command()
@click.argument("scenario_path", metavar="SCENARIO", type=click.Path(path_type=Path))
@click.option("--staffing", "staffing_path", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of agents scheduled per interval: a 'start' column and one column per "
              "pool. [default: the scenario's headcount/staffing, else the analytic requirement]")
@click.option("--replications", "-n", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=7, show_default=True)
@workers_option("Local processes running replications in parallel.")
@click.option("--warmup-cycles", type=click.IntRange(min=0), default=0, show_default=True,
              help="Horizons simulated before the measured one (24x7 centres).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run replications on the Dask scheduler at ADDRESS ('local' starts a "
              "local cluster); needs the 'distributed' extra. Same numbers as local runs.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the tables and charts [default: out/<scenario name>].")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every contact as a contact log (CSV, or XLSX by extension) in "
              "the format 'svcsim fit' reads; replication r is dated r weeks on.")
@_reports_bad_input
def simulate(scenario_path: Path, staffing_path: Path | None, replications: int, seed: int,
             workers: int, warmup_cycles: int, dask_address: str | None,
             out_dir: Path | None, log_path: Path | None) -> None:
    """Simulate the scenario with a staffing plan: attainment of every standard
    with confidence intervals, per tier and channel, interval by interval.

    Writes intervals.csv, pools.csv, standards.csv, contact_types.csv,
    service_level.png, occupancy.png and report.html (one page to share) to --out.
    """
    from svcsim.report import occupancy_figure, save_figure, service_level_figure, write_text
    from svcsim.report.tables import standards_text
    from svcsim.sim import simulate as run

    scenario = load_scenario(scenario_path)
    out = _output(out_dir, Path("out") / scenario_path.stem)
    backend = "dask" if dask_address else "local"
    client = None if dask_address in (None, "local") else _dask_client(dask_address)
    staffing = (staffing_path if staffing_path is not None
                else _default_staffing(scenario, str(scenario_path)))
    with _progress_bar("replications") as progress, contextlib.ExitStack() as stack:
        if client is not None:
            stack.callback(client.close)
        result = run(scenario, staffing=staffing, replications=replications, seed=seed,
                     workers=workers, warmup_cycles=warmup_cycles, backend=backend,
                     client=client, progress=progress, keep_contacts=log_path is not None)
    printed = standards_text(result, scenario)
    click.echo(printed)
    with out.writing() as folder:
        written = [
            write_text(folder / "standards.csv", result.standards.to_csv(index=False)),
            write_text(folder / "contact_types.csv", result.contact_types.to_csv(index=False)),
            write_text(folder / "intervals.csv", result.intervals.to_csv(index=False)),
            write_text(folder / "pools.csv", result.pools.to_csv(index=False)),
            save_figure(service_level_figure(result, scenario), folder / "service_level.png"),
            save_figure(occupancy_figure(result, scenario), folder / "occupancy.png"),
        ]
        _report(folder, f"svcsim simulate {scenario_path}", printed, written,
                {"Standards": result.standards, "By tier and channel": result.contact_types,
                 "Pools": result.pools})
    click.echo(f"\n{out.summary()}")
    if log_path is not None:
        from svcsim.history.logs import simulated_log, write_log

        log = simulated_log(result.contacts, scenario.first_weekday)
        click.echo(f"wrote {write_log(log, log_path)}")


@main.command()
@click.argument("requirements_path", metavar="REQUIREMENTS",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rules", "scenario_path", required=True, type=click.Path(path_type=Path),
              help="Scenario whose pools' shift rules the roster follows.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Solver time per pool, seconds (deterministic time: reproducible).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="CP-SAT workers per pool; more is not faster on most rosters "
              "(benchmarks/README.md).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--start-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of the horizon's first day, YYYY-MM-DD: the workbook and charts "
                   "head their days 'Mon 7 Dec' [default: the scenario's horizon.start_date].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for roster files and charts [default: out/<scenario name>].")
@_reports_bad_input
def roster(requirements_path: Path, scenario_path: Path, time_limit: float, workers: int,
           seed: int, start_date, out_dir: Path | None) -> None:
    """Shift roster at minimum headcount that covers a requirements table.

    REQUIREMENTS is a CSV with columns pool and scheduled_agents (or required)
    and one row per interval per pool, as `svcsim requirements` writes it.
    Breaks are placed inside their windows. Writes roster.xlsx (summary, rota,
    shifts, coverage, legend), roster_*.csv, coverage.png and shifts.png.
    """
    from svcsim.report import save_figure
    from svcsim.report.roster_figures import coverage_figure, gantt_figure
    from svcsim.report.tables import roster_text
    from svcsim.report.workbook import write_workbook
    from svcsim.roster import SolverSettings, schedule_roster, write_roster
    from svcsim.roster.requirements_file import read_requirements

    scenario = _load_dated(scenario_path, start_date)
    need = read_requirements(requirements_path, scenario)
    out = _output(out_dir, Path("out") / scenario_path.stem)
    result = schedule_roster(scenario, need, SolverSettings(time_limit, workers, seed))
    click.echo(roster_text(result, scenario))
    with out.writing() as folder:
        write_roster(result, folder)
        write_workbook(folder / "roster.xlsx", result, scenario)
        save_figure(coverage_figure(result, scenario), folder / "coverage.png")
        save_figure(gantt_figure(result, scenario), folder / "shifts.png")
    click.echo(f"\n{out.summary()}")


@main.command()
@click.argument("scenario_path", metavar="SCENARIO", type=click.Path(path_type=Path))
@click.option("--replications", "-n", type=click.IntRange(min=2), default=10, show_default=True,
              help="Replications per simulation.")
@click.option("--seed", type=click.IntRange(min=0), default=7, show_default=True)
@click.option("--iterations", type=click.IntRange(min=0), default=8, show_default=True,
              help="Repair iterations at most.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=None,
              help="Roster solver time per pool and iteration, seconds (deterministic; "
                   "a quarter of it for a raise or trim, which starts from the previous "
                   "roster) [default: scaled to the model, solved again while the gap is "
                   "above --gap-limit].")
@click.option("--gap-limit", type=click.FloatRange(min=0, max=100), default=2.0,
              show_default=True, help="Headcount gap, percent, a roster may keep without "
                                      "being solved again or flagged 'not proved'.")
@click.option("--confidence", type=click.FloatRange(min=50, max=99.9), default=95.0,
              show_default=True, help="One-sided confidence, percent, of the verdicts.")
@click.option("--max-replications", type=click.IntRange(min=2), default=None,
              help="Replications at most while a standard is not shown either way "
                   "[default: 8 x --replications].")
@workers_option("Local processes for replications.")
@click.option("--meet-probability", type=click.FloatRange(min=0, max=100, min_open=True,
                                                          max_open=True), default=None,
              help="Chance of meeting each standard on a random day (0.9 or 90): staff to "
                   "the forecast's quantile day, raise the quantile (at most 4 times) while "
                   "P(meet) is not shown, and report P(meet) [default: the scenario's "
                   "planning.meet_probability, else none].")
@click.option("--risk-days", type=click.IntRange(min=20), default=200, show_default=True,
              help="Days drawn from the forecast to measure P(meet).")
@click.option("--start-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of the horizon's first day, YYYY-MM-DD: the workbook and charts "
                   "head their days 'Mon 7 Dec' [default: the scenario's horizon.start_date].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the roster, tables and charts [default: out/<scenario name>].")
@_reports_bad_input
def plan(scenario_path: Path, replications: int, seed: int, iterations: int,
         time_limit: float | None, gap_limit: float, confidence: float,
         max_replications: int | None, workers: int, meet_probability: float | None,
         risk_days: int, start_date, out_dir: Path | None) -> None:
    """The whole job: requirements -> roster -> simulate -> repair, until the
    roster meets every standard in simulation (or says why it cannot).

    Prints the iteration history and the final roster's simulated attainment;
    writes the roster (XLSX and CSV), plan_history.csv, the simulation tables,
    the coverage, shifts and service-level charts and report.html (one page to
    share).
    """
    from svcsim.plan import plan as run_plan
    from svcsim.report import save_figure, service_level_figure, write_text
    from svcsim.report.roster_figures import coverage_figure, gantt_figure
    from svcsim.report.tables import plan_text
    from svcsim.report.workbook import write_workbook
    from svcsim.roster import SolverSettings, write_roster

    if meet_probability == 1:
        _fail("--meet-probability: 1 would be every possible day; give a chance below 1 "
              "(0.9 or 90 for 90 %)")
    scenario = _load_dated(scenario_path, start_date)
    _check_rosterable(scenario, str(scenario_path))
    out = _output(out_dir, Path("out") / scenario_path.stem)
    say = (lambda line: click.echo(f"  {line}", err=True)) if sys.stderr.isatty() else None
    result = run_plan(scenario, replications=replications, seed=seed,
                      max_iterations=iterations,
                      settings=SolverSettings(time_limit, gap_limit=gap_limit / 100),
                      workers=workers, progress=say, confidence=confidence / 100,
                      max_replications=max_replications, risk_days=risk_days,
                      meet_probability=_chance(meet_probability))
    printed = plan_text(result, scenario)
    click.echo(printed)
    with out.writing() as folder:
        written = write_roster(result.roster, folder)
        written += [
            write_workbook(folder / "roster.xlsx", result.roster, scenario, result.simulation),
            write_text(folder / "plan_history.csv", result.history.to_csv(index=False)),
            write_text(folder / "standards.csv", result.simulation.standards.to_csv(index=False)),
            write_text(folder / "intervals.csv", result.simulation.intervals.to_csv(index=False)),
            *([write_text(folder / "p_meet.csv", result.risk.p_meet.to_csv(index=False))]
              if result.risk is not None else []),
            save_figure(coverage_figure(result.roster, scenario), folder / "coverage.png"),
            save_figure(gantt_figure(result.roster, scenario), folder / "shifts.png"),
            save_figure(service_level_figure(result.simulation, scenario),
                        folder / "service_level.png"),
        ]
        _report(folder, f"svcsim plan {scenario_path}", printed, written,
                {"Standards (simulated)": result.simulation.standards,
                 "Plan history": result.history, "Shifts": result.roster.shifts})
    click.echo(f"\n{out.summary()}")


def _chance(value: float | None) -> float | None:
    """A chance given as 0.9 or as 90 (percent)."""
    return None if value is None else value / 100 if value > 1 else value


def _study_command(command):
    """The STUDY argument and the options shared by compare, sweep and frontier."""
    for decorate in reversed([
        click.argument("study_path", metavar="STUDY", type=click.Path(path_type=Path)),
        click.option("--time-limit", type=click.FloatRange(min=0.1), default=10.0,
                     show_default=True,
                     help="Roster solver time per pool and plan iteration, seconds "
                          "(a quarter of it for a raise or trim, which starts from the "
                          "previous roster)."),
        workers_option("Local processes: variants are planned side by side on them "
                       "(the same plans as one by one)."),
        click.option("--dask", "dask_address", metavar="ADDRESS",
                     help="Plan the variants on the Dask scheduler at ADDRESS ('local' "
                          "starts a local cluster); needs the 'distributed' extra. Same "
                          "plans as local runs."),
        click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Folder for the tables and chart [default: out/<study file name>]."),
    ]):
        command = decorate(command)
    return command


def _run_study(loaded, time_limit: float, workers: int, run=None, source: Path | None = None,
               dask_address: str | None = None):
    """Plan every variant of a loaded study and simulate today's roster under
    it (or ``run`` it another way, e.g. ``svcsim.standards.frontier``), with a
    progress bar over the plans and simulations; on the Dask scheduler at
    ``dask_address`` when given (connected before any work)."""
    from svcsim.queueing import requirements
    from svcsim.queueing.erlang import UnreachableTarget
    from svcsim.roster import SolverSettings
    from svcsim.standards import compare as run_compare

    named = {"base": loaded.base, **loaded.variants, **loaded.frontier_variants}
    for name, scenario in named.items():
        _check_rosterable(scenario, f"{source or loaded.study.name}: " + (
            f"base {loaded.study.base}" if name == "base" else f"variant '{name}'"))
        if any(standard.percent >= 100 for standard in scenario.standards):
            try:  # an unreachable 100 % says so now, not after the other plans
                requirements(scenario)
            except UnreachableTarget as exc:
                where = f"{source or loaded.study.name}: variant '{name}'"
                raise ScenarioError(where, [("", str(exc))]) from None
    backend = "dask" if dask_address else "local"
    client = None if dask_address in (None, "local") else _dask_client(dask_address)
    with _progress_bar("study") as progress, contextlib.ExitStack() as stack:
        if client is not None:
            stack.callback(client.close)
        return (run or run_compare)(loaded, SolverSettings(time_limit), workers, progress,
                                    backend, client)


@main.command()
@_study_command
@_reports_bad_input
def compare(study_path: Path, time_limit: float, workers: int, dask_address: str | None,
            out_dir: Path | None) -> None:
    """Test proposed standards before rollout: for each variant of a STUDY
    file, the headcount and cost a plan needs to meet it, and what today's
    roster would reach under it (changes with paired confidence intervals).

    Writes plans.csv, day_one.csv, comparison.png and report.html.
    """
    from svcsim.report import save_figure, write_text
    from svcsim.report.study_figures import comparison_figure
    from svcsim.report.tables import comparison_text
    from svcsim.standards import load_study

    loaded = load_study(study_path)
    out = _output(out_dir, Path("out") / study_path.stem)
    result = _run_study(loaded, time_limit, workers, source=study_path,
                        dask_address=dask_address)
    printed = comparison_text(result, loaded.study.name)
    click.echo(printed)
    with out.writing() as folder:
        written = [
            write_text(folder / "plans.csv", result.plans.to_csv(index=False)),
            write_text(folder / "day_one.csv", result.day_one.to_csv(index=False)),
            save_figure(comparison_figure(result, loaded.study.name), folder / "comparison.png"),
        ]
        _report(folder, f"svcsim compare {study_path}", printed, written,
                {"Plans": result.plans, "Day one": result.day_one})
    click.echo(f"\n{out.summary()}")


@main.command()
@_study_command
@_reports_bad_input
def sweep(study_path: Path, time_limit: float, workers: int, dask_address: str | None,
          out_dir: Path | None) -> None:
    """What-if over a grid: the STUDY file's sweep (one or two fields over a
    list of values, e.g. volume x0.8 to x1.3, or a standard's percent from 70
    to 95 for the cost of each point of service). For each point, the agents
    and cost a plan needs and what today's roster reaches.

    Writes sweep.csv and sweep.png.
    """
    from svcsim.report import save_figure, write_text
    from svcsim.report.study_figures import sweep_figure
    from svcsim.report.tables import sweep_text
    from svcsim.scenario import ScenarioError
    from svcsim.standards import load_study, sweep_table

    loaded = load_study(study_path)
    if loaded.study.sweep is None:
        raise ScenarioError(str(study_path), [("sweep", "this study has no sweep; give one "
                                               "(or run svcsim compare for its variants)")])
    out = _output(out_dir, Path("out") / study_path.stem)
    result = _run_study(loaded, time_limit, workers, source=study_path,
                        dask_address=dask_address)
    table = sweep_table(result, loaded)
    click.echo(sweep_text(table, result.plans.iloc[0], loaded.study.name))
    with out.writing() as folder:
        write_text(folder / "sweep.csv", table.to_csv(index=False))
        save_figure(sweep_figure(table, result, loaded), folder / "sweep.png")
    click.echo(f"\n{out.summary()}")


@main.command()
@_study_command
@_reports_bad_input
def frontier(study_path: Path, time_limit: float, workers: int, dask_address: str | None,
             out_dir: Path | None) -> None:
    """The cost of each point of service: the STUDY file's frontier (standards
    and a list of target percents) planned point by point, the other
    standards as today; agents and cost at each target, and what each target
    above today's costs.

    Writes frontier.csv and frontier.png.
    """
    from svcsim.report import save_figure, write_text
    from svcsim.report.study_figures import frontier_figure
    from svcsim.report.tables import frontier_text
    from svcsim.scenario import ScenarioError
    from svcsim.standards import frontier as run_frontier
    from svcsim.standards import load_study

    loaded = load_study(study_path)
    if loaded.study.frontier is None:
        raise ScenarioError(str(study_path), [("frontier", "this study has no frontier; give "
                                               "one: {standards: [NAME], percent: [70, 80, 90]}")])
    out = _output(out_dir, Path("out") / study_path.stem)
    result = _run_study(loaded, time_limit, workers, run_frontier, source=study_path,
                        dask_address=dask_address)
    click.echo(frontier_text(result, loaded.study.name))
    with out.writing() as folder:
        write_text(folder / "frontier.csv", result.points.to_csv(index=False))
        save_figure(frontier_figure(result, loaded.study.name), folder / "frontier.png")
    click.echo(f"\n{out.summary()}")


@main.command()
@click.argument("card_path", metavar="SCORECARD", type=click.Path(path_type=Path))
@click.option("--replications", "-n", type=click.IntRange(min=2), default=10, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=7, show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the table and radar chart [default: out/<scorecard name>].")
@_reports_bad_input
def scorecard(card_path: Path, replications: int, seed: int, out_dir: Path | None) -> None:
    """The weighted quality scorecard: each dimension scored by its bands from
    the simulated metrics of the card's scenario (if it names one) and the
    measured inputs it gives (FCR, CSAT, NPS...); total out of 100, weakest
    dimensions first, alerts flagged.

    Writes scorecard.csv and scorecard.png.
    """
    from svcsim.report import save_figure, write_text
    from svcsim.report.study_figures import scorecard_figure
    from svcsim.report.tables import scorecard_text
    from svcsim.sim import simulate as run
    from svcsim.standards.scorecard import (
        check_simulated,
        load_scorecard,
        score,
        simulated_metrics,
    )

    card = load_scorecard(card_path)
    out = _output(out_dir, Path("out") / card_path.stem)
    metrics = {}
    scenario = load_scenario(card_path.parent / card.scenario) if card.scenario else None
    check_simulated(card, scenario, str(card_path))
    if scenario is not None:
        staffing = _default_staffing(scenario, str(card_path.parent / card.scenario))
        result = run(scenario, staffing=staffing, replications=replications, seed=seed)
        metrics = simulated_metrics(result, scenario)
    scored = score(card, metrics)
    click.echo(scorecard_text(scored, card.name))
    with out.writing() as folder:
        write_text(folder / "scorecard.csv", scored.dimensions.to_csv(index=False))
        save_figure(scorecard_figure(scored, card.name), folder / "scorecard.png")
    click.echo(f"\n{out.summary()}")


DASK_CONNECT_S = 10
"""Seconds to wait for a Dask scheduler named with --dask."""


def _dask_client(address: str):
    """A client of the Dask scheduler at ``address``, connected before any
    work; a ScenarioError naming --dask when it cannot be."""
    import re

    problem = None
    if not re.fullmatch(r"([a-z]+://)?[\w.\-\[\]:]+(:\d+)?/?", address.strip()):
        problem = "is not a scheduler address"
    else:
        try:
            from dask.distributed import Client
        except ImportError:
            problem = ("needs the 'distributed' extra: python -m pip install "
                       "'svcsim[distributed]'")
        else:
            try:
                return Client(address, timeout=DASK_CONNECT_S)
            except (OSError, TimeoutError, ValueError) as exc:
                reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                problem = f"no Dask scheduler answered within {DASK_CONNECT_S} s ({reason})"
    raise ScenarioError(f"--dask {address}", [("", (
        f"{problem}; give the address of a running scheduler such as "
        "tcp://10.0.0.5:8786 (start one with `dask scheduler`), or --dask local")) ])


def _report(out_dir: Path, title: str, printed: str, written: list[Path], tables) -> Path:
    """report.html: what was printed, the charts just written, the tables."""
    from svcsim.report.html import write_report

    charts = [path for path in written if path.suffix == ".png"]
    return write_report(out_dir / "report.html", title, printed, charts, tables)


def _default_staffing(scenario, source: str):
    """The scenario's own staffing, else the analytic requirement (with a note)."""
    if len(scenario.staffing()) == len(scenario.pools):
        return None
    from svcsim.queueing import requirements

    click.echo("note: the scenario gives no staffing for every pool; simulating the "
               "analytic requirement (svcsim requirements) as scheduled staff", err=True)
    from svcsim.scenario.interval_table import checked_values

    table = requirements(scenario).staffing()
    # beyond the agents svcsim simulates, say whose number it is: not the user's
    checked_values(scenario, table, f"{source} (its analytic requirement, simulated as staff)",
                   whole=True, every_pool=True)
    return table


def _check_rosterable(scenario, source: str) -> None:
    """Refuse, naming ``source`` (the file), a scenario with a pool the
    planner cannot roster."""
    from svcsim.scenario import ScenarioError

    missing = [f"pools[{i}].shift_rules" for i, p in enumerate(scenario.pools)
               if p.shift_rules is None]
    if missing:
        raise ScenarioError(source, [(path, "needed to roster this pool: name a set "
                                      "of 'shift_rules'") for path in missing])


# -- history: fit, forecast, replay (svcsim.history.cli) ----------------------
from svcsim.history.cli import register as _register_history  # noqa: E402

_register_history(main, _reports_bad_input)


if __name__ == "__main__":
    from svcsim.__main__ import run

    run()
