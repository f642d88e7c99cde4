"""What a newcomer trips on (issue 20): each error names the call, what it got and what to do."""

import numpy as np
import pytest

from tinygrad_edu import nn
from tinygrad_edu.nn import optimizers


def test_sequential_without_a_list_is_refused_and_renames_nothing():
    first, second = nn.Dense(4, name="first"), nn.Dense(2, name="second")
    with pytest.raises(TypeError, match=r"layers go in one list, Sequential\(\[layer_1"):
        nn.Sequential(first, second)
    assert (first.name, second.name) == ("first", "second")
    with pytest.raises(TypeError, match=r"got Sequential\(first, None\)"):
        nn.Sequential(first)
    assert nn.Sequential([first, second]).layers == [first, second]  # the list still works


def test_a_layer_where_a_name_goes_renames_nothing():
    # the kind of fault: Module.__setattr__ registered (and renamed) a module assigned to
    # a property such as `name` before the property refused it
    class Net(nn.Model):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.head = nn.Dense(2)

    layer = nn.Dense(3)  # unnamed: a model names such a child after its attribute
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        Net(name=layer)
    assert layer.name == "dense"
    other = nn.Dense(3)
    with pytest.raises(TypeError, match="name must be a non-empty string"):
        other.name = layer
    assert other.children() == [] and other.name == "dense"  # not adopted as a sub-module
    net = Net()
    with pytest.raises(TypeError, match="trainable must be True or False"):
        net.trainable = layer
    assert layer.name == "dense" and net.children() == [net.head]


def test_an_optimizer_of_an_unbuilt_model_says_to_build_it_first():
    model = nn.Sequential([nn.Dense(4), nn.Dense(2)])
    assert model.parameters() == []
    with pytest.raises(ValueError, match=r"SGD: the list of parameters is empty.*no weights until"):
        optimizers.SGD(model.parameters())
    with pytest.raises(ValueError, match=r"model.build\(\(None, n_features\)\)"):
        optimizers.Adam(model.parameters())
    with pytest.raises(RuntimeError, match=r"SGD.step: no parameters.*If you did: the list"):
        optimizers.SGD().step()
    model.build((None, 3))
    assert len(optimizers.SGD(model.parameters()).params) == 4


def test_fit_runs_on_a_wholly_frozen_model_as_keras_does():
    model = nn.Sequential([nn.Dense(2, input_shape=(4,))])
    model.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    history = model.fit(np.ones((8, 4)), np.ones((8, 2)), epochs=2, verbose=0)
    assert history.history["loss"][0] == history.history["loss"][1]
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert model.optimizer.iterations == 0  # as Keras 3: no step was taken
