"""What each shortcut of the speed seam (tinygrad_edu/fused/) earns on the course workloads.

For every course workload it times one epoch of `fit` as the package ships,
and with one shortcut at a time swapped for its composite twin:

  Linear          Dense's fused x @ W + b node      -> linear_simple (MatMul, then Add)
                  (and relu(x @ W + b) -> linear_relu_simple: MatMul, Add, Relu)
  relu in Linear  Dense relu's LinearRelu node      -> the Linear node, then Relu
  cross-entropy   SparseSoftmaxCrossEntropy node    -> sparse_cross_entropy_simple
  tiled pooling   tile_windows (a reshape)          -> sliding_windows (SlidingWindows)
  conv node       Conv2D (col2im offset by offset)  -> convolution_simple (windows, MatMul, Add)
  few-entry max   reduce_axes as slices             -> ufunc.reduce
  thread policy   threads by size and free cores    -> the BLAS library's own count

in alternating rounds, and reports each twin's epoch time over the shipped
one's: 1.05 means the shortcut saves 5%. A shortcut stays only where it
earns 3% or more on some workload (issue 21); RESULTS.md lists the figures.

    python benchmarks/seam.py --data-dir ~/.cache/tinygrad_edu
    python benchmarks/seam.py --quick
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)
import busy_machine  # noqa: E402
import threads_twin  # noqa: E402

from tinygrad_edu import functional  # noqa: E402
from tinygrad_edu.fused import convolution, nodes  # noqa: E402
from tinygrad_edu.nn import layers, losses  # noqa: E402
from tinygrad_edu.ops import reduce  # noqa: E402

THRESHOLD = 1.03  # a shortcut earns its place at 3%


class _SimpleCrossEntropy:
    """Stands where the loss calls SparseSoftmaxCrossEntropy.apply: the twin instead."""

    @staticmethod
    def apply(logits, labels):
        return nodes.sparse_cross_entropy_simple(logits, labels)


def _sliding(x, window):
    return nodes.sliding_windows(x, window)


def _linear_then_relu(x, weight, bias=None):
    return functional.linear(x, weight, bias).relu()


def _plain_reduce(ufunc, array, axes, keepdims, dtype=None):
    return ufunc.reduce(array, axis=axes, keepdims=keepdims, dtype=dtype)


TWINS: dict[str, list[tuple[object, str, object]]] = {  # (module, name, stand-in) to swap
    "Linear": [
        (layers, "linear", nodes.linear_simple),
        (layers, "linear_relu", nodes.linear_relu_simple),
    ],
    "relu in Linear": [(layers, "linear_relu", _linear_then_relu)],
    "cross-entropy": [(losses, "SparseSoftmaxCrossEntropy", _SimpleCrossEntropy)],
    "tiled pooling": [(functional, "tile_windows", _sliding)],
    "few-entry max": [(reduce, "reduce_axes", _plain_reduce)],
    "conv node": [(functional, "convolution", convolution.convolution_simple)],
    "thread policy": [],  # a context instead: TWIN_CONTEXTS
}
TWIN_CONTEXTS = {  # twins that are a setting around the epoch rather than a swapped name
    "thread policy": threads_twin.blas_own_threads,
}
APPLIES = {  # which shortcuts a workload runs at all
    "book": ["Linear", "relu in Linear", "cross-entropy", "thread policy"],
    "fashion": ["Linear", "relu in Linear", "cross-entropy", "thread policy"],
    "softmax": ["Linear", "cross-entropy", "thread policy"],
    "convnet": [
        "Linear",
        "cross-entropy",
        "tiled pooling",
        "few-entry max",
        "conv node",
        "thread policy",
    ],
}


class Swapped:
    """Runs `epoch` with the named shortcut's twin in its place, then puts it back."""

    def __init__(self, epoch: Callable[[], object], twin: str | None) -> None:
        self.epoch, self.twin = epoch, twin

    def __call__(self) -> None:
        with ExitStack() as undo:
            for owner, name, stand_in in TWINS.get(self.twin, []):
                original = getattr(owner, name)
                setattr(owner, name, stand_in)
                undo.callback(setattr, owner, name, original)
            if self.twin in TWIN_CONTEXTS:
                undo.enter_context(TWIN_CONTEXTS[self.twin]())
            self.epoch()


def run(args: argparse.Namespace) -> dict:
    figures = {"machine": _timing.machine_facts(), "load": _timing.load_average(), "rows": {}}
    figures["data"] = args.data_dir or "random MNIST-shaped data (no --data-dir)"
    for workload in args.workloads:
        _, _, batch, data_set, samples = busy_machine.WORKLOADS[workload]
        samples = batch * 3 if args.quick else samples
        x, y = busy_machine.images(args.data_dir, data_set, samples)
        epoch = busy_machine.edu_epoch(workload, x, y)
        contenders = {"shipped": Swapped(epoch, None)}
        contenders.update({twin: Swapped(epoch, twin) for twin in APPLIES[workload]})
        times = _timing.alternate(
            contenders, 1 if args.quick else args.repeats, before_each=threads_twin.settle
        )
        shipped = _timing.median(times["shipped"])
        figures["rows"][workload] = {
            "shipped_s": shipped,
            "twins": {
                twin: {
                    "epoch_s": _timing.median(times[twin]),
                    "paired": _timing.paired_ratio(times, twin, "shipped"),
                }
                for twin in APPLIES[workload]
            },
        }
    figures["load_end"] = _timing.load_average()
    figures["repeats"] = 1 if args.quick else args.repeats
    return figures


def report(figures: dict) -> str:
    lines = [
        _timing.facts_line(figures["machine"]),
        f"data: {figures['data']}; 1-min load average {figures['load']} at start, "
        f"{figures['load_end']} at end; "
        f"{figures['repeats']} alternating runs each (medians); twin / shipped: what the "
        "shortcut saves (paired: median of the ratios within a round)",
        "",
        f"{'workload':9} {'with the twin of':16} {'epoch s':>8} {'shipped s':>9} {'ratio':>7}"
        f" {'paired':>7}",
    ]
    best: dict[str, float] = {}
    for workload, row in figures["rows"].items():
        for twin, values in row["twins"].items():
            ratio = values["epoch_s"] / row["shipped_s"]
            best[twin] = max(best.get(twin, 0.0), values["paired"])
            lines.append(
                f"{workload:9} {twin:16} {values['epoch_s']:8.3f} {row['shipped_s']:9.3f} "
                f"{ratio:6.3f}x {values['paired']:6.3f}x"
            )
    lines.append("")
    for twin, paired in best.items():
        verdict = "earns its place" if paired >= THRESHOLD else "does NOT earn 3% here"
        if figures["repeats"] == 1:
            verdict = "one noisy round: no verdict"
        lines.append(f"- {twin}: best paired ratio {paired:.3f}x ({verdict})")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="folder holding mnist/ and fashion-mnist/")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a few steps, one round (for CI)")
    parser.add_argument(
        "--workloads", nargs="+", choices=list(busy_machine.WORKLOADS), default=list(APPLIES)
    )
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--write-results", action="store_true", help="update RESULTS.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    np.seterr(all="ignore")
    figures = run(args)
    print(report(figures))
    _timing.save_outputs(
        "seam",
        argv,
        figures,
        args.json,
        args.write_results,
        lambda command: _timing.command_block(command, report(figures)),
    )
    return figures


if __name__ == "__main__":
    main()
