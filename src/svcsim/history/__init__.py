"""Learning a centre from its own history: contact logs and interval reports
in; a fitted scenario, a forecast, a replay (model vs reality) and the
chance of meeting a standard on a random day out."""

from svcsim.history.fit import HistoryFit, Target, calibrate_fit, fit_history, write_fit
from svcsim.history.logs import ContactLog, read_contact_log, simulated_log, write_log
from svcsim.history.replay import Replay
from svcsim.history.reports import IntervalReport, read_interval_report
from svcsim.history.risk import chance_of_meeting
from svcsim.history.tables import HistoryError

# forecast() and replay() stay in their modules (svcsim.history.forecast,
# svcsim.history.replay): exported here they would hide those modules.
__all__ = ["ContactLog", "HistoryError", "HistoryFit", "IntervalReport", "Replay", "Target",
           "calibrate_fit", "chance_of_meeting", "fit_history", "read_contact_log",
           "read_interval_report", "simulated_log", "write_fit", "write_log"]
