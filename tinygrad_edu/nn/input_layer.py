"""`Input(shape=...)`: say what a model's inputs look like before any data arrives.

Keras code often starts a model with it:

    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(10)])

In a `Sequential` it gives the model its input shape, so the model is built
(its weights made) straight away, as `input_shape=` on the first layer does;
it is not a layer of the model and adds nothing to `summary()`. Keras's
functional API (`keras.Model(inputs, outputs)`) is not supported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinygrad_edu.nn.layers import Layer


class InputLayer(Layer):
    """The input of a model: a shape without the batch axis, and nothing to compute.

    Called on data it returns the data unchanged.

    Args:
        shape: one sample's shape, without the batch axis, e.g. (784,) or (28, 28, 1).
        batch_size: a fixed batch size, kept for Keras code that passes one; any batch
            size still works.
        dtype: the model's input dtype, float32 by default.
        name: the layer's name.
        batch_shape: instead of shape and batch_size: (batch_size, *shape).

    Raises:
        ValueError: neither shape nor batch_shape given, or a shape that is not
            positive integers.
    """

    def __init__(
        self,
        shape: Sequence[int] | int | None = None,
        batch_size: int | None = None,
        dtype: Any = "float32",
        name: str | None = None,
        batch_shape: Sequence[int | None] | None = None,
    ) -> None:
        if shape is None and batch_shape is None:
            raise ValueError("Input: give shape=(features, ...) (without the batch axis)")
        if shape is None:
            batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
        super().__init__(name, shape, dtype)
        self.batch_size = batch_size
        self.build_if_shape_known()

    def forward(self, x: Any) -> Any:
        """x, unchanged."""
        return x


def Input(  # noqa: N802 (Keras's spelling: it reads like a class in model definitions)
    shape: Sequence[int] | int | None = None,
    batch_size: int | None = None,
    dtype: Any = "float32",
    name: str | None = None,
    batch_shape: Sequence[int | None] | None = None,
) -> InputLayer:
    """Keras's `keras.Input`: the input shape (without the batch axis) of a model.

    Returns an `InputLayer`; as the first entry of a `Sequential` it builds the
    model for inputs of shape (batch, *shape).

    Args:
        shape, batch_size, dtype, name, batch_shape: as for `InputLayer`.

    Raises:
        ValueError: neither shape nor batch_shape given, or a bad shape.
    """
    return InputLayer(shape, batch_size, dtype, name, batch_shape)
