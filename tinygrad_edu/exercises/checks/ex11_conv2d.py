"""Checks for exercise 11: conv2d as sliding windows and one matrix product."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu import functional
from tinygrad_edu.exercises.checks.common import (
    expect_gradcheck,
    expect_same_gradients,
    on_cases,
    sample,
)
from tinygrad_edu.exercises.grader import check, expect_dtype, for_all
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing.strategies import float_arrays

E = "conv2d"


def convolutions():
    """(x, kernel, bias, strides) of small, fitting shapes."""
    sizes = st.tuples(
        st.integers(1, 2),
        st.integers(1, 3),
        st.integers(1, 3),
        st.integers(1, 2),
        st.integers(1, 2),
        st.integers(0, 2),
        st.integers(0, 2),
        st.integers(1, 2),
        st.integers(1, 2),
    )

    def draw(d):
        n, kh, kw, c, f, extra_h, extra_w, sh, sw = d
        return st.tuples(
            float_arrays((n, kh + extra_h, kw + extra_w, c)),
            float_arrays((kh, kw, c, f)),
            float_arrays((f,)),
            st.just((sh, sw)),
        )

    return sizes.flatmap(draw)


def same_as_engine(s, case, with_bias=True):
    x, kernel, bias, strides = case
    arrays = [x, kernel, bias] if with_bias else [x, kernel]
    expect_same_gradients(
        f"conv2d of x {x.shape} with a kernel {kernel.shape}, strides {strides}",
        lambda *t: s.conv2d(*t, strides=strides),
        lambda *t: functional.conv2d(*t, strides=strides),
        arrays,
        names=("x", "kernel", "bias"),
    )


FIRST = [
    (sample(2, 4, 5, 3), sample(2, 3, 3, 2), sample(2), (1, 1)),
    (sample(1, 5, 5, 2), sample(3, 2, 2, 2), sample(2), (2, 1)),
]


@check(
    E,
    "values and gradients for x, kernel and bias",
    "rows (N*oh*ow, kh*kw*C) meet the kernel reshaped to (kh*kw*C, filters): both keep the "
    "(kh, kw, C) order, so don't transpose either; add the bias",
)
def values(s):
    for_all(
        s,
        convolutions(),
        lambda case: same_as_engine(s, case),
        FIRST,
        names=("x", "kernel", "bias", "strides"),
    )


@check(
    E,
    "strides: the window moves sh rows and sw columns at a time",
    "pass strides on to sliding_windows; the output then has (H - kh) // sh + 1 rows",
)
def strides(s):
    def prop(case):
        same_as_engine(s, case)

    cases = st.sampled_from([(2, 2), (3, 1), (1, 3)]).flatmap(
        lambda st_: st.just((sample(1, 7, 7, 2), sample(2, 2, 2, 3), sample(3), st_))
    )
    for_all(
        s,
        cases,
        prop,
        [(sample(1, 6, 6, 1), sample(2, 2, 1, 1), sample(1), (2, 2))],
        names=("x", "kernel", "bias", "strides"),
    )


@check(E, "gradcheck and gradgradcheck", "build it from Tensor operations only (reshape, @, +)")
def gradchecks(s):
    x, kernel = sample(1, 3, 3, 2), sample(2, 2, 2, 2)
    expect_gradcheck("conv2d", lambda a, k: s.conv2d(a, k), [x, kernel])
    expect_gradcheck("conv2d", lambda a, k: s.conv2d(a, k) ** 2, [x, kernel], second=True)


@check(E, "float32 stays float32; bias=None works", "only add the bias when one is given")
def dtypes(s):
    x = Tensor(sample(1, 3, 3, 1).astype("float32"), requires_grad=True)
    kernel = Tensor(sample(2, 2, 1, 2).astype("float32"), requires_grad=True)
    out = s.conv2d(x, kernel)
    expect_dtype("conv2d of float32 tensors", np.float32, out)
    same_as_engine(s, (sample(1, 3, 3, 1), sample(2, 2, 1, 2), None, (1, 1)), with_bias=False)


@check(
    E,
    "edges: a 1x1 kernel, a kernel as big as the image, an image used twice",
    "a 1x1 convolution is a Dense layer on every pixel; a kernel the image's size gives 1x1",
)
def edges(s):
    def prop(case):
        if case == "used twice":
            x = sample(1, 3, 3, 1)
            k = sample(2, 2, 1, 1)
            expect_same_gradients(
                "conv2d(x, k) + conv2d(x, k)",
                lambda a: s.conv2d(a, Tensor(k)) + s.conv2d(a, Tensor(k)),
                lambda a: functional.conv2d(a, Tensor(k)) * 2.0,
                [x],
            )
        else:
            same_as_engine(s, case)

    on_cases(
        s,
        [
            (sample(2, 3, 3, 2), sample(1, 1, 2, 3), sample(3), (1, 1)),
            (sample(1, 3, 4, 1), sample(3, 4, 1, 2), sample(2), (1, 1)),
            "used twice",
        ],
        prop,
    )
