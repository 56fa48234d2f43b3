"""Testing proposed standards before rollout: study files of variants, and
what each variant needs and what today's roster would reach under it."""

from svcsim.standards.compare import Comparison, compare, sweep_table
from svcsim.standards.study import LoadedStudy, Study, Sweep, Variant, load_study

__all__ = [
    "Comparison", "LoadedStudy", "Study", "Sweep", "Variant", "compare", "load_study",
    "sweep_table",
]
