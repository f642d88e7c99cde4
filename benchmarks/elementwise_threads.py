"""Would the convnet's elementwise passes pay for a second thread? (issue 21: measured, not taken)

Only the matrix products of a convnet step use the second core: every other
loop (relu, multiplying by a mask, the im2col copy, col2im's adds, the 2x2
max) runs on one, while PyTorch splits its loops over all cores. NumPy lets go
of the GIL inside such loops, so two Python threads could each take half of
the batch. This script measures whether that would pay, in two ways:

  passes  each loop at the Keras book convnet's sizes (batch 64), on one thread
          and split into two halves of the batch on two threads, taking turns;
  step    `fit` of the book convnet (the busy_machine.py workload, random data)
          with the engine's large passes split the same way, against the engine
          as it is: epochs taking turns in one process, paired ratio. The split
          is patched in for the measurement only (`split_passes`); the engine
          itself never does it.

A ratio below 1 means the split is faster. What the split gives depends on
what the second core is doing: after a product on two BLAS threads, OpenBLAS's
second thread keeps spinning on it for a while, waiting for the next product.
OPENBLAS_THREAD_TIMEOUT=4 (read when OpenBLAS starts its threads) makes it
sleep at once; OPENBLAS_NUM_THREADS=1 leaves the second core to the split.

    python benchmarks/elementwise_threads.py
    OPENBLAS_THREAD_TIMEOUT=4 python benchmarks/elementwise_threads.py
    OPENBLAS_NUM_THREADS=1 python benchmarks/elementwise_threads.py
    python benchmarks/elementwise_threads.py --quick      # seconds, for CI
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)
import busy_machine  # noqa: E402

from tinygrad_edu.ops import elementwise, movement  # noqa: E402
from tinygrad_edu.ops import reduce as reduce_ops  # noqa: E402

BATCH = 64
LARGE = 200_000  # a pass over fewer numbers is left on one thread (a hand-off costs ~40 us)
_helper = ThreadPoolExecutor(max_workers=1)  # the second thread (the caller is the first)


def in_halves(work: Callable[[slice], object], batch: int) -> None:
    """work(first half of the batch) here while another thread does work(second half)."""
    half = batch // 2
    second = _helper.submit(work, slice(half, batch))
    work(slice(0, half))
    second.result()


# ---------------------------------------------------------------- the passes alone
def passes() -> dict[str, tuple[Callable[[slice], object], int]]:
    """{name: (work over a slice of the batch, batch)} at the book convnet's sizes."""
    rng = np.random.default_rng(0)
    conv1 = rng.standard_normal((BATCH, 26, 26, 32)).astype(np.float32)  # first conv's output
    grad = rng.standard_normal(conv1.shape).astype(np.float32)
    positive = conv1 > 0
    out = np.empty_like(conv1)
    image = rng.standard_normal((BATCH, 13, 13, 32)).astype(np.float32)  # second conv's input
    windows = np.lib.stride_tricks.sliding_window_view(image, (3, 3), axis=(1, 2))
    windows = windows.transpose(0, 1, 2, 4, 5, 3)  # (N, 11, 11, 3, 3, C), as SlidingWindows
    columns = np.empty(windows.shape, np.float32)  # the im2col matrix, (N * 121, 288) flat
    tiles = conv1.reshape(BATCH, 13, 2, 13, 2, 32)  # 2x2 pooling windows side by side
    pooled = np.empty((BATCH, 13, 1, 13, 1, 32), np.float32)
    added = np.zeros(image.shape, np.float32)
    # the windows' gradient as the Conv2D node gives it: offset by offset, seen as windows
    window_grads = rng.standard_normal((3, 3, BATCH, 11, 11, 32)).astype(np.float32)
    window_grads = window_grads.transpose(2, 3, 4, 0, 1, 5)

    def relu(s):
        np.maximum(conv1[s], 0, out=out[s])

    def mask_multiply(s):
        np.multiply(grad[s], positive[s], out=out[s])

    def im2col(s):
        np.copyto(columns[s], windows[s])

    def col2im(s):
        added[s] = 0
        for i in range(3):
            for j in range(3):
                added[s, i : i + 11, j : j + 11] += window_grads[s, :, :, i, j]

    def max_2x2(s):
        np.maximum(tiles[s, :, 0:1, :, 0:1], tiles[s, :, 0:1, :, 1:2], out=pooled[s])
        np.maximum(pooled[s], tiles[s, :, 1:2, :, 0:1], out=pooled[s])
        np.maximum(pooled[s], tiles[s, :, 1:2, :, 1:2], out=pooled[s])

    return {
        "relu (64, 26, 26, 32)": (relu, BATCH),
        "grad * mask (64, 26, 26, 32)": (mask_multiply, BATCH),
        "im2col copy (7744, 288)": (im2col, BATCH),
        "col2im adds (64, 13, 13, 32)": (col2im, BATCH),
        "2x2 max (64, 26, 26, 32)": (max_2x2, BATCH),
    }


