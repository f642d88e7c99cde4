"""upsample and interpolate: nearest and (bi)linear resizing, channels last."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, functional, nn
from tinygrad_edu.resampling import interpolate, upsample
from tinygrad_edu.testing import gradcheck, gradgradcheck


def source(o, scale, n):
    """PyTorch's align_corners=False coordinate, clamped: (low, high, fraction)."""
    where = min(max((o + 0.5) * scale - 0.5, 0.0), n - 1)
    low = int(np.floor(where))
    return low, min(low + 1, n - 1), where - low


def reference_bilinear(x, out_h, out_w):
    """Each output pixel from its four neighbours, weighted by the fractions."""
    _, h, w, _ = x.shape
    out = np.zeros((x.shape[0], out_h, out_w, x.shape[3]))
    for p in range(out_h):
        top, bottom, a = source(p, h / out_h, h)
        for q in range(out_w):
            left, right, b = source(q, w / out_w, w)
            out[:, p, q] = (
                (1 - a) * (1 - b) * x[:, top, left]
                + (1 - a) * b * x[:, top, right]
                + a * (1 - b) * x[:, bottom, left]
                + a * b * x[:, bottom, right]
            )
    return out


images = st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**16)).map(
    lambda t: np.random.default_rng(t[2]).standard_normal((2, t[0], t[1], 2))
)


def test_bilinear_upsampling_of_a_2x2_image_gives_pytorchs_numbers():
    x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    out = upsample(Tensor(x), 2, "bilinear").data[0, :, :, 0]
    expected = [  # torch.nn.functional.interpolate(scale_factor=2, mode="bilinear")
        [1.0, 1.25, 1.75, 2.0],
        [1.5, 1.75, 2.25, 2.5],
        [2.5, 2.75, 3.25, 3.5],
        [3.0, 3.25, 3.75, 4.0],
    ]
    np.testing.assert_allclose(out, expected)


@settings(max_examples=30)
@given(images, st.integers(1, 3), st.integers(1, 3))
def test_upsample_repeats_or_interpolates(x, sh, sw):
    nearest = upsample(Tensor(x), (sh, sw)).data
    np.testing.assert_array_equal(nearest, x.repeat(sh, axis=1).repeat(sw, axis=2))
    bilinear = upsample(Tensor(x), (sh, sw), "bilinear").data
    np.testing.assert_allclose(bilinear, reference_bilinear(x, x.shape[1] * sh, x.shape[2] * sw))
    assert functional.upsample is upsample


@settings(max_examples=30)
@given(images, st.integers(1, 7), st.integers(1, 7))
def test_interpolate_to_any_size(x, out_h, out_w):
    out = interpolate(Tensor(x), size=(out_h, out_w), mode="bilinear").data
    np.testing.assert_allclose(out, reference_bilinear(x, out_h, out_w), atol=1e-12)
    nearest = interpolate(Tensor(x), size=(out_h, out_w)).data
    rows = [int(np.floor(p * x.shape[1] / out_h)) for p in range(out_h)]
    cols = [int(np.floor(q * x.shape[2] / out_w)) for q in range(out_w)]
    np.testing.assert_array_equal(nearest, x[:, rows][:, :, cols])


def test_interpolate_sequences_and_scale_factor():
    x = np.arange(4.0).reshape(1, 4, 1)
    np.testing.assert_allclose(
        interpolate(Tensor(x), scale_factor=0.5, mode="linear").data.ravel(), [0.5, 2.5]
    )
    assert interpolate(Tensor(x), scale_factor=1.5).shape == (1, 6, 1)
    np.testing.assert_array_equal(upsample(Tensor(x), 2).data.ravel(), [0, 0, 1, 1, 2, 2, 3, 3])


@settings(max_examples=6)
@given(images, st.sampled_from(["nearest", "bilinear"]))
def test_resizing_differentiates_twice(x, mode):
    def fn(x):
        return interpolate(x, size=(3, 5), mode=mode).tanh() + upsample(x, 2, mode).sum()

    assert gradcheck(fn, [x]) and gradgradcheck(fn, [x])


def test_align_corners_puts_the_corner_outputs_on_the_corner_inputs():
    x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    out = interpolate(Tensor(x), scale_factor=2, mode="bilinear", align_corners=True)
    third = 1.0 / 3.0  # torch.nn.functional.interpolate(..., align_corners=True) gives these
    expected = [
        [1.0, 1 + third, 1 + 2 * third, 2.0],
        [1 + 2 * third, 2.0, 2 + third, 2 + 2 * third],
        [2 + third, 2 + 2 * third, 3.0, 3 + third],
        [3.0, 3 + third, 3 + 2 * third, 4.0],
    ]
    np.testing.assert_allclose(out.data[0, :, :, 0], expected)
    assert gradgradcheck(
        lambda x: interpolate(x, size=(3, 5), mode="bilinear", align_corners=True).tanh(), [x]
    )
    with pytest.raises(ValueError, match="interpolate: align_corners can only be set with mode"):
        interpolate(Tensor(x), size=3, align_corners=False)


def test_upsampled_gradient_sums_the_copies():
    x = Tensor(np.ones((1, 2, 2, 1)), requires_grad=True)
    upsample(x, (2, 3)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 6.0)


def test_resizing_errors_say_what_is_wrong():
    x = Tensor(np.zeros((1, 2, 2, 1)))
    with pytest.raises(ValueError, match=r"upsample: expects sequences .* got shape \(2, 2\)"):
        upsample(Tensor(np.zeros((2, 2))))
    with pytest.raises(ValueError, match="upsample: interpolation must be one of"):
        upsample(x, 2, "lanczos3")
    with pytest.raises(ValueError, match=r"upsample: size must be a positive number or 2 of them"):
        upsample(x, (2, 2, 2))
    with pytest.raises(ValueError, match="upsample: size must be whole numbers"):
        upsample(x, 1.5)
    with pytest.raises(ValueError, match="interpolate: give exactly one of size and scale_factor"):
        interpolate(x)


def test_bicubic_upsample_matches_keras_on_jax_and_is_differentiable():
    x = np.array([0, 1, 4, 9], dtype=np.float32).reshape(1, 1, 4, 1)
    # keras.layers.UpSampling2D((1, 2), interpolation="bicubic") on the JAX backend
    # (Keras 3); output 2: taps at 0.75, 0.25, 1.25 from inputs 0, 1, 2, weights
    # w = Keys(a=-0.5) divided by their sum: (0.8671875 - 4 * 0.0703125) / 1.0234375.
    keras = [-0.0882353, 0.12408759, 0.57251906, 1.5625, 3.0625, 5.3129773, 8.116789, 9.441177]
    got = upsample(Tensor(x), (1, 2), "bicubic").numpy()
    assert got.shape == (1, 1, 8, 1)
    np.testing.assert_allclose(got.ravel(), keras, rtol=1e-5, atol=1e-6)
    images = Tensor(np.random.default_rng(0).normal(size=(1, 3, 2, 2)), requires_grad=True)
    assert gradcheck(lambda t: upsample(t, (2, 3), "bicubic"), [images])
    assert gradgradcheck(lambda t: upsample(t, (2, 3), "bicubic") ** 2, [images])
    layer = nn.UpSampling2D((1, 2), interpolation="bicubic")
    np.testing.assert_array_equal(layer(x).numpy(), got)
