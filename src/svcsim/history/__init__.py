"""Learning a centre from its own history: contact logs and interval reports
in; a fitted scenario, a forecast, a replay (model vs reality) and the
chance of meeting a standard on a random day out."""

from __future__ import annotations

import importlib
from typing import Any

# NOTE: imported on first use, like the package itself: the CLI registers the
# history commands at start-up and must not pay for pandas and SciPy then.
# forecast() and replay() stay in their modules (svcsim.history.forecast,
# svcsim.history.replay): exported here they would hide those modules.
_HOMES = {
    "HistoryFit": "fit", "Target": "fit", "calibrate_fit": "fit", "fit_history": "fit",
    "write_fit": "fit", "ContactLog": "logs", "read_contact_log": "logs",
    "simulated_log": "logs", "write_log": "logs", "Replay": "replay",
    "IntervalReport": "reports", "read_interval_report": "reports",
    "chance_of_meeting": "risk", "HistoryError": "tables",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'svcsim.history' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"svcsim.history.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


__all__ = sorted(_HOMES)
