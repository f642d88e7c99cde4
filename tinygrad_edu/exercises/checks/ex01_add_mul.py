"""Checks for exercise 1: unbroadcast, Add and Mul backward."""

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
from tinygrad_edu.testing.strategies import broadcastable_shapes, float_arrays

E = "add_mul"


FIRST = [(sample(2, 3), sample(3)), (sample(2, 1), sample(1, 3)), (sample(3, 1), sample(1))]


def pairs(max_dims: int = 3):
    """Two arrays whose shapes broadcast together, e.g. (2, 1) and (3,)."""
    return broadcastable_shapes(2, max_dims=max_dims, max_side=3).flatmap(
        lambda shapes: st.tuples(float_arrays(shapes[0]), float_arrays(shapes[1]))
    )


@check(
    E,
    "unbroadcast sums a gradient back to the input's shape",
    "sum over the leading axes the input lacks, then over its size-1 axes with keepdims=True",
)
def unbroadcast_shapes(s):
    def prop(shapes):
        small, big = shapes
        out_shape = np.broadcast_shapes(small, big)
        g = np.random.default_rng(0).normal(size=out_shape)
        expected = ops.unbroadcast(Tensor(g), small)
        got = s.unbroadcast(Tensor(g), small)
        expect_close(f"unbroadcast(grad of shape {out_shape}, {small})", expected, got)

    first = [((3,), (2, 3)), ((2, 1), (2, 3)), ((1, 3), (2, 2, 3))]
    for_all(
        s,
        broadcastable_shapes(2, max_dims=4, max_side=3),
        prop,
        first,
        names=("input shape", "other shape"),
    )


@check(
    E,
    "Add.backward: each input gets the gradient, unbroadcast to its shape",
    "both inputs of a + b get `grad` itself, passed through unbroadcast(grad, input.shape)",
)
def add_values(s):
    def prop(arrays):
        expect_same_gradients("a + b", s.Add.apply, ops.Add.apply, arrays)

    for_all(s, pairs(), prop, FIRST, names=("a", "b"))


@check(
    E,
    "Mul.backward: da = grad * b and db = grad * a, unbroadcast",
    "a's gradient is grad times the *other* input, then unbroadcast(..., a.shape)",
)
def mul_values(s):
    def prop(arrays):
        expect_same_gradients("a * b", s.Mul.apply, ops.Mul.apply, arrays)

    for_all(s, pairs(), prop, FIRST, names=("a", "b"))


@check(
    E,
    "gradcheck: a * b + a through the engine's operators agrees with central differences",
    "the engine's + and * run your Add and Mul here; check each formula and its unbroadcast",
)
def gradcheck_operators(s):
    def prop(arrays):
        with use_ops(Add=s.Add, Mul=s.Mul):
            expect_gradcheck("a * b + a", lambda a, b: a * b + a, arrays)

    for_all(s, pairs(), prop, FIRST, names=("a", "b"))


@check(
    E,
    "gradgradcheck: second derivatives of a * b * b",
    "write backward with Tensor operations (grad * b), not NumPy arrays, so it can be "
    "differentiated again",
)
def gradgradcheck_mul(s):
    def prop(arrays):
        with use_ops(Add=s.Add, Mul=s.Mul):
            expect_gradcheck("a * b * b", lambda a, b: a * b * b, arrays, second=True)

    for_all(s, pairs(max_dims=2), prop, FIRST[:1], names=("a", "b"))


@check(
    E,
    "float32 stays float32: gradients keep their input's dtype",
    "multiply by Tensors (or numbers), not float64 arrays; np.ones(...) is float64",
)
def dtypes(s):
    a = tensor(np.ones((2, 3)), dtype=np.float32)
    b = tensor(np.full((3,), 2.0), dtype=np.float32)
    grad = Tensor(np.ones((2, 3), dtype=np.float32))
    for cls in (s.Add, s.Mul):
        for name, got in zip("ab", direct_backward(cls, (a, b), grad)):
            expect_dtype(f"{cls.__name__}.backward's gradient of {name}", np.float32, got)


@check(
    E,
    "a tensor used twice: x * x and x + x",
    "x is both inputs: each backward returns one gradient per input, and the engine adds them",
)
def used_twice(s):
    x_values = np.array([1.0, -2.0, 3.0])
    with use_ops(Add=s.Add, Mul=s.Mul):
        x = tensor(x_values)
        (x * x).sum().backward()
        expect_close("the gradient of (x * x).sum()", 2 * x_values, x.grad)
        x = tensor(x_values)
        (x + x).sum().backward()
        expect_close("the gradient of (x + x).sum()", np.full(3, 2.0), x.grad)


@check(
    E,
    "edges: zeros, large values, 0-d tensors and an empty batch",
    "an empty batch (shape (0, 3)) plus a bias (3,) gives the bias a zero gradient of shape (3,)",
)
def edges(s):
    cases = [
        (np.zeros((2, 2)), np.zeros((2,))),
        (np.full((2,), 1e30), np.full((2, 2), -1e30)),
        (np.array(2.0), np.array([1.0, 3.0])),
        (np.zeros((0, 3)), np.array([1.0, 2.0, 3.0])),
    ]

    def prop(arrays):
        shapes = " and ".join(str(a.shape) for a in arrays)
        for student_op, engine_op in ((s.Add, ops.Add), (s.Mul, ops.Mul)):
            expect_same_gradients(
                f"{student_op.__name__} of shapes {shapes}",
                student_op.apply,
                engine_op.apply,
                arrays,
            )

    on_cases(s, cases, prop)
