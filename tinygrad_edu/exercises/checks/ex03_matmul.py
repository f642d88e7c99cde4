"""Checks for exercise 3: MatMul backward."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu import ops
from tinygrad_edu.exercises.checks.common import (
    direct_backward,
    expect_gradcheck,
    expect_same_gradients,
    on_cases,
    sample,
    tensor,
)
from tinygrad_edu.exercises.grader import check, expect_close, expect_dtype, for_all
from tinygrad_edu.exercises.plugin import use_ops
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing.strategies import float_arrays

E = "matmul"
SIDE = st.integers(1, 4)


def matrices(batch_a=None, batch_b=None):
    """(a, b) with a (*batch_a, n, k) and b (*batch_b, k, m)."""
    no_batch = st.just(())
    return st.tuples(SIDE, SIDE, SIDE, batch_a or no_batch, batch_b or no_batch).flatmap(
        lambda d: st.tuples(float_arrays((*d[3], d[0], d[1])), float_arrays((*d[4], d[1], d[2])))
    )


def batches():
    """Batch shapes that broadcast: ((2,), (2,)), ((3, 1), (2,)), ((), (2,))."""
    from tinygrad_edu.testing.strategies import broadcastable_shapes

    return broadcastable_shapes(2, min_dims=0, max_dims=2, max_side=3)


def same_as_engine(s, arrays):
    shapes = " @ ".join(str(a.shape) for a in arrays)
    expect_same_gradients(f"a @ b with shapes {shapes}", s.MatMul.apply, ops.MatMul.apply, arrays)


@check(
    E,
    "matrices: da = grad @ b^T and db = a^T @ grad",
    "check the shapes: a's gradient has a's shape (n, k), so grad (n, m) @ b^T (m, k)",
)
def matrices_2d(s):
    first = [(sample(2, 3), sample(3, 4))]
    for_all(s, matrices(), lambda arrays: same_as_engine(s, arrays), first, names=("a", "b"))


@check(
    E,
    "a batch of matrices, (B, n, k) @ (B, k, m)",
    "transpose only the last two axes (matrix_transpose); .T reverses the batch axis too",
)
def batched(s):
    batch = st.sampled_from([(2,), (3,), (2, 2)])
    strategy = batch.flatmap(lambda b: matrices(st.just(b), st.just(b)))
    first = [(sample(2, 2, 3), sample(2, 3, 4))]
    for_all(s, strategy, lambda arrays: same_as_engine(s, arrays), first, names=("a", "b"))


@check(
    E,
    "broadcast batches, e.g. (3, 1, n, k) @ (2, k, m)",
    "a batch axis that was broadcast must be summed back: unbroadcast(grad_a, a.shape)",
)
def broadcast_batches(s):
    strategy = batches().flatmap(lambda shapes: matrices(st.just(shapes[0]), st.just(shapes[1])))
    first = [(sample(3, 1, 2, 3), sample(2, 3, 4)), (sample(2, 3), sample(2, 3, 4))]
    for_all(s, strategy, lambda arrays: same_as_engine(s, arrays), first, names=("a", "b"))


@check(
    E,
    "gradcheck and gradgradcheck of (a @ b) @ b^T through the @ operator",
    "every @ in the engine runs your MatMul here, including the ones inside your own backward",
)
def gradchecks(s):
    def prop(arrays):
        with use_ops(MatMul=s.MatMul):
            fn = lambda a, b: (a @ b) @ b.T  # noqa: E731  (a and b are matrices here)
            expect_gradcheck("(a @ b) @ b^T", fn, arrays)
            expect_gradcheck("(a @ b) @ b^T", fn, arrays, second=True)

    for_all(s, matrices(), prop, [(sample(2, 3), sample(3, 4))], names=("a", "b"))


@check(E, "float32 stays float32", "grad, a and b are float32 Tensors: keep to Tensor operations")
def dtypes(s):
    a = tensor(np.ones((2, 3)), dtype=np.float32)
    b = tensor(np.ones((3, 4)), dtype=np.float32)
    for name, got in zip(
        "ab", direct_backward(s.MatMul, (a, b), Tensor(np.ones((2, 4), "float32")))
    ):
        expect_dtype(f"MatMul.backward's gradient of {name}", np.float32, got)


@check(
    E,
    "edges: an empty inner axis (k = 0), a matrix used twice (x @ x)",
    "x @ x uses x on both sides: its gradient is grad @ x^T + x^T @ grad, which the engine adds "
    "up for you if each of your gradients is right",
)
def edges(s):
    def prop(case):
        if case == "x @ x":
            x_values = np.array([[1.0, 2.0], [3.0, -1.0]])
            with use_ops(MatMul=s.MatMul):
                x = tensor(x_values)
                (x @ x).sum().backward()
            ones = np.ones((2, 2))
            expect_close(
                "the gradient of (x @ x).sum()", ones @ x_values.T + x_values.T @ ones, x.grad
            )
        else:
            same_as_engine(s, case)

    on_cases(s, [(np.zeros((2, 0)), np.zeros((0, 3))), "x @ x"], prop)
