"""Preprocessing layers that learn from the data before training: Normalization.

    norm = Normalization()
    norm.adapt(x_train)          # mean and variance of each feature, once
    model = Sequential([Input((8,)), norm, Dense(1)])

`adapt` is not training: it computes statistics with NumPy and stores them as
non-trainable weights (saved with the model, never changed by the optimizer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor

#: Keras's backend.epsilon(): the smallest standard deviation divided by.
EPSILON = 1e-7


class Normalization(Layer):
    """(x - mean) / sqrt(variance) per feature, with statistics from `adapt(data)` or given.

    Keras 3's layer: the statistics are kept along `axis` (the features; -1 by
    default) and shared over the other axes; the divisor is max(sqrt(variance),
    1e-7) so a constant feature gives 0, not a division by zero. With
    `invert=True` the layer undoes it: x * sqrt(variance) + mean.

    Args:
        axis: the axis or axes that keep their own statistics (-1), or None for one
            mean and variance over everything.
        mean, variance: the statistics, if known (numbers or arrays broadcastable to
            the kept axes); otherwise call `adapt` before using the layer.
        invert: undo the normalization instead.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: only one of mean and variance given, or an axis the input lacks.
    """

    def __init__(
        self,
        axis: int | Sequence[int] | None = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: give both mean and variance, or neither")
        super().__init__(name, input_shape, dtype)
        self.axis = axis
        self.mean, self.variance, self.invert = mean, variance, invert
        self.adapted = mean is not None
        self.build_if_shape_known()

    def _kept_axes(self, rank: int) -> tuple[int, ...]:
        if self.axis is None:
            return ()
        axes = (self.axis,) if isinstance(self.axis, int) else tuple(self.axis)
        kept = []
        for axis in axes:
            if not -rank < axis < rank or axis % rank == 0:
                raise ValueError(
                    f"Normalization {self.name!r}: axis {axis} is not a feature axis of inputs "
                    f"of rank {rank} (axis 0 is the batch)"
                )
            kept.append(axis % rank)
        return tuple(sorted(kept))

    def _statistics_shape(self, input_shape: Shape) -> tuple[int, ...]:
        """The input's rank with size 1 on every axis that shares statistics."""
        kept = self._kept_axes(len(input_shape))
        return tuple(input_shape[a] if a in kept else 1 for a in range(len(input_shape)))

    def build(self, input_shape: Shape) -> None:
        """Create `mean` and `variance` (non-trainable) of the kept axes' shape.

        Raises:
            ValueError: a kept axis of unknown size.
        """
        shape = self._statistics_shape(input_shape)
        if any(size is None for size in shape):
            raise ValueError(
                f"Normalization {self.name!r}: the kept axes of input shape "
                f"{tuple(input_shape)} must have known sizes"
            )
        given_mean, given_variance = self.__dict__.get("mean"), self.__dict__.get("variance")
        mean = np.zeros(shape, self.dtype)
        variance = np.ones(shape, self.dtype)
        if given_mean is not None and not isinstance(given_mean, Tensor):
            mean[...] = _fit(given_mean, shape)
            variance[...] = _fit(given_variance, shape)
        self.register_non_trainable("mean", Tensor(mean, name=f"{self.name}.mean"))
        self.register_non_trainable("variance", Tensor(variance, name=f"{self.name}.variance"))
        super().build(input_shape)

    def adapt(self, data: Any, batch_size: Any = None, steps: Any = None) -> None:
        """Compute the mean and (population) variance of `data` over every axis but the
        kept ones, and store them.

        Args:
            data: an array (or Tensor) of samples, batch axis first.
            batch_size, steps: accepted for Keras's signature; the whole array is used.

        Raises:
            ValueError: data whose feature sizes differ from the layer's built shape.
        """
        values = np.asarray(data.data if isinstance(data, Tensor) else data, dtype=np.float64)
        shape = (None, *values.shape[1:])
        if not self.built:
            self.build(shape)
        kept = self._kept_axes(values.ndim)
        reduce = tuple(a for a in range(values.ndim) if a not in kept)
        mean = values.mean(axis=reduce, keepdims=True)
        variance = values.var(axis=reduce, keepdims=True)
        if mean.shape[1:] != self.mean.shape[1:]:
            raise ValueError(
                f"Normalization {self.name!r}.adapt: data shaped {values.shape} does not fit "
                f"statistics shaped {self.mean.shape}"
            )
        self.mean.data[...] = mean
        self.variance.data[...] = variance
        self.adapted = True

    def forward(self, x: Tensor) -> Tensor:
        """(x - mean) / max(sqrt(variance), 1e-7), or its inverse; of x's shape."""
        scale = np.maximum(np.sqrt(self.variance.data), EPSILON).astype(self.dtype)
        if self.invert:
            return x * scale + self.mean.data
        return (x - self.mean.data) / scale


def _fit(values: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Given statistics in `shape`: a number as it is, an array of the kept axes'
    sizes with the shared axes' 1s put back."""
    values = np.asarray(values, dtype=np.float64)
    return values if values.size == 1 else values.reshape(shape)
