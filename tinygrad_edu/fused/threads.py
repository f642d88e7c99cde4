"""How a matrix product uses the cores: a small one on one, a large one cut into pieces.

NumPy hands a matrix product to its BLAS library (OpenBLAS), which splits it
among its own pool of threads, one per core. Those threads wait for each other
by spinning, so on a busy machine (a browser, a second notebook) one that waits
for a core another program holds stalls the whole product: an epoch took 2x to
3.8x its quiet time (benchmarks/busy_machine.py). And OpenBLAS adds up in a
different order on one thread than on two, so a result would depend, in its
last digits, on how many threads it got.

The policy here: the BLAS library runs one thread, always.

- A product of fewer than `SMALL_PRODUCT` multiply-adds is one `np.matmul`:
  threads cost more than they save on it.
- A larger one is cut into `get_num_threads()` pieces (fewer if it has few
  rows): its rows, or its leading batch axis. The pieces run at once, one on
  this thread and the rest on a small pool of Python threads (NumPy lets go of
  the interpreter lock inside the BLAS call), each into its own rows of one
  output array.

A thread waiting for its piece sleeps instead of spinning, and a piece no pool
thread has started by the time this thread is done with its own is done here
too: a core another program holds never stalls the product. And the cut
depends only on the shapes and the thread limit, never on the machine's load:
the numbers come out the same however busy the machine is.

The limit is the BLAS library's own count (all cores, or OPENBLAS_NUM_THREADS),
or TINYGRAD_EDU_NUM_THREADS from the environment, or what `set_num_threads(n)`
set last. The BLAS library is set to one thread through threadpoolctl (a
well-kept library that talks to every BLAS); without threadpoolctl nothing is
cut and the BLAS library keeps its own threads. The twin is plain `np.matmul`
on the BLAS library's own threads; benchmarks/busy_machine.py and seam.py
measure what the policy saves, and RESULTS.md has the figures.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

# Products below this many multiply-adds (m * k * n, times any batch) are not cut.
SMALL_PRODUCT = 4_000_000
MIN_ROWS = 16  # a piece gets at least this many rows (or batch entries, 1 each)
ENVIRONMENT_VARIABLE = "TINYGRAD_EDU_NUM_THREADS"

_blas: list[Any] | None = None  # threadpoolctl's controllers of the loaded BLAS libraries
_limit = 0  # the most pieces a product is cut into (0: not yet known)
_pool: ThreadPoolExecutor | None = None  # runs every piece but the first
_pool_for = (0, 0)  # (process id, threads) the pool was made for


def _start() -> None:
    """Find the BLAS libraries (once), the thread limit, and set BLAS to one thread."""
    global _blas, _limit
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # without it the BLAS library keeps its own threads: cut nothing
        _blas = []
        _limit = _limit or 1
        return
    _blas = ThreadpoolController().select(user_api="blas").lib_controllers
    if _limit == 0:
        _limit = _threads_from_environment() or max(
            [controller.get_num_threads() or 1 for controller in _blas], default=1
        )
    for controller in _blas:
        controller.set_num_threads(1)


def _threads_from_environment() -> int:
    """The limit TINYGRAD_EDU_NUM_THREADS sets (0: none)."""
    text = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must be a whole number >= 1, got {text!r}")
    return int(text)


def set_num_threads(threads: int) -> None:
    """Cut a large matrix product into at most `threads` pieces run at once (PyTorch's name).

    Small products are never cut (see this module's docstring), and the BLAS
    library itself runs one thread. `set_num_threads(1)` runs every product on
    this thread alone.

    Args:
        threads: an int >= 1.
    Raises:
        ValueError: `threads` is not an int >= 1.
    """
    global _limit
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"set_num_threads: threads must be an int >= 1, got {threads!r}")
    if _blas is None:
        _start()
    _limit = int(threads) if _blas else 1


def get_num_threads() -> int:
    """The most pieces (threads) a large matrix product is cut into (see `set_num_threads`)."""
    if _blas is None:
        _start()
    return _limit


def pieces_for(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> int:
    """How many pieces a product of arrays of these shapes is cut into (1: not cut)."""
    if len(a_shape) < 2 or len(b_shape) < 2:
        return 1  # a vector: at most a matrix-vector product
    batch = max(math.prod(a_shape[:-2]), math.prod(b_shape[:-2]))  # math.prod: np.prod is slow
    multiply_adds = batch * a_shape[-2] * a_shape[-1] * b_shape[-1]
    if multiply_adds < SMALL_PRODUCT or _limit == 1:
        return 1
    if len(a_shape) == len(b_shape) == 2:
        return max(1, min(_limit, a_shape[0] // MIN_ROWS))  # cut along the rows
    return max(1, min(_limit, _leading_size(a_shape, b_shape)))  # along the batch axis


def _leading_size(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> int:
    """The size of the output's first (batch) axis, for operands of which one has 3+ axes."""
    ndim = max(len(a_shape), len(b_shape))
    return max(shape[0] for shape in (a_shape, b_shape) if len(shape) == ndim)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.matmul(a, b), cut into pieces that run at once when it is large (the policy above)."""
    if _blas is None:
        _start()
    pieces = pieces_for(a.shape, b.shape)
    if pieces == 1:
        return np.matmul(a, b)
    return _in_pieces(a, b, pieces)


def _in_pieces(a: np.ndarray, b: np.ndarray, pieces: int) -> np.ndarray:
    """np.matmul(a, b), with each of `pieces` stretches of the output's first axis (rows of
    a 2-D product, else its batch axis) computed at once, into one output array."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    out = np.empty((*batch, a.shape[-2], b.shape[-1]), dtype=np.result_type(a, b))

    def cut(rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if out.ndim == 2:  # the rows of a, all of b
            return a[rows], b, out[rows]
        # along the batch axis: each operand that has it (not broadcast along it) is cut
        return (
            a[rows] if a.ndim == out.ndim and a.shape[0] > 1 else a,
            b[rows] if b.ndim == out.ndim and b.shape[0] > 1 else b,
            out[rows],
        )

    size = out.shape[0]
    bounds = [size * i // pieces for i in range(pieces + 1)]
    stretches = [slice(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]
    pool = _workers(pieces - 1)
    jobs = [pool.submit(_product, *cut(rows)) for rows in stretches[1:]]
    _product(*cut(stretches[0]))  # this thread's piece, while the pool does the others
    for job, rows in zip(jobs, stretches[1:]):
        if job.cancel():  # no pool thread has started it (no free core?): do it here
            _product(*cut(rows))
        else:
            job.result()  # wait for it; re-raises a piece's error here
    return out


def _product(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    np.matmul(a, b, out=out)


def _workers(needed: int) -> ThreadPoolExecutor:
    """The pool that runs the pieces after the first (`needed` threads at least), made anew
    for a new limit and in a child process (a fork copies the pool's bookkeeping but none
    of its threads)."""
    global _pool, _pool_for
    wanted = (os.getpid(), max(_limit - 1, needed))
    if _pool is None or _pool_for != wanted:
        if _pool is not None and _pool_for[0] == wanted[0]:
            _pool.shutdown(wait=False)
        _pool = ThreadPoolExecutor(max_workers=wanted[1], thread_name_prefix="tinygrad-matmul")
        _pool_for = wanted
    return _pool


_threads_from_environment()  # a bad TINYGRAD_EDU_NUM_THREADS is an error at import, not mid-op
