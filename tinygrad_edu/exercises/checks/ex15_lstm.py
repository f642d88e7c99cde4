"""Checks for exercise 15: the LSTM cell and its loop, against the engine's nn.LSTM."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu.exercises.checks.common import (
    expect_gradcheck,
    expect_same_gradients,
    on_cases,
    sample,
)
from tinygrad_edu.exercises.grader import check, expect_dtype, for_all
from tinygrad_edu.nn.recurrent import LSTM
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing.strategies import float_arrays

E = "lstm"
NAMES = ("x", "kernel", "recurrent_kernel", "bias")


def engine_lstm(x, kernel, recurrent_kernel, bias):
    """The engine's LSTM layer with these weights (as Tensors, so gradients reach them)."""
    layer = LSTM(recurrent_kernel.shape[0], dtype=x.dtype)
    layer.build((None, *x.shape[1:]))
    layer.kernel, layer.recurrent_kernel, layer.bias = kernel, recurrent_kernel, bias
    return layer(x)


def sequences():
    """(x (batch, steps, features), kernel, recurrent_kernel, bias) for small sizes."""
    sizes = st.tuples(st.integers(1, 2), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3))

    def draw(d):
        batch, steps, features, units = d
        weights = lambda *shape: float_arrays(shape, min_value=-1, max_value=1)  # noqa: E731
        return st.tuples(
            float_arrays((batch, steps, features)),
            weights(features, 4 * units),
            weights(units, 4 * units),
            weights(4 * units),
        )

    return sizes.flatmap(draw)


def case(batch=2, steps=3, features=2, units=3, seed=0):
    x = sample(batch, steps, features, seed=seed)
    kernel = sample(features, 4 * units, seed=seed) * 0.5
    recurrent = sample(units, 4 * units, seed=seed + 1) * 0.5
    return x, kernel, recurrent, sample(4 * units, seed=seed + 2) * 0.5


def same_as_engine(s, arrays):
    expect_same_gradients(
        f"lstm over x of shape {arrays[0].shape} with {arrays[2].shape[0]} units",
        s.lstm,
        engine_lstm,
        arrays,
        names=NAMES,
    )


@check(
    E,
    "one step: h and c, with the gates in Keras's order i, f, c, o",
    "z's four blocks of `units` are i, f, c (the candidate, tanh) and o; c = f * c_prev + i * g, "
    "h = o * tanh(c)",
)
def one_step(s):
    for_all(
        s,
        sequences().map(lambda a: (a[0][:, :1, :], *a[1:])),
        lambda a: same_as_engine(s, a),
        [case(steps=1)],
        names=("x", "kernel", "recurrent_kernel", "bias"),
    )


@check(
    E,
    "the loop: backpropagation through time over the whole sequence",
    "carry both h and c from step to step, starting from zeros, and return the last h",
)
def sequence(s):
    for_all(
        s,
        sequences(),
        lambda a: same_as_engine(s, a),
        [case(), case(batch=1, steps=4, units=2, seed=3)],
        names=("x", "kernel", "recurrent_kernel", "bias"),
    )


@check(E, "gradcheck and gradgradcheck through time", "use Tensor operations only")
def gradchecks(s):
    arrays = case(batch=1, steps=2, features=1, units=1)
    expect_gradcheck("lstm", s.lstm, arrays)
    expect_gradcheck("lstm", s.lstm, arrays, second=True)


@check(E, "float32 stays float32", "start h and c as zeros of x's dtype")
def dtypes(s):
    x, k, r, b = (Tensor(a.astype("float32"), requires_grad=True) for a in case())
    expect_dtype("lstm of float32 tensors", np.float32, s.lstm(x, k, r, b))


@check(
    E,
    "edges: one step, a long sequence (30 steps), large inputs",
    "the sigmoid and tanh saturate at large inputs: their gradients go to 0, not NaN",
)
def edges(s):
    def prop(arrays):
        same_as_engine(s, arrays)

    x, k, r, b = case()
    on_cases(
        s, [case(steps=1), case(batch=1, steps=30, features=1, units=2), (x * 100.0, k, r, b)], prop
    )
