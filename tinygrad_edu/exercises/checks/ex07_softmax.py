"""Checks for exercise 7: softmax, log_softmax and cross-entropy from logits."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu import functional
from tinygrad_edu.exercises.checks.common import (
    expect_gradcheck,
    expect_same_gradients,
    on_cases,
    sample,
    tensor,
)
from tinygrad_edu.exercises.grader import Failure, check, expect_close, expect_dtype, for_all
from tinygrad_edu.testing.strategies import float_arrays, shapes

E = "softmax"


def logits_and_axis():
    def draw(shape):
        return st.tuples(
            float_arrays(shape, min_value=-5, max_value=5), st.integers(-len(shape), len(shape) - 1)
        )

    return shapes(min_dims=1, max_dims=3, max_side=4).flatmap(draw)


def batches():
    """(logits (batch, classes), labels (batch,))."""
    return st.tuples(st.integers(1, 4), st.integers(1, 5)).flatmap(
        lambda bc: st.tuples(
            float_arrays(bc, min_value=-5, max_value=5),
            st.lists(st.integers(0, bc[1] - 1), min_size=bc[0], max_size=bc[0]).map(np.array),
        )
    )


@check(
    E,
    "softmax and log_softmax: values and gradients along any axis",
    "normalize along `axis` with keepdims=True, so each row's sum lines up with its row",
)
def values(s):
    def prop(case):
        x, axis = case
        expect_same_gradients(
            f"softmax(axis={axis})",
            lambda t: s.softmax(t, axis=axis),
            lambda t: functional.softmax(t, axis=axis),
            [x],
            names=("x",),
        )
        expect_same_gradients(
            f"log_softmax(axis={axis})",
            lambda t: s.log_softmax(t, axis=axis),
            lambda t: functional.log_softmax(t, axis=axis),
            [x],
            names=("x",),
        )

    for_all(
        s, logits_and_axis(), prop, [(sample(2, 3), -1), (sample(3, 2), 0)], names=("x", "axis")
    )


@check(
    E,
    "cross_entropy: the batch mean of -log p(label), its gradient softmax - onehot over batch",
    "take the mean over the batch (not the sum), of -log_softmax at each row's label",
)
def cross_entropy_values(s):
    def prop(case):
        logits, labels = case
        expect_same_gradients(
            f"cross_entropy with labels {labels.tolist()}",
            lambda t: s.cross_entropy(t, labels),
            lambda t: functional.sparse_cross_entropy_with_logits(t, labels),
            [logits],
            names=("logits",),
        )

    for_all(s, batches(), prop, [(sample(3, 4), np.array([0, 3, 1]))], names=("logits", "labels"))


@check(
    E,
    "gradgradcheck of cross_entropy and softmax",
    "use Tensor operations only, so the engine can differentiate the gradient again",
)
def second_order(s):
    def prop(case):
        logits, labels = case
        expect_gradcheck(
            "cross_entropy", lambda t: s.cross_entropy(t, labels), [logits], second=True
        )
        expect_gradcheck("softmax", lambda t: s.softmax(t), [logits], second=True)

    for_all(s, batches(), prop, [(sample(2, 3), np.array([2, 0]))], names=("logits", "labels"))


@check(
    E,
    "large logits (1000, -1000): finite values and gradients",
    "subtract each row's maximum before exp (exp(1000) is inf, and inf / inf is NaN); compute "
    "the loss through log_softmax, never log(softmax), which gives log(0)",
)
def large(s):
    def prop(case):
        logits = np.array(case)
        labels = np.zeros(len(logits), dtype=int)
        for what, student_fn, engine_fn in (
            ("softmax", s.softmax, functional.softmax),
            ("log_softmax", s.log_softmax, functional.log_softmax),
            (
                "cross_entropy",
                lambda t: s.cross_entropy(t, labels),
                lambda t: functional.sparse_cross_entropy_with_logits(t, labels),
            ),
        ):
            expect_same_gradients(
                f"{what} of {case}", student_fn, engine_fn, [logits], names=("logits",)
            )

    on_cases(s, [[[1000.0, 0.0, -1000.0]], [[0.0, 2000.0]], [[-1000.0, -1000.0]]], prop)


@check(
    E,
    "float32 stays float32, and softmax rows sum to 1",
    "use Tensor operations; np.exp(x.data) leaves the graph",
)
def dtypes_and_sums(s):
    x = tensor(sample(3, 4), dtype=np.float32)
    for what, out in (
        ("softmax", s.softmax(x)),
        ("log_softmax", s.log_softmax(x)),
        ("cross_entropy", s.cross_entropy(x, np.array([0, 1, 3]))),
    ):
        expect_dtype(what, np.float32, out)
        if not out.requires_grad:
            raise Failure(f"{what}'s output records no graph: it cannot be differentiated")
    expect_close("softmax(x).sum(axis=-1)", np.ones(3), s.softmax(x).data.sum(axis=-1), rtol=1e-5)


@check(E, "edges: one class, one row, equal logits", "one class gets probability 1 and loss 0")
def edges(s):
    def prop(case):
        logits, labels = case
        expect_same_gradients(
            f"cross_entropy of {logits.tolist()}",
            lambda t: s.cross_entropy(t, labels),
            lambda t: functional.sparse_cross_entropy_with_logits(t, labels),
            [logits],
            names=("logits",),
        )

    on_cases(
        s,
        [
            (np.array([[3.0], [-2.0]]), np.array([0, 0])),
            (np.array([[1.0, 1.0, 1.0]]), np.array([2])),
        ],
        prop,
    )
