"""MaxPooling2D, AveragePooling2D and GlobalAveragePooling2D (channels_last, as in Keras)."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.functional import avg_pool2d, max_pool2d

IMAGES = np.arange(2 * 5 * 6 * 3, dtype=np.float32).reshape(2, 5, 6, 3) % 7


@pytest.mark.parametrize(
    "layer_class, pool", [(nn.MaxPooling2D, max_pool2d), (nn.AveragePooling2D, avg_pool2d)]
)
@pytest.mark.parametrize(
    "arguments, shape",
    [
        ({}, (2, 2, 3, 3)),  # pool 2, strides = pool, valid: the last row is left out
        ({"pool_size": 3, "strides": 1}, (2, 3, 4, 3)),
        ({"pool_size": (2, 3), "padding": "same"}, (2, 3, 2, 3)),
        ({"pool_size": 2, "strides": (1, 2), "padding": "SAME"}, (2, 5, 3, 3)),
    ],
)
def test_pooling_layers_call_the_functional_ops(layer_class, pool, arguments, shape):
    layer = layer_class(**arguments)
    out = layer(IMAGES)
    assert out.shape == shape == (2, *layer.output_shape[1:])
    expected = pool(Tensor(IMAGES), layer.pool_size, layer.strides, layer.padding)
    np.testing.assert_array_equal(out.data, expected.data)
    assert layer.count_params() == 0


def test_strides_default_to_the_pool_size_as_in_keras():
    assert nn.MaxPooling2D((2, 3)).strides == (2, 3)
    assert nn.AveragePooling2D(2, strides=1).strides == (1, 1)
    assert nn.MaxPooling2D(3, padding="same", dtype="float64").get_config() == {
        "name": "max_pooling2d",
        "pool_size": 3,
        "padding": "same",
        "dtype": "float64",
    }


def test_global_average_pooling_averages_each_channel():
    out = nn.GlobalAveragePooling2D()(IMAGES)
    np.testing.assert_allclose(out.data, IMAGES.mean(axis=(1, 2)), rtol=1e-6)
    kept = nn.GlobalAveragePooling2D(keepdims=True, input_shape=(5, 6, 3))
    assert kept.output_shape == (None, 1, 1, 3)
    assert kept(IMAGES).shape == (2, 1, 1, 3)


def test_pooling_errors_name_the_layer_and_shapes():
    with pytest.raises(
        ValueError,
        match=r"MaxPooling2D 'max_pooling2d'.*\(batch, height.*\(None, 9\).*\(batch, 3, 3, 1\)",
    ):
        nn.MaxPooling2D()(np.zeros((4, 9), dtype=np.float32))
    with pytest.raises(ValueError, match=r"3x3 window does not fit.*\(None, 2, 2, 1\)"):
        nn.AveragePooling2D(3, input_shape=(2, 2, 1))
    with pytest.raises(ValueError, match=r"GlobalAveragePooling2D.*\(None, 28, 28\).*28, 28, 1"):
        nn.GlobalAveragePooling2D(input_shape=(28, 28))
    with pytest.raises(ValueError, match="MaxPooling2D: pool_size must be a positive int"):
        nn.MaxPooling2D(0)