def time_passes(repeats: int, calls: int) -> list[dict]:
    rows = []
    for name, (work, batch) in passes().items():
        whole = slice(0, batch)
        contenders = {
            "one": lambda work=work, whole=whole: [work(whole) for _ in range(calls)],
            "two": lambda work=work, n=batch: [in_halves(work, n) for _ in range(calls)],
        }
        times = _timing.alternate(contenders, repeats, warmup=1)
        rows.append(
            {
                "pass": name,
                "one_thread_ms": _timing.median(times["one"]) / calls * 1e3,
                "two_threads_ms": _timing.median(times["two"]) / calls * 1e3,
                "paired_ratio": _timing.paired_ratio(times, "two", "one"),
            }
        )
    return rows


# ---------------------------------------------------------------- the passes inside a step
def _large(*arrays: np.ndarray) -> bool:
    """True when the arrays can be cut along one batch axis and the pass is worth a thread."""
    first = arrays[0]
    return (
        first.size >= LARGE
        and first.shape[0] >= 2
        and all(a.ndim == first.ndim and a.shape[0] == first.shape[0] for a in arrays)
    )


@contextmanager
def split_passes() -> Iterator[None]:
    """The engine's large relu, multiply, cast, copying reshape, col2im and few-entry max
    split into halves of the batch on two threads, until the context ends."""
    originals = {
        (elementwise.Relu, "forward"): elementwise.Relu.forward,
        (elementwise.Mul, "forward"): elementwise.Mul.forward,
        (elementwise.Cast, "forward"): elementwise.Cast.forward,
        (movement.Reshape, "forward"): movement.Reshape.forward,
        (movement.AddWindows, "forward"): movement.AddWindows.forward,
        (reduce_ops, "reduce_axes"): reduce_ops.reduce_axes,
    }

    def relu(self, a):
        if not _large(a.data):
            return originals[elementwise.Relu, "forward"](self, a)
        out = np.empty_like(a.data)
        in_halves(lambda s: np.maximum(a.data[s], 0, out=out[s]), len(out))
        return out

    def mul(self, a, b):
        if not _large(a.data, b.data):
            return originals[elementwise.Mul, "forward"](self, a, b)
        self.save_for_backward(a, b)
        shape = np.broadcast_shapes(a.shape, b.shape)
        out = np.empty(shape, np.result_type(a.data, b.data))
        in_halves(lambda s: np.multiply(a.data[s], b.data[s], out=out[s]), shape[0])
        return out

    def cast(self, a, dtype=None):
        if not _large(a.data):
            return originals[elementwise.Cast, "forward"](self, a, dtype=dtype)
        out = np.empty(a.shape, dtype)
        in_halves(lambda s: np.copyto(out[s], a.data[s], casting="unsafe"), len(out))
        return out

    def reshape(self, a, shape=()):
        if a.data.flags.c_contiguous or not _large(a.data):  # a view: nothing to copy
            return originals[movement.Reshape, "forward"](self, a, shape=shape)
        out = np.empty(a.shape, a.dtype)  # row-major, so its reshape is a view
        in_halves(lambda s: np.copyto(out[s], a.data[s]), len(out))
        return out.reshape(shape)

    def add_windows(self, windows, shape=(), strides=(1, 1)):
        grad = windows.data
        if not _large(grad) or grad.dtype == np.float16:
            return originals[movement.AddWindows, "forward"](
                self, windows, shape=shape, strides=strides
            )
        self.strides = strides
        _, out_height, out_width, kh, kw, _ = grad.shape
        out = np.zeros(shape, grad.dtype)

        def add(s):
            for i in range(kh):
                rows = slice(i, i + strides[0] * (out_height - 1) + 1, strides[0])
                for j in range(kw):
                    columns = slice(j, j + strides[1] * (out_width - 1) + 1, strides[1])
                    out[s, rows, columns, :] += grad[s, :, :, i, j, :]

        in_halves(add, len(out))
        return out

    def reduce_axes(ufunc, array, axes, keepdims, dtype=None):
        original = originals[reduce_ops, "reduce_axes"]
        if 0 in axes or not _large(array):
            return original(ufunc, array, axes, keepdims, dtype)
        half = len(array) // 2
        second = _helper.submit(original, ufunc, array[half:], axes, keepdims, dtype)
        first = original(ufunc, array[:half], axes, keepdims, dtype)
        return np.concatenate([first, second.result()])

    replacements = {
        (elementwise.Relu, "forward"): relu,
        (elementwise.Mul, "forward"): mul,
        (elementwise.Cast, "forward"): cast,
        (movement.Reshape, "forward"): reshape,
        (movement.AddWindows, "forward"): add_windows,
        (reduce_ops, "reduce_axes"): reduce_axes,
    }
    try:
        for (owner, name), replacement in replacements.items():
            setattr(owner, name, replacement)
        yield
    finally:
        for (owner, name), original in originals.items():
            setattr(owner, name, original)


