"""Keras 3's names over tinygrad_edu, so course code runs with one import changed.

    import tinygrad_edu.keras as keras        # instead of: import keras
    from tinygrad_edu.keras import layers     # instead of: from keras import layers

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(10, activation="softmax")])

Nothing here is a second implementation: every name is the object that
`tinygrad_edu.nn` or `tinygrad_edu.datasets` already has, under the name and
in the place Keras gives it. The documentation page "Coming from Keras"
(docs/coming-from-keras.md) lists what is supported and what differs.
"""

from tinygrad_edu.keras import (
    activations,
    backend,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    missing,
    models,
    ops,
    optimizers,
    regularizers,
    saving,
    utils,
)
from tinygrad_edu.nn.initializers import Initializer
from tinygrad_edu.nn.input_layer import Input
from tinygrad_edu.nn.layers import Layer
from tinygrad_edu.nn.losses import Loss
from tinygrad_edu.nn.metrics import Metric
from tinygrad_edu.nn.models import Model
from tinygrad_edu.nn.optimizers import Optimizer
from tinygrad_edu.nn.regularizers import Regularizer
from tinygrad_edu.nn.sequential import Sequential
from tinygrad_edu.nn.symbolic import KerasTensor

__all__ = [
    "Initializer",
    "Input",
    "KerasTensor",
    "Layer",
    "Loss",
    "Metric",
    "Optimizer",
    "Regularizer",
    "Model",
    "Sequential",
    "activations",
    "backend",
    "callbacks",
    "datasets",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "regularizers",
    "saving",
    "utils",
]

# A Keras name we lack raises an error that says so (keras/missing.py); so does
# `import tinygrad_edu.keras.<a Keras module we lack>`.
__getattr__ = missing.module_getattr(__name__, "")
missing.install_import_hook()
