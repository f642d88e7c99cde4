"""Reductions (sum, mean, var, max, min, argmax): gradients over random shapes and axes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.fused.arrays import reduce_axes
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import distinct_arrays, float_arrays, shapes

from . import check_reference, zero_second_order


@st.composite
def array_and_axis(draw, arrays=float_arrays):
    """An array, the axes to reduce (None, one int, possibly negative, or a tuple), keepdims."""
    shape = draw(shapes(max_dims=3, max_side=4))
    x = draw(arrays(shape))
    ndim = len(shape)
    choices = [st.none(), hnp.valid_tuple_axes(ndim)]
    if ndim:
        choices.append(st.integers(-ndim, ndim - 1))
    axis = draw(st.one_of(*choices))
    return x, axis, draw(st.booleans())


def _axes(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else axis
    return tuple(a % ndim for a in axes)


def _spread(reduced: np.ndarray, axes, keepdims: bool, shape) -> np.ndarray:
    """A reduced array broadcast back over the reduced axes."""
    if not keepdims:
        reduced = np.expand_dims(reduced, axes) if axes else reduced
    return np.broadcast_to(reduced, shape)


def _count(shape, axes) -> int:
    return int(np.prod([shape[a] for a in axes]))


# ---------------------------------------------------------------- sum and mean
@given(array_and_axis())
def test_sum_gradients(drawn):
    x, axis, keepdims = drawn

    def op(t):
        return t.sum(axis=axis, keepdims=keepdims)

    assert gradcheck(op, [x])
    assert gradgradcheck(op, [x])

    def reference(arrays, cotangent, weights):
        (x,) = arrays
        axes = _axes(axis, x.ndim)
        first = _spread(cotangent, axes, keepdims, x.shape)
        return np.sum(x, axis=axis, keepdims=keepdims), [first], zero_second_order(arrays)

    check_reference(op, [x], reference)


@given(array_and_axis())
def test_mean_gradients(drawn):
    x, axis, keepdims = drawn

    def op(t):
        return t.mean(axis=axis, keepdims=keepdims)

    assert gradcheck(op, [x])
    assert gradgradcheck(op, [x])

    def reference(arrays, cotangent, weights):
        (x,) = arrays
        axes = _axes(axis, x.ndim)
        first = _spread(cotangent, axes, keepdims, x.shape) / _count(x.shape, axes)
        return np.mean(x, axis=axis, keepdims=keepdims), [first], zero_second_order(arrays)

    check_reference(op, [x], reference)


# ---------------------------------------------------------------- variance
@given(array_and_axis(), st.sampled_from([0, 1]))
def test_var_gradients(drawn, ddof):
    x, axis, keepdims = drawn
    axes = _axes(axis, x.ndim)
    count = _count(x.shape, axes)
    assume(count - ddof > 0)

    def op(t):
        return t.var(axis=axis, keepdims=keepdims, ddof=ddof)

    assert gradcheck(op, [x])
    assert gradgradcheck(op, [x])

    def reference(arrays, cotangent, weights):
        # var = sum((x - m)^2) / (n - ddof).  d var / dx_k = 2 (x_k - m) / (n - ddof)
        # (the terms through m cancel, since the deviations sum to zero), and
        # d/dx_k of sum_i w_i * c * 2 (x_i - m) / (n - ddof) = c * 2 (w_k - mean(w)) / (n - ddof).
        (x,) = arrays
        (w,) = weights
        c = _spread(cotangent, axes, keepdims, x.shape)
        deviation = x - x.mean(axis=axes, keepdims=True)
        first = c * 2 * deviation / (count - ddof)
        second = c * 2 * (w - w.mean(axis=axes, keepdims=True)) / (count - ddof)
        return np.var(x, axis=axis, keepdims=keepdims, ddof=ddof), [first], [second]

    check_reference(op, [x], reference)


def test_var_defaults_to_the_population_variance_like_numpy_and_keras():
    x = Tensor([1.0, 2.0, 3.0, 4.0])
    assert x.var().item() == pytest.approx(1.25)
    assert x.var(ddof=1).item() == pytest.approx(5 / 3)


# ---------------------------------------------------------------- max and min
@pytest.mark.parametrize("name", ["max", "min"])
@given(drawn=array_and_axis(arrays=distinct_arrays))
def test_max_min_gradients_without_ties(name, drawn):
    x, axis, keepdims = drawn

    def op(t):
        return getattr(t, name)(axis=axis, keepdims=keepdims)

    assert gradcheck(op, [x])
    assert gradgradcheck(op, [x])

    def reference(arrays, cotangent, weights):
        (x,) = arrays
        axes = _axes(axis, x.ndim)
        value = getattr(np, name)(x, axis=axis, keepdims=keepdims)
        winner = x == _spread(value, axes, keepdims, x.shape)
        first = _spread(cotangent, axes, keepdims, x.shape) * winner
        return value, [first], zero_second_order(arrays)

    check_reference(op, [x], reference)


def test_max_splits_the_gradient_evenly_among_ties():
    x = Tensor(np.array([1.0, 3.0, 3.0, 2.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5, 0.0])


@pytest.mark.parametrize("entries", [2, 4, 9, 10, 255, 256, 300])
def test_max_counts_ties_exactly_however_many_entries_an_output_has(entries):
    # few entries are counted as slices of bytes, many by a reduction in a wider int
    x = Tensor(np.zeros((3, entries)), requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.full((3, entries), 1.0 / entries))


def test_min_splits_the_gradient_evenly_among_ties_per_row():
    x = Tensor(np.array([[1.0, 1.0, 1.0], [2.0, 0.0, 5.0]]), requires_grad=True)
    (x.min(axis=1) * np.array([3.0, 1.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])


def test_max_over_several_axes_with_keepdims():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    y = x.max(axis=(0, 2), keepdims=True)
    assert y.shape == (1, 3, 1)
    np.testing.assert_array_equal(y.data.ravel(), [15.0, 19.0, 23.0])
    y.sum().backward()
    assert x.grad.data.sum() == 3.0 and x.grad.data[1, :, 3].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_a_nan_give_that_row_a_nan_gradient_and_still_split_ties(name):
    # Row 0's extreme is NaN: no entry equals it, so its gradient is NaN (as in PyTorch's
    # amax); row 1 ties. As many extreme entries (2) as rows: the NaN must not hide the tie.
    x = Tensor(np.array([[np.nan, 1.0], [3.0, 3.0]]), requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        getattr(x, name)(axis=1).sum().backward()
    assert np.isnan(x.grad.data[0]).all()
    np.testing.assert_array_equal(x.grad.data[1], [0.5, 0.5])


def test_max_reads_its_own_output_so_changing_it_in_place_is_caught():
    x = Tensor(np.array([[1.0, 4.0], [3.0, 2.0]]), requires_grad=True)
    y = x.max(axis=1)
    with no_grad():
        y += 1
    with pytest.raises(RuntimeError, match=r"Max.*modified in place"):
        y.sum().backward()


# ---------------------------------------------------------------- reduce_axes
@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(st.integers(0, 11), min_size=1, max_size=4),
    data=st.data(),
    ufunc=st.sampled_from([np.maximum, np.minimum, np.add]),
    keepdims=st.booleans(),
)
def test_reduce_axes_gives_what_numpy_reduce_gives(shape, data, ufunc, keepdims):
    """A few entries per output (2 to 9) are combined as slices, more by NumPy: the same
    numbers either way (integers, so sums are exact in any order), or the same error."""
    axes = data.draw(
        hnp.valid_tuple_axes(len(shape)).map(lambda a: tuple(sorted(x % len(shape) for x in a)))
    )
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    array = rng.integers(-5, 6, size=shape).astype(np.float32)
    try:
        expected = ufunc.reduce(array, axis=axes, keepdims=keepdims)
    except ValueError as error:  # an axis of size 0 has no maximum
        with pytest.raises(ValueError, match=str(error)):
            reduce_axes(ufunc, array, axes, keepdims)
        return
    result = reduce_axes(ufunc, array, axes, keepdims)
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)
    assert not np.shares_memory(result, array)  # a new array, even with nothing to reduce


def test_reduce_axes_keeps_nan_and_takes_a_dtype_to_count_in():
    array = np.array([[1.0, np.nan, 2.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(reduce_axes(np.maximum, array, (1,), False), [np.nan, 6.0])
    marks = np.array([[True, True], [False, True]])
    counts = reduce_axes(np.add, marks, (0, 1), keepdims=True, dtype=np.float32)
    assert counts.dtype == np.float32 and counts.tolist() == [[3.0]]


# ---------------------------------------------------------------- argmax, errors
def test_argmax_and_argmin_give_integer_tensors_without_a_graph():
    x = Tensor(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]), requires_grad=True)
    index = x.argmax(axis=1)
    assert index.data.tolist() == [1, 0]
    assert index.dtype.kind == "i"
    assert not index.requires_grad and index.grad_fn is None
    assert x.argmin().item() == 4
    assert x.argmax(axis=1, keepdims=True).shape == (2, 1)


@pytest.mark.parametrize("axis", [2, -3, (0, 0)])
def test_reductions_reject_bad_axes(axis):
    with pytest.raises(ValueError, match="axis"):
        Tensor(np.ones((2, 3))).sum(axis=axis)
