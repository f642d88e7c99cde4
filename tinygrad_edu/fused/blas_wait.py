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
alone. Its twin: OPENBLAS_THREAD_TIMEOUT=28, OpenBLAS's own default. This file
imports nothing that loads NumPy.
"""

from __future__ import annotations

import os
import sys

TIMEOUT = "4"  # OpenBLAS waits 2**4 cycles before an idle thread sleeps (its least)


def let_blas_threads_sleep() -> bool:
    """Set OPENBLAS_THREAD_TIMEOUT to 4 unless it is set; True when it can still take
    effect (NumPy not loaded yet) and is 4."""
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", TIMEOUT)
    return "numpy" not in sys.modules and os.environ["OPENBLAS_THREAD_TIMEOUT"] == TIMEOUT
