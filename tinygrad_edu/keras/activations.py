"""`keras.activations`: activation functions by Keras's names."""

from tinygrad_edu.keras import missing
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

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "activations")
