"""pad (PyTorch's F.pad), repeat, tile, split, chunk, unflatten, clone, and einsum: values
against NumPy, gradients of first and second order, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.functional as F
from tinygrad_edu import Tensor
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import float_arrays, shapes

NUMPY_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@settings(max_examples=12)
@given(
    shapes(min_dims=1, max_dims=3, min_side=2, max_side=3).flatmap(float_arrays),
    st.sampled_from(sorted(NUMPY_MODE)),
    st.data(),
)
def test_pad_matches_numpy_in_every_mode_and_differentiates_twice(x, mode, data):
    # F.pad's widths run from the last axis backwards: (left, right, top, bottom, ...).
    axes = data.draw(st.integers(1, x.ndim))
    widths = []
    for axis in range(x.ndim - 1, x.ndim - 1 - axes, -1):
        limit = x.shape[axis] - 1 if mode == "reflect" else x.shape[axis]
        widths += [data.draw(st.integers(0, limit)), data.draw(st.integers(0, limit))]
    numpy_widths = [(0, 0)] * x.ndim
    for i in range(axes):
        numpy_widths[x.ndim - 1 - i] = (widths[2 * i], widths[2 * i + 1])
    expected = np.pad(x, numpy_widths, mode=NUMPY_MODE[mode])
    np.testing.assert_array_equal(F.pad(Tensor(x), widths, mode=mode).data, expected)
    assert gradgradcheck(lambda t: F.pad(t, widths, mode=mode) ** 2, [x])


def test_pad_constant_value_and_negative_widths_crop():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    padded = F.pad(x, (1, 0, 0, 1), value=-1.0)
    assert padded.data.tolist() == [[-1, 0, 1, 2], [-1, 3, 4, 5], [-1, -1, -1, -1]]
    cropped = F.pad(x, (-1, 1))  # one column off the left, a zero column on the right
    assert cropped.data.tolist() == [[1, 2, 0], [4, 5, 0]]
    cropped.sum().backward()
    assert x.grad.data.tolist() == [[0, 1, 1], [0, 1, 1]]


def test_pad_errors_say_what_is_wrong():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="even number of widths"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(ValueError, match="mode must be one of"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match="reflect padding of \\(3, 0\\) on an axis of size 3"):
        F.pad(x, (3, 0), mode="reflect")


# ---------------------------------------------------------------- repeat, tile
@settings(max_examples=10)
@given(shapes(max_dims=2, max_side=3).flatmap(float_arrays), st.data())
def test_repeat_and_tile_match_numpy_tile_and_differentiate_twice(x, data):
    counts = tuple(data.draw(st.lists(st.integers(1, 3), min_size=x.ndim, max_size=x.ndim + 1)))
    np.testing.assert_array_equal(Tensor(x).repeat(*counts).data, np.tile(x, counts))
    np.testing.assert_array_equal(tg.tile(x, counts[:1]).data, np.tile(x, counts[:1]))
    assert gradgradcheck(lambda t: t.repeat(counts) ** 2, [x])


def test_repeat_is_pytorchs_not_numpys_repeat():
    assert Tensor([1.0, 2.0]).repeat(2).data.tolist() == [1, 2, 1, 2]
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    x.repeat(3, 2).sum().backward()
    assert x.grad.data.tolist() == [6.0, 6.0]  # each entry was copied 6 times
    with pytest.raises(ValueError, match="repeat: needs one count"):
        Tensor(np.zeros((2, 2))).repeat(2)


# ---------------------------------------------------------------- split, chunk, unflatten
def test_split_and_chunk_follow_pytorch():
    x = Tensor(np.arange(7.0), requires_grad=True)
    assert [p.shape for p in x.split(3)] == [(3,), (3,), (1,)]
    assert [p.shape for p in tg.split(x, [2, 5])] == [(2,), (5,)]
    assert [p.shape for p in x.chunk(3)] == [(3,), (3,), (1,)]
    assert [p.shape for p in Tensor(np.zeros(6)).chunk(4)] == [(2,), (2,), (2,)]  # fewer pieces
    first, second = x.split([2, 5])
    ((first * 3).sum() + second.sum()).backward()
    assert x.grad.data.tolist() == [3.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="add up to 7"):
        x.split([2, 2])
    matrix = np.arange(12.0).reshape(3, 4)
    pieces = Tensor(matrix).chunk(2, dim=1)
    np.testing.assert_array_equal(pieces[1].data, matrix[:, 2:])


def test_unflatten_splits_an_axis():
    x = np.arange(24.0).reshape(2, 12)
    np.testing.assert_array_equal(Tensor(x).unflatten(1, (3, -1)).data, x.reshape(2, 3, 4))
    np.testing.assert_array_equal(tg.unflatten(x, -1, (2, 2, 3)).data, x.reshape(2, 2, 2, 3))
    with pytest.raises(ValueError, match="do not multiply to 12"):
        Tensor(x).unflatten(1, (5, 2))
    assert gradgradcheck(lambda t: t.unflatten(1, (4, 3)) ** 2, [x])


def test_clone_copies_and_passes_the_gradient():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x.clone()
    assert y.data is not x.data and not np.shares_memory(y.data, x.data)
    (y * y).sum().backward()
    assert x.grad.data.tolist() == [2.0, 4.0]
    assert tg.clone(x).grad_fn.name == "Clone"


# ---------------------------------------------------------------- einsum
EQUATIONS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("i,i->", [(3,), (3,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->ji", [(2, 3)]),
    ("ij,ij", [(2, 3), (2, 3)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("bhqd,bhkd->bhqk", [(1, 2, 3, 2), (1, 2, 2, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
]


@pytest.mark.parametrize(("equation", "shapes_"), EQUATIONS)
def test_einsum_matches_numpy_and_differentiates_twice(equation, shapes_):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape) for shape in shapes_]
    np.testing.assert_allclose(tg.einsum(equation, *arrays).data, np.einsum(equation, *arrays))
    assert gradcheck(lambda *ts: tg.einsum(equation, *ts), arrays)
    assert gradgradcheck(lambda *ts: tg.einsum(equation, ts) ** 2, arrays)


def test_einsum_errors_name_the_equation_and_the_sizes():
    with pytest.raises(ValueError, match="has 2 operand"):
        tg.einsum("ij,jk->ik", np.zeros((2, 2)))
    with pytest.raises(ValueError, match="letter 'j' has size 3 in one operand and 4"):
        tg.einsum("ij,jk->ik", np.zeros((2, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="names 2 axes, but its tensor has 3"):
        tg.einsum("ij->i", np.zeros((2, 3, 4)))
