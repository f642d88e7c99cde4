"""The Normalization layer: adapt, given statistics and invert, against Keras 3's outputs."""

import numpy as np
import pytest

from tinygrad_edu import keras, nn

DATA = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]])


def test_adapt_then_normalize_as_keras():
    norm = keras.layers.Normalization()
    norm.adapt(DATA)
    np.testing.assert_allclose(norm.mean.data, [[3.0, 6.0]])
    np.testing.assert_allclose(norm.variance.data, [[8 / 3, 32 / 3]], rtol=1e-6)
    out = norm(DATA).data
    np.testing.assert_allclose(out, [[-1.2247448, -1.2247448], [0, 0], [1.2247448, 1.2247448]])
    assert norm.trainable_weights == [] and len(norm.weights) == 2  # never trained
    everything = nn.Normalization(axis=None)
    everything.adapt(DATA)
    np.testing.assert_allclose(everything(DATA).data[0], [-1.1721057, -0.8372183], rtol=1e-6)


def test_given_statistics_and_invert_as_keras():
    np.testing.assert_allclose(
        nn.Normalization(mean=2.0, variance=4.0)(DATA).data, [[-0.5, 0], [0.5, 2], [1.5, 4]]
    )
    np.testing.assert_allclose(
        nn.Normalization(mean=2.0, variance=4.0, invert=True)(DATA).data,
        [[4, 6], [8, 14], [12, 22]],
    )
    with pytest.raises(ValueError, match="both mean and variance"):
        nn.Normalization(mean=1.0)


def test_an_adapted_layer_trains_and_saves_its_statistics(tmp_path):
    norm = nn.Normalization()
    norm.adapt(DATA)
    model = nn.Sequential([nn.Input((2,)), norm, nn.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(DATA, np.ones((3, 1)), verbose=0)
    np.testing.assert_allclose(norm.mean.data, [[3.0, 6.0]])  # training leaves it alone
    model.save(tmp_path / "m.zip")
    loaded = nn.load_model(tmp_path / "m.zip")
    np.testing.assert_allclose(loaded.predict(DATA, verbose=0), model.predict(DATA, verbose=0))
