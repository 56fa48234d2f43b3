"""Shared fixtures: the seed for statistical tests, paths, a minimal scenario."""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

# one process per core runs the suite (pytest-xdist); a BLAS thread pool in
# each on top only spins against the other (statsmodels' fits cost 8 times
# the CPU with it). Set before numpy loads; notebooks and commands the
# tests start inherit it.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")
# for the same reason the commands run their replications and a study's
# variants in their own process unless a test asks for --workers
os.environ.setdefault("SVCSIM_WORKERS", "1")

import matplotlib  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

# no example database, hypothesis's caches in the temp folder: a test run
# writes nothing into the checkout
settings.register_profile("svcsim", database=None)
settings.load_profile("svcsim")
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "svcsim-hypothesis"))

matplotlib.use("Agg")  # charts drawn in tests go to files, never a window

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def seed() -> int:
    """Seed for statistical tests; sweep by hand with SVCSIM_TEST_SEED=<n>."""
    return int(os.environ.get("SVCSIM_TEST_SEED", "20261122"))


MINIMAL = {
    "name": "minimal",
    "horizon": {"days": 1, "interval": "30m"},
    "channels": {
        "phone": {
            "kind": "immediate",
            "handle_time": {"dist": "exponential", "mean": "4m"},
            "arrivals": {"volumes": {"start": "08:00", "values": [60, 90, 120, 90]}},
        }
    },
    "tiers": {"retail": {"priority": 1}},
    "standards": [{"contacts": "phone/*", "metric": "answer", "percent": 80, "within": "20s"}],
    "pools": [{"name": "agents", "skills": [{"contacts": "phone/*"}]}],
}


def quarter_bank(folder: Path, name: str = "base.yaml") -> Path:
    """The bank hotline at a quarter of its calls, written to ``folder/name``:
    quick to plan, for tests of what a command writes rather than of the plan."""
    import yaml

    base = yaml.safe_load((SCENARIOS / "bank_hotline.yaml").read_text(encoding="utf-8"))
    volumes = base["channels"]["phone"]["arrivals"]["volumes"]
    volumes["values"] = [round(v / 4) for v in volumes["values"]]
    path = folder / name
    path.write_text(yaml.safe_dump(base), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def every_interval():
    """(scenario, plan) of test_plan's small centre with its standard held in
    every interval, planned once for the tests of several modules that read it."""
    from svcsim.plan import plan
    from test_plan import FAST, small_centre

    scenario = small_centre(scope="interval")
    return scenario, plan(scenario, replications=6, seed=3, settings=FAST)


@pytest.fixture
def minimal() -> dict:
    """A small valid scenario as a mapping (a fresh copy for each test)."""
    return copy.deepcopy(MINIMAL)
