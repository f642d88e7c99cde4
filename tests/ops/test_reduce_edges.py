"""Reductions at the edges (issue 15): over nothing, and in float16.

- kind 2: `mean` over an empty axis and `var` with count - ddof <= 0 give NumPy's
  and PyTorch's answer (NaN, or inf for ddof past the count with differing values),
  with a gradient of the input's shape and a warning naming the op, shape and
  axis, never a bare ZeroDivisionError;
- kind 3: float16 `sum`, `mean` and `var` add up in float32 and round back once,
  so they agree with float64 to float16's precision; float16 stays float16.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor


def quietly(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn()


# ---------------------------------------------------------------- kind 2: reductions over nothing
def test_mean_over_an_empty_axis_is_nan_with_a_gradient_of_the_right_shape():
    x = Tensor(np.zeros((4, 0)), requires_grad=True)
    with pytest.warns(RuntimeWarning, match=r"mean: .*shape \(4, 0\).*axis 1"):
        m = x.mean(axis=1)
    assert m.shape == (4,) and np.isnan(m.data).all()
    m.sum().backward()
    assert x.grad.shape == (4, 0)


def test_var_with_ddof_equal_to_the_count_is_nan_with_a_gradient_of_the_right_shape():
    x = Tensor(np.arange(5.0).reshape(1, 5), requires_grad=True)
    with pytest.warns(RuntimeWarning, match=r"var \(ddof=1\): .*shape \(1, 5\).*axis 0"):
        v = x.var(axis=0, ddof=1)
    assert v.shape == (5,) and np.isnan(v.data).all()
    quietly(lambda: v.sum().backward())
    assert x.grad.shape == (1, 5)


@settings(max_examples=30, deadline=None)
@given(
    shape=st.lists(st.integers(0, 3), min_size=1, max_size=3),
    data=st.data(),
    ddof=st.integers(0, 3),
    keepdims=st.booleans(),
)
def test_mean_and_var_match_numpy_for_every_count_including_zero(shape, data, ddof, keepdims):
    x = np.random.default_rng(0).normal(size=shape)
    axis = data.draw(st.sampled_from([None, *range(len(shape))]))
    t = Tensor(x, requires_grad=True)
    for ours, theirs in (
        (
            lambda: t.mean(axis=axis, keepdims=keepdims),
            lambda: x.mean(axis=axis, keepdims=keepdims),
        ),
        (
            lambda: t.var(axis=axis, keepdims=keepdims, ddof=ddof),
            lambda: x.var(axis=axis, keepdims=keepdims, ddof=ddof),
        ),
    ):
        result = quietly(ours)
        np.testing.assert_allclose(result.data, quietly(theirs), rtol=1e-12, atol=1e-15)
        t.grad = None
        quietly(result.sum().backward)
        assert t.grad.shape == x.shape


# ---------------------------------------------------------------- kind 3: float16 in float32
def test_float16_mean_of_many_halves_is_a_half():
    x = Tensor(np.full(80_000, 0.5, dtype=np.float16))
    mean = x.mean()
    assert mean.dtype == np.float16 and mean.item() == 0.5


def test_float16_sum_past_float16s_range_is_inf_but_the_mean_is_not():
    x = Tensor(np.ones(100_000, dtype=np.float16))
    assert x.sum().item() == np.inf  # 100,000 does not fit in float16: an honest inf
    assert x.mean().item() == 1.0


def test_float16_var_of_equal_values_is_zero_with_a_float16_gradient():
    x = Tensor(np.full(2_000, 50.0, dtype=np.float16), requires_grad=True)
    var = x.var()
    assert var.dtype == np.float16 and var.item() == 0.0
    var.backward()
    assert x.grad.dtype == np.float16 and np.all(x.grad.data == 0)


@settings(max_examples=25, deadline=None)
@given(
    size=st.integers(1, 3_000),
    scale=st.sampled_from([0.5, 10.0, 50.0, 300.0]),
    axis=st.sampled_from([None, 0, 1]),
)
def test_float16_reductions_agree_with_float64_to_float16_precision(size, scale, axis):
    rng = np.random.default_rng(size)
    x16 = (rng.random((size, 2)) * scale).astype(np.float16)
    x64 = x16.astype(np.float64)
    t = Tensor(x16, requires_grad=True)
    for name, ours, exact in (
        ("sum", t.sum(axis=axis), x64.sum(axis=axis)),
        ("mean", t.mean(axis=axis), x64.mean(axis=axis)),
        ("var", t.var(axis=axis), x64.var(axis=axis)),
    ):
        assert ours.dtype == np.float16, name
        # One rounding to float16 at the end: within float16's relative precision.
        with np.errstate(over="ignore"):  # a sum past float16's range is inf, as it should be
            expected = exact.astype(np.float16).astype(np.float64)
        finite = np.isfinite(expected)
        np.testing.assert_allclose(
            ours.data.astype(np.float64)[finite],
            expected[finite],
            rtol=2e-3,
            atol=1e-3,
            err_msg=name,
        )
    (t.mean(axis=axis).sum() + t.var(axis=axis).sum()).backward()
    assert t.grad.dtype == np.float16 and np.isfinite(t.grad.data).all()
