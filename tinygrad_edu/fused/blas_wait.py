"""Let OpenBLAS's idle threads sleep at once instead of spinning (set before NumPy loads).

After every product it runs on several threads, OpenBLAS keeps its other
threads spinning, waiting for the next product, for about 2**28 CPU cycles
(0.1 s at 2.5 GHz): a core taken from everything else on the machine. On a
learner's laptop that is the browser, a second notebook, or this program's own
next loops. A training step runs a few large products on every BLAS thread
and, between them, long NumPy loops on one thread, so the spinning thread
competes with whatever else wants that core. OPENBLAS_THREAD_TIMEOUT=4 (its
least, 2**4 cycles) makes the idle threads sleep at once; waking them costs
the next threaded product a few microseconds. benchmarks/RESULTS.md ("Issue 21
in short") gives what it changes on a busy machine and on a quiet one.

OpenBLAS reads the variable once, when it is loaded, that is when NumPy is
first imported. So it takes effect only where tinygrad_edu is imported before
NumPy (`python -m tinygrad_edu`, a script that imports tinygrad_edu first), or
where the variable is set in the environment; a value already set is left
alone, and nothing is set once NumPy is loaded. A script whose imports are
sorted (isort, ruff) imports NumPy first: set the variable in the shell there.
Only OpenBLAS's own threads (NumPy's pip wheels) read it; MKL and Apple's
Accelerate do not. Its twin: OPENBLAS_THREAD_TIMEOUT=28, OpenBLAS's own
default. This file imports nothing that loads NumPy.
"""

from __future__ import annotations

import os
import sys
import warnings

TIMEOUT = "4"  # OpenBLAS waits 2**4 cycles before an idle thread sleeps (its least)


def let_blas_threads_sleep() -> bool:
    """Set OPENBLAS_THREAD_TIMEOUT to 4 if NumPy is not loaded yet and the variable is
    unset; True when it did. Once NumPy is loaded it is too late, and the variable is
    left alone (so the environment keeps saying what OpenBLAS really does, also to child
    processes)."""
    given = os.environ.get("OPENBLAS_THREAD_TIMEOUT")
    if given is not None and not given.strip().isdigit():
        warnings.warn(
            f"OPENBLAS_THREAD_TIMEOUT={given!r} is not a whole number: OpenBLAS ignores it and "
            "its idle threads spin for about 0.1 s after each threaded product (4 makes them "
            "sleep at once, 28 is OpenBLAS's default)",
            stacklevel=2,
        )
    if "numpy" in sys.modules or given is not None:
        return False
    os.environ["OPENBLAS_THREAD_TIMEOUT"] = TIMEOUT
    return True
