"""Convolution and pooling (functional.conv2d, max_pool2d, avg_pool2d), NHWC as in Keras.

Each op is compared with a direct loop written here (one output entry at a time,
padding by TensorFlow's rule), checked against central differences in float64,
and differentiated twice.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, grad
from tinygrad_edu.functional import avg_pool2d, conv2d, max_pool2d, same_padding
from tinygrad_edu.ops import Pad, SlidingWindows
from tinygrad_edu.ops.movement import window_view
from tinygrad_edu.testing import gradcheck, gradgradcheck


# ---------------------------------------------------------------- loop references
def tf_same_padding(size, window, stride):
    """TensorFlow's rule, written out again: total = max((ceil(n/s)-1)*s + k - n, 0)."""
    out = int(np.ceil(size / stride))
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2  # the odd pixel at the bottom / right


def padded(x, window, strides, padding, fill):
    if padding == "valid":
        return x, np.ones(x.shape[1:3])
    (top, bottom), (left, right) = (
        tf_same_padding(x.shape[1], window[0], strides[0]),
        tf_same_padding(x.shape[2], window[1], strides[1]),
    )
    widths = ((0, 0), (top, bottom), (left, right), (0, 0))
    inside = np.pad(np.ones(x.shape[1:3]), widths[1:3])
    return np.pad(x, widths, constant_values=fill), inside


def reference_windows(x, window, strides, padding, fill=0.0):
    """Yield (i, j, window array (batch, kh, kw, channels), inside mask) for each output place."""
    x, inside = padded(x, window, strides, padding, fill)
    (kh, kw), (sh, sw) = window, strides
    out_h = (x.shape[1] - kh) // sh + 1
    out_w = (x.shape[2] - kw) // sw + 1
    for i in range(out_h):
        for j in range(out_w):
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            yield i, j, out_h, out_w, x[:, rows, cols, :], inside[rows, cols]


def reference_conv2d(x, kernel, bias, strides, padding):
    kh, kw, _, filters = kernel.shape
    out = None
    for i, j, out_h, out_w, patch, _ in reference_windows(x, (kh, kw), strides, padding):
        if out is None:
            out = np.zeros((x.shape[0], out_h, out_w, filters))
        for f in range(filters):
            out[:, i, j, f] = (patch * kernel[:, :, :, f]).sum(axis=(1, 2, 3)) + bias[f]
    return out


def reference_pool(x, window, strides, padding, kind):
    out = None
    fill = -np.inf if kind == "max" else 0.0
    for i, j, out_h, out_w, patch, inside in reference_windows(x, window, strides, padding, fill):
        if out is None:
            out = np.zeros((x.shape[0], out_h, out_w, x.shape[3]))
        if kind == "max":
            out[:, i, j, :] = patch.max(axis=(1, 2))
        else:  # the mean of the pixels inside the image (padding not counted)
            out[:, i, j, :] = patch.sum(axis=(1, 2)) / inside.sum()
    return out


# ---------------------------------------------------------------- strategies
@st.composite
def conv_cases(draw, max_side=5):
    """Small images, kernels, strides and a padding for which a valid window fits."""
    batch = draw(st.integers(1, 2))
    height, width = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    channels, filters = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(st.sampled_from(["valid", "same"]))
    assume(padding == "same" or (kh <= height and kw <= width))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((batch, height, width, channels))
    kernel = rng.standard_normal((kh, kw, channels, filters))
    bias = rng.standard_normal(filters)
    return x, kernel, bias, strides, padding


@st.composite
def pool_cases(draw, max_side=5):
    """Images with distinct values (so no two are within a gradcheck step of each other)."""
    batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    height, width = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    window = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    strides = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    padding = draw(st.sampled_from(["valid", "same"]))
    assume(padding == "same" or (window[0] <= height and window[1] <= width))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    size = batch * height * width * channels
    x = rng.permutation(size).reshape(batch, height, width, channels) * 0.1
    return x, window, strides, padding


# ---------------------------------------------------------------- conv2d
@given(conv_cases())
def test_conv2d_matches_a_loop_over_output_positions(case):
    x, kernel, bias, strides, padding = case
    out = conv2d(Tensor(x), Tensor(kernel), Tensor(bias), strides=strides, padding=padding)
    np.testing.assert_allclose(out.data, reference_conv2d(x, kernel, bias, strides, padding))


@settings(max_examples=15)
@given(conv_cases(max_side=4))
def test_conv2d_gradients_match_central_differences(case):
    x, kernel, bias, strides, padding = case

    def fn(x, kernel, bias):
        return conv2d(x, kernel, bias, strides=strides, padding=padding)

    assert gradcheck(fn, [x, kernel, bias])


@settings(max_examples=8)
@given(conv_cases(max_side=4))
def test_conv2d_second_order_matches_central_differences(case):
    x, kernel, bias, strides, padding = case

    def fn(x, kernel, bias):  # tanh, so the second derivative is not zero
        return conv2d(x, kernel, bias, strides=strides, padding=padding).tanh()

    assert gradgradcheck(fn, [x, kernel, bias])


