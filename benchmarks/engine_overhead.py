"""How much the engine costs on top of the NumPy arithmetic it runs.

Two measurements:

1. Small ops. Forward + backward of one op on 10x10 float32 tensors, against
   the bare NumPy calls doing the same forward and backward arithmetic. At this
   size the arithmetic is almost free, so the difference is the engine's own
   work per op: making Tensors and Function nodes, ordering the nodes, the
   gradient bookkeeping. Reported in microseconds per op, as a difference and
   as a ratio.
2. Long chains. The backward time of chains of 1k, 10k and 100k nodes
   (y = y * 1.0001, repeated). A walk that is linear in the number of nodes
   takes about 10x longer for 10x the nodes; the target is 100k within 12x of 10k.

Runs alternate (engine, numpy, engine, numpy, ...) and medians are reported, so
drift on a shared machine hits both sides alike. Garbage collection is paused
inside each timed run (as `timeit` does), so one side does not pay for the
other's garbage.

    python benchmarks/engine_overhead.py            # full run (about a minute)
    python benchmarks/engine_overhead.py --quick    # a few repeats, for CI
    python benchmarks/engine_overhead.py --json figures.json --write-results
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)

from tinygrad_edu import Tensor  # noqa: E402

SIZE = (10, 10)
CHAIN_LENGTHS = (1_000, 10_000, 100_000)


# ---------------------------------------------------------------- the small ops
def _engine_step(op: Callable[..., Tensor], leaves: list[Tensor]) -> Callable[[], None]:
    """One forward + backward through the engine, from fresh gradients."""

    def step() -> None:
        for leaf in leaves:
            leaf.grad = None
        output = op(*leaves)
        output.backward(np.ones(output.shape, dtype=np.float32))

    return step


def _numpy_steps(a: np.ndarray, b: np.ndarray) -> dict[str, Callable[[], object]]:
    """The same arithmetic with bare NumPy: forward, then the derivative by hand."""
    ones = np.ones(SIZE, dtype=np.float32)
    one = np.float32(1.0)

    def add():
        out = a + b
        return out, ones, ones  # d/da and d/db of a + b are the incoming gradient

    def mul():
        out = a * b
        return out, ones * b, ones * a

    def exp():
        out = np.exp(a)
        return out, ones * out

    def tanh():
        out = np.tanh(a)
        return out, ones * (1 - out * out)

    def sigmoid():
        out = 1 / (1 + np.exp(-a))
        return out, ones * out * (1 - out)

    def relu():
        out = np.maximum(a, 0)
        return out, ones * (a > 0)

    def total():
        out = np.sum(a)
        return out, np.broadcast_to(one, a.shape)

    def matmul():
        out = a @ b
        return out, ones @ b.T, a.T @ ones

    return {
        "add": add,
        "mul": mul,
        "exp": exp,
        "tanh": tanh,
        "sigmoid": sigmoid,
        "relu": relu,
        "sum": total,
        "matmul": matmul,
    }


ENGINE_OPS: dict[str, tuple[Callable[..., Tensor], int]] = {
    # name -> (op on Tensors, number of inputs)
    "add": (lambda a, b: a + b, 2),
    "mul": (lambda a, b: a * b, 2),
    "exp": (lambda a: a.exp(), 1),
    "tanh": (lambda a: a.tanh(), 1),
    "sigmoid": (lambda a: a.sigmoid(), 1),
    "relu": (lambda a: a.relu(), 1),
    "sum": (lambda a: a.sum(), 1),
    "matmul": (lambda a, b: a @ b, 2),
}


def _batch(step: Callable[[], object], calls: int) -> Callable[[], None]:
    """`calls` calls of `step` as one timed run, with the garbage collector paused."""

    def run() -> None:
        enabled = gc.isenabled()
        gc.disable()
        try:
            for _ in range(calls):
                step()
        finally:
            if enabled:
                gc.enable()

    return run


def measure_small_ops(repeats: int, calls: int) -> list[dict[str, float | str]]:
    rng = np.random.default_rng(0)
    a = rng.standard_normal(SIZE).astype(np.float32)
    b = rng.standard_normal(SIZE).astype(np.float32)
    numpy_steps = _numpy_steps(a, b)
    rows = []
    for name, (op, arity) in ENGINE_OPS.items():
        leaves = [Tensor(a.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True)]
        contenders = {
            "engine": _batch(_engine_step(op, leaves[:arity]), calls),
            "numpy": _batch(numpy_steps[name], calls),
        }
        times = _timing.alternate(contenders, repeats=repeats, warmup=1)
        engine_us = _timing.median(times["engine"]) / calls * 1e6
        numpy_us = _timing.median(times["numpy"]) / calls * 1e6
        rows.append(
            {
                "op": name,
                "engine_us": engine_us,
                "numpy_us": numpy_us,
                "overhead_us": engine_us - numpy_us,
                "ratio": engine_us / numpy_us,
            }
        )
    return rows


# ---------------------------------------------------------------- long chains
def _chain(length: int) -> Tensor:
    x = Tensor(np.array(1.0, dtype=np.float32), requires_grad=True)
    y = x
    for _ in range(length):
        y = y * 1.0001
    return y


def measure_chains(repeats: int) -> list[dict[str, float | int]]:
    """Backward time per chain length; chains are built untimed, one per run, in turn."""
    times: dict[int, list[float]] = {length: [] for length in CHAIN_LENGTHS}
    for _ in range(repeats):
        for length in CHAIN_LENGTHS:
            output = _chain(length)
            gc.collect()
            times[length].append(_timing.time_call(_batch(output.backward, 1)))
            del output
    rows = []
    for length in CHAIN_LENGTHS:
        seconds = _timing.median(times[length])
        rows.append(
            {"nodes": length, "backward_ms": seconds * 1e3, "us_per_node": seconds / length * 1e6}
        )
    return rows


# ---------------------------------------------------------------- report
def format_report(ops: list[dict], chains: list[dict], facts: dict[str, str], settings: str) -> str:
    lines = [
        f"machine: {_timing.facts_line(facts)}",
        f"settings: {settings}",
        "",
        "Forward + backward of one op on 10x10 float32 tensors (median, microseconds per op)",
        f"{'op':<9}{'engine us':>11}{'numpy us':>11}{'overhead us':>13}{'ratio':>8}",
    ]
    for row in ops:
        lines.append(
            f"{row['op']:<9}{row['engine_us']:>11.1f}{row['numpy_us']:>11.1f}"
            f"{row['overhead_us']:>13.1f}{row['ratio']:>7.1f}x"
        )
    lines += [
        "",
        "Backward through a chain y = y * 1.0001 (median)",
        f"{'nodes':>9}{'backward ms':>13}{'us per node':>13}",
    ]
    for row in chains:
        lines.append(f"{row['nodes']:>9}{row['backward_ms']:>13.1f}{row['us_per_node']:>13.2f}")
    lines.append(
        f"100k / 10k backward time: {chain_ratio(chains):.1f}x "
        "(linear would be 10x; target: at most 12x)"
    )
    return "\n".join(lines)


def summary(ops: list[dict], chains: list[dict]) -> str:
    """Two sentences a reader can take away, computed from the figures."""
    overheads = [row["overhead_us"] for row in ops]
    per_node = chains[-1]["us_per_node"]
    return (
        f"The engine adds {min(overheads):.0f} to {max(overheads):.0f} microseconds per op "
        "(making the output Tensor and its Function node, then in backward putting the "
        "node in order, the backward call and the gradient bookkeeping): on 10x10 "
        "arrays that dwarfs NumPy's own work, on large arrays it is lost in the arithmetic. "
        f"Backward costs about {per_node:.1f} microseconds per node at 100k nodes, "
        f"and 100k nodes take {chain_ratio(chains):.1f}x the time of 10k (linear: 10x)."
    )


def chain_ratio(chains: list[dict]) -> float:
    by_length = {row["nodes"]: row["backward_ms"] for row in chains}
    return by_length[100_000] / by_length[10_000]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few repeats only (for CI)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--write-results",
        action="store_true",
        help="replace the engine_overhead section of benchmarks/RESULTS.md",
    )
    args = parser.parse_args(argv)

    if args.quick:
        op_repeats, calls, chain_repeats = 3, 20, 1
    else:
        op_repeats, calls, chain_repeats = 21, 200, 7
    settings = (
        f"alternating runs per op: {op_repeats} (each {calls} calls); "
        f"runs per chain length: {chain_repeats}"
    )
    facts = {**_timing.machine_facts(), "platform": platform.platform()}
    ops = measure_small_ops(op_repeats, calls)
    chains = measure_chains(chain_repeats)
    report = format_report(ops, chains, facts, settings)
    print(report)
    print()
    print(summary(ops, chains))

    figures = {
        "machine": facts,
        "settings": settings,
        "small_ops": ops,
        "chains": chains,
        "chain_ratio_100k_over_10k": chain_ratio(chains),
    }
    _timing.save_outputs(
        "engine_overhead",
        argv,
        figures,
        args.json,
        args.write_results,
        lambda command: f"Command: `{command}`\n\n```\n{report}\n```\n\n{summary(ops, chains)}",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
