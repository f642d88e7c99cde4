"""Embedding: turn integer token ids into learned vectors, one row of a table per id.

    layer = Embedding(input_dim=1000, output_dim=16)   # 1000 ids, 16 numbers each
    layer(np.array([[4, 20, 7]])).shape                 # (1, 3, 16)

Looking up row `i` is indexing, `embeddings[ids]`: the engine's GetItem, whose
backward adds each position's gradient into the row it came from (an id used
twice gets both gradients). With `mask_zero=True`, id 0 means "padding": the
layer's mask marks those positions so recurrent layers after it skip them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.nn import initializers
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor


class Embedding(Layer):
    """A table of `input_dim` vectors of `output_dim` numbers, looked up by integer id.

    Input: integers (any shape, e.g. (batch, steps)); floats holding whole numbers are
    accepted too (`fit` hands the model float arrays) and read as ids. Output: the
    input's shape plus (output_dim,), in the layer's dtype. Keras 3's arguments and
    defaults; the weight `embeddings` has shape (input_dim, output_dim).

    Args:
        input_dim: how many ids there are (the largest id + 1).
        output_dim: the length of each vector.
        embeddings_initializer: Keras's "uniform" (U(-0.05, 0.05)) by default.
        mask_zero: id 0 is padding: `compute_mask` gives `ids != 0` for the layers after.
        embeddings_regularizer, activity_regularizer: penalties on the table and on the
            output (`nn.regularizers`), as Keras's.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: non-positive sizes, or ids that are negative, not whole or >= input_dim.
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        mask_zero: bool = False,
        embeddings_regularizer: Any = None,
        activity_regularizer: Any = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        for what, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"Embedding: {what} must be a positive integer, got {value!r}")
        super().__init__(name, input_shape, dtype)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.set_regularizers(activity=activity_regularizer, embeddings=embeddings_regularizer)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create `embeddings` (input_dim, output_dim)."""
        shape = (self.input_dim, self.output_dim)
        self.add_weight("embeddings", shape, self.embeddings_initializer)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """input_shape + (output_dim,)."""
        return (*input_shape, self.output_dim)

    def __call__(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Tensor:
        """Look up `inputs` (ids); integer arrays are not cast to floats first."""
        if not isinstance(inputs, Tensor):
            inputs = Tensor(np.asarray(inputs))
        return super().__call__(inputs, training=training, **kwargs)

    def token_ids(self, inputs: Tensor) -> np.ndarray:
        """The ids in `inputs` as an int64 array, checked to lie in [0, input_dim).

        Raises:
            ValueError: an id that is not a whole number, negative, or too large.
        """
        values = inputs.data
        ids = values.astype(np.int64)
        if values.dtype.kind == "f" and not np.array_equal(ids, values):
            raise ValueError(f"Embedding {self.name!r}: ids must be whole numbers, got {values}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            raise ValueError(
                f"Embedding {self.name!r}: ids must lie in [0, input_dim={self.input_dim}), got "
                f"values from {ids.min()} to {ids.max()}"
            )
        return ids

    def forward(self, inputs: Tensor) -> Tensor:
        """The rows of `embeddings` for each id: shape inputs.shape + (output_dim,)."""
        return self.embeddings[self.token_ids(inputs)]

    def compute_mask(self, inputs: Tensor, mask: np.ndarray | None = None) -> np.ndarray | None:
        """`ids != 0` with mask_zero (True for real tokens), else None."""
        if not self.mask_zero:
            return None
        values = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        return values != 0

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"input_dim={self.input_dim}, output_dim={self.output_dim}"
