"""A model inside a model: every layer keeps a name of its own, so no weight name repeats
(Keras's layer names are unique; ours were per model, giving two `dense_1.kernel`)."""

import numpy as np
import pytest

import tinygrad_edu.keras as keras
from tinygrad_edu import nn


def _weight_names(model):
    return [weight.name for weight in model.weights]


def test_nested_sequential_gets_unique_weight_names():
    inner = nn.Sequential([nn.Dense(3), nn.Dense(2)])
    outer = nn.Sequential([nn.Dense(4, input_shape=(5,)), inner, nn.Dense(1)])
    names = _weight_names(outer)
    assert len(names) == 8 and len(set(names)) == 8, names
    assert [layer.name for layer in outer.layers] == ["dense_1", "sequential_1", "dense_4"]
    assert outer(np.ones((2, 5), np.float32)).shape == (2, 1)


def test_nested_sequential_in_a_functional_model_gets_unique_weight_names():
    inner = nn.Sequential([nn.Dense(3), nn.Dense(2)])
    inputs = keras.Input(shape=(5,))
    outputs = nn.Dense(1)(inner(nn.Dense(4)(inputs)))
    names = _weight_names(keras.Model(inputs, outputs))
    assert len(names) == 8 and len(set(names)) == 8, names


def test_names_the_user_chose_are_kept():
    inner = nn.Sequential([nn.Dense(3, name="encoder"), nn.Dense(2)])
    outer = nn.Sequential([nn.Dense(4, input_shape=(5,), name="first"), inner])
    assert [layer.name for layer in inner.layers] == ["encoder", "dense_1"]
    assert len(set(_weight_names(outer))) == 6
    with pytest.raises(ValueError, match="a layer named 'first' is already in the model"):
        outer.add(nn.Dense(1, name="first"))


def test_a_nested_model_saves_and_loads(tmp_path):
    inner = nn.Sequential([nn.Dense(3), nn.Dense(2)])
    outer = nn.Sequential([nn.Dense(4, input_shape=(5,)), inner, nn.Dense(1)])
    x = np.random.default_rng(0).standard_normal((2, 5)).astype(np.float32)
    outer.save(tmp_path / "nested.keras")
    again = nn.load_model(tmp_path / "nested.keras")
    np.testing.assert_allclose(again(x).data, outer(x).data, rtol=1e-6)
