"""Learning a centre from its own history: contact logs and interval reports
in, a fitted scenario, a forecast and a replay (model vs reality) out."""

from svcsim.history.logs import ContactLog, read_contact_log, simulated_log, write_log
from svcsim.history.tables import HistoryError

__all__ = ["ContactLog", "HistoryError", "read_contact_log", "simulated_log", "write_log"]
