"""data_format="channels_first" (Keras's NCHW) for Conv1D, Conv2D and the pooling layers: the
same numbers as channels_last on the transposed input, transposed back."""

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.testing import gradcheck

RNG = np.random.default_rng(0)
IMAGES = RNG.standard_normal((2, 6, 5, 3))  # channels last
SEQUENCES = RNG.standard_normal((2, 7, 3))


def first(x):  # channels last -> channels first
    return np.moveaxis(x, -1, 1)


LAYERS = [
    (nn.Conv2D, dict(filters=4, kernel_size=(3, 2), strides=(2, 1), padding="same"), IMAGES),
    (nn.Conv2D, dict(filters=4, kernel_size=3, dilation_rate=2, groups=1), IMAGES),
    (nn.Conv1D, dict(filters=2, kernel_size=3, padding="causal"), SEQUENCES),
    (nn.MaxPooling2D, dict(pool_size=2, padding="same"), IMAGES),
    (nn.AveragePooling2D, dict(pool_size=(2, 3), strides=1), IMAGES),
    (nn.MaxPooling1D, dict(pool_size=3, strides=2), SEQUENCES),
    (nn.AveragePooling1D, dict(pool_size=2, padding="same"), SEQUENCES),
    (nn.GlobalAveragePooling2D, dict(keepdims=True), IMAGES),
    (nn.GlobalMaxPooling2D, dict(), IMAGES),
    (nn.GlobalAveragePooling1D, dict(keepdims=True), SEQUENCES),
    (nn.GlobalMaxPooling1D, dict(), SEQUENCES),
]


@pytest.mark.parametrize("cls, arguments, x", LAYERS, ids=lambda v: getattr(v, "__name__", ""))
def test_channels_first_is_channels_last_transposed(cls, arguments, x):
    last = cls(**arguments, dtype="float64")
    given_first = cls(**arguments, data_format="channels_first", dtype="float64")
    expected = last(Tensor(x)).data
    given_first.build((None, *first(x).shape[1:]))
    if last.weights:
        given_first.set_weights(last.get_weights())  # the same kernel layout as Keras
    got = given_first(Tensor(first(x))).data
    wanted = first(expected) if expected.ndim > 2 else expected
    np.testing.assert_allclose(got, wanted, rtol=1e-12)
    shape = given_first.compute_output_shape((None, *first(x).shape[1:]))
    assert shape == (None, *wanted.shape[1:])


def test_a_channels_first_convnet_builds_trains_and_saves(tmp_path):
    model = nn.Sequential(
        [
            nn.Conv2D(3, 3, padding="same", data_format="channels_first", input_shape=(2, 6, 6)),
            nn.MaxPooling2D(2, data_format="channels_first"),
            nn.GlobalAveragePooling2D(data_format="channels_first"),
            nn.Dense(1),
        ]
    )
    assert model.layers[1].output_shape == (None, 3, 3, 3)
    x = RNG.standard_normal((4, 2, 6, 6)).astype(np.float32)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((4, 1), np.float32), epochs=1, verbose=0)
    model.save(tmp_path / "first.keras")
    again = nn.load_model(tmp_path / "first.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_channels_first_conv_gradients_come_from_the_engine():
    conv = nn.Conv2D(2, 2, data_format="channels_first", dtype="float64", input_shape=(3, 4, 4))
    assert gradcheck(lambda x: conv(x).sum() * 1.0, [RNG.standard_normal((1, 3, 4, 4))])


def test_masked_global_average_pooling_1d_channels_first():
    x = first(SEQUENCES)
    mask = np.array([[True] * 4 + [False] * 3, [True] * 7])
    got = nn.GlobalAveragePooling1D(data_format="channels_first")(Tensor(x), mask=mask).data
    want = nn.GlobalAveragePooling1D()(Tensor(SEQUENCES), mask=mask).data
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_channels_first_shape_errors_say_channels_first():
    with pytest.raises(
        ValueError, match=r"expects inputs of shape \(batch, channels, height, width"
    ):
        nn.MaxPooling2D(data_format="channels_first")(Tensor(np.zeros((2, 3, 4))))
    conv = nn.Conv2D(2, 3, data_format="channels_first", input_shape=(3, 5, 5))
    with pytest.raises(ValueError, match=r"\(batch, 3, height, width\)"):
        conv(Tensor(np.zeros((1, 5, 5, 3), np.float32)))
