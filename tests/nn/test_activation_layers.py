"""ReLU, LeakyReLU, ELU, PReLU, Identity and Rescaling: outputs recorded from Keras 3 and
gradients from the engine."""

import numpy as np
import pytest

from tinygrad_edu import Tensor, keras, nn
from tinygrad_edu.nn import initializers
from tinygrad_edu.testing import gradcheck

X = np.array([[-3.0, -0.5, 0.2, 0.7, 8.0]])
KERAS_3 = [
    (lambda: nn.ReLU(), [0.0, 0.0, 0.2, 0.7, 8.0]),
    (
        lambda: nn.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5),
        [-0.35, -0.1, -0.03, 0.7, 6.0],
    ),
    (lambda: nn.LeakyReLU(), [-0.9, -0.15, 0.2, 0.7, 8.0]),
    (lambda: nn.ELU(alpha=0.5), [-0.47510647773742676, -0.19673466682434082, 0.2, 0.7, 8.0]),
    (lambda: nn.Rescaling(0.5, offset=-1.0), [-2.5, -1.25, -0.9, -0.65, 3.0]),
    (lambda: nn.Identity(), X[0].tolist()),
    (
        lambda: nn.PReLU(alpha_initializer=initializers.RandomUniform(0.25, 0.25)),
        [-0.75, -0.125, 0.2, 0.7, 8.0],
    ),
]


@pytest.mark.parametrize("make, expected", KERAS_3)
def test_outputs_match_keras_3_and_gradients_come_from_the_engine(make, expected):
    layer = make()
    np.testing.assert_allclose(layer(X).data[0], expected, rtol=1e-6)
    layer64 = type(layer).from_config({**layer.get_config(), "dtype": "float64"})
    x = Tensor(X + 0.01, requires_grad=True)  # away from the kinks
    assert gradcheck(lambda t: layer64(t), [x])


def test_prelu_learns_one_slope_per_channel_with_shared_axes():
    layer = nn.PReLU(shared_axes=[1, 2], input_shape=(4, 4, 3))
    assert layer.alpha.shape == (1, 1, 3)  # Keras's shape
    assert [w.name for w in layer.trainable_weights] == [f"{layer.name}.alpha"]
    with pytest.raises(ValueError, match="shared axis 0"):
        nn.PReLU(shared_axes=[0], input_shape=(3,))


def test_keras_names_and_a_model_with_them_saves(tmp_path):
    assert keras.layers.LeakyReLU is nn.LeakyReLU and keras.layers.Rescaling is nn.Rescaling
    model = nn.Sequential(
        [nn.Input((4,)), nn.Rescaling(0.1), nn.Dense(3), nn.PReLU(), nn.ELU(), nn.Dense(1)]
    )
    model.compile("adam", "mse")
    model.save(tmp_path / "m.zip")
    loaded = nn.load_model(tmp_path / "m.zip")
    x = np.ones((2, 4))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_lambda_wraps_a_function_the_engine_differentiates():
    layer = nn.Lambda(lambda x: (x * x).sum(axis=-1, keepdims=True))
    model = nn.Sequential([nn.Input((3,)), layer, nn.Dense(1)])
    assert layer.output_shape == (None, 1)  # found by calling the function
    x = Tensor(np.array([[1.0, -2.0, 0.5]]), requires_grad=True)
    double = nn.Lambda(lambda t: (t * t).sum(axis=-1, keepdims=True), dtype="float64")
    assert gradcheck(lambda t: double(t), [x])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    with pytest.raises(TypeError, match="lambda"):
        model.get_config()
    with pytest.raises(TypeError, match="must be callable"):
        nn.Lambda(3)
