"""`Input(shape=...)`: the start of a model, before any data arrives.

    inputs = keras.Input(shape=(784,))                   # a KerasTensor, shape (None, 784)
    outputs = layers.Dense(10)(inputs)
    model = keras.Model(inputs, outputs)                 # the functional API

`keras.Input` returns a symbolic tensor (`nn.symbolic.KerasTensor`) made by an
`InputLayer`. Layers called on it record a graph, which `keras.Model(inputs,
outputs)` turns into a model (functional_model.py). As the first entry of a
`Sequential` it gives the model its input shape instead, so the model is built
(its weights made) straight away, as `input_shape=` on the first layer does;
there it adds nothing to `summary()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.nn.layers import Layer
from tinygrad_edu.nn.symbolic import KerasTensor, Node


def _input_shape(shape: Any) -> tuple[int | None, ...]:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if not all(
        size is None
        or (isinstance(size, (int, np.integer)) and not isinstance(size, bool))
        and size > 0
        for size in shape
    ):
        raise ValueError(
            "Input: shape must be positive integers (or None for a size that may vary) without "
            f"the batch axis, e.g. (784,) or (None, 8); got {shape}"
        )
    return tuple(None if size is None else int(size) for size in shape)


class InputLayer(Layer):
    """The input of a model: a shape without the batch axis, and nothing to compute.

    Called on data it returns the data unchanged. `output` is the KerasTensor that
    stands for its data in a functional model.

    Args:
        shape: one sample's shape, without the batch axis, e.g. (784,) or (28, 28, 1);
            None for an axis whose size may vary, e.g. (None,) for sequences.
        batch_size: a fixed batch size, kept for Keras code that passes one; any batch
            size still works.
        dtype: the model's input dtype, float32 by default ("int32" for word indices).
        name: the layer's name (and the input's, for dict inputs); "input_layer" by default.
        batch_shape: instead of shape and batch_size: (batch_size, *shape).

    Raises:
        ValueError: neither shape nor batch_shape given, or a shape that is not
            positive integers or None.
    """

    def __init__(
        self,
        shape: Sequence[int | None] | int | None = None,
        batch_size: int | None = None,
        dtype: Any = "float32",
        name: str | None = None,
        batch_shape: Sequence[int | None] | None = None,
    ) -> None:
        if shape is None and batch_shape is None:
            raise ValueError("Input: give shape=(features, ...) (without the batch axis)")
        if shape is None:
            batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
        shape = _input_shape(shape)
        super().__init__(name, None, dtype)
        self.batch_size = batch_size
        self.input_shape = (None, *shape)
        self.build(self.input_shape)
        # The node with no inputs that makes the symbolic tensor (Keras's `layer.output`).
        node = Node(self, (), {})
        tensor = KerasTensor(self.input_shape, self.dtype, name=self.name, node=node)
        node.outputs, node.output_tensors = tensor, [tensor]
        self.__dict__["_inbound_nodes"] = [node]

    def forward(self, x: Any) -> Any:
        """x, unchanged."""
        return x


def Input(  # noqa: N802 (Keras's spelling: it reads like a class in model definitions)
    shape: Sequence[int | None] | int | None = None,
    batch_size: int | None = None,
    dtype: Any = "float32",
    name: str | None = None,
    batch_shape: Sequence[int | None] | None = None,
) -> KerasTensor:
    """Keras's `keras.Input`: a symbolic tensor of shape (None, *shape) to build a model from.

    Args:
        shape, batch_size, dtype, name, batch_shape: as for `InputLayer`.

    Returns:
        The InputLayer's `output`, a KerasTensor with `.shape` (None first) and `.dtype`.

    Raises:
        ValueError: neither shape nor batch_shape given, or a bad shape.
    """
    return InputLayer(shape, batch_size, dtype, name, batch_shape).output
