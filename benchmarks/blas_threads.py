"""The course's matrix products on one and on two BLAS threads (best of 7 x 20 calls each).

    python benchmarks/blas_threads.py

What fused/threads.py's SMALL_PRODUCT threshold rests on. Run it on a quiet machine, and once
with another program spinning, to see two threads wait for a core that is taken.
"""

from __future__ import annotations

import timeit

import numpy as np
from threadpoolctl import threadpool_limits

SHAPES = {  # name: (m, k, n) of an (m, k) @ (k, n) product
    "book fwd 128x784x512": (128, 784, 512),
    "book bwd 784x128x512": (784, 128, 512),
    "book 128x512x10": (128, 512, 10),
    "fashion fwd 32x784x128": (32, 784, 128),
    "fashion bwd 784x32x128": (784, 32, 128),
    "softmax 100x784x10": (100, 784, 10),
    "conv1 43264x9x32": (43264, 9, 32),
    "conv2 7744x288x64": (7744, 288, 64),
    "conv3 576x576x128": (576, 576, 128),
    "conv2 bwd 288x7744x64": (288, 7744, 64),
    "mid 64x256x256": (64, 256, 256),
    "mid 128x256x128": (128, 256, 128),
}


def seconds(a: np.ndarray, b: np.ndarray, threads: int) -> float:
    with threadpool_limits(threads, "blas"):
        return min(timeit.repeat(lambda: a @ b, number=20, repeat=7)) / 20


def main() -> None:
    rng = np.random.default_rng(0)
    for name, (m, k, n) in SHAPES.items():
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        one, two = seconds(a, b, 1), seconds(a, b, 2)
        print(
            f"{name:24} {m * k * n / 1e6:8.2f} M  1 thread {one * 1e6:8.1f} us  "
            f"2 threads {two * 1e6:8.1f} us  2/1 {two / one:.2f}"
        )


if __name__ == "__main__":
    main()