@pytest.mark.parametrize(
    "size, window, stride, expected",
    [
        (28, 3, 1, (1, 1)),
        (28, 3, 2, (0, 1)),  # out 14: total (14 - 1) * 2 + 3 - 28 = 1, after
        (5, 2, 1, (0, 1)),  # an even kernel: the odd pixel goes at the bottom / right
        (6, 4, 2, (1, 1)),
        (7, 4, 3, (1, 2)),
        (4, 1, 3, (0, 0)),
        (3, 5, 1, (2, 2)),  # a kernel bigger than the image
    ],
)
def test_same_padding_follows_the_tensorflow_rule(size, window, stride, expected):
    assert same_padding(size, window, stride) == expected == tf_same_padding(size, window, stride)
    x = Tensor(np.zeros((1, size, size, 1)))
    kernel = Tensor(np.zeros((window, window, 1, 1)))
    out = int(np.ceil(size / stride))
    assert conv2d(x, kernel, strides=stride, padding="same").shape == (1, out, out, 1)
    assert max_pool2d(x, window, stride, padding="same").shape == (1, out, out, 1)
    assert avg_pool2d(x, window, stride, padding="same").shape == (1, out, out, 1)


def test_conv2d_takes_pairs_for_strides_and_keeps_float32():
    x = Tensor(np.ones((2, 9, 8, 3), dtype=np.float32))
    kernel = Tensor(np.ones((3, 2, 3, 4), dtype=np.float32))
    out = conv2d(x, kernel, strides=(2, 3))
    assert out.shape == (2, 4, 3, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, 18.0)  # 3 * 2 * 3 ones


def test_conv2d_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"conv2d.*\(2, 784\).*\(3, 3, 1, 4\)"):
        conv2d(Tensor(np.zeros((2, 784))), Tensor(np.zeros((3, 3, 1, 4))))
    with pytest.raises(ValueError, match=r"conv2d.*same channels.*\(1, 5, 5, 2\)"):
        conv2d(Tensor(np.zeros((1, 5, 5, 2))), Tensor(np.zeros((3, 3, 1, 4))))
    with pytest.raises(ValueError, match=r"conv2d.*3x3 window does not fit.*2x2"):
        conv2d(Tensor(np.zeros((1, 2, 2, 1))), Tensor(np.zeros((3, 3, 1, 4))))
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        conv2d(Tensor(np.zeros((1, 5, 5, 1))), Tensor(np.zeros((3, 3, 1, 4))), padding="full")
    with pytest.raises(ValueError, match="strides must be a positive int"):
        conv2d(Tensor(np.zeros((1, 5, 5, 1))), Tensor(np.zeros((3, 3, 1, 4))), strides=0)


# ---------------------------------------------------------------- pooling
@given(pool_cases())
def test_pooling_matches_a_loop_over_windows(case):
    x, window, strides, padding = case
    steps = window if strides is None else strides
    for pool, kind in ((max_pool2d, "max"), (avg_pool2d, "avg")):
        out = pool(Tensor(x), window, strides, padding)
        np.testing.assert_allclose(out.data, reference_pool(x, window, steps, padding, kind))


@settings(max_examples=15)
@given(pool_cases(max_side=4))
def test_pooling_gradients_match_central_differences(case):
    x, window, strides, padding = case
    for pool in (max_pool2d, avg_pool2d):
        assert gradcheck(lambda t, pool=pool: pool(t, window, strides, padding), [x])


@settings(max_examples=8)
@given(pool_cases(max_side=4))
def test_pooling_second_order_matches_central_differences(case):
    x, window, strides, padding = case
    for pool in (max_pool2d, avg_pool2d):
        assert gradgradcheck(lambda t, pool=pool: pool(t, window, strides, padding) ** 2, [x])


def test_max_pool_splits_the_gradient_among_tied_maxima():
    x = Tensor(
        np.array([[5.0, 5.0, 1.0, 2.0], [5.0, 0.0, 3.0, 3.0]]).reshape(1, 2, 4, 1),
        requires_grad=True,
    )
    max_pool2d(x).sum().backward()
    expected = [[1 / 3, 1 / 3, 0.0, 0.0], [1 / 3, 0.0, 0.5, 0.5]]
    np.testing.assert_allclose(x.grad.data.reshape(2, 4), expected)


@given(st.integers(0, 2**16), st.integers(1, 3), st.integers(1, 3))
def test_max_pool_conserves_each_windows_gradient(seed, window, stride):
    rng = np.random.default_rng(seed)
    x = Tensor(rng.integers(0, 3, size=(2, 6, 6, 2)).astype(np.float64), requires_grad=True)
    out = max_pool2d(x, window, stride)
    upstream = rng.standard_normal(out.shape)
    (g,) = grad((out * upstream).sum(), [x])
    # Overlapping or not, all the gradient that came in goes out, per image and channel.
    np.testing.assert_allclose(g.data.sum(axis=(1, 2)), upstream.sum(axis=(1, 2)))
    if window == stride:  # windows side by side: each one passes on exactly its own gradient
        rows = out.shape[1] * window
        blocks = g.data[:, :rows, :rows, :].reshape(
            2, out.shape[1], window, out.shape[2], window, 2
        )
        np.testing.assert_allclose(blocks.sum(axis=(2, 4)), upstream)


