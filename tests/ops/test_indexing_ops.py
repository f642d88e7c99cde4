"""gather, scatter, scatter_add, sort, argsort, topk, flip, roll, tril, triu, diag, masked_fill,
nonzero: values against NumPy, gradients of first and second order, and PyTorch's tie rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import distinct_arrays, float_arrays, shapes


@st.composite
def array_dim_index(draw):
    """An array, an axis, and an index for gather/scatter (no longer than the array elsewhere)."""
    shape = draw(shapes(min_dims=1, max_dims=2, max_side=3))
    x = draw(float_arrays(shape))
    dim = draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(
        draw(st.integers(1, 4)) if a == dim else draw(st.integers(1, size))
        for a, size in enumerate(shape)
    )
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    return x, dim, rng.integers(0, shape[dim], index_shape)


@settings(max_examples=10)
@given(array_dim_index())
def test_gather_matches_take_along_axis_and_differentiates_twice(case):
    x, dim, index = case
    picked = Tensor(x).gather(dim, index)
    # PyTorch reads only index's extent off `dim`: crop x to it there, as NumPy expects.
    crop = tuple(slice(None) if a == dim else slice(0, n) for a, n in enumerate(index.shape))
    np.testing.assert_array_equal(picked.data, np.take_along_axis(x[crop], index, dim))
    assert picked.shape == index.shape
    assert gradcheck(lambda t: t.gather(dim, index), [x])
    assert gradgradcheck(lambda t: tg.gather(t, dim, index) ** 2, [x])


@settings(max_examples=10)
@given(array_dim_index())
def test_scatter_add_adds_repeats_and_differentiates_twice(case):
    x, dim, index = case
    src = np.random.default_rng(0).standard_normal(index.shape)
    expected = x.copy()
    for position in np.ndindex(index.shape):
        target = list(position)
        target[dim] = index[position]
        expected[tuple(target)] += src[position]
    np.testing.assert_allclose(Tensor(x).scatter_add(dim, index, src).data, expected)
    assert gradgradcheck(lambda a, s: a.scatter_add(dim, index, s) ** 2, [x, src])


@settings(max_examples=10)
@given(array_dim_index())
def test_scatter_writes_the_last_source_at_repeats_and_differentiates_twice(case):
    x, dim, index = case
    src = np.random.default_rng(0).standard_normal(index.shape)
    expected = x.copy()
    for position in np.ndindex(index.shape):  # in order: the last write wins
        target = list(position)
        target[dim] = index[position]
        expected[tuple(target)] = src[position]
    np.testing.assert_array_equal(Tensor(x).scatter(dim, index, src).data, expected)
    assert gradcheck(lambda a, s: a.scatter(dim, index, s), [x, src])
    assert gradgradcheck(lambda a, s: a.scatter(dim, index, s) ** 2, [x, src])


def test_scatter_gradients_skip_what_was_overwritten():
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    src = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    index = np.array([[0, 0], [2, 1]])
    out = x.scatter(1, index, src)
    assert out.data.tolist() == [[2.0, 0.0, 0.0], [0.0, 4.0, 3.0]]
    out.backward(np.arange(6.0).reshape(2, 3))
    assert x.grad.data.tolist() == [[0.0, 1.0, 2.0], [3.0, 0.0, 0.0]]
    assert src.grad.data.tolist() == [[0.0, 0.0], [5.0, 4.0]]  # [0][0] was overwritten
    filled = Tensor(np.zeros((2, 2))).scatter(0, np.array([[1, 0]]), value=7.0)
    assert filled.data.tolist() == [[0.0, 7.0], [7.0, 0.0]]


def test_gather_and_scatter_errors_name_the_op_and_the_problem():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match="gather: index 3 is out of range for dimension 1"):
        x.gather(1, np.array([[3]]))
    with pytest.raises(ValueError, match="scatter_add: index has 1 dimensions"):
        x.scatter_add(0, np.array([0]), np.array([1.0]))
    with pytest.raises(TypeError, match="gather: index must hold integers"):
        x.gather(0, np.array([[0.5]]))
    with pytest.raises(TypeError, match="scatter: give src"):
        x.scatter(0, np.array([[0]]))


# ---------------------------------------------------------------- sort, argsort, topk
@settings(max_examples=10)
@given(shapes(min_dims=1, max_dims=2, max_side=4).flatmap(distinct_arrays), st.booleans())
def test_sort_matches_numpy_and_differentiates_twice(x, descending):
    dim = x.ndim - 1
    values, indices = Tensor(x).sort(descending=descending)
    expected = np.sort(x, axis=dim)
    np.testing.assert_array_equal(values.data, np.flip(expected, dim) if descending else expected)
    np.testing.assert_array_equal(Tensor(x).argsort(descending=descending).data, indices.data)
    assert indices.dtype == np.int64 and not indices.requires_grad
    assert gradgradcheck(lambda t: t.sort(0, descending=descending).values ** 2, [x])
    k = x.shape[dim] // 2 + 1
    largest = np.flip(expected, dim)[..., :k]
    np.testing.assert_array_equal(tg.topk(x, k).values.data, largest)
    np.testing.assert_array_equal(Tensor(x).topk(k, largest=False).values.data, expected[..., :k])


def test_sort_and_topk_are_stable_at_ties_as_pytorch():
    x = Tensor(np.array([1.0, 3.0, 2.0, 3.0, 1.0]), requires_grad=True)
    assert x.sort().indices.data.tolist() == [0, 4, 2, 1, 3]
    assert x.sort(descending=True).indices.data.tolist() == [1, 3, 2, 0, 4]
    assert x.topk(2).indices.data.tolist() == [1, 3]  # the earlier of equal entries first
    assert x.topk(3, largest=False).indices.data.tolist() == [0, 4, 2]
    x.topk(1).values.sum().backward()
    assert x.grad.data.tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]  # the picked entry only


def test_sort_puts_nan_last_ascending_and_first_descending():
    x = Tensor(np.array([2.0, np.nan, 1.0]))
    assert x.argsort().data.tolist() == [2, 0, 1]
    assert x.argsort(descending=True).data.tolist() == [1, 0, 2]
    with pytest.raises(ValueError, match="topk: k=4"):
        x.topk(4)


# ---------------------------------------------------------------- flip, roll, triangles, diag
@settings(max_examples=10)
@given(shapes(min_dims=2, max_dims=3, max_side=3).flatmap(float_arrays), st.integers(-4, 4))
def test_flip_roll_tril_triu_match_numpy_and_differentiate_twice(x, k):
    np.testing.assert_array_equal(Tensor(x).flip(0, -1).data, np.flip(x, (0, -1)))
    np.testing.assert_array_equal(Tensor(x).roll(k, 1).data, np.roll(x, k, 1))
    np.testing.assert_array_equal(tg.roll(x, (k, 1), (0, -1)).data, np.roll(x, (k, 1), (0, -1)))
    np.testing.assert_array_equal(Tensor(x).roll(k).data, np.roll(x, k))
    np.testing.assert_array_equal(Tensor(x).tril(k).data, np.tril(x, k))
    np.testing.assert_array_equal(tg.triu(x, k).data, np.triu(x, k))
    for op in (lambda t: t.flip(0), lambda t: t.roll(k, 0), lambda t: t.tril(k)):
        assert gradgradcheck(lambda t, op=op: op(t) ** 2, [x])


@pytest.mark.parametrize("k", [-2, -1, 0, 1, 3])
def test_diag_matches_numpy_both_ways(k):
    vector, matrix = np.arange(1.0, 4.0), np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(Tensor(vector).diag(k).data, np.diag(vector, k))
    np.testing.assert_array_equal(tg.diag(matrix, k).data, np.diag(matrix, k))
    assert gradgradcheck(lambda t: t.diag(k) ** 2, [vector])
    assert gradgradcheck(lambda t: t.diag(k) ** 2, [matrix])


def test_masked_fill_and_nonzero():
    x = Tensor(np.array([[1.0, -2.0], [0.0, 3.0]]), requires_grad=True)
    filled = x.masked_fill(x.data < 0, 0.5)
    assert filled.data.tolist() == [[1.0, 0.5], [0.0, 3.0]]
    filled.sum().backward()
    assert x.grad.data.tolist() == [[1.0, 0.0], [1.0, 1.0]]
    assert x.nonzero().data.tolist() == [[0, 0], [0, 1], [1, 1]]
    rows, columns = tg.nonzero(x, as_tuple=True)
    assert rows.dtype == np.int64 and not rows.requires_grad
    np.testing.assert_array_equal(x.data[rows.data, columns.data], [1.0, -2.0, 3.0])
