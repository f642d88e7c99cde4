"""sample_weight for models with several outputs: one array for all, or a list or dict."""

import numpy as np
import pytest

from tinygrad_edu import keras
from tinygrad_edu.keras import layers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 3)).astype("float32")
Y_A, Y_B = RNG.normal(size=(12, 1)), RNG.normal(size=(12, 2))
W_A, W_B = RNG.random(12), RNG.random(12)


def two_output_model():
    inputs = keras.Input((3,))
    hidden = layers.Dense(4, activation="tanh")(inputs)
    model = keras.Model(
        inputs, [layers.Dense(1, name="a")(hidden), layers.Dense(2, name="b")(hidden)]
    )
    model.compile(optimizer="sgd", loss="mse", loss_weights=[1.0, 0.5])
    return model


def weighted_mse(y, p, w):
    """Keras's weighted loss: sum(weight * per-sample loss) / batch size."""
    return np.sum(w * np.mean((y - p) ** 2, axis=-1)) / len(y)


@pytest.mark.parametrize("as_dict", [False, True], ids=["list", "dict"])
def test_each_output_gets_its_own_weights(as_dict) -> None:
    model = two_output_model()
    p_a, p_b = model.predict(X, verbose=0)
    weights = {"a": W_A, "b": W_B} if as_dict else [W_A, W_B]
    logs = model.evaluate(X, [Y_A, Y_B], sample_weight=weights, return_dict=True, verbose=0)
    a, b = weighted_mse(Y_A, p_a, W_A), weighted_mse(Y_B, p_b, W_B)
    assert logs["a_loss"] == pytest.approx(a, rel=1e-5)
    assert logs["b_loss"] == pytest.approx(b, rel=1e-5)
    assert logs["loss"] == pytest.approx(a + 0.5 * b, rel=1e-5)


def test_one_array_weights_every_output_and_none_leaves_one_unweighted() -> None:
    model = two_output_model()
    p_a, p_b = model.predict(X, verbose=0)
    logs = model.evaluate(X, [Y_A, Y_B], sample_weight=W_A, return_dict=True, verbose=0)
    assert logs["b_loss"] == pytest.approx(weighted_mse(Y_B, p_b, W_A), rel=1e-5)
    logs = model.test_on_batch(X, [Y_A, Y_B], sample_weight={"a": W_A}, return_dict=True)
    assert logs["a_loss"] == pytest.approx(weighted_mse(Y_A, p_a, W_A), rel=1e-5)
    assert logs["b_loss"] == pytest.approx(np.mean((Y_B - p_b) ** 2), rel=1e-5)


def test_fit_with_zero_weights_on_an_output_leaves_its_head_untouched() -> None:
    model = two_output_model()
    head_b = model.get_layer("b").kernel.data.copy()
    head_a = model.get_layer("a").kernel.data.copy()
    model.fit(X, [Y_A, Y_B], sample_weight=[W_A, np.zeros(12)], epochs=2, batch_size=4, verbose=0)
    np.testing.assert_array_equal(model.get_layer("b").kernel.data, head_b)
    assert not np.array_equal(model.get_layer("a").kernel.data, head_a)


def test_wrong_weights_are_clear_errors() -> None:
    model = two_output_model()
    with pytest.raises(ValueError, match=r"sample_weight: \['c'\] are not names of the model"):
        model.evaluate(X, [Y_A, Y_B], sample_weight={"c": W_A}, verbose=0)
    with pytest.raises(ValueError, match="sample_weight has 5 weights for 12 samples"):
        model.evaluate(X, [Y_A, Y_B], sample_weight=[W_A, W_B[:5]], verbose=0)
