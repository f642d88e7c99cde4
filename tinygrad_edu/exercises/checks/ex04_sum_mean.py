"""Checks for exercise 4: Sum backward and mean."""

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
    with_ops,
)
from tinygrad_edu.exercises.grader import check, expect_close, expect_dtype, for_all
from tinygrad_edu.exercises.plugin import use_ops
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing.strategies import float_arrays, shapes

E = "sum_mean"


def reductions():
    """(x, axis, keepdims): axis None, one axis (maybe negative) or a tuple of axes."""

    def with_axis(shape):
        ndim = len(shape)
        axes = [st.none()]
        if ndim:
            axes.append(st.integers(-ndim, ndim - 1))
            axes.append(
                st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(
                    tuple
                )
            )
        return st.tuples(float_arrays(shape), st.one_of(*axes), st.booleans())

    return shapes(max_dims=3, max_side=3).flatmap(with_axis)


FIRST = [
    (sample(2, 3), 1, False),
    (sample(2, 3), 0, True),
    (sample(2, 3, 2), (0, 2), False),
    (sample(2, 3), None, False),
]


def describe(axis, keepdims):
    return f"axis={axis!r}, keepdims={keepdims}"


@check(
    E,
    "Sum.backward over any axes, with and without keepdims",
    "without keepdims the summed axes are gone: reshape grad to put them back (size 1) before "
    "broadcast_to(a.shape)",
)
def sum_backward(s):
    def prop(case):
        x, axis, keepdims = case
        expect_same_gradients(
            f"sum({describe(axis, keepdims)})",
            lambda t: s.Sum.apply(t, axis=axis, keepdims=keepdims),
            lambda t: ops.Sum.apply(t, axis=axis, keepdims=keepdims),
            [x],
        )

    for_all(s, reductions(), prop, FIRST, names=("x", "axis", "keepdims"))


@check(
    E,
    "mean: values and gradients over any axes",
    "divide by the number of entries in each mean: the product of the sizes of the reduced "
    "axes only (all of them for axis=None)",
)
def mean_values(s):
    def prop(case):
        x, axis, keepdims = case
        expect_same_gradients(
            f"mean({describe(axis, keepdims)})",
            with_ops(lambda t: s.mean(t, axis=axis, keepdims=keepdims), Sum=s.Sum),
            lambda t: Tensor.mean(t, axis=axis, keepdims=keepdims),
            [x],
        )

    for_all(s, reductions(), prop, FIRST, names=("x", "axis", "keepdims"))


@check(
    E,
    "gradcheck and gradgradcheck of sum and mean",
    "write backward with Tensor operations (reshape, broadcast_to) so it differentiates again",
)
def gradchecks(s):
    def prop(case):
        x, axis, keepdims = case
        with use_ops(Sum=s.Sum):
            for what, fn in (
                ("sum", lambda t: t.sum(axis=axis, keepdims=keepdims) ** 2),
                ("mean", lambda t: s.mean(t, axis=axis, keepdims=keepdims) ** 2),
            ):
                expect_gradcheck(f"{what}({describe(axis, keepdims)}) ** 2", fn, [x])
                expect_gradcheck(f"{what}({describe(axis, keepdims)}) ** 2", fn, [x], second=True)

    for_all(s, reductions(), prop, FIRST[:1], names=("x", "axis", "keepdims"))


@check(E, "float32 stays float32", "scale by a Python number (1.0 / count), not a float64 array")
def dtypes(s):
    x = tensor(np.ones((2, 3)), dtype=np.float32)
    (got,) = direct_backward(s.Sum, (x,), Tensor(np.ones(3, "float32")), axis=0)
    expect_dtype("Sum.backward's gradient", np.float32, got)
    with use_ops(Sum=s.Sum):
        expect_dtype("mean of a float32 tensor", np.float32, s.mean(x, axis=1))


@check(
    E,
    "edges: an empty axis, a 0-d tensor, negative axes",
    "the mean over an empty axis is NaN, as NumPy's: 0 / 0, not an error",
)
def edges(s):
    def prop(case):
        shape, axis = case
        x = np.arange(float(np.prod(shape))).reshape(shape)
        expect_same_gradients(
            f"sum of shape {shape} over axis={axis!r}",
            lambda t: s.Sum.apply(t, axis=axis),
            lambda t: ops.Sum.apply(t, axis=axis),
            [x],
        )
        with use_ops(Sum=s.Sum):
            got = s.mean(Tensor(x), axis=axis)
        expect_close(f"mean of shape {shape} over axis={axis!r}", np.mean(x, axis=axis), got)

    on_cases(s, [((0, 3), 0), ((2, 0), 1), ((), None), ((2, 3), -1), ((2, 3, 2), (-1, 0))], prop)
