"""How many BLAS threads each matrix product uses: few for small products, more for large.

NumPy hands a matrix product to its BLAS library (OpenBLAS), which splits it
among a pool of threads, one per core by default. Threads pay on a large
product. On a small one, starting and joining them costs more than they save;
and on a busy machine (a browser, a second notebook) a BLAS thread that waits
for a core another program holds stalls the whole product, so a step can take
many times its quiet time. The policy here:

- a product of fewer than `SMALL_PRODUCT` multiply-adds runs on one thread;
- a larger one on `get_num_threads()` threads: the BLAS library's own count
  (all cores, or OPENBLAS_NUM_THREADS), or TINYGRAD_EDU_NUM_THREADS from the
  environment, or what `set_num_threads(n)` set last;
- with `set_num_threads(n, follow_load=True)` (or TINYGRAD_EDU_NUM_THREADS=auto),
  a large product gets only as many threads as there are cores no other program
  wants right now. Not the default: OpenBLAS's sums come out in a different
  order on one thread than on two, so a training run would then depend, in its
  last digits, on what else the machine was doing.

Which cores are free comes from the kernel's count of threads running at this
moment (the fourth field of Linux's /proc/loadavg), read at most every
`LOOK_EVERY` seconds: on a machine where nothing else runs a large product gets
every core; with a program spinning on one of two cores it gets one thread,
which never waits. Where there is no /proc/loadavg every core counts as free.

The count is set through threadpoolctl (a well-kept library that talks to every
BLAS), and only when it differs from the last product's. Its twin is plain
`np.matmul`, with the BLAS library's own count for every product;
benchmarks/busy_machine.py measures what the policy saves, and RESULTS.md has
the figures and the threshold's source.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# Products below this many multiply-adds (m * k * n, times any batch) get one thread.
SMALL_PRODUCT = 4_000_000
ENVIRONMENT_VARIABLE = "TINYGRAD_EDU_NUM_THREADS"

_blas: list[Any] | None = None  # threadpoolctl's controllers of the loaded BLAS libraries
_limit = 0  # the most threads a product may use (0: not yet known)
_current = 0  # the count last set in the BLAS library (0: not yet set)
_follow_load = False  # give large products only the cores no other program wants
LOOK_EVERY = 0.1  # seconds between two looks at how busy the machine is
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
_free = _cores  # cores no other program wanted at the last look
_looked_at = -math.inf  # when that was (time.monotonic())


def _start() -> None:
    """Find the BLAS libraries (once) and the thread limit: environment, else BLAS's own."""
    global _blas, _limit
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # without it, NumPy's BLAS keeps its own count
        _blas = []
    else:
        _blas = ThreadpoolController().select(user_api="blas").lib_controllers
    if _limit == 0:
        _limit = _threads_from_environment() or max(
            [controller.get_num_threads() or 1 for controller in _blas], default=1
        )


def _threads_from_environment() -> int:
    """The limit TINYGRAD_EDU_NUM_THREADS sets (0: none); "auto" follows the load."""
    global _follow_load
    text = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if text.lower() == "auto":
        _follow_load = True
        return 0
    if not text:
        return 0
    if not text.isdigit() or int(text) < 1:
        raise ValueError(
            f"{ENVIRONMENT_VARIABLE} must be a whole number >= 1 or 'auto', got {text!r}"
        )
    return int(text)


def set_num_threads(threads: int, *, follow_load: bool | None = None) -> None:
    """Use at most `threads` BLAS threads for a matrix product (PyTorch's name).

    Small products still run on one thread (see this module's docstring).
    `set_num_threads(1)` gives every product one thread: the steadiest choice on
    a machine that is busy with other work.

    Args:
        threads: an int >= 1.
        follow_load: True: a large product gets only the cores no other program
            wants right now (fast on a busy machine; results then depend in their
            last digits on the load); False: always `threads`; None: unchanged.
    Raises:
        ValueError: `threads` is not an int >= 1.
    """
    global _limit, _follow_load
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"set_num_threads: threads must be an int >= 1, got {threads!r}")
    if _blas is None:
        _start()
    _limit = int(threads)
    if follow_load is not None:
        _follow_load = bool(follow_load)


def get_num_threads() -> int:
    """The most BLAS threads a large matrix product uses (see `set_num_threads`)."""
    if _blas is None:
        _start()
    return _limit


def free_cores() -> int:
    """How many of this process's cores no other program wants right now (at least 1).

    Linux counts the threads that are running or waiting for a core (the
    fourth field of /proc/loadavg, "running/total"); those of this process
    (this thread, and BLAS threads that may still be spinning: state "R" in
    /proc/self/task/*/stat) are ours, and everything beyond them is another
    program's. Looked up at most every `LOOK_EVERY` seconds; all cores where
    the files do not exist.
    """
    global _free, _looked_at
    now = time.monotonic()
    if now - _looked_at < LOOK_EVERY:
        return _free
    _looked_at = now
    running, ours = running_threads(), our_running_threads()
    if running is None or ours is None:
        return _cores
    others = max(running - max(ours, 1), 0)
    _free = max(1, _cores - others)
    return _free


def our_running_threads() -> int | None:
    """This process's threads that are running or waiting for a core, or None if unknown."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return None
    running = 0
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/stat") as file:
                state = file.read().rpartition(")")[2].split()[0]  # after "(name)"
        except (OSError, IndexError):
            continue  # the thread has ended
        running += state == "R"
    return running


def running_threads() -> int | None:
    """Threads running or waiting for a core on the whole machine, or None if unknown."""
    try:
        with open("/proc/loadavg") as file:
            return int(file.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


def threads_for(
    a_shape: tuple[int, ...], b_shape: tuple[int, ...], free: Callable[[], int] | None = None
) -> int:
    """How many threads a product of arrays of these shapes gets; `free()` (asked only for a
    large product; if None, `free_cores` when following the load) says how many cores are
    free."""
    if len(a_shape) < 2 or len(b_shape) < 2:
        return 1  # a vector: at most a matrix-vector product
    batch = max(math.prod(a_shape[:-2]), math.prod(b_shape[:-2]))  # math.prod: np.prod is slow
    multiply_adds = batch * a_shape[-2] * a_shape[-1] * b_shape[-1]
    if multiply_adds < SMALL_PRODUCT or _limit == 1:
        return 1
    if free is None:
        free = free_cores if _follow_load else get_num_threads
    return max(1, min(_limit, free()))


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.matmul(a, b), with the BLAS thread count the policy gives for its size."""
    global _current
    if _blas is None:
        _start()
    threads = threads_for(a.shape, b.shape)
    if threads != _current:
        for controller in _blas:
            controller.set_num_threads(threads)
        _current = threads
    return np.matmul(a, b)


_threads_from_environment()  # a bad TINYGRAD_EDU_NUM_THREADS is an error at import, not mid-op
