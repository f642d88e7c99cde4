"""Exercise 8: a Dense layer and Glorot initialization.

Reference solution (for teachers; `exercises new` never copies it).
"""

import math

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.nn import activations
from tinygrad_edu.nn.layers import Layer


def glorot_uniform(shape, dtype="float32"):
    """Uniform on [-limit, limit] with limit = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010).

    Args:
        shape: (fan_in, fan_out) for a Dense kernel; for a convolution kernel
            (kh, kw, in, out) each fan is multiplied by the window's kh * kw.
        dtype: of the result.
    Returns:
        A NumPy array of `shape` and `dtype`, drawn from `tinygrad_edu.random.generator()`.
    """
    receptive_field = math.prod(shape[:-2])
    fan_in, fan_out = shape[-2] * receptive_field, shape[-1] * receptive_field
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return random.generator().uniform(-limit, limit, size=shape).astype(dtype)


class Dense(Layer):
    """activation(x @ kernel + bias): (..., inputs) -> (..., units), as Keras's Dense."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)  # None gives the identity

    def build(self, input_shape):
        self.add_weight("kernel", (input_shape[-1], self.units), glorot_uniform)
        self.add_weight("bias", (self.units,), lambda shape, dtype: np.zeros(shape, dtype))
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def forward(self, x):
        return self.activation(x @ self.kernel + self.bias)
