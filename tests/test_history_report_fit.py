"""Fit from an interval report: a report built from a simulated log whose
patience and staffing are known is fitted back to them by Erlang A; a
report that cannot be fitted is refused by column, with nothing written."""

from __future__ import annotations

import numpy as np
import pandas as pd

from svcsim import scenario_from_dict, simulate
from svcsim.history import simulated_log
from svcsim.history.report_fit import fit_report
from svcsim.history.reports import read_interval_report
from test_cli import assert_clean_error, run

PATIENCE, HANDLE = 120.0, 240.0
STAFF = [8, 10, 12, 12, 11, 10, 10, 11, 12, 12, 11, 9, 8, 8, 7, 6]
VOLUMES = [50, 65, 80, 80, 70, 62, 62, 70, 80, 80, 70, 58, 50, 50, 45, 38]

# one queue, 09:00-17:00 in half hours, exponential calls and patience (Erlang
# A's own assumptions), staffed a little short so that 5-20 % abandon
KNOWN = {
    "name": "report centre", "horizon": {"days": 1, "interval": "30m", "first_day": "tue"},
    "channels": {"phone": {
        "kind": "immediate", "handle_time": {"dist": "exponential", "mean": HANDLE},
        "patience": {"dist": "exponential", "mean": PATIENCE},
        "arrivals": {"volumes": {"start": "09:00", "values": VOLUMES}}}},
    "tiers": {"general": {"priority": 1}},
    "pools": [{"name": "phone", "skills": [{"contacts": "phone"}],
               "staffing": {"start": "09:00", "values": STAFF}}],
}


def _report_of(contacts: pd.DataFrame, within_s: float = 20.0) -> pd.DataFrame:
    """A contact log summed into an ACD interval report."""
    log = simulated_log(contacts, 1)
    log = log[log["outcome"].isin(("answered", "abandoned"))]
    start = pd.to_datetime(log["arrival_time"]).dt.floor("30min")
    answered = log["outcome"] == "answered"
    frame = pd.DataFrame({"interval_start": start, "queue": log["channel"],
                          "answered": answered, "abandoned": ~answered,
                          "answered_within": answered & (log["wait_s"] <= within_s),
                          "handle": np.where(answered, log["handle_s"], 0.0)})
    table = frame.groupby(["interval_start", "queue"]).sum().reset_index()
    table["offered"] = table["answered"] + table["abandoned"]
    table["aht_s"] = (table["handle"] / table["answered"]).round(1)
    table["agents_logged_in"] = 14
    table["interval_start"] = table["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    return table[["interval_start", "queue", "offered", "answered", "abandoned",
                  "answered_within", "aht_s", "agents_logged_in"]]


def test_patience_and_staffing_are_recovered_from_a_report(tmp_path, seed):
    """Erlang A is exact for these assumptions in steady state; a half hour is
    not quite steady (the queue carries over), so the fitted patience is held
    to 25 % of the truth and the effective agents to one of the staffing in
    most intervals (the busy ones, where abandonment pins them)."""
    result = simulate(scenario_from_dict(KNOWN), replications=20, seed=seed,
                      keep_contacts=True)
    path = tmp_path / "acd.csv"
    _report_of(result.contacts).to_csv(path, index=False)
    fit = fit_report(read_interval_report(path))
    [queue] = fit.queues.itertuples()
    assert abs(queue.patience_s / PATIENCE - 1) < 0.25, queue.patience_s
    assert abs(queue.aht_s / HANDLE - 1) < 0.03
    cells = fit.cells[fit.cells["offered"] > 0]
    assert len(cells) == 16
    off = np.abs(cells["agents"].to_numpy() - np.array(STAFF))
    assert (off <= 1).mean() >= 0.75, list(zip(cells["agents"], STAFF, strict=True))


def test_the_fitted_scenario_is_written_and_loads(tmp_path, seed):
    result = simulate(scenario_from_dict(KNOWN), replications=6, seed=seed, keep_contacts=True)
    path = tmp_path / "acd.csv"
    _report_of(result.contacts).to_csv(path, index=False)
    out = tmp_path / "fitted" / "fitted.yaml"
    done = run("fit", str(path), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "patience" in done.stdout and "Erlang A" in done.stdout
    text = out.read_text()
    assert "agents logged in average 14.0" in text
    assert (out.parent / "fit_staffing.csv").exists()


def test_a_report_that_cannot_be_fitted_is_refused_and_nothing_written(tmp_path, seed):
    result = simulate(scenario_from_dict(KNOWN), replications=2, seed=seed, keep_contacts=True)
    table = _report_of(result.contacts)
    out = tmp_path / "fitted" / "fitted.yaml"
    path = tmp_path / "no_within.csv"
    table.drop(columns=["answered_within"]).to_csv(path, index=False)
    assert_clean_error(run("fit", str(path), "--out", str(out)), "answered_within")
    bad = table.astype({"abandoned": object})
    bad.loc[3, "abandoned"] = "many"
    path = tmp_path / "bad_row.csv"
    bad.to_csv(path, index=False)
    assert_clean_error(run("fit", str(path), "--out", str(out)), "row 5, column 'abandoned'")
    assert not out.parent.exists()
