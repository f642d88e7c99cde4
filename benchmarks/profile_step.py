"""Where a training step's time goes, per op: timers around every op's forward and backward.

Runs `model.fit` on one course workload with a timer around each op's
`forward` and `backward` and around the optimizer's update, and splits the
epoch's time into: each op's forward, each op's backward (with the Tensor ops
its formula runs inside it), the matrix products (counted wherever they run:
they are inside Linear's and MatMul's rows too), the optimizer's update, and
the rest (the layers' calls, the loss's checks, the backward walk's
bookkeeping, fit's loop). Only the outermost op on the stack is counted, so no
time is counted twice. Each timer costs about a microsecond: the epoch runs a
little slower than without them.

    OPENBLAS_NUM_THREADS=1 python benchmarks/profile_step.py --data-dir ~/.cache/tinygrad_edu
    python benchmarks/profile_step.py --workload convnet --steps 30
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)
import busy_machine  # noqa: E402

from tinygrad_edu import nn  # noqa: E402
from tinygrad_edu.autograd import Function  # noqa: E402
from tinygrad_edu.fused import threads  # noqa: E402


class Timers:
    """Adds up, per name, the time spent in the outermost timed call (nothing twice)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.depth = 0

    def wrap(self, function, name: str, outermost_only: bool = True):
        def timed(*args, **kwargs):
            if outermost_only and self.depth:
                return function(*args, **kwargs)
            self.depth += outermost_only
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
                self.depth -= outermost_only

        return timed


def install(timers: Timers) -> list[tuple[object, str, object]]:
    """Wrap every op's forward and backward, the optimizers' update and the matrix products;
    returns what to put back."""
    undo, classes = [], [Function]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        for method in ("forward", "backward"):
            if method in cls.__dict__:
                undo.append((cls, method, cls.__dict__[method]))
                setattr(cls, method, timers.wrap(cls.__dict__[method], f"{cls.__name__}.{method}"))
    for cls in [nn.optimizers.Optimizer, *nn.optimizers.Optimizer.__subclasses__()]:
        if "update" in cls.__dict__:
            undo.append((cls, "update", cls.__dict__["update"]))
            cls.update = timers.wrap(cls.__dict__["update"], "optimizer update")
    undo.append((threads, "matmul", threads.matmul))
    threads.matmul = timers.wrap(threads.matmul, MATMUL, outermost_only=False)
    return undo


MATMUL = "matrix products (also inside rows above)"


def profile(workload: str, data_dir: str | None, steps: int) -> tuple[dict[str, float], float]:
    """{part: seconds} over one timed epoch of `steps` steps, and the epoch's seconds."""
    _, _, batch, data_set, _ = busy_machine.WORKLOADS[workload]
    x, y = busy_machine.images(data_dir, data_set, batch * steps)
    epoch = busy_machine.edu_epoch(workload, x, y)
    epoch()  # warm up: the first epoch builds the model and its optimizer state
    timers = Timers()
    undo = install(timers)
    try:
        seconds = _timing.time_call(epoch)
    finally:
        for owner, name, original in undo:
            setattr(owner, name, original)
    return timers.seconds, seconds


def report(workload: str, parts: dict[str, float], seconds: float, steps: int) -> str:
    ops = {k: v for k, v in parts.items() if "." in k and k != MATMUL}
    counted = sum(v for k, v in parts.items() if k != MATMUL)
    lines = [
        f"workload {workload}: {steps} steps of fit, {seconds:.3f} s with the timers "
        f"({1e3 * seconds / steps:.2f} ms a step)",
        f"{'part':42} {'ms/step':>8} {'share':>6}",
    ]
    rows = sorted(ops.items(), key=lambda item: -item[1])
    rows += [(k, v) for k, v in parts.items() if k not in ops]
    rows.append(("the rest (layers, loss checks, walk, fit loop)", seconds - counted))
    for name, value in rows:
        lines.append(f"{name:42} {1e3 * value / steps:8.3f} {value / seconds:6.1%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=list(busy_machine.WORKLOADS), default="book")
    parser.add_argument("--data-dir", help="folder holding mnist/ and fashion-mnist/")
    parser.add_argument("--steps", type=int, default=100, help="steps to time (at least 1)")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    parts, seconds = profile(args.workload, args.data_dir, args.steps)
    print(_timing.facts_line(_timing.machine_facts()))
    print(f"data: {args.data_dir or 'random MNIST-shaped data (no --data-dir)'}")
    print(report(args.workload, parts, seconds, args.steps))


if __name__ == "__main__":
    main()
