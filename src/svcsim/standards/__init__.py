"""Testing proposed standards before rollout: study files of variants, what
each variant needs and what today's roster would reach under it, and the cost
of each point of service."""

from svcsim.standards.compare import Comparison, compare, sweep_table
from svcsim.standards.frontier import Frontier, frontier
from svcsim.standards.study import (
    LoadedStudy,
    Study,
    Sweep,
    Variant,
    load_study,
    study_from_dict,
    with_changes,
)

__all__ = [
    "Comparison", "Frontier", "LoadedStudy", "Study", "Sweep", "Variant", "compare", "frontier",
    "load_study", "study_from_dict", "sweep_table", "with_changes",
]
