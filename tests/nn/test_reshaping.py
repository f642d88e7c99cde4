"""Reshape: a new shape for each sample, the batch axis kept."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import nn


def test_reshape_turns_rows_into_images_for_conv2d():
    model = nn.Sequential(
        [nn.Reshape((28, 28, 1), input_shape=(784,)), nn.Conv2D(2, 3), nn.Flatten()]
    )
    assert model.layers[0].output_shape == (None, 28, 28, 1)
    assert model.predict(np.zeros((3, 784), dtype=np.float32), verbose=0).shape == (3, 26 * 26 * 2)


def test_reshape_works_out_one_minus_one():
    layer = nn.Reshape((-1, 4))
    x = np.arange(24, dtype=np.float32).reshape(2, 12)
    out = layer(x)
    assert out.shape == (2, 3, 4) and layer.output_shape == (None, 3, 4)
    np.testing.assert_array_equal(out.data, x.reshape(2, 3, 4))
    assert layer.get_config() == {"name": "reshape", "target_shape": [-1, 4]}


def test_reshape_errors_name_the_layer_and_the_sizes():
    with pytest.raises(
        ValueError, match=r"Reshape 'reshape'.*\(10,\) \(10 values\) to \(28, 28, 1\)"
    ):
        nn.Reshape((28, 28, 1), input_shape=(10,))
    with pytest.raises(ValueError, match=r"Reshape: target_shape must be positive"):
        nn.Reshape((-1, -1))
    with pytest.raises(ValueError, match=r"Reshape: target_shape must be positive"):
        nn.Reshape((0, 3))
