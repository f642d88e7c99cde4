"""Counts and sums inside the engine never work in float16 (issue 20, item 4).

float16 counts exactly only to 2048 and overflows past 65504, so every count (max/min
ties), sum of masks and accumulator (repeated indices, overlapping windows, a tensor's
gradient from many uses) works in float32 or an integer type and rounds to float16 once.
Each reduction and its gradient in float16 is held to the same computation in float64.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, functional
from tinygrad_edu.ops import SlidingWindows

REDUCTIONS = {
    "sum": lambda t, axis: t.sum(axis=axis),
    "mean": lambda t, axis: t.mean(axis=axis),
    "var": lambda t, axis: t.var(axis=axis),
    "max": lambda t, axis: t.max(axis=axis),
    "min": lambda t, axis: t.min(axis=axis),
    "logsumexp": lambda t, axis: functional.logsumexp(t, axis=axis),
    "std": lambda t, axis: t.std(axis=axis),
    "cumsum": lambda t, axis: t.cumsum(0 if axis is None else axis),
    "softmax": lambda t, axis: t.softmax(axis=-1 if axis is None else axis),
    "log_softmax": lambda t, axis: t.log_softmax(axis=-1 if axis is None else axis),
}


def value_and_gradient(fn, values: np.ndarray, axis, cotangent_seed: int):
    t = Tensor(values, requires_grad=True)
    out = fn(t, axis)
    cotangent = np.random.default_rng(cotangent_seed).uniform(0.5, 1.0, out.shape)
    with np.errstate(divide="ignore", invalid="ignore"):  # std of equal values: slope NaN
        (out * cotangent.astype(values.dtype)).sum().backward()
    return out, t.grad


def assert_float16_agrees(ours: Tensor, reference: Tensor, what: str, atol=None) -> None:
    """Within float16's precision of the float64 answer: a few roundings of the largest
    entry, or `atol`. A count gone wrong in float16 is off by far more: 2048 for 3000
    ties is 30%, an overflowed one gives 0."""
    assert ours.dtype == np.float16, what
    expected = reference.data.astype(np.float64)
    if atol is None:  # NaN entries (std's slope over equal values) must match, not set atol
        atol = 4e-3 * np.nanmax(np.abs(expected), initial=0.0)
    np.testing.assert_allclose(
        ours.data.astype(np.float64), expected, rtol=4e-3, atol=atol, err_msg=what
    )


def test_max_and_min_gradients_over_70000_ties_are_one_share_each():
    for name in ("max", "min"):
        x = Tensor(np.ones(70_000, dtype=np.float16), requires_grad=True)
        getattr(x, name)().backward()
        assert x.grad.dtype == np.float16
        share = np.float16(1 / 70_000)  # what float16 can hold of 1 / 70,000
        assert np.all(x.grad.data == share), name  # not 0 (an overflowed count of ties)


@pytest.mark.parametrize("name", REDUCTIONS)
@settings(max_examples=30, deadline=None)
@given(
    rows=st.sampled_from([1, 7, 300, 2_500, 5_000]),
    levels=st.sampled_from([1, 2, 50]),  # 1: every entry ties; 2: thousands of ties
    axis=st.sampled_from([None, 0]),
    seed=st.integers(0, 2**16),
)
def test_float16_reductions_and_gradients_agree_with_float64(name, rows, levels, axis, seed):
    values = np.random.default_rng(seed).integers(0, levels, (rows, 2)) / 4.0
    values16 = values.astype(np.float16)  # exactly representable: the same inputs in both
    fn = REDUCTIONS[name]
    out16, grad16 = value_and_gradient(fn, values16, axis, seed)
    out64, grad64 = value_and_gradient(fn, values16.astype(np.float64), axis, seed)
    assert_float16_agrees(out16, out64, f"{name} value")
    # softmax's gradient is p (g - sum(g p)), a difference of numbers near each other,
    # read from p (or log p) as float16 stored it: a few float16 steps of the cotangent
    # (which lies in [0.5, 1]), however small the gradient itself is.
    atol = 1e-2 if "softmax" in name else None
    assert_float16_agrees(grad16, grad64, f"{name} gradient", atol)


def test_repeated_indices_add_their_gradients_in_float32():
    x = Tensor(np.zeros(3, dtype=np.float16), requires_grad=True)
    x[np.zeros(5_000, dtype=np.int64)].sum().backward()
    assert x.grad.dtype == np.float16
    assert x.grad.data.tolist() == [5_000.0, 0.0, 0.0]  # float16 adding 1s stops at 2048


def test_a_tensor_used_thousands_of_times_adds_its_gradients_in_float32():
    x = Tensor(np.ones(1, dtype=np.float16), requires_grad=True)
    total = x * 1
    for _ in range(2_999):
        total = total + x
    total.sum().backward()
    assert (
        x.grad.dtype == np.float16 and x.grad.item() == 3_000.0
    )  # float16 adding 1s stops at 2048


def test_overlapping_windows_add_their_gradients_in_float32():
    # A 3x3 window with stride 1 over 5x5: the center pixel lies in all 9 windows. The
    # first one sends it 2048, the other eight 1 each: in float16, 2048 + 1 rounds back
    # to 2048 every time; added in float32 and rounded once it is 2056.
    x = Tensor(np.zeros((1, 5, 5, 1), dtype=np.float16), requires_grad=True)
    windows = SlidingWindows.apply(x, window=(3, 3), strides=(1, 1))
    grad = np.ones(windows.shape, dtype=np.float16)
    grad[0, 2, 2, 0, 0, 0] = 2048.0  # the center is entry (0, 0) of the last window
    windows.backward(grad)
    assert x.grad.dtype == np.float16
    assert x.grad.data[0, 2, 2, 0] == 2056.0


def test_cumsum_runs_its_totals_in_float32():
    x = Tensor(np.ones(5_000, dtype=np.float16), requires_grad=True)
    totals = x.cumsum(0)
    assert totals.dtype == np.float16 and totals.data[-1] == 5_000.0  # not stuck at 2048
    totals.sum().backward()  # entry 0 is in all 5,000 totals: its gradient is 5,000
    assert x.grad.dtype == np.float16 and x.grad.data[0] == 5_000.0


def test_prod_multiplies_in_float32_and_rounds_once():
    # 1 + k / 1024 is exact in float16; 2,000 of them, each product step rounded to
    # float16, drift far from the exact product, which float16 holds to 0.1%.
    values = (1 + np.random.default_rng(0).integers(0, 2, 2_000) / 1024).astype(np.float16)
    x = Tensor(values, requires_grad=True)
    product = x.prod()
    exact = np.prod(values.astype(np.float64))
    assert product.dtype == np.float16
    assert product.item() == pytest.approx(exact, rel=1e-3)
    product.backward()
    np.testing.assert_allclose(x.grad.data.astype(np.float64), exact / values, rtol=4e-3)
