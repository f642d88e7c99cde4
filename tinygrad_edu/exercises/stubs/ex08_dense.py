"""Exercise 8: a Dense layer and Glorot initialization.

A Dense layer computes activation(x @ kernel + bias), with a kernel of shape
(inputs, units) (Keras stores it that way round) and a bias of shape (units,).
Like Keras's, it creates its weights only when it sees its first input
(`build(input_shape)`), because only then is the number of inputs known.

Initialization matters. Start a kernel too large and activations explode
layer after layer; too small and they vanish. Glorot and Bengio (2010) keep
the variance of activations (forward) and gradients (backward) the same from
layer to layer with Var(w) = 2 / (fan_in + fan_out); a uniform distribution
on [-limit, limit] has variance limit^2 / 3, so limit = sqrt(6 / (fan_in +
fan_out)). Keras uses this ("glorot_uniform") for every kernel; biases start
at zero. Draw from `tinygrad_edu.random.generator()`, so that
`tinygrad_edu.manual_seed(0)` makes a model repeatable.

`self.add_weight(name, shape, initializer)` creates a trainable Tensor,
stores it as `self.<name>` and registers it, so `model.parameters()` and the
optimizer find it; `initializer(shape, dtype)` gives its first values.

Your Dense can go into a real `Sequential` and be trained with `fit`: the
grader does that.

Grade it: tinygrad-edu exercises grade . dense
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
    # TODO: the fans (math.prod(shape[:-2]) is kh * kw, 1 for a Dense kernel), the
    # limit, then random.generator().uniform(-limit, limit, size=shape) in `dtype`.
    raise NotImplementedError("exercise 8: write glorot_uniform")


class Dense(Layer):
    """activation(x @ kernel + bias): (..., inputs) -> (..., units), as Keras's Dense."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)  # None gives the identity

    def build(self, input_shape):
        # TODO: add_weight "kernel" (inputs, units) with glorot_uniform and "bias"
        # (units,) with zeros (an initializer is any function (shape, dtype) -> array).
        raise NotImplementedError("exercise 8: write Dense.build")
        super().build(input_shape)  # records the shapes; keep it last

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def forward(self, x):
        # TODO: activation(x @ kernel + bias).
        raise NotImplementedError("exercise 8: write Dense.forward")