def time_step(steps: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    x = rng.random((BATCH * steps, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, BATCH * steps)
    epoch = busy_machine.edu_epoch("convnet", x, y)

    def split_epoch():
        with split_passes():
            epoch()

    times = _timing.alternate({"engine": epoch, "split": split_epoch}, repeats, warmup=1)
    return {
        "engine_ms": _timing.median(times["engine"]) / steps * 1e3,
        "split_ms": _timing.median(times["split"]) / steps * 1e3,
        "paired_ratio": _timing.paired_ratio(times, "split", "engine"),
        "runs_engine_s": times["engine"],
        "runs_split_s": times["split"],
    }


def report(rows: list[dict], step: dict, steps: int, note: str) -> str:
    lines = [
        f"machine: {_timing.facts_line(_timing.machine_facts())}; "
        f"OPENBLAS_THREAD_TIMEOUT={os.environ.get('OPENBLAS_THREAD_TIMEOUT', 'unset')}",
        f"1-min load average: {note}",
        "",
        f"{'pass (book convnet sizes)':32s} {'1 thread ms':>11s} {'2 threads ms':>12s} "
        f"{'paired':>7s}",
    ]
    for row in rows:
        lines.append(
            f"{row['pass']:32s} {row['one_thread_ms']:11.3f} {row['two_threads_ms']:12.3f} "
            f"{row['paired_ratio']:6.3f}x"
        )
    lines += [
        "",
        f"convnet fit, {steps} steps of {BATCH}: engine {step['engine_ms']:.2f} ms a step, large "
        f"passes split over two threads {step['split_ms']:.2f} ms: "
        f"{step['paired_ratio']:.3f}x paired (below 1: the split is faster)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few calls and steps (for CI)")
    parser.add_argument("--repeats", type=int, default=7, help="rounds, taking turns")
    parser.add_argument("--steps", type=int, default=40, help="training steps an epoch")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--write-results", action="store_true", help="update RESULTS.md")
    args = parser.parse_args(argv)
    repeats, steps, calls = (2, 3, 2) if args.quick else (args.repeats, args.steps, 20)
    load_at_start = _timing.load_average()
    rows = time_passes(repeats, calls)
    step = time_step(steps, repeats)
    note = f"{load_at_start} at start, {_timing.load_average()} at the end"
    text = report(rows, step, steps, note)
    print(text)
    figures = {"passes": rows, "step": step, "steps": steps, "repeats": repeats}
    _timing.save_outputs(
        "elementwise_threads",
        argv,
        figures,
        args.json,
        args.write_results,
        lambda command: _timing.command_block(command, text),
    )


if __name__ == "__main__":
    main()
