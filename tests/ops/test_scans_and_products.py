"""std, prod, all, any and the running ops (cumsum, cumprod, cummax, cummin): values against
NumPy, gradients of first and second order, and PyTorch's rules at zeros and ties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import distinct_arrays, float_arrays, shapes


def nonzero_arrays(shape):
    """Entries at least 0.1 from zero: a product of tiny entries would underflow to 0, where
    its gradient (y / x_i) is lost, as in PyTorch; zeros themselves are tested on their own."""
    return float_arrays(shape, avoid=(0.0,), margin=0.1)


@st.composite
def array_and_dim(draw, arrays=float_arrays):
    """A small array (up to 3 x 3) and one of its axes (possibly negative)."""
    shape = draw(shapes(min_dims=1, max_dims=2, max_side=3))
    return draw(arrays(shape)), draw(st.integers(-len(shape), len(shape) - 1))


# ---------------------------------------------------------------- std
@settings(max_examples=8)
@given(array_and_dim(), st.integers(0, 1), st.booleans())
def test_std_matches_numpy_under_both_names(x_dim, correction, keepdim):
    x, dim = x_dim
    if x.shape[dim] <= correction:
        return  # nothing to divide by: NaN, covered by var's own tests
    expected = np.std(x, axis=dim, ddof=correction, keepdims=keepdim)
    got = Tensor(x).std(dim, keepdim, correction=correction)
    np.testing.assert_allclose(got.data, expected, rtol=1e-10, atol=1e-12)
    numpy_named = Tensor(x).std(axis=dim, keepdims=keepdim, ddof=correction)
    np.testing.assert_allclose(numpy_named.data, expected, rtol=1e-10, atol=1e-12)
    if np.all(np.std(x, axis=dim) > 0.05):  # away from the kink of sqrt at 0
        assert gradgradcheck(lambda t: t.std(dim, correction=correction), [x])


def test_std_default_divides_by_n_as_var_numpy_and_keras():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert np.isclose(Tensor(x).std().item(), np.std(x))
    assert np.isclose(tg.std(x, correction=1).item(), np.std(x, ddof=1))
    with pytest.raises(TypeError, match="dim .* or axis"):
        Tensor(x).std(0, axis=0)
    with pytest.raises(TypeError, match="correction .* or ddof"):
        Tensor(x).std(correction=1, ddof=1)


# ---------------------------------------------------------------- prod
@settings(max_examples=8)
@given(array_and_dim(arrays=nonzero_arrays), st.booleans())
def test_prod_matches_numpy_and_differentiates_twice(x_dim, keepdim):
    x, dim = x_dim
    np.testing.assert_allclose(
        Tensor(x).prod(dim, keepdim).data, np.prod(x, axis=dim, keepdims=keepdim), rtol=1e-12
    )
    np.testing.assert_allclose(Tensor(x).prod(axis=None).data, np.prod(x), rtol=1e-12)
    assert gradcheck(lambda t: t.prod(dim, keepdim), [x])
    assert gradgradcheck(lambda t: t.prod(dim), [x])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),  # no zero: the product of the others
        ([2.0, 0.0, 4.0], [0.0, 8.0, 0.0]),  # one zero: only it gets a gradient
        ([0.0, 3.0, 0.0], [0.0, 0.0, 0.0]),  # two zeros: nothing does
    ],
)
def test_prod_gradient_at_zeros_is_pytorchs(values, expected):
    x = Tensor(np.array(values), requires_grad=True)
    x.prod().backward()
    np.testing.assert_array_equal(x.grad.data, expected)


def test_prod_differentiates_twice_through_zeros():
    # One zero per row, two zeros, and none; second order through the multiplied-out branch.
    x = np.array([[2.0, 0.0, 4.0], [0.0, 3.0, 0.0], [1.5, -2.0, 0.5]])
    assert gradcheck(lambda t: t.prod(1), [x])
    assert gradgradcheck(lambda t: t.prod(1), [x])
    assert gradgradcheck(lambda t: t.prod(), [x[0]])


# ---------------------------------------------------------------- all, any
def test_all_and_any_give_bool_with_no_graph_under_both_names():
    x = Tensor(np.array([[1.0, 0.0], [2.0, 3.0]]), requires_grad=True)
    assert x.all().item() is False and x.any().item() is True
    assert x.all(dim=1).data.tolist() == [False, True]
    assert x.any(axis=0, keepdims=True).data.tolist() == [[True, True]]
    assert tg.all(x.data > -1).item() is True and tg.any(np.zeros(3)).item() is False
    assert not x.all().requires_grad and x.all(1).dtype == bool


# ---------------------------------------------------------------- cumsum, cumprod
@settings(max_examples=8)
@given(array_and_dim(arrays=nonzero_arrays))
def test_cumsum_and_cumprod_match_numpy_and_differentiate_twice(x_dim):
    x, dim = x_dim
    np.testing.assert_allclose(Tensor(x).cumsum(dim).data, np.cumsum(x, axis=dim), rtol=1e-12)
    np.testing.assert_allclose(Tensor(x).cumprod(dim).data, np.cumprod(x, axis=dim), rtol=1e-12)
    np.testing.assert_allclose(tg.cumsum(x, axis=dim).data, np.cumsum(x, axis=dim), rtol=1e-12)
    for op in (lambda t: t.cumsum(dim), lambda t: t.cumprod(dim)):
        assert gradcheck(op, [x])
        assert gradgradcheck(op, [x])


def test_cumsum_without_a_dim_runs_over_the_flattened_tensor_as_numpy():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(Tensor(x).cumsum().data, np.cumsum(x))
    np.testing.assert_array_equal(Tensor(x).cumprod().data, np.cumprod(x))
    assert Tensor(np.array(5.0)).cumsum(0).item() == 5.0


def test_cumprod_gradient_is_right_where_entries_are_zero():
    x = np.array([[2.0, 0.0, 3.0, 0.0], [0.0, 1.5, -2.0, 0.5]])
    t = Tensor(x, requires_grad=True)
    t.cumprod(1).sum().backward()
    # d/dx_i of sum_k prod_{j<=k} x_j, written out for the first row
    np.testing.assert_allclose(t.grad.data[0], [1.0, 2.0 + 6.0 + 0.0, 0.0, 0.0])
    assert gradgradcheck(lambda a: a.cumprod(1), [x])


# ---------------------------------------------------------------- cummax, cummin
@settings(max_examples=8)
@given(array_and_dim(arrays=distinct_arrays))
def test_cummax_and_cummin_match_numpy_and_differentiate_twice(x_dim):
    x, dim = x_dim
    for name, accumulate in (("cummax", np.maximum), ("cummin", np.minimum)):
        values, indices = getattr(Tensor(x), name)(dim)
        np.testing.assert_array_equal(values.data, accumulate.accumulate(x, axis=dim))
        np.testing.assert_array_equal(np.take_along_axis(x, indices.data, dim), values.data)
        assert indices.dtype == np.int64 and not indices.requires_grad
        assert gradgradcheck(lambda t, name=name: getattr(t, name)(dim).values, [x])


def test_cummax_ties_go_to_the_later_index_which_gets_the_gradient():
    x = Tensor(np.array([1.0, 3.0, 3.0, 2.0, 3.0]), requires_grad=True)
    values, indices = tg.cummax(x, 0)
    assert indices.data.tolist() == [0, 1, 2, 2, 4]  # PyTorch's rule (>=)
    values.sum().backward()
    assert x.grad.data.tolist() == [1.0, 1.0, 2.0, 0.0, 1.0]
    _, indices = Tensor(np.array([2.0, 1.0, 1.0, 3.0])).cummin(0)
    assert indices.data.tolist() == [0, 1, 2, 2]


def test_cummax_propagates_nan_from_where_it_appears():
    values, indices = Tensor(np.array([1.0, np.nan, 5.0, np.nan, 0.0])).cummax(0)
    np.testing.assert_array_equal(values.data, [1.0, np.nan, np.nan, np.nan, np.nan])
    assert indices.data.tolist() == [0, 1, 1, 3, 3]
