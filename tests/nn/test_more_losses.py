"""LogCosh, KLDivergence, Hinge, CategoricalFocalCrossentropy and label_smoothing:
values recorded from Keras 3 (JAX backend, float32) on the inputs below, and gradients
from the engine checked against central differences."""

import numpy as np
import pytest

from tinygrad_edu import Tensor, keras, nn
from tinygrad_edu.nn import losses
from tinygrad_edu.testing import gradcheck

Y_TRUE = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1.0]])
Y_PROB = np.array([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
LOGITS = np.array([[1.5, -0.3, 0.2], [0.1, 0.4, -2.0], [-1.0, 0.5, 3.0]])

KERAS_3 = [
    (losses.LogCosh(), Y_TRUE, LOGITS, 0.5772767066955566),
    (losses.KLDivergence(), Y_TRUE, Y_PROB, 0.4243190586566925),
    (losses.KLDivergence(), Y_PROB[::-1], Y_PROB, 0.8974899649620056),
    (losses.Hinge(), Y_TRUE, LOGITS, 0.9777777791023254),  # 0/1 labels taken as -1/1
    (losses.Hinge(), 2 * Y_TRUE - 1, LOGITS, 0.9777777791023254),
    (losses.CategoricalFocalCrossentropy(), Y_TRUE, Y_PROB, 0.01785944029688835),
    (
        losses.CategoricalFocalCrossentropy(
            alpha=0.5, gamma=1.0, from_logits=True, label_smoothing=0.1
        ),
        Y_TRUE,
        LOGITS,
        0.44422921538352966,
    ),
    (losses.CategoricalCrossentropy(label_smoothing=0.2), Y_TRUE, Y_PROB, 0.6195368766784668),
    (
        losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2),
        Y_TRUE,
        LOGITS,
        1.1879884004592896,
    ),
    (losses.BinaryCrossentropy(label_smoothing=0.2), Y_TRUE, Y_PROB, 0.4040583074092865),
    (
        losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2),
        Y_TRUE,
        LOGITS,
        0.7437971234321594,
    ),
]


@pytest.mark.parametrize("loss, y_true, y_pred, expected", KERAS_3)
def test_values_match_keras_3(loss, y_true, y_pred, expected):
    got = loss(y_true, Tensor(y_pred)).item()
    assert got == pytest.approx(expected, rel=2e-6)


@pytest.mark.parametrize("loss, y_true, y_pred, expected", KERAS_3)
def test_gradients_come_from_the_engine(loss, y_true, y_pred, expected):
    x = Tensor(np.array(y_pred, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda p: loss(y_true, p), [x])


def test_focal_with_alpha_1_gamma_0_is_crossentropy_and_log_cosh_never_overflows():
    focal = losses.categorical_focal_crossentropy(Y_TRUE, Tensor(Y_PROB), alpha=1.0, gamma=0.0)
    plain = losses.categorical_crossentropy(Y_TRUE, Tensor(Y_PROB))
    assert focal.item() == pytest.approx(plain.item())
    big = losses.log_cosh(np.zeros(2), Tensor(np.array([1000.0, -1000.0])))
    assert big.item() == pytest.approx(1000.0 - np.log(2.0))


def test_names_settings_and_errors():
    assert isinstance(losses.get("kl_divergence"), losses.KLDivergence)
    assert isinstance(losses.get("log_cosh"), losses.LogCosh)
    assert isinstance(losses.get("hinge"), losses.Hinge)
    focal = losses.get("categorical_focal_crossentropy")
    assert (focal.alpha, focal.gamma) == (0.25, 2.0)  # Keras's defaults
    again = losses.CategoricalCrossentropy.from_config(
        losses.CategoricalCrossentropy(label_smoothing=0.1).get_config()
    )
    assert again.label_smoothing == 0.1
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        losses.BinaryCrossentropy(label_smoothing=1.5)
    assert keras.losses.KLDivergence is losses.KLDivergence
    model = nn.Sequential([nn.Input((3,)), nn.Dense(3, activation="softmax")])
    model.compile("adam", loss="categorical_focal_crossentropy")
    model.fit(Y_PROB, Y_TRUE, epochs=1, verbose=0)
