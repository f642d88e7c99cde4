"""The thread policy's twin, for the benchmarks: every product on the BLAS library's threads.

`blas_own_threads()` swaps tinygrad_edu/fused/threads.py's `matmul` for plain
`np.matmul` and gives the BLAS library `get_num_threads()` threads (what NumPy
does by itself), then puts the policy back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from threadpoolctl import threadpool_limits

import tinygrad_edu as tg
from tinygrad_edu.fused import threads


def numpy_own_threads():
    """A context in which NumPy's BLAS has the threads it would have without the engine.

    The engine sets the BLAS library's thread count for each of its products (one for a
    small product), so a hand-written NumPy reference timed in the same process would
    otherwise run on whatever count the engine's last product left.
    """
    return threadpool_limits(limits=tg.get_num_threads(), user_api="blas")


@contextmanager
def blas_own_threads() -> Iterator[None]:
    """The twin: the engine's products as plain np.matmul on the BLAS library's threads."""
    policy = threads.matmul
    threads.matmul = np.matmul
    try:
        with numpy_own_threads():
            yield
    finally:
        threads.matmul = policy


def settle() -> None:
    """Wait (untimed, between two contenders) for BLAS threads the twin left spinning to go
    to sleep, so they do not slow down whichever contender runs next."""
    time.sleep(0.2)
