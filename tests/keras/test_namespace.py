"""tinygrad_edu.keras: Keras 3's names, each the very object nn or datasets already has."""

import importlib

import numpy as np
import pytest

import tinygrad_edu.keras as keras
from tinygrad_edu import datasets, nn
from tinygrad_edu.keras import layers
from tinygrad_edu.nn.data_adapters import PyDataset


def test_both_import_styles_work():
    from tinygrad_edu.keras import callbacks, optimizers

    assert layers is keras.layers
    assert callbacks.EarlyStopping is nn.callbacks.EarlyStopping
    assert optimizers.Adam is nn.optimizers.Adam
    for name in keras.__all__:
        if name[0].islower():  # every submodule can also be imported by its dotted name
            assert importlib.import_module(f"tinygrad_edu.keras.{name}") is getattr(keras, name)


def test_every_layer_nn_has_is_in_keras_layers():
    """A new layer in nn must be added to tinygrad_edu/keras/layers.py too."""
    for name in nn.__all__:
        value = getattr(nn, name)
        if isinstance(value, type) and issubclass(value, nn.Layer):
            assert getattr(layers, name) is value, f"keras.layers lacks {name}"


def test_names_are_reexports_not_copies():
    assert keras.Sequential is nn.Sequential and keras.Model is nn.Model
    assert keras.layers.Dense is nn.Dense
    assert keras.losses.SparseCategoricalCrossentropy is nn.losses.SparseCategoricalCrossentropy
    assert keras.metrics.sparse_categorical_accuracy is nn.metrics.sparse_categorical_accuracy
    assert keras.initializers.HeNormal is nn.initializers.HeNormal
    assert keras.activations.relu is nn.activations.relu
    assert keras.optimizers.schedules.ExponentialDecay is nn.schedules.ExponentialDecay
    assert keras.datasets.mnist is datasets.mnist
    assert keras.datasets.fashion_mnist is datasets.fashion_mnist
    assert keras.utils.to_categorical is datasets.to_categorical
    assert keras.utils.PyDataset is PyDataset and keras.utils.Sequence is PyDataset
    assert keras.models.load_model is nn.models.load_model
    assert keras.saving.load_model is nn.models.load_model


def test_input_as_the_first_entry_of_a_sequential_builds_it():
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(10, activation="softmax")])
    assert model.built and model.count_params() == 7850
    assert [type(layer) for layer in model.layers] == [nn.Dense]  # Input is not a layer
    lines = []
    model.summary(print_fn=lines.append)
    assert "(None, 10)" in "\n".join(lines)
    with pytest.raises(ValueError, match="an Input can only come first"):
        model.add(keras.Input(shape=(10,)))


def test_input_takes_batch_shape_and_needs_a_shape():
    model = keras.Sequential([keras.Input(batch_shape=(None, 3)), layers.Dense(2)])
    assert model.predict(np.ones((4, 3), np.float32), verbose=0).shape == (4, 2)
    with pytest.raises(ValueError, match="give shape="):
        keras.Input()


def test_set_random_seed_makes_weights_reproducible():
    keras.utils.set_random_seed(3)
    first = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)]).get_weights()
    keras.utils.set_random_seed(3)
    second = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)]).get_weights()
    np.testing.assert_array_equal(first[0], second[0])


def test_utils_plot_model_draws_through_viz(tmp_path, requires_dot):
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2, name="out")])
    graph = keras.utils.plot_model(model, to_file=str(tmp_path / "model.svg"), dpi=96)
    assert "out" in graph.source and (tmp_path / "model.svg").is_file()


def test_the_functional_api_replaced_its_old_refusal() -> None:
    """Layers called on keras.Input record a graph; keras.Model(inputs, outputs) runs it."""
    inputs = keras.Input(shape=(784,))
    outputs = keras.layers.Dense(10)(inputs)
    assert outputs.shape == (None, 10) and outputs.dtype == "float32"
    model = keras.Model(inputs=inputs, outputs=outputs)
    assert isinstance(model, nn.Functional) and model.output_shape == (None, 10)
    assert keras.Model(inputs, outputs).predict(np.ones((2, 784)), verbose=0).shape == (2, 10)
    assert keras.Sequential([keras.layers.Dense(4)])(inputs).shape == (None, 4)


def test_a_subclassed_model_still_takes_its_own_arguments() -> None:
    class Scaled(keras.Model):
        def __init__(self, units, factor=2.0, name=None):
            super().__init__(name=name)
            self.dense = keras.layers.Dense(units)
            self.factor = factor

        def call(self, x):
            return self.dense(x) * self.factor

    model = Scaled(3, 0.5, name="scaled")
    assert model(np.ones((2, 4), dtype=np.float32)).shape == (2, 3)
    assert model.name == "scaled"


def test_keras_layers_is_nn_exports_without_models_so_there_is_one_list():
    # keras/layers.py re-exports nn.__all__ (minus models and submodules): a new nn layer
    # needs no second edit.
    from_nn = {name for name in nn.__all__ if name in layers.__all__}
    assert from_nn == set(nn.__all__) - layers.NOT_LAYERS - {
        name for name in nn.__all__ if name[0].islower() and name != "load_model"
    }
    assert layers.TextVectorization is nn.TextVectorization and layers.Input is nn.Input
    for name in layers.NOT_LAYERS:
        assert not hasattr(layers, name), name
    assert not hasattr(layers, "losses")
