"""Reshape: give each sample a new shape, keeping the batch axis (Keras's Reshape layer)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor


class Reshape(Layer):
    """(batch, *anything) -> (batch, *target_shape); one entry of target_shape may be -1.

    `Reshape((28, 28, 1))` turns rows of 784 pixels into one-channel images for Conv2D.
    No weights; the values keep their order (C order, as NumPy's reshape).

    Args:
        target_shape: the new shape of one sample, without the batch axis.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: if target_shape is not positive ints (and at most one -1), or a
            sample does not have as many values as target_shape holds.
    """

    def __init__(
        self,
        target_shape: Sequence[int],
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        target = tuple(target_shape) if isinstance(target_shape, Sequence) else (target_shape,)
        valid = all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and (s > 0 or s == -1)
            for s in target
        )
        if not valid or list(target).count(-1) > 1:
            raise ValueError(
                "Reshape: target_shape must be positive integers without the batch axis, with at "
                f"most one -1 for 'whatever is left', e.g. (28, 28, 1); got {target_shape!r}"
            )
        super().__init__(name, input_shape, dtype)
        self.target_shape = tuple(int(s) for s in target)
        self.build_if_shape_known()

    def _resolve(self, sample_shape: Sequence[int | None]) -> tuple[int | None, ...]:
        """target_shape with its -1 worked out for samples of `sample_shape` (checked)."""
        if any(size is None for size in sample_shape):
            return tuple(None if s == -1 else s for s in self.target_shape)
        values = math.prod(sample_shape)
        known = math.prod(s for s in self.target_shape if s != -1)
        fits = values % known == 0 if -1 in self.target_shape else values == known
        if not fits:
            raise ValueError(
                f"Reshape {self.name!r}: cannot reshape samples of shape {tuple(sample_shape)} "
                f"({values} values) to {self.target_shape}"
                + ("" if -1 in self.target_shape else f" ({known} values)")
            )
        return tuple(values // known if s == -1 else s for s in self.target_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, *target_shape) with its -1 worked out (ValueError if it cannot fit)."""
        return (input_shape[0], *self._resolve(input_shape[1:]))

    def forward(self, x: Tensor) -> Tensor:
        """x of shape (N, ...) seen as (N, *target_shape).

        Raises:
            ValueError: x is 0-d, or its samples hold the wrong number of values.
        """
        if x.ndim == 0:
            raise ValueError(f"Reshape {self.name!r}: needs a batch axis, got a 0-d input")
        return x.reshape((x.shape[0], *self._resolve(x.shape[1:])))

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"target_shape={self.target_shape}"
