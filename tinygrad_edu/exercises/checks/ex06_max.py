"""Checks for exercise 6: Max backward, with ties split evenly."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import ops
from tinygrad_edu.exercises.checks.common import (
    direct_backward,
    expect_gradcheck,
    expect_same_gradients,
    on_cases,
    tensor,
    with_ops,
)
from tinygrad_edu.exercises.grader import check, expect_dtype, for_all
from tinygrad_edu.exercises.plugin import use_ops
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing.strategies import distinct_arrays, shapes

E = "max"


def with_axis(arrays):
    """(x, axis, keepdims) for x drawn from `arrays(shape)`."""

    def draw(shape):
        ndim = len(shape)
        axes = [st.none()] + ([st.integers(-ndim, ndim - 1)] if ndim else [])
        return st.tuples(arrays(shape), st.one_of(*axes), st.booleans())

    return shapes(min_dims=1, max_dims=3, max_side=3).flatmap(draw)


def same_as_engine(s, case):
    x, axis, keepdims = case
    expect_same_gradients(
        f"max(axis={axis!r}, keepdims={keepdims})",
        lambda t: s.Max.apply(t, axis=axis, keepdims=keepdims),
        lambda t: ops.Max.apply(t, axis=axis, keepdims=keepdims),
        [x],
    )


@check(
    E,
    "distinct values: the gradient goes to the maximum only",
    "compare a with the maximum (reshaped so the reduced axes line up) to find where it was",
)
def distinct(s):
    first = [(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]), 1, False)]
    for_all(
        s,
        with_axis(lambda shape: distinct_arrays(shape)),
        lambda c: same_as_engine(s, c),
        first,
        names=("x", "axis", "keepdims"),
    )


@check(
    E,
    "ties: k equal maxima get grad / k each",
    "split the gradient evenly among tied maxima (divide by their count), not all to the first "
    "and not all to each",
)
def ties(s):
    few_values = lambda shape: hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0]))  # noqa: E731
    first = [
        (np.array([1.0, 3.0, 3.0]), None, False),
        (np.array([[2.0, 2.0], [1.0, 2.0]]), 1, True),
        (np.array([[2.0, 2.0], [2.0, 2.0]]), None, False),
    ]
    for_all(
        s,
        with_axis(few_values),
        lambda c: same_as_engine(s, c),
        first,
        names=("x", "axis", "keepdims"),
    )


@check(
    E,
    "gradcheck and gradgradcheck of x.max(axis) * x.max(axis) through .max()",
    "keep grad a Tensor: grad.reshape(kept) * share",
)
def gradchecks(s):
    def prop(case):
        x, axis, keepdims = case
        with use_ops(Max=s.Max):
            fn = lambda t: t.max(axis=axis, keepdims=keepdims) ** 2  # noqa: E731
            expect_gradcheck(f"max(axis={axis!r}) ** 2", fn, [x])
            expect_gradcheck(f"max(axis={axis!r}) ** 2", fn, [x], second=True)

    for_all(
        s,
        with_axis(lambda shape: distinct_arrays(shape, spacing=0.1)),
        prop,
        names=("x", "axis", "keepdims"),
    )


@check(E, "float32 stays float32", "make the share with a's dtype: (mask / ties).astype(a.dtype)")
def dtypes(s):
    x = tensor(np.array([[1.0, 3.0, 3.0]]), dtype=np.float32)
    (got,) = direct_backward(s.Max, (x,), Tensor(np.ones(1, "float32")), axis=1)
    expect_dtype("Max.backward's gradient", np.float32, got)


@check(
    E,
    "edges: large values, -inf, one entry per row, a tensor used twice",
    "x.max() + x.max(axis=0).sum() uses x twice: each Max sends its own gradient",
)
def edges(s):
    def prop(case):
        if case == "used twice":
            x = np.array([[1.0, 4.0], [3.0, 2.0]])
            expect_same_gradients(
                "x.max() + x.max(axis=0).sum()",
                with_ops(lambda t: t.max() + t.max(axis=0).sum(), Max=s.Max),
                lambda t: t.max() + t.max(axis=0).sum(),
                [x],
            )
        else:
            same_as_engine(s, case)

    cases = [
        (np.array([1e300, -1e300, 1e300]), 0, False),
        (np.array([-np.inf, 0.0]), None, False),
        (np.array([[5.0], [6.0]]), 1, False),
        "used twice",
    ]
    on_cases(s, cases, prop)
