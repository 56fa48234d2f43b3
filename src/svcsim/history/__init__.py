"""Learning a centre from its own history: contact logs and interval reports
in; a fitted scenario, a forecast, a replay (model vs reality) and the
chance of meeting a standard on a random day out."""

from svcsim.history.fit import HistoryFit, Target, calibrate_fit, fit_history, write_fit
from svcsim.history.forecast import backtest, forecast
from svcsim.history.logs import ContactLog, read_contact_log, simulated_log, write_log
from svcsim.history.replay import Replay, replay
from svcsim.history.reports import IntervalReport, read_interval_report
from svcsim.history.risk import chance_of_meeting
from svcsim.history.tables import HistoryError

__all__ = ["ContactLog", "HistoryError", "HistoryFit", "IntervalReport", "Replay", "Target",
           "backtest", "calibrate_fit", "chance_of_meeting", "fit_history", "forecast",
           "read_contact_log", "read_interval_report", "replay", "simulated_log", "write_fit",
           "write_log"]
