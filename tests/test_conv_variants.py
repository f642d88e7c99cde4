"""conv2d with dilation, groups and explicit padding; conv1d; conv2d_transpose; 1-D pooling.

Each is compared with a loop written here (one output entry at a time), checked
against central differences in float64, and differentiated twice. The layers'
values against real Keras are in tests/nn/test_conv_golden.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.functional import (
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv2d_transpose,
    max_pool1d,
    max_pool2d,
    transpose_output_size,
)
from tinygrad_edu.testing import gradcheck, gradgradcheck


# ---------------------------------------------------------------- loop references
def tf_same(size, span, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def explicit(padding, x_shape, spans, strides):
    """Any padding argument of conv2d as ((top, bottom), (left, right)), worked out here."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        return tuple(tf_same(n, k, s) for n, k, s in zip(x_shape[1:3], spans, strides))
    if isinstance(padding, int):
        return (padding, padding), (padding, padding)
    return tuple(tuple(p) for p in padding)


def reference_conv2d(x, kernel, bias, strides, padding, dilation, groups):
    """out[n, i, j, f] = bias[f] + sum over the taps and f's group of channels."""
    kh, kw, per_group, filters = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    spans = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    pads = explicit(padding, x.shape, spans, strides)
    x = np.pad(x, ((0, 0), *pads, (0, 0)))
    out_h = (x.shape[1] - spans[0]) // sh + 1
    out_w = (x.shape[2] - spans[1]) // sw + 1
    out = np.zeros((x.shape[0], out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            for f in range(filters):
                group = f // (filters // groups)
                channels = slice(group * per_group, (group + 1) * per_group)
                rows = slice(i * sh, i * sh + spans[0], dh)
                cols = slice(j * sw, j * sw + spans[1], dw)
                patch = x[:, rows, cols, channels]
                out[:, i, j, f] = (patch * kernel[:, :, :, f]).sum(axis=(1, 2, 3)) + bias[f]
    return out


# ---------------------------------------------------------------- strategies
@st.composite
def conv_cases(draw, max_side=5):
    """Images, kernels and every kind of setting, drawn so that a window fits."""
    batch, groups = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    per_group, filters = draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    height, width = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    strides = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    side = st.integers(0, 2)
    padding = draw(
        st.sampled_from(["valid", "same"])
        | side
        | st.tuples(st.tuples(side, side), st.tuples(side, side))
    )
    spans = ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1)
    pads = explicit(padding, (batch, height, width), spans, strides)
    assume(height + sum(pads[0]) >= spans[0] and width + sum(pads[1]) >= spans[1])
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((batch, height, width, groups * per_group))
    kernel = rng.standard_normal((kh, kw, per_group, filters))
    bias = rng.standard_normal(filters)
    return x, kernel, bias, strides, padding, dilation, groups


def call_conv(case, tanh=False):
    x, kernel, bias, strides, padding, dilation, groups = case

    def fn(x, kernel, bias):
        out = conv2d(x, kernel, bias, strides, padding, dilation, groups)
        return out.tanh() if tanh else out

    return fn, [x, kernel, bias]


# ---------------------------------------------------------------- conv2d, every setting
@settings(max_examples=40)
@given(conv_cases())
def test_conv2d_matches_a_loop_for_dilation_groups_and_padding(case):
    fn, inputs = call_conv(case)
    expected = reference_conv2d(*inputs, *case[3:])
    np.testing.assert_allclose(fn(*map(Tensor, inputs)).data, expected, atol=1e-12)


@settings(max_examples=10)
@given(conv_cases(max_side=4))
def test_conv2d_with_every_setting_has_the_gradients_of_central_differences(case):
    assert gradcheck(*call_conv(case))


@settings(max_examples=5)
@given(conv_cases(max_side=3))
def test_conv2d_with_every_setting_differentiates_twice(case):
    assert gradgradcheck(*call_conv(case, tanh=True))


@pytest.mark.parametrize("channels", [1, 4])  # both layouts of the node's im2col matrix
def test_a_dilated_conv2d_is_the_convolution_node_with_the_gradients_of_central_differences(
    channels,
):
    # Dilated or not, a groups-1 conv2d is the same path: windows, then one Conv2D node.
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 6, 5, channels))
    kernel, bias = rng.standard_normal((2, 3, channels, 2)), rng.standard_normal(2)
    case = (x, kernel, bias, (2, 1), "same", (2, 2), 1)
    fn, inputs = call_conv(case, tanh=True)
    out = fn(*(Tensor(a, requires_grad=True) for a in inputs))
    assert out._creator.inputs[0]._creator.name == "Conv2D"  # tanh(Conv2D(...))
    np.testing.assert_allclose(np.arctanh(out.data), reference_conv2d(*inputs, *case[3:]))
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_depthwise_is_groups_equal_to_channels():
    rng = np.random.default_rng(1)
    x, kernel = rng.standard_normal((1, 4, 4, 3)), rng.standard_normal((2, 2, 1, 3))
    out = conv2d(Tensor(x), Tensor(kernel), groups=3).data
    for c in range(3):  # each channel alone, with its own kernel
        alone = conv2d(Tensor(x[..., c : c + 1]), Tensor(kernel[..., c : c + 1])).data
        np.testing.assert_allclose(out[..., c : c + 1], alone)


