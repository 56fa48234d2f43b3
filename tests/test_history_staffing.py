"""Calibration: a log simulated with a hidden effective staffing is fitted
back to that staffing within one agent in every interval."""

from __future__ import annotations

import copy

import numpy as np

from svcsim import load_scenario, scenario_from_dict, simulate
from svcsim.history import read_contact_log, simulated_log, write_log
from svcsim.history.fit import calibrate_fit, fit_history, write_fit

from test_history_fit import KNOWN

# The team on the phones, 09:00-17:00: what the planner does not know. Short
# enough that callers queue (and 10-30 % abandon) in every half hour.
HIDDEN = [10, 12, 14, 14, 12, 12, 13, 14, 15, 14, 12, 12, 11, 10, 8, 6]
OPEN = slice(18, 34)  # 09:00 to 17:00 in half hours


def test_hidden_effective_staffing_is_recovered_within_one_agent(tmp_path, seed):
    data = copy.deepcopy(KNOWN)
    data["pools"] = [{"name": "agents",
                      "skills": [{"contacts": "*/gold", "priority": 1},
                                 {"contacts": "*/silver", "priority": 2}],
                      "staffing": {"start": "09:00", "values": HIDDEN}}]
    known = scenario_from_dict(data)
    result = simulate(known, replications=40, seed=seed, keep_contacts=True)
    path = write_log(simulated_log(result.contacts, known.first_weekday), tmp_path / "log.csv")
    fit = calibrate_fit(fit_history(read_contact_log(path)), replications=40, seed=seed + 1)
    agents = fit.staffing["agents"].to_numpy()
    assert np.abs(agents[OPEN] - np.array(HIDDEN)).max() <= 1, agents[OPEN]
    assert (agents[:OPEN.start] == 0).all() and (agents[OPEN.stop:] == 0).all()
    assert fit.staffing["identified"].to_numpy()[OPEN].all()
    # the calibrated staffing goes into the scenario, which loads and simulates
    write_fit(fit, tmp_path / "fitted.yaml")
    scenario = load_scenario(tmp_path / "fitted.yaml")
    assert scenario.staffing()["agents"][OPEN].tolist() == agents[OPEN].tolist()
    assert "calibrated" in (tmp_path / "fitted.yaml").read_text()
