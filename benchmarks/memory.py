"""How much memory tinygrad-edu needs to train, against the hand-written NumPy reference.

Two questions, on the Keras book's MNIST model (784 -> 512 relu -> 10 softmax,
RMSprop, batch 128, float32):

1. Peak memory of one training step. `tracemalloc` sees every array NumPy
   allocates, so the peak of what was allocated during one step (forward,
   backward, update), above what was live before it, can be compared directly
   with the same step of `numpy_reference.NumpyMLP`. The target is at most 1.1x.
   The weights, optimizer state and batch exist before the step and are not counted.
2. No growth. Memory after 1,000 steps against after 10: if each step's graph is
   freed when the step ends, the two are the same. Measured as tracemalloc's
   current size and as the process's resident set size (RSS), for a hand-written
   loop and for `fit`. The number of objects `gc.collect()` had to find is
   reported too: 0 means reference counting alone freed every graph.

    python benchmarks/memory.py                  # full run (about half a minute)
    python benchmarks/memory.py --quick          # fewer steps, for CI
    python benchmarks/memory.py --write-results  # also update RESULTS.md
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)
import mnist_mlp  # noqa: E402
import numpy_reference  # noqa: E402

from tinygrad_edu import manual_seed  # noqa: E402

BATCH = 128


def growth(run_steps: Callable[[int], object], early: int, late: int) -> dict[str, int]:
    """Traced bytes and RSS after `early` steps and after `late` steps (same process).

    A full `gc.collect()` comes before each reading: it also empties Python's free
    lists of small objects, which otherwise look like growth. The number of objects
    it had to find (reference cycles) is kept: 0 means refcounting freed every graph.
    """
    gc.collect()
    tracemalloc.start()
    try:
        run_steps(early)
        early_found = gc.collect()
        early_traced, _ = tracemalloc.get_traced_memory()
        early_rss = _timing.rss_bytes()
        run_steps(late - early)
        late_found = gc.collect()
        late_traced, _ = tracemalloc.get_traced_memory()
        late_rss = _timing.rss_bytes()
    finally:
        tracemalloc.stop()
    return {
        "early_steps": early,
        "late_steps": late,
        "early_traced": early_traced,
        "late_traced": late_traced,
        "early_rss": early_rss,
        "late_rss": late_rss,
        "gc_found": early_found + late_found,
    }


def run(args: argparse.Namespace) -> dict:
    manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    weights = numpy_reference.initial_weights(rng)
    batches = 10
    x, y = mnist_mlp.load_data(None, BATCH * batches, args.seed)
    xb, yb = x[:BATCH], y[:BATCH]

    # 1. One step, after a first (untraced) step has made the optimizer state.
    loop = mnist_mlp.ManualLoop(weights)
    reference = numpy_reference.NumpyMLP(weights, mnist_mlp.SETTINGS)
    fit_model = mnist_mlp.build_model(weights)
    fit_model.compile(
        optimizer=mnist_mlp.make_optimizer(),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )

    def fit_step() -> None:
        fit_model.fit(xb, yb, batch_size=BATCH, epochs=1, verbose=0)

    for step in (lambda: loop.train_step(xb, yb), lambda: reference.train_step(xb, yb), fit_step):
        step()

    def reference_fit_step() -> None:  # as fit does: shuffle, copy the batch out, train
        reference.fit_epoch(xb, yb, BATCH, rng)

    peaks = {
        "manual": _timing.median_traced_peak(lambda: loop.train_step(xb, yb)),
        "numpy": _timing.median_traced_peak(lambda: reference.train_step(xb, yb)),
        "fit": _timing.median_traced_peak(fit_step),
        "numpy_fit": _timing.median_traced_peak(reference_fit_step),
    }

    # 2. Growth over many steps, cycling through a few batches.
    def manual_steps(count: int) -> None:
        for i in range(count):
            start = (i % batches) * BATCH
            loop.train_step(x[start : start + BATCH], y[start : start + BATCH])

    def reference_steps(count: int) -> None:
        for i in range(count):
            start = (i % batches) * BATCH
            reference.train_step(x[start : start + BATCH], y[start : start + BATCH])

    def fit_steps(count: int) -> None:
        # fit over `batches` batches per epoch; the counts used are multiples of it.
        fit_model.fit(x, y, batch_size=BATCH, epochs=max(count // batches, 1), verbose=0)

    early, late = (10, 50) if args.quick else (10, 1000)
    growths = {
        "manual": growth(manual_steps, early, late),
        "numpy": growth(reference_steps, early, late),
        "fit": growth(fit_steps, early, late),
    }
    state_bytes = {
        "engine": sum(a.nbytes for state in loop.optimizer.state for a in state.values()),
        "numpy": sum(a.nbytes for a in [*reference.velocities, *reference.scratch]),
    }
    return {
        "machine": _timing.machine_facts(),
        "optimizer_state_bytes": state_bytes,
        "step_peak_bytes": peaks,
        "step_peak_ratio": {
            "manual": peaks["manual"] / peaks["numpy"],
            "fit": peaks["fit"] / peaks["numpy_fit"],
        },
        "growth": growths,
    }


def report(figures: dict) -> str:
    peaks, ratios = figures["step_peak_bytes"], figures["step_peak_ratio"]
    lines = [
        f"machine: {_timing.facts_line(figures['machine'])}",
        "",
        "Peak memory allocated during one training step (tracemalloc, batch 128, median of 3)",
        f"numpy reference  {_timing.megabytes(peaks['numpy']):>12}",
        f"manual loop      {_timing.megabytes(peaks['manual']):>12}  "
        f"{ratios['manual']:.3f}x the reference",
        "With the batch copied out of the data set inside the step, as fit does:",
        f"numpy reference  {_timing.megabytes(peaks['numpy_fit']):>12}  (fit_epoch on one batch)",
        f"fit (one batch)  {_timing.megabytes(peaks['fit']):>12}  "
        f"{ratios['fit']:.3f}x the reference",
        "",
        f"Kept between steps by RMSprop (velocity and scratch per parameter): engine "
        f"{_timing.megabytes(figures['optimizer_state_bytes']['engine'])}, reference "
        f"{_timing.megabytes(figures['optimizer_state_bytes']['numpy'])}",
        "",
        "Memory after many steps against after a few (growth = late - early)",
        f"{'':8} {'steps':>10} {'traced early':>13} {'traced late':>12} {'growth':>11} "
        f"{'RSS growth':>11} {'gc found':>8}",
    ]
    for name, g in figures["growth"].items():
        lines.append(
            f"{name:8} {g['early_steps']:>4} -> {g['late_steps']:<4} "
            f"{_timing.megabytes(g['early_traced']):>13} {_timing.megabytes(g['late_traced']):>12} "
            f"{(g['late_traced'] - g['early_traced']) / 1024:>8.1f} KiB "
            f"{(g['late_rss'] - g['early_rss']) / 2**20:>7.1f} MiB {g['gc_found']:>8}"
        )
    return "\n".join(lines)


def results_section(figures: dict, command: str) -> str:
    peaks = figures["step_peak_bytes"]
    ratio = figures["step_peak_ratio"]["manual"]
    extra = peaks["manual"] - peaks["numpy"]
    g = figures["growth"]["manual"]
    grown = g["late_traced"] - g["early_traced"]
    fit = figures["growth"]["fit"]
    verdicts = [
        f"- Peak memory of a training step: {ratio:.3f}x the reference (target 1.1x: "
        f"{'met' if ratio <= 1.1 else 'NOT met'}); {_timing.megabytes(extra)} more. At the "
        "peak (the first layer's kernel gradient being made) both hold one (128, 512) "
        "activation, its gradient and the (784, 512) kernel gradient. The engine gets there "
        "because `Dense` adds its bias in place (one fused Linear node, not matmul then add) "
        "and because backward lets each node's inputs go once it is done with them (a "
        "released node keeps a ReleasedTensor, not the values), so the relu output and the "
        "pre-activation are not both alive. Both sides keep the same RMSprop state and "
        "allocate nothing in the update.",
        f"- Growth of the hand-written loop from step {g['early_steps']} to {g['late_steps']}: "
        f"{grown / 1024:.1f} KiB traced, {g['gc_found']} objects left for the garbage "
        "collector: each step's graph is freed by reference counting when the step ends. "
        f"`fit` grows by {(fit['late_traced'] - fit['early_traced']) / 1024:.1f} KiB over "
        "the same steps: its History keeps one entry per epoch (as Keras's does), and the "
        "growth run calls it for many short epochs.",
    ]
    return f"Command: `{command}`\n\n```\n{report(figures)}\n```\n\n" + "\n".join(verdicts) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 -> 50 steps instead of 1,000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument(
        "--write-results", action="store_true", help="update the memory section of RESULTS.md"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    figures = run(args)
    print(report(figures))
    _timing.save_outputs(
        "memory",
        argv,
        figures,
        args.json,
        args.write_results,
        lambda command: results_section(figures, command),
    )
    return figures


if __name__ == "__main__":
    main()