def test_explicit_padding_forms_agree():
    rng = np.random.default_rng(2)
    x, kernel = Tensor(rng.standard_normal((1, 4, 5, 1))), Tensor(rng.standard_normal((3, 3, 1, 2)))
    one = conv2d(x, kernel, padding=1).data
    np.testing.assert_array_equal(one, conv2d(x, kernel, padding=(1, 1)).data)
    np.testing.assert_array_equal(one, conv2d(x, kernel, padding=((1, 1), (1, 1))).data)
    np.testing.assert_array_equal(one, conv2d(x, kernel, padding="same").data)  # 3x3, stride 1
    assert conv2d(x, kernel, padding=((2, 0), (0, 3))).shape == (1, 4, 6, 2)


def test_conv2d_errors_for_groups_dilation_and_padding():
    x, kernel = Tensor(np.zeros((1, 5, 5, 4))), Tensor(np.zeros((3, 3, 2, 6)))
    with pytest.raises(
        ValueError, match=r"conv2d.*channels = kernel's 3rd axis \* 3.*\(1, 5, 5, 4\)"
    ):
        conv2d(x, kernel, groups=3)
    with pytest.raises(
        ValueError, match=r"conv2d: the kernel's 6 filters do not split into groups=4"
    ):
        conv2d(Tensor(np.zeros((1, 5, 5, 8))), kernel, groups=4)
    with pytest.raises(
        ValueError, match=r"conv2d: a 5x5 window \(a 3x3 kernel, dilated \(2, 2\)\)"
    ):
        conv2d(Tensor(np.zeros((1, 4, 4, 2))), kernel, dilation_rate=2)
    with pytest.raises(ValueError, match=r"conv2d: padding must be .*\(top, bottom\).*-1"):
        conv2d(x, kernel, padding=-1, groups=2)
    with pytest.raises(ValueError, match="conv2d: groups must be a positive int"):
        conv2d(x, kernel, groups=0)
    with pytest.raises(ValueError, match="conv2d: dilation_rate must be a positive int"):
        conv2d(x, kernel, groups=2, dilation_rate=(1, 0))


# ---------------------------------------------------------------- conv1d
@settings(max_examples=20)
@given(conv_cases(), st.sampled_from(["valid", "same", "causal", 1, (2, 0)]))
def test_conv1d_is_conv2d_of_one_pixel_high_images(case, padding):
    x, kernel, bias, strides, _, dilation, groups = case
    x, kernel = x[:, 0], kernel[0]  # (batch, steps, channels), (k, channels / groups, filters)
    span = (kernel.shape[0] - 1) * dilation[1] + 1
    pads = {"causal": (span - 1, 0), 1: (1, 1), (2, 0): (2, 0)}.get(padding, padding)
    if isinstance(pads, str):
        pads = tf_same(x.shape[1], span, strides[1]) if pads == "same" else (0, 0)
    assume(x.shape[1] + sum(pads) >= span)
    out = conv1d(Tensor(x), Tensor(kernel), Tensor(bias), strides[1], padding, dilation[1], groups)
    expected = reference_conv2d(
        x[:, None], kernel[None], bias, (1, strides[1]), ((0, 0), pads), (1, dilation[1]), groups
    )[:, 0]
    np.testing.assert_allclose(out.data, expected, atol=1e-12)


def test_causal_conv1d_never_looks_ahead():
    rng = np.random.default_rng(3)
    x, kernel = rng.standard_normal((1, 8, 2)), Tensor(rng.standard_normal((3, 2, 2)))
    out = conv1d(Tensor(x), kernel, padding="causal", dilation_rate=2).data
    later = x.copy()
    later[:, 5:] = 100.0  # change the future: the outputs up to step 4 stay
    changed = conv1d(Tensor(later), kernel, padding="causal", dilation_rate=2).data
    assert out.shape == (1, 8, 2)
    np.testing.assert_array_equal(out[:, :5], changed[:, :5])
    assert not np.allclose(out[:, 5:], changed[:, 5:])


