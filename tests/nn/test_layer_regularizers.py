"""Regularizers on the layers beyond Dense and Conv: the penalties, and the loss against Keras.

tests/fixtures/regularizer_golden.npz was made by tests/fixtures/make_regularizer_golden.py
with Keras 3 on JAX: two float64 models whose every layer carries the regularizers Keras
gives it, Keras's evaluate loss (mse plus every penalty) and its weights after one SGD step.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

from tinygrad_edu import manual_seed, nn
from tinygrad_edu.keras import layers as keras_layers
from tinygrad_edu.nn import optimizers, regularizers

GOLDEN = np.load(pathlib.Path(__file__).parents[1] / "fixtures" / "regularizer_golden.npz")


def build_model(model_name):
    _, shape, _, layer_list = json.loads(str(GOLDEN[f"{model_name}/models"]))
    layers = []
    for class_name, arguments in layer_list:
        arguments = {
            key: regularizers.L1L2(**value) if key.endswith("regularizer") else value
            for key, value in arguments.items()
        }
        layers.append(getattr(nn, class_name)(**arguments, dtype="float64"))
    model = nn.Sequential([nn.Input(tuple(shape), dtype="float64"), *layers])
    weights = []
    while f"{model_name}/weights_{len(weights)}" in GOLDEN.files:
        weights.append(GOLDEN[f"{model_name}/weights_{len(weights)}"])
    model.set_weights(weights)
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    return model


@pytest.mark.parametrize("model_name", ["sequence", "convnet"])
def test_evaluate_and_one_fit_step_match_keras(model_name):
    model = build_model(model_name)
    x, y = GOLDEN[f"{model_name}/x"], GOLDEN[f"{model_name}/y"]
    # Keras logs its losses through a float32 mean: agreement to float32's precision
    loss = model.evaluate(x, y, batch_size=6, verbose=0)
    np.testing.assert_allclose(loss, GOLDEN[f"{model_name}/evaluate_loss"], rtol=1e-6)
    history = model.fit(x, y, batch_size=6, epochs=1, shuffle=False, verbose=0)
    fit_loss = history.history["loss"][0]
    np.testing.assert_allclose(fit_loss, GOLDEN[f"{model_name}/fit_loss"], rtol=1e-6)
    # One step changes the weights by 1e-3 to 0.5, a penalty's share by 1e-4 or more; the
    # two agree to ~1e-8 (Keras computes a few activations in float32 even in float64)
    for i, weight in enumerate(model.get_weights()):
        np.testing.assert_allclose(weight, GOLDEN[f"{model_name}/fitted_{i}"], atol=2e-7)


@pytest.mark.parametrize(
    "make, x, expected",
    [
        (
            lambda: nn.SimpleRNN(
                2, kernel_regularizer="l2", recurrent_regularizer="l1", bias_regularizer="l2"
            ),
            np.ones((2, 3, 4)),
            lambda layer: (
                0.01 * (layer.kernel.data**2).sum()
                + 0.01 * np.abs(layer.recurrent_kernel.data).sum()
                + 0.01 * (layer.bias.data**2).sum()
            ),
        ),
        (
            lambda: nn.Embedding(5, 3, embeddings_regularizer=regularizers.L1(0.5)),
            np.array([[1, 2]]),
            lambda layer: 0.5 * np.abs(layer.embeddings.data).sum(),
        ),
        (
            lambda: nn.BatchNormalization(
                beta_initializer="ones", gamma_regularizer="l1", beta_regularizer="l2"
            ),
            np.ones((2, 3)),
            lambda layer: 0.01 * 3 + 0.01 * 3,
        ),
        (
            lambda: nn.LayerNormalization(gamma_regularizer=regularizers.L2(2.0)),
            np.ones((2, 3)),
            lambda layer: 2.0 * 3,
        ),
        (
            lambda: nn.SeparableConv2D(
                2, 2, depthwise_regularizer="l2", pointwise_regularizer=regularizers.L1(0.1)
            ),
            np.ones((1, 3, 3, 2)),
            lambda layer: (
                0.01 * (layer.depthwise_kernel.data**2).sum()
                + 0.1 * np.abs(layer.pointwise_kernel.data).sum()
            ),
        ),
    ],
    ids=["SimpleRNN", "Embedding", "BatchNormalization", "LayerNormalization", "SeparableConv2D"],
)
def test_each_weight_gets_its_own_penalty(make, x, expected):
    manual_seed(0)
    layer = make()
    layer(x)
    total = sum(float(p.item()) for p in layer.losses)
    np.testing.assert_allclose(total, expected(layer), rtol=1e-6)
    layer.trainable = False  # Keras 3: frozen weights are not penalized
    assert layer.losses == []


def test_the_penalties_reach_the_weights_through_backward():
    manual_seed(0)
    layer = nn.LSTM(2, recurrent_regularizer=regularizers.L2(1.0))
    layer(np.ones((1, 3, 2)))
    (penalty,) = layer.losses
    penalty.backward()
    np.testing.assert_allclose(layer.recurrent_kernel.grad.data, 2 * layer.recurrent_kernel.data)
    assert layer.kernel.grad is None


def test_an_activity_regularizer_covers_every_output_of_a_layer():
    # Keras 3 (checked with Keras 3.15): LSTM(return_state=True) penalizes the output and
    # both states, each divided by the batch size
    manual_seed(0)
    layer = nn.LSTM(2, return_state=True, activity_regularizer=regularizers.L2(0.1))
    outputs = layer(np.ones((3, 4, 2)))
    (penalty,) = layer.losses
    expected = sum(0.1 * (output.data.astype(np.float64) ** 2).sum() / 3 for output in outputs)
    np.testing.assert_allclose(float(penalty.item()), expected, rtol=1e-6)


def test_activity_regularization_is_a_layer_of_its_own():
    layer = keras_layers.ActivityRegularization(l1=0.5, l2=2.0)  # Keras 3 gives 15.5 too
    x = np.array([[1.0, -2.0], [3.0, 0.0]])
    out = layer(x)
    np.testing.assert_array_equal(out.data, x)  # the values pass through
    (penalty,) = layer.losses
    np.testing.assert_allclose(float(penalty.item()), (0.5 * 6 + 2.0 * 14) / 2, rtol=1e-6)
    with pytest.raises(ValueError, match="l1 must be a number >= 0"):
        nn.ActivityRegularization(l1=-1.0)
