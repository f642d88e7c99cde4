"""PyTorch's spellings: dim/keepdim beside NumPy's axis/keepdims, max(dim=...) giving
(values, indices), clamp, cat, and `tg.f(x)` for each method `x.f()`."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.testing import gradgradcheck

X = np.array([[1.0, 5.0, 5.0], [2.0, 0.0, 7.0]])


@pytest.mark.parametrize("name", ["sum", "mean", "argmax", "argmin"])
def test_reductions_take_dim_and_keepdim(name):
    numpy_spelling = getattr(Tensor(X), name)(axis=1, keepdims=True)
    pytorch_spelling = getattr(Tensor(X), name)(dim=1, keepdim=True)
    np.testing.assert_array_equal(pytorch_spelling.data, numpy_spelling.data)
    np.testing.assert_array_equal(getattr(tg, name)(X, 1).data, getattr(Tensor(X), name)(1).data)
    with pytest.raises(TypeError, match="dim .* or axis"):
        getattr(Tensor(X), name)(axis=0, dim=0)


def test_max_and_min_with_dim_give_values_and_indices_as_pytorch():
    x = Tensor(X, requires_grad=True)
    values, indices = x.max(dim=1)
    assert values.data.tolist() == [5.0, 7.0] and indices.data.tolist() == [1, 2]
    assert indices.dtype == np.int64 and not indices.requires_grad
    values.sum().backward()
    # the first of the tied 5s alone gets the gradient (x.max(1), NumPy's, would split it)
    assert x.grad.data.tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    low = x.min(dim=0, keepdim=True)
    assert low.values.shape == (1, 3) and low.indices.data.tolist() == [[0, 1, 0]]
    assert Tensor(X).max(1).data.tolist() == [5.0, 7.0]  # NumPy's spelling is unchanged
    assert gradgradcheck(lambda t: t.max(dim=0).values ** 2, [X + np.arange(3) * 0.1])


def test_clamp_and_cat_take_pytorchs_argument_names():
    assert Tensor(X).clamp(min=1.5).data.min() == 1.5
    assert tg.clamp(X, max=2.0).data.max() == 2.0
    assert tg.cat([Tensor(X), Tensor(X)], dim=1).shape == (2, 6)


@pytest.mark.parametrize(
    "name", ["sin", "exp", "log2", "floor", "isnan", "relu", "sigmoid", "clone"]
)
def test_functions_are_their_methods(name):
    positive = np.abs(X) + 0.5
    np.testing.assert_array_equal(
        getattr(tg, name)(positive).data, getattr(Tensor(positive), name)().data
    )
    assert name in getattr(tg, name).__doc__
