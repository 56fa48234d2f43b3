"""Tables and figures for planners."""

from svcsim.files import write_atomic, write_text
from svcsim.report.figures import (
    occupancy_figure,
    requirements_figure,
    save_figure,
    service_level_figure,
)

__all__ = [
    "occupancy_figure",
    "requirements_figure",
    "save_figure",
    "service_level_figure",
    "write_atomic",
    "write_text",
]