def test_conv1d_gradients_of_both_orders():
    rng = np.random.default_rng(4)
    x, kernel, bias = rng.standard_normal((2, 6, 2)), rng.standard_normal((3, 1, 4)), np.ones(4)

    def fn(x, kernel, bias):
        return conv1d(x, kernel, bias, 2, "causal", 2, groups=2).tanh()

    assert gradcheck(fn, [x, kernel, bias]) and gradgradcheck(fn, [x, kernel, bias])


def test_conv1d_errors_name_conv1d():
    with pytest.raises(ValueError, match=r"conv1d: expects sequences.*\(1, 5, 5, 1\)"):
        conv1d(Tensor(np.zeros((1, 5, 5, 1))), Tensor(np.zeros((3, 1, 1))))
    with pytest.raises(ValueError, match=r"conv1d: padding must be 'valid', 'same', 'causal'"):
        conv1d(Tensor(np.zeros((1, 5, 1))), Tensor(np.zeros((3, 1, 1))), padding=(1, 2, 3))
    with pytest.raises(ValueError, match=r"conv1d: expects x .* got shapes \(1, 5, 2\)"):
        conv1d(Tensor(np.zeros((1, 5, 2))), Tensor(np.zeros((3, 1, 1))))


# ---------------------------------------------------------------- conv2d_transpose
@st.composite
def transpose_cases(draw):
    batch, channels, filters = (
        draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
    )
    height, width = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = draw(st.sampled_from([(1, 1), (2, 1), (1, 2)]))
    padding = draw(st.sampled_from(["valid", "same"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((batch, height, width, channels))
    kernel = rng.standard_normal((kh, kw, filters, channels))
    return x, kernel, strides, padding, dilation


@settings(max_examples=40)
@given(transpose_cases())
def test_conv2d_transpose_is_the_adjoint_of_conv2d(case):
    """<conv2d(z, K), x> = <z, conv2d_transpose(x, K)>: the definition of a transpose."""
    x, kernel, strides, padding, dilation = case
    y = conv2d_transpose(Tensor(x), Tensor(kernel), None, strides, padding, None, dilation).data
    sizes = [
        transpose_output_size(n, k, s, padding, None, d)
        for n, k, s, d in zip(x.shape[1:3], kernel.shape[:2], strides, dilation)
    ]
    assert y.shape == (x.shape[0], *sizes, kernel.shape[2])
    z = np.random.default_rng(0).standard_normal(y.shape)
    forward = conv2d(Tensor(z), Tensor(kernel), None, strides, padding, dilation).data
    assert forward.shape == x.shape  # a stride-s conv2d undoes the transpose's shape
    np.testing.assert_allclose((forward * x).sum(), (z * y).sum(), rtol=1e-10, atol=1e-10)


@settings(max_examples=8)
@given(transpose_cases(), st.booleans())
def test_conv2d_transpose_gradients_of_both_orders(case, output_padding):
    x, kernel, strides, padding, dilation = case
    extra = (strides[0] - 1, 0) if output_padding else None
    bias = np.linspace(-1, 1, kernel.shape[2])

    def fn(x, kernel, bias):
        return conv2d_transpose(x, kernel, bias, strides, padding, extra, dilation).tanh()

    assert gradcheck(fn, [x, kernel, bias]) and gradgradcheck(fn, [x, kernel, bias])


def test_conv2d_transpose_output_padding_picks_the_size():
    x, kernel = Tensor(np.ones((1, 3, 3, 1))), Tensor(np.ones((3, 3, 2, 1)))
    assert conv2d_transpose(x, kernel, strides=2, padding="same").shape == (1, 6, 6, 2)
    assert conv2d_transpose(x, kernel, strides=2, padding="same", output_padding=0).shape == (
        1, 5, 5, 2,
    )  # fmt: skip
    assert conv2d_transpose(x, kernel, strides=2, output_padding=(1, 0)).shape == (1, 8, 7, 2)
    with pytest.raises(
        ValueError, match=r"conv2d_transpose: output_padding .* less than its stride"
    ):
        conv2d_transpose(x, kernel, strides=2, output_padding=2)
    with pytest.raises(
        ValueError, match=r"conv2d_transpose: .*kernel \(kh, kw, filters, channels\)"
    ):
        conv2d_transpose(Tensor(np.ones((1, 3, 3, 2))), kernel)


# ---------------------------------------------------------------- pooling: 1-D and dilated
def reference_max_pool(x, window, strides, padding, dilation):
    spans = [(k - 1) * d + 1 for k, d in zip(window, dilation)]
    pads = explicit(padding, x.shape, spans, strides)
    x = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=-np.inf)
    out_h = (x.shape[1] - spans[0]) // strides[0] + 1
    out_w = (x.shape[2] - spans[1]) // strides[1] + 1
    out = np.zeros((x.shape[0], out_h, out_w, x.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * strides[0], i * strides[0] + spans[0], dilation[0])
            cols = slice(j * strides[1], j * strides[1] + spans[1], dilation[1])
            out[:, i, j] = x[:, rows, cols].max(axis=(1, 2))
    return out


@st.composite
def pool_cases(draw):
    height, width = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    window = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = draw(st.sampled_from(["valid", "same"]))
    spans = [(k - 1) * d + 1 for k, d in zip(window, dilation)]
    assume(padding == "same" or (spans[0] <= height and spans[1] <= width))
    assume(padding == "valid" or dilation == (1, 1))  # see the error test below
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.permutation(2 * height * width * 2).reshape(2, height, width, 2) * 0.1  # no ties
    return x, window, strides, padding, dilation


@settings(max_examples=30)
@given(pool_cases())
def test_dilated_max_pool_matches_a_loop(case):
    x, window, strides, padding, dilation = case
    out = max_pool2d(Tensor(x), window, strides, padding, dilation)
    np.testing.assert_array_equal(
        out.data, reference_max_pool(x, window, strides, padding, dilation)
    )


@settings(max_examples=8)
@given(pool_cases())
def test_dilated_max_pool_gradients_of_both_orders(case):
    x, window, strides, padding, dilation = case

    def fn(x):
        return max_pool2d(x, window, strides, padding, dilation)

    assert gradcheck(fn, [x]) and gradgradcheck(fn, [x])


@settings(max_examples=20)
@given(pool_cases())
def test_1d_pooling_is_2d_pooling_of_one_pixel_high_images(case):
    x, (_, window), (_, stride), padding, (_, dilation) = case
    sequences = Tensor(x[:, 0])
    images = Tensor(x[:, :1])
    expected = max_pool2d(images, (1, window), (1, stride), padding, (1, dilation)).data[:, 0]
    np.testing.assert_array_equal(
        max_pool1d(sequences, window, stride, padding, dilation).data, expected
    )
    expected = avg_pool2d(images, (1, window), (1, stride), padding).data[:, 0]
    np.testing.assert_allclose(avg_pool1d(sequences, window, stride, padding).data, expected)
    assert gradcheck(lambda s: avg_pool1d(s, window, stride, padding), [x[:, 0]])


def test_dilated_max_pool_needs_valid_padding():
    # "same" would let a window's taps all fall on the -inf padding
    with pytest.raises(
        ValueError, match=r"max_pool2d: dilation_rate \(2, 1\) needs padding='valid'"
    ):
        max_pool2d(Tensor(np.zeros((1, 1, 1, 1))), 2, 1, "same", (2, 1))
    with pytest.raises(ValueError, match=r"max_pool1d: dilation_rate \(1, 2\) needs"):
        max_pool1d(Tensor(np.zeros((1, 3, 1))), 2, 1, "same", 2)


def test_1d_pooling_errors_name_the_op():
    with pytest.raises(ValueError, match=r"max_pool1d: expects sequences .*\(2, 3, 4, 1\)"):
        max_pool1d(Tensor(np.zeros((2, 3, 4, 1))))
    with pytest.raises(ValueError, match=r"avg_pool1d: a 1x4 window does not fit .* 1x3"):
        avg_pool1d(Tensor(np.zeros((2, 3, 1))), 4)


@pytest.mark.parametrize(
    "argument, value",
    [("dilation_rate", 2.5), ("dilation_rate", 2.0), ("strides", 2.5), ("strides", None)],
)
def test_a_non_integer_stride_or_dilation_is_a_clear_error(argument, value):
    # A float (even a whole one) or None is not a size: a ValueError that names the call,
    # the argument and the value, not a TypeError from deep inside.
    x, kernel = Tensor(np.ones((1, 8, 8, 1))), Tensor(np.ones((3, 3, 1, 2)))
    with pytest.raises(ValueError, match=f"conv2d: {argument} must be a positive int .*{value}"):
        conv2d(x, kernel, **{argument: value})
