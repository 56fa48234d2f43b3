"""Tables and figures for planners."""

from svcsim.report.figures import requirements_figure, save_figure
from svcsim.report.files import write_atomic, write_text

__all__ = ["requirements_figure", "save_figure", "write_atomic", "write_text"]
