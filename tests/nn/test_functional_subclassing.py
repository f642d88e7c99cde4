"""Keras's functional subclassing: a Model subclass whose __init__ builds a graph and ends
with super().__init__(inputs=inputs, outputs=outputs)."""

from __future__ import annotations

import numpy as np

import tinygrad_edu.keras as keras
from tinygrad_edu import manual_seed
from tinygrad_edu.nn.functional_model import Functional


class TwoLayerClassifier(keras.Model):
    """The keras.io pattern: the graph is built in __init__, the class adds methods."""

    def __init__(self, hidden=8, classes=3, **kwargs):
        inputs = keras.Input(shape=(4,), name="features")
        x = keras.layers.Dense(hidden, activation="relu")(inputs)
        outputs = keras.layers.Dense(classes, activation="softmax")(x)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.hidden, self.classes = hidden, classes  # attributes after super().__init__

    def describe(self):
        return f"{self.hidden} hidden units, {self.classes} classes"


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int64") + (x[:, 1] > 1)


def test_it_trains_predicts_and_keeps_its_methods(tmp_path):
    manual_seed(0)
    model = TwoLayerClassifier(hidden=6, name="classifier")
    assert isinstance(model, TwoLayerClassifier) and isinstance(model, Functional)
    assert type(model).__name__ == "TwoLayerClassifier" and model.name == "classifier"
    assert model.describe() == "6 hidden units, 3 classes"
    assert [layer.name for layer in model.layers] == ["features", "dense", "dense_1"]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = data()
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    predictions = model.predict(x, verbose=0)
    assert predictions.shape == (32, 3)
    # It saves its constructor's arguments and rebuilds itself from them, as in Keras.
    assert model.get_config() == {"hidden": 6, "name": "classifier"}
    model.save(tmp_path / "classifier.zip")
    loaded = keras.models.load_model(
        tmp_path / "classifier.zip", custom_objects={"TwoLayerClassifier": TwoLayerClassifier}
    )
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), predictions)


def test_its_own_call_runs_and_reaches_the_graph_through_super():
    class Doubled(keras.Model):
        def __init__(self):
            inputs = keras.Input((3,))
            super().__init__(inputs, keras.layers.Dense(2)(inputs))  # positionally

        def call(self, inputs):
            return super().call(inputs) * 2.0

    model = Doubled()
    x = np.ones((1, 3), dtype="float32")
    np.testing.assert_allclose(model(x).data, 2.0 * model.layers[-1](x).data, rtol=1e-6)


def test_a_subclass_without_its_own_init_saves_its_graph(tmp_path):
    class Plain(keras.Model):
        pass

    inputs = keras.Input((3,))
    model = Plain(inputs, keras.layers.Dense(2)(inputs), name="plain")
    assert isinstance(model, Plain) and isinstance(model, Functional)
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "plain.zip")
    loaded = keras.models.load_model(tmp_path / "plain.zip", custom_objects={"Plain": Plain})
    assert isinstance(loaded, Plain) and loaded.name == "plain"
    x = np.ones((2, 3), dtype="float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
