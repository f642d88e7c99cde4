"""nn: layers, losses, optimizers and models in Keras's style, on the autograd engine.

    from tinygrad_edu import nn
    model = nn.Sequential([nn.Dense(512, activation="relu", input_shape=(784,)),
                           nn.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5, batch_size=128)

Or by hand, PyTorch style: `optimizer = nn.optimizers.RMSprop(model.parameters())`,
then `optimizer.zero_grad(); loss.backward(); optimizer.step()` for each batch.
"""

from tinygrad_edu.nn import (
    activations,
    callbacks,
    data_adapters,
    initializers,
    losses,
    metrics,
    optimizers,
    saving,
    schedules,
)
from tinygrad_edu.nn.attention import MultiHeadAttention
from tinygrad_edu.nn.convolutional import Conv2D
from tinygrad_edu.nn.embedding import Embedding
from tinygrad_edu.nn.input_layer import Input, InputLayer
from tinygrad_edu.nn.layer_normalization import LayerNormalization
from tinygrad_edu.nn.layers import Activation, Dense, Dropout, Flatten, Layer
from tinygrad_edu.nn.models import Model, Sequential, load_model
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.normalization import BatchNormalization
from tinygrad_edu.nn.pooling import AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D
from tinygrad_edu.nn.recurrent import GRU, LSTM, SimpleRNN
from tinygrad_edu.nn.reshaping import Reshape
from tinygrad_edu.nn.wrappers import Bidirectional, TimeDistributed

__all__ = [
    "Module",
    "Layer",
    "Dense",
    "Flatten",
    "Dropout",
    "Activation",
    "Input",
    "InputLayer",
    "Conv2D",
    "MaxPooling2D",
    "AveragePooling2D",
    "GlobalAveragePooling2D",
    "Reshape",
    "BatchNormalization",
    "Embedding",
    "SimpleRNN",
    "LSTM",
    "GRU",
    "Bidirectional",
    "TimeDistributed",
    "LayerNormalization",
    "MultiHeadAttention",
    "Model",
    "Sequential",
    "load_model",
    "activations",
    "callbacks",
    "data_adapters",
    "initializers",
    "losses",
    "metrics",
    "optimizers",
    "saving",
    "schedules",
]
