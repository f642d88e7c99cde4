"""`keras.activations`: activation functions by Keras's names."""

from tinygrad_edu.nn.activations import (
    elu,
    gelu,
    get,
    leaky_relu,
    linear,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)

__all__ = [
    "elu",
    "gelu",
    "get",
    "leaky_relu",
    "linear",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
]
