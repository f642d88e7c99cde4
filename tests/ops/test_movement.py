"""Movement ops (reshape, transpose, broadcast_to, indexing, concatenate, stack, ...).

They only move entries, so each is linear: its exact gradient is found by
pushing unit arrays through the NumPy function (`linear_vjp`), and its second
derivative is zero.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor, concatenate, grad, ops, stack
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import float_arrays, shapes

from . import check_reference, linear_vjp, zero_second_order

SMALL = shapes(max_dims=3, max_side=4)


def check_linear(op, numpy_op, arrays):
    """gradcheck, gradgradcheck, and the exact reference of a function linear in each input."""
    assert gradcheck(op, arrays)
    assert gradgradcheck(op, arrays)

    def reference(arrays, cotangent, weights):
        first = []
        for position, array in enumerate(arrays):

            def only_this_input(x, position=position):
                return numpy_op(*arrays[:position], x, *arrays[position + 1 :])

            first.append(linear_vjp(only_this_input, array, cotangent))
        return numpy_op(*arrays), first, zero_second_order(arrays)

    check_reference(op, arrays, reference)


# ---------------------------------------------------------------- reshape and friends
@given(st.data())
def test_reshape_to_a_random_compatible_shape(data):
    x = data.draw(float_arrays(SMALL))
    target = data.draw(st.permutations(list(x.shape) + [1]).map(tuple))
    check_linear(lambda t: t.reshape(target), lambda a: a.reshape(target), [x])


def test_reshape_accepts_minus_one_and_separate_arguments():
    x = Tensor(np.arange(6.0))
    assert x.reshape(2, -1).shape == (2, 3)
    assert x.reshape((3, 2)).shape == (3, 2)


def test_reshape_to_an_incompatible_shape_names_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"Reshape.*\(6,\)"):
        Tensor(np.arange(6.0)).reshape(4, 2)


@given(st.data())
def test_transpose_with_random_permutations(data):
    x = data.draw(float_arrays(SMALL))
    axes = data.draw(st.permutations(range(x.ndim)).map(tuple))
    check_linear(lambda t: t.transpose(axes), lambda a: a.transpose(axes), [x])
    check_linear(lambda t: t.T, lambda a: a.T, [x])


def test_transpose_accepts_negative_axes():
    assert Tensor(np.ones((2, 3, 4))).transpose(-1, 0, 1).shape == (4, 2, 3)


@pytest.mark.parametrize("axes", [(0, 0), (0,), (0, 1, 2), (2, 0), (0, -3), (3, 0)])
def test_transpose_rejects_axes_that_are_not_a_permutation(axes):
    with pytest.raises(ValueError, match=r"transpose.*\(2, 3\)"):
        Tensor(np.ones((2, 3))).transpose(*axes)


@given(hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=3, max_side=4), st.data())
def test_broadcast_to_sums_the_gradient_over_the_copies(drawn, data):
    (shape,), target = drawn.input_shapes, drawn.result_shape
    x = data.draw(float_arrays(shape))
    check_linear(lambda t: t.broadcast_to(target), lambda a: np.broadcast_to(a, target), [x])


@given(st.data())
def test_squeeze_expand_dims_and_flatten(data):
    x = data.draw(float_arrays(shapes(min_dims=1, max_dims=3, max_side=3)))
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
    check_linear(lambda t: t.expand_dims(axis), lambda a: np.expand_dims(a, axis), [x])
    check_linear(lambda t: t.expand_dims(axis).squeeze(axis), lambda a: a, [x])
    check_linear(lambda t: t.squeeze(), np.squeeze, [x])
    start = data.draw(st.integers(0, x.ndim - 1))
    check_linear(lambda t: t.flatten(start), lambda a: a.reshape(a.shape[:start] + (-1,)), [x])


def test_squeeze_of_an_axis_longer_than_one_leaves_it_as_pytorch_does():
    x = Tensor(np.ones((2, 3)))
    assert x.squeeze(1) is x  # issue 22: unchanged, not an error
    with pytest.raises(ValueError, match=r"squeeze: axis 2 .*\(2, 3\)"):
        x.squeeze(2)


# ---------------------------------------------------------------- indexing
INDEXES = {
    "int": 1,
    "negative int": -1,
    "slice": slice(1, None),
    "negative step": slice(None, None, -1),
    "step 2 backwards": (slice(None), slice(3, 0, -2)),
    "int and slice": (0, slice(1, 3)),
    "ellipsis": (Ellipsis, 2),
    "none": (None, slice(None), None),
    "ellipsis and none": (Ellipsis, None),
    "int array with repeats": np.array([0, 2, 0, 0]),
    "two int arrays with repeats": (np.array([0, 1, 0]), np.array([3, 3, 3])),
    "int array and slice": (slice(None), np.array([1, 1, 0])),
    "boolean mask": np.array([[True, False, True, False], [False, False, True, True], [True] * 4]),
    "boolean row mask": np.array([True, False, True]),
    "list index": [2, 2, 1],
}


@pytest.mark.parametrize("name", INDEXES)
def test_getitem_gradients(name):
    index = INDEXES[name]
    x = np.random.default_rng(0).standard_normal((3, 4))
    check_linear(lambda t: t[index], lambda a: a[index], [x])


@given(st.data())
def test_getitem_with_random_basic_indices(data):
    x = data.draw(float_arrays(shapes(min_dims=1, max_dims=3, max_side=4)))
    index = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))
    check_linear(lambda t: t[index], lambda a: a[index], [x])


@given(st.data())
def test_getitem_with_random_integer_array_indices(data):
    # hypothesis picks index arrays of any shape, repeats included: gradients must add up
    x = data.draw(float_arrays(shapes(min_dims=1, max_dims=3, max_side=4)))
    index = data.draw(hnp.integer_array_indices(x.shape, result_shape=shapes(max_dims=2)))
    check_linear(lambda t: t[index], lambda a: a[index], [x])


@given(st.data())
def test_getitem_with_random_boolean_masks(data):
    x = data.draw(float_arrays(shapes(min_dims=1, max_dims=3, max_side=4)))
    mask = data.draw(hnp.arrays(bool, x.shape))
    check_linear(lambda t: t[mask], lambda a: a[mask], [x])


def test_getitem_gradients_add_up_over_repeated_indices():
    x = Tensor(np.zeros(4), requires_grad=True)
    (x[np.array([0, 2, 0, 0])] * np.array([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [8.0, 0.0, 2.0, 0.0])


def test_getitem_with_tensor_indices():
    x = Tensor(np.arange(5.0), requires_grad=True)
    picked = x[Tensor(np.array([4, 4, 0]))]
    np.testing.assert_array_equal(picked.data, [4.0, 4.0, 0.0])
    mask = x > 2.5
    assert x[mask].data.tolist() == [3.0, 4.0]
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 0.0, 0.0, 2.0])


def test_indexing_twice_differentiates_through_the_scatter():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = (x[np.array([0, 0, 2])] ** 3).sum()
    (g,) = grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.data, [6.0, 0.0, 27.0])  # two copies of 3 x^2 at index 0
    (g2,) = grad(g.sum(), x)
    np.testing.assert_allclose(g2.data, [12.0, 0.0, 18.0])


def test_getitem_out_of_range_names_the_op():
    with pytest.raises(IndexError, match=r"GetItem.*\(3,\)"):
        Tensor(np.ones(3))[5]


# ---------------------------------------------------------------- concatenate and stack
@st.composite
def pieces_along_an_axis(draw):
    """2 or 3 arrays that agree everywhere except along `axis`."""
    shape = draw(shapes(min_dims=1, max_dims=3, max_side=3))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(draw(st.integers(2, 3))):
        own = list(shape)
        own[axis] = draw(st.integers(1, 3))
        arrays.append(draw(float_arrays(tuple(own))))
    return arrays, axis


@given(pieces_along_an_axis())
def test_concatenate_gradients(drawn):
    arrays, axis = drawn
    check_linear(
        lambda *ts: concatenate(ts, axis=axis),
        lambda *arrays: np.concatenate(arrays, axis=axis),
        arrays,
    )


@given(st.data())
def test_stack_gradients(data):
    shape = data.draw(shapes(max_dims=2, max_side=3))
    count = data.draw(st.integers(1, 3))
    arrays = [data.draw(float_arrays(shape)) for _ in range(count)]
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check_linear(
        lambda *ts: stack(ts, axis=axis), lambda *arrays: np.stack(arrays, axis=axis), arrays
    )


def test_concatenate_gives_gradients_only_to_inputs_that_need_them():
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    b = Tensor(np.ones((1, 2)))
    (concatenate([a, b]) * np.arange(6.0).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[0.0, 1.0], [2.0, 3.0]])
    assert b.grad is None


def test_concatenate_and_stack_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"Concatenate.*\(2, 2\).*\(2, 3\)"):
        concatenate([Tensor(np.ones((2, 2))), Tensor(np.ones((2, 3)))])
    with pytest.raises(ValueError, match=r"stack.*\(2,\).*\(3,\)"):
        stack([Tensor(np.ones(2)), Tensor(np.ones(3))])
    with pytest.raises(ValueError, match="at least one"):
        concatenate([])


# ---------------------------------------------------------------- padding and sliding windows
def numpy_windows(a, window, strides):
    """Every window copied out with a loop: (N, oh, ow, kh, kw, C)."""
    (kh, kw), (sh, sw) = window, strides
    out_h, out_w = (a.shape[1] - kh) // sh + 1, (a.shape[2] - kw) // sw + 1
    out = np.zeros((a.shape[0], out_h, out_w, kh, kw, a.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            out[:, i, j] = a[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :]
    return out


def numpy_add_windows(windows, shape, strides):
    """Every window added at its place with a loop."""
    _, out_h, out_w, kh, kw, _ = windows.shape
    out = np.zeros(shape)
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * strides[0], j * strides[1]
            out[:, top : top + kh, left : left + kw] += windows[:, i, j]
    return out


@st.composite
def window_cases(draw):
    window = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    height, width = draw(st.integers(window[0], 4)), draw(st.integers(window[1], 4))
    image = draw(float_arrays(st.just((1, height, width, draw(st.integers(1, 2))))))
    return image, window, strides


@given(window_cases())
def test_sliding_windows_is_every_window_and_adds_windows_back(case):
    image, window, strides = case

    def op(t):
        return ops.SlidingWindows.apply(t, window=window, strides=strides)

    check_linear(op, lambda a: numpy_windows(a, window, strides), [image])


@given(window_cases())
def test_add_windows_is_the_adjoint_of_sliding_windows(case):
    image, window, strides = case
    windows = numpy_windows(image, window, strides)

    def op(t):
        return ops.AddWindows.apply(t, shape=image.shape, strides=strides)

    added = np.random.default_rng(0).standard_normal(windows.shape)
    check_linear(op, lambda w: numpy_add_windows(w, image.shape, strides), [added])
    # adjoint: <windows(x), w> = <x, add_windows(w)>
    left = np.sum(windows * added)
    right = np.sum(image * op(Tensor(added)).data)
    np.testing.assert_allclose(left, right)


@given(float_arrays(shapes(min_dims=1, max_dims=3, max_side=3)), st.data())
def test_pad_adds_a_border_and_backward_slices_it_off(x, data):
    widths = tuple((data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))) for _ in x.shape)
    check_linear(
        lambda t: ops.Pad.apply(t, pad_width=widths, value=0.0), lambda a: np.pad(a, widths), [x]
    )
    padded = ops.Pad.apply(Tensor(x), pad_width=widths, value=-np.inf).data
    assert np.isneginf(padded).sum() == padded.size - x.size


def test_sliding_windows_is_a_read_only_view():
    x = Tensor(np.arange(16.0).reshape(1, 4, 4, 1))
    windows = ops.SlidingWindows.apply(x, window=(2, 2), strides=(1, 1))
    assert np.shares_memory(windows.data, x.data) and not windows.data.flags.writeable
    with pytest.raises(ValueError, match=r"SlidingWindows.*3x3 window does not fit"):
        ops.SlidingWindows.apply(Tensor(np.zeros((1, 2, 2, 1))), window=(3, 3), strides=(1, 1))
