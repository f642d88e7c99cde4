"""benchmarks/seam.py, busy_machine.py and profile_step.py: the swaps reach what they name,
and the scripts run to the end (quick mode). Timings are printed, never asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import seam  # noqa: E402

from tests.test_benchmarks_smoke import run_benchmark  # noqa: E402
from tinygrad_edu import Tensor, nn  # noqa: E402
from tinygrad_edu.fused import threads  # noqa: E402


def recorded_ops(output: Tensor) -> set[str]:
    from tinygrad_edu.viz.graph import topological_order

    order = topological_order([output], lambda t: t.grad_fn.inputs if t.grad_fn else ())
    return {t.grad_fn.name for t in order if t.grad_fn is not None}


def one_step_ops() -> set[str]:
    """The ops one Dense + softmax + loss step and one max pooling record."""
    x = Tensor(np.ones((4, 3), np.float32))
    dense = nn.Dense(2, activation="softmax")
    loss = nn.losses.sparse_categorical_crossentropy(np.array([0, 1, 0, 1]), dense(x))
    image = Tensor(np.arange(32.0).reshape(1, 4, 4, 2), requires_grad=True)
    pooled = nn.MaxPooling2D(2)(image)
    return recorded_ops(loss) | recorded_ops(pooled.sum())


@pytest.mark.parametrize(
    ("twin", "gone", "comes"),
    [
        ("Linear", "Linear", "MatMul"),
        ("cross-entropy", "SparseSoftmaxCrossEntropy", "GetItem"),
        ("tiled pooling", "Reshape", "SlidingWindows"),
    ],
)
def test_each_swap_puts_the_twin_in_the_shortcut_s_place(twin, gone, comes):
    shipped = one_step_ops()
    swapped = []
    seam.Swapped(lambda: swapped.append(one_step_ops()), twin)()
    assert gone in shipped and comes not in shipped
    assert gone not in swapped[0] and comes in swapped[0]
    assert one_step_ops() == shipped  # put back


def test_the_conv_swap_puts_the_twin_in_the_node_s_place():
    def conv_ops() -> set[str]:
        image = Tensor(np.arange(32.0).reshape(1, 4, 4, 2), requires_grad=True)
        return recorded_ops(nn.Conv2D(2, 3)(image).sum())

    shipped, swapped = conv_ops(), []
    seam.Swapped(lambda: swapped.append(conv_ops()), "conv node")()
    assert "Conv2D" in shipped and "MatMul" not in shipped
    assert "Conv2D" not in swapped[0] and "MatMul" in swapped[0]  # the twin: im2col, MatMul, Add
    assert conv_ops() == shipped  # put back


def test_the_reduction_and_thread_swaps_reach_their_modules():
    seen = []

    def look():
        from tinygrad_edu.ops import reduce

        seen.append((reduce.reduce_axes is seam._plain_reduce, threads.matmul is np.matmul))

    seam.Swapped(look, "few-entry max")()
    seam.Swapped(look, "thread policy")()
    assert seen == [(True, False), (False, True)]
    assert threads.matmul is not np.matmul  # put back


def test_seam_busy_machine_and_profile_step_run_quick(tmp_path):
    figures_path = tmp_path / "seam.json"
    done = run_benchmark(
        "seam.py", "--quick", "--workloads", "softmax", "--json", str(figures_path), timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "best paired ratio" in done.stdout
    assert set(json.loads(figures_path.read_text())["rows"]) == {"softmax"}
    done = run_benchmark(
        "busy_machine.py", "--quick", "--no-torch", "--workloads", "softmax", timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "busy/quiet" in done.stdout and "softmax   policy" in done.stdout
    done = run_benchmark("profile_step.py", "--workload", "softmax", "--steps", "3", timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Linear.forward" in done.stdout and "optimizer update" in done.stdout


@pytest.mark.benchmark  # times real products: opt-in (-m benchmark)
def test_page_faults_and_blas_threads_run():
    done = run_benchmark("page_faults.py", "softmax", timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("softmax") and len(done.stdout.split()) == 3
    done = run_benchmark("blas_threads.py", timeout=300)
    assert done.returncode == 0, done.stderr
    assert "book fwd 128x784x512" in done.stdout and "2/1" in done.stdout


def test_elementwise_threads_split_gives_the_same_step_and_puts_the_ops_back(monkeypatch):
    """The what-if of elementwise_threads.py computes what the engine computes: the same
    conv, relu, pooling and loss values and gradients, with every pass split in two."""
    import elementwise_threads

    from tinygrad_edu import functional as F
    from tinygrad_edu.ops import elementwise

    monkeypatch.setattr(elementwise_threads, "LARGE", 0)  # split even these small arrays
    rng = np.random.default_rng(0)
    image = rng.standard_normal((4, 9, 9, 3)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 3, 5)).astype(np.float32)

    def step():
        x, k = Tensor(image, requires_grad=True), Tensor(kernel, requires_grad=True)
        y = F.max_pool2d(F.conv2d(x, k).relu(), 2)
        loss = (y * y.astype(np.float64).astype(np.float32)).sum()
        loss.backward()
        return loss.numpy(), x.grad.numpy(), k.grad.numpy()

    from tinygrad_edu.ops import movement
    from tinygrad_edu.ops import reduce as reduce_ops

    replaced = [
        (elementwise.Relu, "forward"),
        (elementwise.Mul, "forward"),
        (elementwise.Cast, "forward"),
        (movement.Reshape, "forward"),
        (movement.AddWindows, "forward"),
        (reduce_ops, "reduce_axes"),
    ]
    originals = [getattr(owner, name) for owner, name in replaced]
    halves = []  # one entry per pass split in two
    in_halves = elementwise_threads.in_halves
    monkeypatch.setattr(
        elementwise_threads, "in_halves", lambda work, n: halves.append(n) or in_halves(work, n)
    )
    plain = step()
    with elementwise_threads.split_passes():
        assert all(getattr(o, n) is not f for (o, n), f in zip(replaced, originals))
        split = step()
    assert all(getattr(o, n) is f for (o, n), f in zip(replaced, originals))
    # relu, the loss's multiply, the cast, im2col's copy and col2im's adds were split
    assert len(halves) >= 5
    for a, b in zip(plain, split):
        np.testing.assert_array_equal(a, b)


def test_elementwise_threads_runs_quick():
    done = run_benchmark("elementwise_threads.py", "--quick", timeout=300)
    assert done.returncode == 0, done.stderr
    assert "col2im adds" in done.stdout and "paired (below 1: the split is faster)" in done.stdout


def test_blas_wait_runs_quick(tmp_path):
    figures_path = tmp_path / "blas_wait.json"
    args = ("--quick", "--workloads", "softmax", "--json", str(figures_path))
    done = run_benchmark("blas_wait.py", *args, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "softmax" in done.stdout and "busy/quiet" in done.stdout
    figures = json.loads(figures_path.read_text())
    assert set(figures["workloads"]["softmax"]) == {"4", "28"}
    assert all(len(runs) == 1 for runs in figures["workloads"]["softmax"]["4"].values())
    assert set(figures["spin_cpu_ms"]) == {"4", "28"}


def test_blas_wait_refuses_timeouts_without_the_baseline():
    done = run_benchmark("blas_wait.py", "--quick", "--timeouts", "4", "16", timeout=60)
    assert done.returncode == 2 and "must include 28" in done.stderr
