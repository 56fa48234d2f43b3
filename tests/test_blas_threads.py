"""The svcsim command runs numpy's BLAS on one thread unless the user chose a
thread count: a BLAS thread pool only spins against svcsim's small fits
(statsmodels' ETS fits cost about 8 times the CPU with it on 2 cores)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from svcsim.__main__ import BLAS_THREADS, limit_blas_threads

SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_one_blas_thread_unless_the_user_set_a_count():
    unset: dict[str, str] = {"PATH": "/bin"}
    limit_blas_threads(unset)
    assert {name: unset[name] for name in BLAS_THREADS} == dict.fromkeys(BLAS_THREADS, "1")
    for name in BLAS_THREADS:
        chosen = {name: "4"}
        limit_blas_threads(chosen)
        assert chosen == {name: "4"}, name  # the user's count stands, nothing added


def _threads_after_numpy(code: str) -> int:
    """Threads of a fresh Python (no BLAS variable set) after ``code`` and
    ``import numpy``, as /proc counts them."""
    env = {k: v for k, v in os.environ.items() if k not in BLAS_THREADS}
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    script = (f"{code}\nimport sys\nassert 'numpy' not in sys.modules\nimport numpy\n"
              "print([l.split()[1] for l in open('/proc/self/status') "
              "if l.startswith('Threads:')][0])")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=True)
    return int(done.stdout.strip())


@pytest.mark.skipif(not Path("/proc/self/status").exists() or (os.cpu_count() or 1) < 2,
                    reason="counts threads in /proc; OpenBLAS starts one thread per core")
def test_the_command_limits_blas_before_numpy_loads():
    """``svcsim`` (svcsim.__main__) loads no numpy before it sets the limit,
    and with it numpy's OpenBLAS starts no thread pool (without it, one
    thread per extra core)."""
    free = _threads_after_numpy("import svcsim.__main__")
    if free == 1:
        pytest.skip("this numpy's BLAS starts no threads of its own: nothing to limit")
    assert _threads_after_numpy("import svcsim.__main__ as m\nm.limit_blas_threads()") == 1
