"""Keep freed memory for the next step: glibc malloc's settings for arrays of megabytes.

A training step makes and frees the same large arrays at every step
(activations, their gradients, the windows of a convolution). glibc's malloc
serves each array above its mmap threshold (128 KiB at first, raised as it
goes, at most 32 MiB) with fresh pages from the kernel, and hands them back
when the array is freed, as it does with the top of its heap past the trim
threshold. So every step pays a page fault for every 4 KiB it writes into a
new array, on every core that writes it. `keep_freed_memory` asks malloc
(its documented `mallopt`) to serve arrays of up to 1 GiB from its heap and to
keep up to 1 GiB of freed memory, so a step reuses the memory of the step
before. Its twin is glibc's defaults; benchmarks/RESULTS.md (seam) gives the
gain. The process keeps its peak memory instead of giving it back between
steps. TINYGRAD_EDU_MALLOC=default leaves malloc alone ("keep", or unset, is the
setting); on a system without
glibc nothing is changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # glibc's malloc.h
KEEP = 1 << 30  # bytes: arrays up to this size come from the heap, which keeps this much free

_done = False


def keep_freed_memory() -> bool:
    """Set glibc malloc to reuse freed memory (once per process); True if it was set."""
    global _done
    setting = os.environ.get("TINYGRAD_EDU_MALLOC", "").strip().lower()
    if setting not in ("", "keep", "default"):
        raise ValueError(f"TINYGRAD_EDU_MALLOC must be 'keep' or 'default', got {setting!r}")
    if _done or setting == "default":
        return _done
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = libc.mallopt if libc is not None else None
    except (OSError, AttributeError):  # no C library found, or not glibc
        return False
    if mallopt is None:
        return False
    _done = all(
        mallopt(option, value) == 1
        for option, value in (
            (M_MMAP_THRESHOLD, KEEP),
            (M_TRIM_THRESHOLD, KEEP),
            (M_TOP_PAD, 1 << 26),
        )
    )
    return _done
