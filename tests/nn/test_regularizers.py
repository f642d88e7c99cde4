"""Regularizers: Keras 3's penalties, added to the loss through the engine."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import regularizers
from tinygrad_edu.testing import gradcheck


def test_penalties_follow_keras_formulas():
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    t = Tensor(w)
    assert np.isclose(regularizers.L1(0.1)(t).item(), 0.1 * 3.5)
    assert np.isclose(regularizers.L2(0.1)(t).item(), 0.1 * 5.25)  # no factor 1/2
    assert np.isclose(regularizers.l1_l2(l1=0.1, l2=0.2)(t).item(), 0.35 + 0.2 * 5.25)
    assert regularizers.L1L2()(t).item() == 0.0  # Keras's defaults for the class: 0 and 0
    assert regularizers.get("l2").l2 == regularizers.l2().l2 == 0.01  # Keras's default
    with pytest.raises(ValueError, match="Unknown regularizer 'l3'"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="l2 must be a number >= 0"):
        regularizers.L2(-1.0)


def test_the_penalty_gradient_comes_from_the_engine():
    def penalty(x):
        return regularizers.L1L2(l1=0.3, l2=0.7)(x)

    x = Tensor(np.array([[0.4, -1.3], [2.0, -0.6]]), requires_grad=True)
    assert gradcheck(penalty, [x])
    penalty(x).backward()
    np.testing.assert_allclose(x.grad.data, 0.3 * np.sign(x.data) + 1.4 * x.data)


def test_keras_3_numbers_for_a_dense_layer_with_all_three():
    # Keras 3 (JAX backend) gives model.losses [0.72, 0.6, 0.02] and evaluate 17.34 here:
    # activity (l1 0.01, l2 0.02 on outputs of 4, divided by the batch of 4), kernel l2
    # 0.1 on six ones, bias "l1" (0.01) on two ones; the mse is 16.
    layer = nn.Dense(
        2,
        kernel_initializer="ones",
        bias_initializer="ones",
        kernel_regularizer=regularizers.l2(0.1),
        bias_regularizer="l1",
        activity_regularizer=regularizers.L1L2(l1=0.01, l2=0.02),
    )
    model = nn.Sequential([nn.Input((3,)), layer])
    model.compile("sgd", "mse")
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    model(x)
    np.testing.assert_allclose(sorted(p.item() for p in model.losses), [0.02, 0.6, 0.72], rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), 17.34, rtol=1e-6)


def test_training_minimizes_loss_plus_penalty_with_the_engines_gradient():
    tg.manual_seed(0)
    x = np.random.default_rng(0).standard_normal((8, 3))
    y = np.zeros((8, 1))
    layer = nn.Conv2D(1, 1, kernel_regularizer=regularizers.l2(0.5), dtype="float64")
    model = nn.Sequential([nn.Input((1, 1, 3)), layer, nn.Flatten()])
    model.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse")
    kernel = layer.kernel.data.copy()
    model.train_on_batch(x.reshape(8, 1, 1, 3), y)
    # d/dW of mean((xW + b)^2) + 0.5 * sum(W^2), by hand, for this one step's check
    out = x @ kernel.reshape(3, 1)
    grad = 2 * x.T @ out / 8 + 2 * 0.5 * kernel.reshape(3, 1)
    np.testing.assert_allclose(layer.kernel.data.reshape(3, 1), kernel.reshape(3, 1) - 0.1 * grad)


def test_a_frozen_layer_is_not_penalized_and_configs_round_trip(tmp_path):
    layer = nn.Dense(2, kernel_regularizer="l2", input_shape=(3,))
    assert len(layer.losses) == 1
    layer.trainable = False
    assert layer.losses == []
    model = nn.Sequential([nn.Input((3,)), nn.Dense(2, kernel_regularizer=regularizers.L1(0.2))])
    model.compile("adam", "mse")
    model.save(tmp_path / "m.keras")
    loaded = nn.load_model(tmp_path / "m.keras")
    assert loaded.layers[0].kernel_regularizer.l1 == pytest.approx(0.2)
    clone = nn.Dense.from_config(model.layers[0].get_config())
    assert isinstance(clone.kernel_regularizer, regularizers.L1)


def test_keras_names():
    from tinygrad_edu import keras

    assert keras.regularizers.l2 is regularizers.L2
    assert keras.Regularizer is regularizers.Regularizer
    layer = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.l1_l2(l1=0.1))
    assert layer.kernel_regularizer.l1 == 0.1
