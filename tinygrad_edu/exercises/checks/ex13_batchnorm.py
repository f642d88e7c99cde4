"""Checks for exercise 13: batch normalization in training and inference."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu.exercises.checks.common import (
    expect_gradcheck,
    expect_same_gradients,
    on_cases,
    sample,
)
from tinygrad_edu.exercises.grader import Failure, check, expect_close, expect_dtype, for_all
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing.strategies import float_arrays

E = "batchnorm"
EPSILON = 1e-3


def reference(x, gamma, beta):
    axes = tuple(range(x.ndim - 1))
    mean = x.mean(axis=axes)
    variance = x.var(axis=axes)
    return gamma * (x - mean) / (variance + EPSILON).sqrt() + beta


def inputs():
    """(x, gamma, beta): x of shape (batch, features) or (batch, h, w, channels)."""
    shapes = st.one_of(
        st.tuples(st.integers(2, 5), st.integers(1, 3)),
        st.tuples(
            st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2)
        ).filter(lambda s: s[0] * s[1] * s[2] > 1),
    )
    return shapes.flatmap(
        lambda shape: st.tuples(
            float_arrays(shape),
            float_arrays((shape[-1],), min_value=0.5, max_value=2.0),
            float_arrays((shape[-1],)),
        )
    )


def student_fn(s, features, training, moving=None):
    mean, variance = moving if moving is not None else (np.zeros(features), np.ones(features))
    return lambda x, g, b: s.batch_norm(x, g, b, mean, variance, training, 0.9, EPSILON)


@check(
    E,
    "training: normalized with the batch's mean and variance, gradients through them",
    "compute mean and variance with Tensor operations over every axis but the last "
    "(x.mean(axis=axes), x.var(axis=axes)), so the gradient flows through them; epsilon goes "
    "inside the square root",
)
def training(s):
    def prop(case):
        x, gamma, beta = case
        expect_same_gradients(
            f"batch_norm in training, x of shape {x.shape}",
            student_fn(s, x.shape[-1], True),
            reference,
            [x, gamma, beta],
            names=("x", "gamma", "beta"),
        )

    for_all(
        s, inputs(), prop, [(sample(4, 3), sample(3) + 2, sample(3))], names=("x", "gamma", "beta")
    )


@check(
    E,
    "training updates the moving statistics in place: moving * momentum + batch * (1 - momentum)",
    "the moving statistics keep `momentum` of themselves and take (1 - momentum) of the batch's "
    "(the biased variance, divided by n); assign into the arrays: moving_mean[...] = ...",
)
def moving_update(s):
    x = sample(6, 3)
    mean, variance = np.full(3, 0.5), np.full(3, 2.0)
    s.batch_norm(
        Tensor(x), Tensor(np.ones(3)), Tensor(np.zeros(3)), mean, variance, True, 0.9, EPSILON
    )
    expect_close("moving_mean after one training batch", 0.5 * 0.9 + x.mean(axis=0) * 0.1, mean)
    expect_close(
        "moving_variance after one training batch", 2.0 * 0.9 + x.var(axis=0) * 0.1, variance
    )


@check(
    E,
    "inference: the moving statistics, not the batch's, and they stay unchanged",
    "at inference use moving_mean and moving_variance: a prediction must not depend on the "
    "other samples in its batch",
)
def inference(s):
    x, gamma, beta = sample(5, 2), sample(2) + 2, sample(2)
    mean, variance = np.array([0.3, -0.2]), np.array([1.5, 0.5])
    kept = mean.copy(), variance.copy()
    out = s.batch_norm(Tensor(x), Tensor(gamma), Tensor(beta), mean, variance, False, 0.9, EPSILON)
    expect_close(
        "batch_norm at inference", gamma * (x - kept[0]) / np.sqrt(kept[1] + EPSILON) + beta, out
    )
    expect_close("moving_mean after inference (unchanged)", kept[0], mean)
    expect_close("moving_variance after inference (unchanged)", kept[1], variance)
    alone = s.batch_norm(
        Tensor(x[:1]), Tensor(gamma), Tensor(beta), mean, variance, False, 0.9, EPSILON
    )
    expect_close("one sample alone at inference (the same as in its batch)", out.data[:1], alone)


@check(
    E, "gradgradcheck in training", "use Tensor operations throughout, so it differentiates twice"
)
def second_order(s):
    x, gamma, beta = sample(3, 2), sample(2) + 2, sample(2)
    expect_gradcheck("batch_norm", student_fn(s, 2, True), [x, gamma, beta], second=True)


@check(
    E,
    "float32 stays float32, and so do the moving statistics",
    "keep to Tensors and Python numbers",
)
def dtypes(s):
    x = Tensor(sample(4, 2).astype("float32"), requires_grad=True)
    gamma, beta = Tensor(np.ones(2, "float32")), Tensor(np.zeros(2, "float32"))
    mean, variance = np.zeros(2, "float32"), np.ones(2, "float32")
    for training in (True, False):
        out = s.batch_norm(x, gamma, beta, mean, variance, training, 0.99, EPSILON)
        expect_dtype(f"batch_norm(training={training}) of float32", np.float32, out)
    expect_dtype("moving_mean", np.float32, mean)


@check(
    E,
    "edges: a batch of one, a constant feature, a large offset",
    "a feature with zero variance gives (x - mean) = 0, divided by sqrt(0 + epsilon): beta, finite",
)
def edges(s):
    def prop(x):
        gamma, beta = np.array([1.5] * x.shape[-1]), np.array([0.25] * x.shape[-1])
        expect_same_gradients(
            f"batch_norm in training of {x.tolist()}",
            student_fn(s, x.shape[-1], True),
            reference,
            [x, gamma, beta],
            names=("x", "gamma", "beta"),
            rtol=1e-4,
        )
        got = student_fn(s, x.shape[-1], True)(Tensor(x), Tensor(gamma), Tensor(beta))
        if not np.all(np.isfinite(got.data)):
            raise Failure("the output is not finite", got=got)

    on_cases(
        s,
        [
            np.array([[3.0, -1.0]]),
            np.array([[2.0], [2.0], [2.0]]),
            np.array([[1e4 + 0.5], [1e4 - 0.5]]),
        ],
        prop,
    )
