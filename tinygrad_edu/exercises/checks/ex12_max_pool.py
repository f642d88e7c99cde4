"""Checks for exercise 12: max pooling."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import functional
from tinygrad_edu.exercises.checks.common import (
    expect_gradcheck,
    expect_same_gradients,
    on_cases,
    sample,
)
from tinygrad_edu.exercises.grader import check, expect_dtype, for_all
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing.strategies import distinct_arrays

E = "max_pool"


def same_as_engine(s, x, pool, strides):
    expect_same_gradients(
        f"max_pool2d of x {x.shape}, pool_size={pool}, strides={strides}",
        lambda t: s.max_pool2d(t, pool, strides),
        lambda t: functional.max_pool2d(t, pool, strides),
        [x],
        names=("x",),
    )


def poolings(values):
    sizes = st.tuples(
        st.integers(1, 2),
        st.integers(1, 3),
        st.integers(1, 3),
        st.integers(0, 3),
        st.integers(0, 3),
        st.integers(1, 2),
    )

    def draw(d):
        n, ph, pw, extra_h, extra_w, c = d
        strides = st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3)))
        return st.tuples(values((n, ph + extra_h, pw + extra_w, c)), st.just((ph, pw)), strides)

    return sizes.flatmap(draw)


@check(
    E,
    "values and gradients, any pool size and strides",
    "take the max over the window axes (3, 4) of sliding_windows(x, pool, strides); strides "
    "default to the pool size",
)
def values(s):
    first = [
        (sample(1, 4, 4, 2), (2, 2), None),
        (sample(2, 5, 4, 1), (2, 2), None),
        (sample(1, 4, 4, 1), (2, 2), (1, 1)),
    ]
    for_all(
        s,
        poolings(lambda shape: distinct_arrays(shape)),
        lambda c: same_as_engine(s, *c),
        first,
        names=("x", "pool_size", "strides"),
    )


@check(
    E,
    "ties: equal maxima in a window share its gradient evenly",
    "use the engine's .max() over the window axes: a hand-made argmax mask gives ties all to "
    "the first",
)
def ties(s):
    few = lambda shape: hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0]))  # noqa: E731
    first = [(np.ones((1, 2, 2, 1)), (2, 2), None), (np.ones((1, 4, 4, 2)), (2, 2), (1, 1))]
    for_all(
        s,
        poolings(few),
        lambda c: same_as_engine(s, *c),
        first,
        names=("x", "pool_size", "strides"),
    )


@check(E, "gradcheck, float32 stays float32", "build it from Tensor operations")
def gradcheck_dtype(s):
    x = np.arange(16.0).reshape(1, 4, 4, 1) * 0.37 % 1.9
    expect_gradcheck("max_pool2d", lambda t: s.max_pool2d(t, 2), [x])
    expect_dtype("max_pool2d of float32", np.float32, s.max_pool2d(Tensor(x.astype("float32")), 2))


@check(
    E,
    "edges: a 1x1 pool, leftover rows and columns, large and -inf values",
    "with 'valid' pooling rows no window reaches are dropped: (H - ph) // sh + 1 outputs",
)
def edges(s):
    def prop(case):
        same_as_engine(s, *case)

    big = sample(1, 4, 4, 1) * 1e300
    minus = np.array([[[[-np.inf], [1.0]], [[2.0], [-np.inf]]]])
    on_cases(
        s,
        [
            (sample(1, 3, 3, 2), (1, 1), None),
            (sample(1, 5, 7, 1), (2, 3), None),
            (big, (2, 2), None),
            (minus, (2, 2), None),
        ],
        prop,
    )
