"""fused/blas_wait.py: importing tinygrad_edu before NumPy lets OpenBLAS's idle threads sleep."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)


def run(code: str, timeout_value: str | None = None) -> str:
    """What `code` prints in a fresh Python with this checkout importable."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ROOT}
    if timeout_value is not None:
        env["OPENBLAS_THREAD_TIMEOUT"] = timeout_value
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


READ = "import os; print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))"


def test_importing_tinygrad_edu_first_sets_the_shortest_timeout_before_numpy_loads():
    # An import hook prints the variable at the moment NumPy (and OpenBLAS) start loading.
    code = (
        "import os, sys\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'numpy': print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))\n"
        "sys.meta_path.insert(0, Spy())\n"
        "import tinygrad_edu"
    )
    assert run(code) == "4"
    assert run(READ) == "None"  # the spy's view of a plain interpreter: nothing set


def test_a_timeout_the_user_set_is_kept():
    assert run("import tinygrad_edu; " + READ, timeout_value="12") == "12"


def test_after_numpy_it_is_too_late_and_nothing_is_set():
    # OpenBLAS has read the environment already: the variable would only mislead (a
    # benchmark's report, a child process), so it stays unset.
    code = (
        "import os, numpy, tinygrad_edu.fused.blas_wait as w; "
        "print(w.let_blas_threads_sleep(), os.environ.get('OPENBLAS_THREAD_TIMEOUT'))"
    )
    assert run(code) == "False None"


def test_a_value_openblas_cannot_read_is_a_warning_and_left_alone():
    code = (
        "import warnings; warnings.simplefilter('always')\n"
        "import tinygrad_edu, os; print(os.environ['OPENBLAS_THREAD_TIMEOUT'])"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ROOT, "OPENBLAS_THREAD_TIMEOUT": "banana"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "banana"
    assert "OPENBLAS_THREAD_TIMEOUT='banana' is not a whole number" in done.stderr
