"""Checks for exercise 14: inverted dropout."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu import manual_seed
from tinygrad_edu.exercises.checks.common import cotangent, gradients, on_cases, sample
from tinygrad_edu.exercises.grader import Failure, check, expect_close, expect_dtype, for_all
from tinygrad_edu.tensor import Tensor

E = "dropout"
N = 20000  # entries in the statistical checks: the fraction kept is within 0.01 of its mean


@check(
    E,
    "inference (and rate 0): x unchanged",
    "at inference dropout does nothing: return x (inverted dropout did the scaling in training)",
)
def inference(s):
    x = sample(3, 4)
    expect_close("dropout(x, 0.5, training=False)", x, s.dropout(Tensor(x), 0.5, False))
    expect_close("dropout(x, 0.0, training=True)", x, s.dropout(Tensor(x), 0.0, True))


@check(
    E,
    "training: about `rate` of the entries dropped, the rest scaled by 1 / (1 - rate)",
    "keep an entry where generator().random(shape) >= rate (probability 1 - rate), and divide "
    "the kept ones by (1 - rate) so the mean stays the same",
)
def training(s):
    def prop(rate):
        manual_seed(0)
        out = s.dropout(Tensor(np.ones(N)), rate, True).data
        kept = out != 0
        if abs(kept.mean() - (1 - rate)) > 0.02:
            raise Failure(
                f"dropout(ones, rate={rate}) kept the wrong fraction",
                expected=1 - rate,
                got=float(kept.mean()),
            )
        expect_close(
            f"the kept entries of dropout(ones, rate={rate})",
            np.full(kept.sum(), 1 / (1 - rate)),
            out[kept],
            rtol=1e-6,
        )
        if abs(out.mean() - 1.0) > 0.05:
            raise Failure(
                f"the mean of dropout(ones, rate={rate}) is not about 1",
                expected=1.0,
                got=float(out.mean()),
            )

    for_all(s, st.sampled_from([0.1, 0.25, 0.5, 0.8]), prop, [0.5, 0.2])


@check(
    E,
    "the gradient is the mask / (1 - rate): zero where dropped",
    "multiply x by the mask with Tensor operations, so the engine sends the gradient through "
    "the kept units only",
)
def gradient(s):
    def prop(case):
        shape, rate = case
        x = sample(*shape) + 3.0  # no zeros: a zero output then means "dropped"
        manual_seed(1)
        out, (grad,) = gradients(lambda t: s.dropout(t, rate, True), [x])
        expected = (out != 0) / (1 - rate) * cotangent(out.shape)
        expect_close(f"the gradient of dropout(x, {rate}) for x of shape {shape}", expected, grad)

    for_all(
        s,
        st.tuples(st.sampled_from([(5,), (3, 4), (2, 2, 3)]), st.sampled_from([0.3, 0.5])),
        prop,
        [((4, 4), 0.5)],
        names=("shape", "rate"),
    )


@check(
    E,
    "float32 stays float32; masks are random, and repeatable with manual_seed",
    "a boolean mask keeps the dtype; draw it from tinygrad_edu.random.generator()",
)
def dtype_and_seed(s):
    x = Tensor(np.ones((50, 50), "float32"))
    expect_dtype("dropout of float32", np.float32, s.dropout(x, 0.5, True))
    manual_seed(3)
    first, second = s.dropout(x, 0.5, True).data, s.dropout(x, 0.5, True).data
    if np.array_equal(first, second):
        raise Failure("two calls dropped the same entries: the mask must be drawn anew each time")
    manual_seed(3)
    expect_close(
        "dropout after manual_seed(3) again (the same mask)", first, s.dropout(x, 0.5, True)
    )


@check(
    E, "edges: an empty tensor, a high rate", "an empty tensor gives an empty one of the same shape"
)
def edges(s):
    def prop(case):
        shape, rate = case
        manual_seed(0)
        out = s.dropout(Tensor(np.ones(shape)), rate, True)
        if out.shape != shape:
            raise Failure("the output has another shape", expected=shape, got=out.shape)
        if out.size and not np.all(np.isin(out.data, [0.0, 1 / (1 - rate)])):
            raise Failure(f"entries other than 0 and 1 / (1 - {rate})", got=out)

    on_cases(s, [((0, 3), 0.5), ((100,), 0.95)], prop)
