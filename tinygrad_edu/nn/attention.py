"""MultiHeadAttention: each position gathers information from the positions it attends to.

For every head, the query sequence and the value (and key) sequence are projected
by learned kernels, then each query position takes a softmax-weighted average of
the projected values, weighted by how well its query matches each key:

    weights = softmax(q @ k^T / sqrt(key_dim))   (masked positions get weight 0)
    head    = weights @ v

The heads are joined and projected back to the query's width by an output kernel.
With `attention_axes`, inputs may have more axes, (batch, d1, ..., dn, features):
attention runs over the axes named (jointly: the softmax spans all of them), and
every other axis is treated like the batch, as in Keras.
Source: Vaswani et al., "Attention Is All You Need" (2017), section 3.2. The weights
have Keras 3's layout: query/key/value kernels (features, num_heads, key_dim) with
biases (num_heads, key_dim), and an output kernel (num_heads, value_dim, features).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.functional import linear, softmax
from tinygrad_edu.nn import initializers
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.nn.module import training_mode
from tinygrad_edu.tensor import Tensor, where

#: What a masked score is replaced by before the softmax (Keras's choice: its exp is 0).
#: The masked weights are then set to exactly 0, so a query row with every position
#: masked attends to nothing (its heads give zeros) instead of giving NaN, as in Keras 3.
MASKED_SCORE = -1e9


class MultiHeadAttention(Layer):
    """Multi-head (scaled dot-product) attention with Keras 3's arguments and weights.

    Call it as `layer(query, value, key=None, attention_mask=None, use_causal_mask=False,
    return_attention_scores=False)`; self-attention is `layer(x, x)`.

    Args:
        num_heads: how many attention heads.
        key_dim: the size of each head's query and key.
        value_dim: the size of each head's value (key_dim if None).
        dropout: the fraction of attention weights dropped in training.
        use_bias: learn biases for the four projections.
        output_shape: the size of the output's last axis (the query's if None).
        attention_axes: the axes attention runs over (an int or a list); None: every
            axis between the batch and the features (for (batch, steps, features), the
            steps). Other axes between them act as more batch axes.
        kernel_initializer, bias_initializer: "glorot_uniform" and "zeros".
        input_shape, name, dtype: as for `Layer` (input_shape builds for self-attention).

    Raises:
        ValueError: bad sizes; inputs or masks of shapes that do not fit.
    """

    supports_masking = True

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: int | None = None,
        attention_axes: int | Sequence[int] | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        sizes = (("num_heads", num_heads), ("key_dim", key_dim), ("value_dim", value_dim))
        for what, size in sizes:
            if size is None and what == "value_dim":
                continue
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size <= 0:
                raise ValueError(
                    f"MultiHeadAttention: {what} must be a positive integer, got {size!r}"
                )
        valid = isinstance(dropout, numbers.Real) and not isinstance(dropout, bool)
        if not valid or not 0 <= dropout < 1:
            raise ValueError(f"MultiHeadAttention: dropout must be in [0, 1), got {dropout!r}")
        super().__init__(name, None, dtype)
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = self.key_dim if value_dim is None else int(value_dim)
        self.dropout = float(dropout)
        self.use_bias = use_bias
        self.output_size = output_shape
        if isinstance(attention_axes, (int, np.integer)) and not isinstance(attention_axes, bool):
            attention_axes = (attention_axes,)
        if attention_axes is not None and not all(
            isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in attention_axes
        ):
            raise ValueError(
                f"MultiHeadAttention: attention_axes must be an int, a list of ints or None, got "
                f"{attention_axes!r}"
            )
        self.attention_axes = None if attention_axes is None else tuple(map(int, attention_axes))
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        if input_shape is not None:
            shape = (None, *((input_shape,) if isinstance(input_shape, int) else input_shape))
            self.build(shape)

    def build(
        self, query_shape: Shape, value_shape: Shape | None = None, key_shape: Shape | None = None
    ) -> None:
        """Create the query, key, value and output projections (Keras's order and shapes)."""
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        heads = self.num_heads
        projections = (
            ("query", query_shape[-1], self.key_dim),
            ("key", key_shape[-1], self.key_dim),
            ("value", value_shape[-1], self.value_dim),
        )
        for what, features, size in projections:
            self.add_weight(f"{what}_kernel", (features, heads, size), self.kernel_initializer)
            if self.use_bias:
                self.add_weight(f"{what}_bias", (heads, size), self.bias_initializer)
        width = query_shape[-1] if self.output_size is None else self.output_size
        self.add_weight("output_kernel", (heads, self.value_dim, width), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("output_bias", (width,), self.bias_initializer)
        super().build(query_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The query's shape with the last axis `output_shape` (the query's own if None)."""
        width = input_shape[-1] if self.output_size is None else self.output_size
        return (*input_shape[:-1], width)

    def __call__(
        self,
        query: Any,
        value: Any = None,
        key: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
        use_causal_mask: bool = False,
        query_mask: Any = None,
        value_mask: Any = None,
    ) -> Any:
        """Attend from `query` (batch, T, features) to `value` (batch, S, features).

        Args:
            query, value: the two sequences (the same one for self-attention). Keras
                needs value; here None means self-attention (value = query), so the
                layer also fits in a Sequential model.
            key: the keys (value if None).
            attention_mask: (batch, T, S) booleans, True where query position t may
                attend to key position s (or 1/0).
            return_attention_scores: also return the weights (batch, heads, T, S).
            training: apply dropout to the weights (the layer's mode if None).
            use_causal_mask: position t attends only to positions 0..t.
            query_mask, value_mask: (batch, T) and (batch, S) booleans, True for real
                steps (padding masks, combined with the others as Keras does).

        Returns:
            (batch, T, output features), and the weights with return_attention_scores.

        Raises:
            ValueError: sequences or masks whose shapes do not fit.
        """
        if training is not None and bool(training) != self.training:
            with training_mode(self, bool(training)):  # this call only, as Layer.__call__ does
                return self(
                    query, value, key, attention_mask, return_attention_scores, None,
                    use_causal_mask, query_mask, value_mask,
                )  # fmt: skip
        query = self._as_tensor(query)
        value = query if value is None else self._as_tensor(value)
        key = value if key is None else self._as_tensor(key)
        for what, sequence in (("query", query), ("value", value), ("key", key)):
            if sequence.ndim != query.ndim or sequence.ndim < 3:
                raise ValueError(
                    f"MultiHeadAttention {self.name!r}: expected {what} of shape (batch, steps, "
                    f"features) (or with more axes, the same number as the query's), got "
                    f"{sequence.shape} (query {query.shape})"
                )
        self._attended_axes(query.ndim)  # checks attention_axes against the inputs
        if not self.built:
            self.build((None, *query.shape[1:]), (None, *value.shape[1:]), (None, *key.shape[1:]))
        mask = self._combined_mask(
            query, value, attention_mask, use_causal_mask, query_mask, value_mask
        )
        return super().__call__(
            query, value=value, key=key, mask=mask,
            return_attention_scores=return_attention_scores,
        )  # fmt: skip

    def _as_tensor(self, sequence: Any) -> Tensor:
        if not isinstance(sequence, Tensor):
            return Tensor(np.asarray(sequence), dtype=self.dtype)
        return sequence.astype(self.dtype) if sequence.dtype != self.dtype else sequence

    def _attended_axes(self, rank: int) -> tuple[list[int], list[int]]:
        """(the other axes, the attention axes) among 1..rank-2, for inputs of `rank` axes.

        Raises:
            ValueError: an attention axis that is the batch or features axis, or repeated.
        """
        inner = list(range(1, rank - 1))
        if self.attention_axes is None:
            return [], inner
        axes = [a % rank for a in self.attention_axes]
        if any(a not in inner for a in axes) or len(set(axes)) != len(axes):
            raise ValueError(
                f"MultiHeadAttention {self.name!r}: attention_axes {self.attention_axes} must "
                f"name different axes between the batch and the features (1..{rank - 2}) of "
                f"inputs with {rank} axes"
            )
        axes = sorted(axes)
        return [a for a in inner if a not in axes], axes

    def _combined_mask(
        self, query: Tensor, value: Tensor, attention_mask: Any, causal: bool,
        query_mask: Any, value_mask: Any,
    ) -> np.ndarray | None:  # fmt: skip
        """One boolean mask from all the kinds, (batch, T, S) for sequences, or None when
        nothing is masked; with more axes (batch, *other axes, *query's attention axes,
        *value's attention axes), Keras's layout of attention_mask."""
        if query.ndim > 3 or self.attention_axes not in (None, (1,), (-2,)):
            if causal or query_mask is not None or value_mask is not None:
                raise ValueError(
                    f"MultiHeadAttention {self.name!r}: use_causal_mask and padding masks need "
                    "sequences (batch, steps, features) attended over their steps; give an "
                    "attention_mask instead"
                )
            if attention_mask is None:
                return None
            others, axes = self._attended_axes(query.ndim)
            shape = (
                query.shape[0], *(query.shape[a] for a in others),
                *(query.shape[a] for a in axes), *(value.shape[a] for a in axes),
            )  # fmt: skip
            try:
                return np.broadcast_to(_array(attention_mask).astype(bool), shape)
            except ValueError:
                raise ValueError(
                    f"MultiHeadAttention {self.name!r}: attention_mask of shape "
                    f"{_array(attention_mask).shape} does not fit {shape} (batch, other axes, "
                    "query's attention axes, value's attention axes)"
                ) from None
        batch, length, source = query.shape[0], query.shape[1], value.shape[1]
        parts = []
        if query_mask is not None:
            parts.append(_array(query_mask).astype(bool)[:, :, None])
        if value_mask is not None:
            parts.append(_array(value_mask).astype(bool)[:, None, :])
        if causal:
            parts.append(np.tril(np.ones((1, length, source), dtype=bool)))
        if attention_mask is not None:
            parts.append(_array(attention_mask).astype(bool))
        if not parts:
            return None
        try:
            return np.broadcast_to(
                np.logical_and.reduce(np.broadcast_arrays(*parts)), (batch, length, source)
            )
        except ValueError:
            raise ValueError(
                f"MultiHeadAttention {self.name!r}: masks of shapes {[p.shape for p in parts]} "
                f"do not fit (batch, T, S) = {(batch, length, source)}"
            ) from None

    def _project(self, sequence: Tensor, what: str, size: int) -> Tensor:
        """(batch, steps, features) -> (batch, heads, steps, size) through one kernel.

        With more axes, (batch, *axes, features) -> (batch * other axes, heads, attended
        positions, size): the other axes join the batch, the attention axes are flattened.
        """
        kernel = getattr(self, f"{what}_kernel")
        features = kernel.shape[0]
        if sequence.shape[-1] != features:
            raise ValueError(
                f"MultiHeadAttention {self.name!r}: the {what} projection expects {features} "
                f"features, got a sequence of shape {sequence.shape}"
            )
        bias = getattr(self, f"{what}_bias").reshape(-1) if self.use_bias else None
        projected = linear(sequence, kernel.reshape(features, -1), bias)
        rank = sequence.ndim
        others, axes = self._attended_axes(rank)
        projected = projected.reshape(*sequence.shape[:-1], self.num_heads, size)
        # (batch, *others, heads, *attention axes, size), then the groups flattened
        order = (0, *others, rank - 1, *axes, rank)
        grouped = projected.transpose(*order) if order != tuple(range(rank + 1)) else projected
        positions = int(np.prod([sequence.shape[a] for a in axes]))
        return grouped.reshape(-1, self.num_heads, positions, size)

    def forward(
        self,
        query: Tensor,
        value: Tensor,
        key: Tensor,
        mask: np.ndarray | None = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
    ) -> Any:
        """The attention itself, on Tensors, with the mask already combined (see __call__)."""
        q = self._project(query, "query", self.key_dim) * (1.0 / np.sqrt(self.key_dim))
        k = self._project(key, "key", self.key_dim)
        v = self._project(value, "value", self.value_dim)
        scores = q @ k.transpose(0, 1, 3, 2)  # (batch, heads, T, S)
        if mask is not None:  # as (batch, 1, T, S), the attention axes flattened
            mask = mask.reshape(scores.shape[0], 1, scores.shape[2], scores.shape[3])
            scores = where(mask, scores, MASKED_SCORE)
        weights = softmax(scores, axis=-1)
        if mask is not None:
            weights = where(mask, weights, 0.0)
        attended = weights
        if training and self.dropout > 0.0:
            kept = random.generator().random(weights.shape) >= self.dropout
            attended = weights * (kept / (1.0 - self.dropout)).astype(self.dtype)
        heads = attended @ v  # (batch, heads, T, value_dim)
        rank = query.ndim
        others, axes = self._attended_axes(rank)
        # Back to (batch, *axes, heads, value_dim): undo _project's grouping.
        grouped = (
            query.shape[0], *(query.shape[a] for a in others), self.num_heads,
            *(query.shape[a] for a in axes), self.value_dim,
        )  # fmt: skip
        order = (0, *others, rank - 1, *axes, rank)
        heads = heads.reshape(*grouped).transpose(*np.argsort(order))
        joined = heads.reshape(*query.shape[:-1], -1)
        kernel = self.output_kernel.reshape(self.num_heads * self.value_dim, -1)
        output = linear(joined, kernel, self.output_bias if self.use_bias else None)
        if not return_attention_scores:
            return output
        # Keras's layout: (batch, *other axes, heads, *query's and *key's attention axes)
        scores_shape = (
            *grouped[:-1], *(key.shape[a] for a in axes)
        )  # fmt: skip
        return output, weights.reshape(*scores_shape)

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"num_heads={self.num_heads}, key_dim={self.key_dim}"


def _array(mask: Any) -> np.ndarray:
    return np.asarray(mask.data if isinstance(mask, Tensor) else mask)
