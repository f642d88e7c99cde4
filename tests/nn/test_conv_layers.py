"""The Keras conv family beyond Conv2D: shapes, parameter counts, errors, training.

Values against real Keras 3 are in test_conv_golden.py; the ops' gradients in
tests/test_conv_variants.py and tests/test_resampling.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, functional, keras, manual_seed, nn


def summary_counts(model):
    lines = []
    model.summary(print_fn=lines.append)
    return [line.split()[-1] for line in lines if "(None" in line]


def test_output_shapes_and_parameter_counts_match_keras():
    # Keras 3.15 gives the same shapes and counts for the same model (run with it)
    model = nn.Sequential(
        [
            nn.Input(shape=(16, 16, 3)),
            nn.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),  # 3*3*3*2 + 6
            nn.SeparableConv2D(8, 3, strides=2),  # 3*3*6 + 6*8 + 8
            nn.Conv2D(8, 3, dilation_rate=2, groups=4),  # 3*3*2*8 + 8
            nn.Conv2DTranspose(4, 3, strides=2, padding="same"),  # 3*3*4*8 + 4
            nn.ZeroPadding2D(((1, 0), (2, 1))),
            nn.Cropping2D(1),
            nn.UpSampling2D(),
            nn.GlobalMaxPooling2D(),
        ]
    )
    shapes = [layer.output_shape for layer in model.layers]
    assert shapes == [
        (None, 16, 16, 6),
        (None, 7, 7, 8),
        (None, 3, 3, 8),
        (None, 6, 6, 4),
        (None, 7, 9, 4),
        (None, 5, 7, 4),
        (None, 10, 14, 4),
        (None, 4),
    ]
    assert summary_counts(model) == ["60", "110", "152", "292", "0", "0", "0", "0"]
    out = model(np.zeros((2, 16, 16, 3), dtype=np.float32))
    assert out.shape == (2, 4) and out.dtype == np.float32


def test_sequence_layers_shapes():
    model = nn.Sequential(
        [
            nn.Input(shape=(12, 2)),
            nn.Conv1D(4, 3, padding="causal", dilation_rate=2),
            nn.ZeroPadding1D((1, 2)),
            nn.Cropping1D((0, 3)),
            nn.UpSampling1D(2),
            nn.MaxPooling1D(3, strides=2, padding="same"),
            nn.AveragePooling1D(2),
            nn.Conv1D(6, 2, groups=2),
            nn.GlobalAveragePooling1D(keepdims=True),
        ]
    )
    shapes = [layer.output_shape for layer in model.layers]
    assert shapes == [
        (None, 12, 4),
        (None, 15, 4),
        (None, 12, 4),
        (None, 24, 4),
        (None, 12, 4),
        (None, 6, 4),
        (None, 5, 6),
        (None, 1, 6),
    ]
    assert model(np.zeros((3, 12, 2), dtype=np.float32)).shape == (3, 1, 6)


def test_repr_shows_dilation_and_groups_when_set():
    assert "dilation_rate" not in repr(nn.Conv2D(4, 3)) and "groups" not in repr(nn.Conv2D(4, 3))
    text = repr(nn.Conv1D(4, 3, padding="causal", dilation_rate=2, groups=2))
    assert "kernel_size=(3,), strides=(1,), padding='causal', dilation_rate=(2,), groups=2" in text


def test_keras_namespace_has_the_new_layers():
    for name in ["Conv1D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
                 "MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D",
                 "GlobalMaxPooling1D", "GlobalMaxPooling2D", "ZeroPadding1D", "ZeroPadding2D",
                 "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D"]:  # fmt: skip
        assert getattr(keras.layers, name) is getattr(nn, name)


def test_depthwise_layer_filters_each_channel_on_its_own():
    manual_seed(0)
    layer = nn.DepthwiseConv2D(2, depth_multiplier=2, use_bias=False, dtype="float64")
    x = np.random.default_rng(0).standard_normal((1, 4, 4, 3))
    out = layer(x).data
    kernel = layer.kernel.data  # (2, 2, 3, 2): channel c's m-th kernel is output c * 2 + m
    for c in range(3):
        for m in range(2):
            alone = functional.conv2d(
                Tensor(x[..., c : c + 1]), Tensor(kernel[:, :, c : c + 1, m : m + 1])
            )
            np.testing.assert_allclose(out[..., 2 * c + m], alone.data[..., 0])


def test_a_conv1d_forecaster_learns():
    """The time-series lesson's shape: a causal Conv1D on windows of a series, then Dense."""
    manual_seed(0)
    t = np.arange(400, dtype=np.float32)
    series = np.sin(t / 6.0)
    windows = np.stack([series[i : i + 20] for i in range(360)])[..., None]
    targets = series[20:380, None]
    model = nn.Sequential(
        [
            nn.Conv1D(8, 4, padding="causal", activation="relu", input_shape=(20, 1)),
            nn.MaxPooling1D(2),
            nn.Flatten(),
            nn.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(windows, targets, epochs=6, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]


def test_layer_errors_name_the_layer_the_shapes_and_what_was_expected():
    with pytest.raises(
        ValueError,
        match=r"Conv1D 'c': expects inputs of shape \(batch, steps, 2\), got .*\(4, 5, 5, 2\)",
    ):
        nn.Conv1D(3, 2, input_shape=(5, 2), name="c")(np.zeros((4, 5, 5, 2)))
    with pytest.raises(
        ValueError, match=r"Conv1D.*\(batch, steps, channels\).*\(None, 10\).*\(batch, 10, 1\)"
    ):
        nn.Sequential([nn.Conv1D(3, 2)]).build((None, 10))
    with pytest.raises(
        ValueError, match=r"Conv2D 'g': the input's 3 channels do not split into groups=2"
    ):
        nn.Conv2D(4, 3, groups=2, name="g").build((None, 5, 5, 3))
    with pytest.raises(
        ValueError, match=r"Conv1D: filters \(3\) must be a multiple of groups \(2\)"
    ):
        nn.Conv1D(3, 2, groups=2)
    with pytest.raises(
        ValueError,
        match=r"Conv1D 'c': a 3 kernel dilated to 5 does not fit .*\(None, 4, 1\).*steps >= 5",
    ):
        nn.Conv1D(2, 3, dilation_rate=2, input_shape=(4, 1), name="c")
    with pytest.raises(ValueError, match=r"Conv2D: padding must be 'valid' or 'same'"):
        nn.Conv2D(2, 3, padding="causal")
    with pytest.raises(
        ValueError,
        match=r"Conv2DTranspose: output_padding .* less than its stride \(strides \(2, 2\)\)",
    ):
        nn.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(
        ValueError, match=r"DepthwiseConv2D: depth_multiplier must be a positive integer"
    ):
        nn.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(
        ValueError,
        match=r"SeparableConv2D 's': expects inputs of shape \(batch, height, width, 3\)",
    ):
        nn.SeparableConv2D(2, 1, input_shape=(4, 4, 3), name="s")(np.zeros((1, 4, 4, 2)))
    with pytest.raises(
        ValueError,
        match=r"UpSampling2D: interpolation must be 'nearest', 'bilinear' or 'bicubic'.*'lanczos3'",
    ):
        nn.UpSampling2D(interpolation="lanczos3")
    with pytest.raises(
        ValueError,
        match=r"Cropping2D 'c': cropping \(\(2, 2\), \(0, 0\)\) leaves nothing .*\(None, 4, 4, 1\)",
    ):
        nn.Cropping2D((2, 0), input_shape=(4, 4, 1), name="c")
    with pytest.raises(ValueError, match=r"ZeroPadding2D: padding must be a non-negative int"):
        nn.ZeroPadding2D(-1)
    with pytest.raises(
        ValueError,
        match=r"MaxPooling1D 'p': a window of 3 steps does not fit in .*\(None, 2, 1\)",
    ):
        nn.MaxPooling1D(3, input_shape=(2, 1), name="p")
    with pytest.raises(
        ValueError,
        match=r"GlobalMaxPooling2D 'g': expects inputs of shape \(batch, height, width, channels\)",
    ):
        nn.GlobalMaxPooling2D(name="g")(np.zeros((2, 3, 4)))
    # channels_first is taken by Conv1D/Conv2D and pooling (tests/nn/test_channels_first.py)
    with pytest.raises(
        ValueError, match=r"Conv1D: data_format must be None, 'channels_last' or 'channels_first'"
    ):
        nn.Conv1D(2, 3, data_format="NCW")
    with pytest.raises(
        ValueError, match=r"DepthwiseConv2D: data_format must be None or 'channels_last'"
    ):
        nn.DepthwiseConv2D(3, data_format="channels_first")


def test_global_average_pooling_1d_averages_only_the_real_steps_after_a_masking_embedding():
    manual_seed(0)
    model = nn.Sequential(
        [nn.Embedding(10, 4, mask_zero=True), nn.GlobalAveragePooling1D(), nn.Dense(2)]
    )
    padded = np.array([[3, 5, 0, 0, 0], [7, 1, 2, 0, 0]])
    short = model(padded[:, :3]).data
    np.testing.assert_allclose(model(padded).data, short, rtol=1e-6)  # padding changes nothing
    vectors = model.layers[0].embeddings.data
    expected = vectors[[3, 5]].mean(axis=0)
    pooled = nn.GlobalAveragePooling1D()(Tensor(vectors[padded[:1]]), mask=padded[:1] != 0)
    np.testing.assert_allclose(pooled.data[0], expected, rtol=1e-6)
