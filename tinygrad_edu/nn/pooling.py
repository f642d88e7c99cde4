"""Pooling layers over images (batch, height, width, channels) and sequences (batch, steps, c).

Pooling shrinks each feature map: every window is replaced by its largest value
(MaxPooling2D, MaxPooling1D) or its mean (AveragePooling2D, AveragePooling1D),
channel by channel. It has no weights. The global poolings reduce each whole
map (or sequence) to one number per channel: its mean or its maximum.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.functional import (
    avg_pool1d,
    avg_pool2d,
    check_padding,
    max_pool1d,
    max_pool2d,
    output_size,
    pair,
)
from tinygrad_edu.nn.convolutional import (
    check_data_format,
    expected_layout,
    image_shape_error,
    sequence_shape_error,
    shape_channels_first,
    shape_channels_last,
    single,
    to_channels_first,
    to_channels_last,
)
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor


def _layout_error(layer: Layer, got: Sequence[int | None]) -> ValueError:
    """The error for an input without the layer's rank + 2 axes, in its data_format."""
    needs = expected_layout(layer.rank, layer.data_format)
    if layer.rank == 2:
        return image_shape_error(layer, got, needs)
    return sequence_shape_error(layer, got, needs)


class _Pooling(Layer):
    """What max and average pooling share, over images (rank 2) or sequences (rank 1):
    window, strides (default: the window) and padding.

    A sequence is pooled as an image one pixel high (`functional.max_pool1d` and
    `avg_pool1d` reshape it so), so the 1-D layers are the 2-D ones with one axis.

    Args:
        pool_size: the window: an int or (ph, pw) for images, an int (or 1-tuple)
            for sequences.
        strides: as pool_size; None (the default) means pool_size, so windows do
            not overlap.
        padding: "valid" (only whole windows) or "same" (ceil(size / stride) outputs).
        data_format: None or "channels_last", or "channels_first" (channels on axis 1:
            the input is transposed to channels last, the output back, as Keras).
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a bad pool_size, strides or padding; an input without rank + 2
            axes; a window larger than a "valid" input.
    """

    rank = 2
    pool: Callable[..., Tensor]  # functional.max_pool2d / avg_pool2d (1d for rank 1)

    def _setup(
        self,
        pool_size: Any,
        strides: Any,
        padding: str,
        data_format: str | None,
        input_shape: Any,
        name: str | None,
        dtype: Any,
    ) -> None:
        who = type(self).__name__
        as_setting = pair if self.rank == 2 else single  # (ph, pw) for images, k for sequences
        pool_size = as_setting(pool_size, "pool_size", who)
        strides = pool_size if strides is None else as_setting(strides, "strides", who)
        padding = check_padding(padding, who)
        data_format = check_data_format(data_format, who, channels_first=True)
        super().__init__(name, input_shape, dtype)
        self.pool_size, self.strides, self.padding = pool_size, strides, padding
        self.data_format = data_format
        self.build_if_shape_known()

    _shape_error = _layout_error

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, *out_sizes, channels): the channels are kept.

        Raises:
            ValueError: input_shape has not rank + 2 axes, or the window does not fit.
        """
        if len(input_shape) != self.rank + 2:
            raise self._shape_error(input_shape)
        if self.data_format == "channels_first":
            return shape_channels_first(self._pooled_shape(shape_channels_last(input_shape)))
        return self._pooled_shape(input_shape)

    def _pooled_shape(self, input_shape: Shape) -> Shape:
        """compute_output_shape for channels-last input_shape."""
        windows = self.pool_size if self.rank == 2 else (self.pool_size,)
        strides = self.strides if self.rank == 2 else (self.strides,)
        sizes = [
            output_size(size, window, stride, self.padding)
            for size, window, stride in zip(input_shape[1:-1], windows, strides)
        ]
        if any(size is not None and size < 1 for size in sizes):
            window = (
                "x".join(map(str, windows)) + " window"
                if self.rank == 2
                else f"window of {self.pool_size} steps"
            )
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: a {window} does not fit in inputs of "
                f"shape {tuple(input_shape)} with padding='valid'"
            )
        return (input_shape[0], *sizes, input_shape[-1])

    def forward(self, x: Tensor) -> Tensor:
        """The pooled images or sequences, (N, *sizes, C) -> (N, *sizes', C), x's dtype.

        Raises:
            ValueError: x has not rank + 2 axes.
        """
        if x.ndim != self.rank + 2:
            raise self._shape_error(x.shape)
        if self.data_format == "channels_first":  # transpose in, pool, transpose out
            pooled = type(self).pool(
                to_channels_last(x), self.pool_size, self.strides, self.padding
            )
            return to_channels_first(pooled)
        return type(self).pool(x, self.pool_size, self.strides, self.padding)

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}"


class _Pooling2D(_Pooling):
    """_Pooling over images (batch, height, width, channels); arguments as `_Pooling`."""

    def __init__(
        self,
        pool_size: int | Sequence[int] = 2,
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        self._setup(pool_size, strides, padding, data_format, input_shape, name, dtype)


class MaxPooling2D(_Pooling2D):
    """The largest value of each pool_size window, per channel (strides default to pool_size).

    The gradient of a window goes to its maximum; tied maxima share it evenly.
    """

    pool = staticmethod(max_pool2d)


class AveragePooling2D(_Pooling2D):
    """The mean of each pool_size window, per channel (strides default to pool_size).

    With padding="same" the windows at the border average only the pixels inside.
    """

    pool = staticmethod(avg_pool2d)


class _Pooling1D(_Pooling):
    """_Pooling over sequences (batch, steps, channels); pool_size and strides are ints."""

    rank = 1


class MaxPooling1D(_Pooling1D):
    """The largest value of each window of `pool_size` steps, per channel (Keras's MaxPooling1D).

    "same" padding pads with -inf, so padding is never the maximum.

    Args:
        pool_size: an int (or 1-tuple), the window; 2 by default.
        strides, padding, data_format, input_shape, name, dtype: as for `_Pooling`.

    Raises:
        ValueError: bad arguments; an input that is not (batch, steps, channels).
    """

    pool = staticmethod(max_pool1d)

    def __init__(
        self,
        pool_size: int | Sequence[int] = 2,
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        self._setup(pool_size, strides, padding, data_format, input_shape, name, dtype)


class AveragePooling1D(_Pooling1D):
    """The mean of each window of `pool_size` steps, per channel (Keras's AveragePooling1D).

    With "same" padding a border window averages only the steps inside.

    Args:
        pool_size: an int (or 1-tuple), the window; required, as in Keras 3.
        strides, padding, data_format, input_shape, name, dtype: as for `_Pooling`.

    Raises:
        ValueError: bad arguments; an input that is not (batch, steps, channels).
    """

    pool = staticmethod(avg_pool1d)

    def __init__(
        self,
        pool_size: int | Sequence[int],
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        self._setup(pool_size, strides, padding, data_format, input_shape, name, dtype)


class _GlobalPooling(Layer):
    """Each channel reduced over every step (or pixel) to one number: mean or max.

    `rank` is 1 for sequences (batch, steps, channels), 2 for images; with
    keepdims=True the reduced axes stay, with size 1, as in Keras.

    Args:
        data_format: None or "channels_last", or "channels_first" (channels on axis 1).
        keepdims: keep the reduced axes.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: an input without rank + 2 axes.
    """

    rank = 1
    reduce = "mean"

    def __init__(
        self,
        data_format: str | None = None,
        keepdims: bool = False,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        data_format = check_data_format(data_format, type(self).__name__, channels_first=True)
        super().__init__(name, input_shape, dtype)
        self.keepdims, self.data_format = bool(keepdims), data_format
        self.build_if_shape_known()

    def _check(self, shape: Sequence[int | None]) -> None:
        if len(shape) != self.rank + 2:
            raise _layout_error(self, shape)

    def _axes(self) -> tuple[int, ...]:
        """The steps' or pixels' axes: after the channels for channels_first."""
        first = 2 if self.data_format == "channels_first" else 1
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, channels), or with keepdims (batch, 1, [1,] channels) (channels_first:
        (batch, channels, 1, [1])).

        Raises:
            ValueError: input_shape has not rank + 2 axes.
        """
        self._check(input_shape)
        channels_first = self.data_format == "channels_first"
        channels = input_shape[1] if channels_first else input_shape[-1]
        if not self.keepdims:
            return (input_shape[0], channels)
        ones = (1,) * self.rank
        return (
            (input_shape[0], channels, *ones)
            if channels_first
            else (input_shape[0], *ones, channels)
        )

    def forward(self, x: Tensor) -> Tensor:
        """The mean (or maximum) over the steps / pixels of each channel, in x's dtype.

        Raises:
            ValueError: x has not rank + 2 axes.
        """
        self._check(x.shape)
        axes = self._axes()
        if self.reduce == "max":
            return x.max(axis=axes, keepdims=self.keepdims)
        return x.mean(axis=axes, keepdims=self.keepdims)


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean of each channel over all steps: (batch, steps, c) -> (batch, c).

    The text classifier's pooling after an Embedding. Given a mask (from
    `Embedding(mask_zero=True)`, handed on by Sequential) it averages the real
    steps only, as Keras does. Arguments as `_GlobalPooling`.
    """

    rank, reduce = 1, "mean"

    def forward(self, x: Tensor, mask: np.ndarray | None = None) -> Tensor:
        """The mean over the steps of each channel; with a mask, over the True steps only.

        Args:
            x: (batch, steps, channels).
            mask: None, or booleans of shape (batch, steps), True for real steps.

        Returns:
            (batch, channels), or (batch, 1, channels) with keepdims; x's dtype.

        Raises:
            ValueError: x is not 3-d, or the mask is not (batch, steps).
        """
        if mask is None:
            return super().forward(x)
        self._check(x.shape)
        mask = np.asarray(mask)
        (steps_axis,) = self._axes()
        if mask.shape != (x.shape[0], x.shape[steps_axis]):
            raise ValueError(
                f"GlobalAveragePooling1D {self.name!r}: the mask must have shape "
                f"{(x.shape[0], x.shape[steps_axis])} (batch, steps) for inputs of shape "
                f"{x.shape}, got {mask.shape}"
            )
        channel_axis = 1 if steps_axis == 2 else 2
        weights = np.expand_dims(mask, channel_axis).astype(x.dtype)  # 1: a real step
        # Keras's rule: the masked sum over the number of real steps (0 / 0 if none).
        total = (x * weights).sum(axis=steps_axis, keepdims=self.keepdims)
        return total / weights.sum(axis=steps_axis, keepdims=self.keepdims)


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean of each channel over the whole image: (batch, h, w, c) -> (batch, c).

    With keepdims=True the result keeps its two image axes: (batch, 1, 1, c).
    Arguments as `_GlobalPooling`.
    """

    rank, reduce = 2, "mean"


class GlobalMaxPooling1D(_GlobalPooling):
    """The maximum of each channel over all steps: (batch, steps, c) -> (batch, c).

    Tied maxima share the gradient evenly. Arguments as `_GlobalPooling`.
    """

    rank, reduce = 1, "max"


class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum of each channel over the whole image: (batch, h, w, c) -> (batch, c).

    Tied maxima share the gradient evenly. Arguments as `_GlobalPooling`.
    """

    rank, reduce = 2, "max"