def test_average_pool_same_padding_does_not_count_the_padding():
    x = Tensor(np.ones((1, 3, 3, 1)))
    np.testing.assert_allclose(avg_pool2d(x, 2, padding="same").data, 1.0)


def test_pooling_errors_name_the_op_and_shape():
    with pytest.raises(ValueError, match=r"max_pool2d.*\(4, 4\)"):
        max_pool2d(Tensor(np.zeros((4, 4))))
    with pytest.raises(ValueError, match="avg_pool2d: pool_size must be a positive int"):
        avg_pool2d(Tensor(np.zeros((1, 4, 4, 1))), pool_size=(2, 0))


def test_second_order_through_a_small_conv_net():
    """tg.grad(..., create_graph=True) through conv, relu, max pooling and a dense layer."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6, 6, 1))
    labels = rng.standard_normal((2, 2))

    def loss(kernel, weight):
        hidden = max_pool2d(conv2d(Tensor(x), kernel).tanh())  # (2, 2, 2, 2)
        return ((hidden.reshape(2, 8) @ weight - labels) ** 2).sum()

    kernel, weight = rng.standard_normal((3, 3, 1, 2)), rng.standard_normal((8, 2))
    assert gradgradcheck(loss, [kernel, weight])


# ---------------------------------------------------------------- tiles and sliding windows
# Pooling with strides == pool_size reshapes the image into tiles; any other
# strides take SlidingWindows's strided view. The general path, written out here
# from the primitives, must give the same values, gradients and second order.
def sliding_window_pool(x, window, padding, kind):
    """max / avg pooling with strides == window, through Pad and SlidingWindows."""
    (top, bottom), (left, right) = (0, 0), (0, 0)
    if padding == "same":
        top, bottom = same_padding(x.shape[1], window[0], window[0])
        left, right = same_padding(x.shape[2], window[1], window[1])
    widths = ((0, 0), (top, bottom), (left, right), (0, 0))
    fill = -np.inf if kind == "max" else 0.0
    padded_x = Pad.apply(x, pad_width=widths, value=fill)
    windows = SlidingWindows.apply(padded_x, window=window, strides=window)
    if kind == "max":
        return windows.max(axis=(3, 4))
    inside = np.pad(np.ones((1, *x.shape[1:3], 1)), widths)
    counts = window_view(inside, window, window).sum(axis=(3, 4))
    return windows.sum(axis=(3, 4)) / counts


@st.composite
def tiled_cases(draw):
    """Images with many ties (values 0, 1, 2), windows side by side, either padding."""
    window = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    height, width = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    padding = draw(st.sampled_from(["valid", "same"]))
    assume(padding == "same" or (window[0] <= height and window[1] <= width))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.integers(0, 3, size=(2, height, width, 2)).astype(np.float64)
    return x, window, padding, rng


def value_gradient_and_second_order(pool, x, upstream):
    """pool(x), d(sum(pool(x) * upstream))/dx, and d(sum(grad ** 2))/d(upstream)."""
    x, upstream = Tensor(x, requires_grad=True), Tensor(upstream, requires_grad=True)
    out = pool(x)
    (grad_x,) = grad((out * upstream).sum(), [x], create_graph=True)
    (second,) = grad((grad_x * grad_x).sum(), [upstream])
    return out.data, grad_x.data, second.data


@settings(max_examples=40)
@given(tiled_cases())
def test_tiled_pooling_agrees_with_sliding_windows_also_at_ties(case):
    x, window, padding, rng = case
    for pool, kind in ((max_pool2d, "max"), (avg_pool2d, "avg")):
        tiled = partial(pool, pool_size=window, padding=padding)
        upstream = rng.standard_normal(tiled(Tensor(x)).shape)
        general = partial(sliding_window_pool, window=window, padding=padding, kind=kind)
        for a, b in zip(
            value_gradient_and_second_order(tiled, x, upstream),
            value_gradient_and_second_order(general, x, upstream),
        ):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_side_by_side_windows_are_a_reshape_of_the_image():
    x = Tensor(np.arange(50.0).reshape(1, 5, 5, 2), requires_grad=True)
    out = max_pool2d(x, 2)  # "valid": the fifth row and column belong to no window
    tiles = out.grad_fn.inputs[0]
    assert out.grad_fn.name == "Max" and tiles.grad_fn.name == "Reshape"
    assert tiles.shape == (1, 2, 2, 2, 2, 2) and tiles.grad_fn.inputs[0].shape == (1, 4, 4, 2)
    overlapping = max_pool2d(x, 2, strides=1)
    assert overlapping.grad_fn.inputs[0].grad_fn.name == "SlidingWindows"
