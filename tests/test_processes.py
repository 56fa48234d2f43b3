"""The local processes a command uses when --workers is not given."""

from __future__ import annotations

import os

import click
import pytest

import svcsim.processes as processes
import svcsim.sim.replications as replications
from conftest import SCENARIOS
from test_cli import run


def test_the_default_is_one_process_per_usable_core(monkeypatch):
    monkeypatch.delenv("SVCSIM_WORKERS", raising=False)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert processes.default_workers() == cores
    monkeypatch.setenv("SVCSIM_WORKERS", " 3 ")
    assert processes.default_workers() == 3


@pytest.mark.parametrize("value", ["0", "two", "1.5", "-2"])
def test_a_bad_svcsim_workers_names_the_variable_and_the_fix(monkeypatch, value):
    monkeypatch.setenv("SVCSIM_WORKERS", value)
    with pytest.raises(click.UsageError, match="SVCSIM_WORKERS.*whole number.*1 or more"):
        processes.default_workers()


def test_a_command_without_workers_runs_one_process_per_core(monkeypatch, tmp_path):
    monkeypatch.delenv("SVCSIM_WORKERS", raising=False)
    monkeypatch.setattr(processes, "usable_cores", lambda: 3)
    asked = []
    original = replications.map_ordered

    def recorded(function, args, workers=1, *rest, **options):
        asked.append(workers)
        return original(function, args, 1, *rest, **options)

    monkeypatch.setattr(replications, "map_ordered", recorded)
    done = run("simulate", str(SCENARIOS / "bank_hotline.yaml"), "-n", "2",
               "--out", str(tmp_path / "default"))
    assert done.returncode == 0, done.stderr
    assert asked and set(asked) == {3}
    asked.clear()
    done = run("simulate", str(SCENARIOS / "bank_hotline.yaml"), "-n", "2", "--workers", "1",
               "--out", str(tmp_path / "one"))
    assert done.returncode == 0, done.stderr
    assert set(asked) == {1}
    monkeypatch.setenv("SVCSIM_WORKERS", "0")
    done = run("simulate", str(SCENARIOS / "bank_hotline.yaml"), "--out", str(tmp_path / "bad"))
    assert done.returncode == 2 and "SVCSIM_WORKERS='0'" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "bad").exists()
