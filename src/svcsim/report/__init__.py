"""Tables and figures for planners.

Importing it sets a CJK font (when the system has one) as matplotlib's
fallback, so Chinese names draw (see :mod:`svcsim.report.fonts`).
"""

from svcsim.files import write_atomic, write_text
from svcsim.report.figures import (
    occupancy_figure,
    requirements_figure,
    save_figure,
    service_level_figure,
)
from svcsim.report.fonts import use_cjk_fallback

use_cjk_fallback()

__all__ = [
    "occupancy_figure",
    "requirements_figure",
    "save_figure",
    "service_level_figure",
    "use_cjk_fallback",
    "write_atomic",
    "write_text",
]
