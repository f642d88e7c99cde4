"""Pooling layers over images of shape (batch, height, width, channels), as in Keras.

Pooling shrinks each feature map: every window is replaced by its largest value
(MaxPooling2D) or its mean (AveragePooling2D), channel by channel. It has no
weights. GlobalAveragePooling2D averages each whole map to one number per channel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tinygrad_edu.functional import avg_pool2d, check_padding, max_pool2d, output_size, pair
from tinygrad_edu.nn.convolutional import image_shape_error
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor

IMAGES = "(batch, height, width, channels)"


class _Pooling2D(Layer):
    """What max and average pooling share: window, strides (default: the window) and padding.

    Args:
        pool_size: an int or (ph, pw), the window; 2 by default, as in Keras.
        strides: an int or (sh, sw); None (the default) means pool_size, so windows
            do not overlap.
        padding: "valid" (only whole windows) or "same" (ceil(size / stride) outputs).
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a bad pool_size, strides or padding; an input that is not
            (batch, height, width, channels); a window larger than a "valid" input.
    """

    pool: Callable[..., Tensor]  # functional.max_pool2d or avg_pool2d

    def __init__(
        self,
        pool_size: int | Sequence[int] = 2,
        strides: int | Sequence[int] | None = None,
        padding: str = "valid",
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        who = type(self).__name__
        pool_size = pair(pool_size, "pool_size", who)
        strides = pool_size if strides is None else pair(strides, "strides", who)
        padding = check_padding(padding, who)
        super().__init__(name, input_shape, dtype)
        self.pool_size, self.strides, self.padding = pool_size, strides, padding
        self.build_if_shape_known()

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, out_height, out_width, channels): the channels are kept.

        Raises:
            ValueError: input_shape has not 4 axes, or the window does not fit.
        """
        if len(input_shape) != 4:
            raise image_shape_error(self, input_shape, IMAGES)
        sizes = [
            output_size(size, window, stride, self.padding)
            for size, window, stride in zip(input_shape[1:3], self.pool_size, self.strides)
        ]
        if any(size is not None and size < 1 for size in sizes):
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: a {self.pool_size[0]}x{self.pool_size[1]} "
                f"window does not fit in inputs of shape {tuple(input_shape)} with "
                "padding='valid'"
            )
        return (input_shape[0], *sizes, input_shape[3])

    def forward(self, x: Tensor) -> Tensor:
        """The pooled images, (N, H, W, C) -> (N, H', W', C), x's dtype.

        Raises:
            ValueError: x is not 4-d.
        """
        if x.ndim != 4:
            raise image_shape_error(self, x.shape, IMAGES)
        return type(self).pool(x, self.pool_size, self.strides, self.padding)

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}"


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


class GlobalAveragePooling2D(Layer):
    """The mean of each channel over the whole image: (batch, h, w, c) -> (batch, c).

    With keepdims=True the result keeps its two image axes: (batch, 1, 1, c).

    Args:
        keepdims: keep the image axes, with size 1.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: an input that is not (batch, height, width, channels).
    """

    def __init__(
        self,
        keepdims: bool = False,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, input_shape, dtype)
        self.keepdims = bool(keepdims)
        self.build_if_shape_known()

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, channels), or (batch, 1, 1, channels) with keepdims.

        Raises:
            ValueError: input_shape has not 4 axes.
        """
        if len(input_shape) != 4:
            raise image_shape_error(self, input_shape, IMAGES)
        if self.keepdims:
            return (input_shape[0], 1, 1, input_shape[3])
        return (input_shape[0], input_shape[3])

    def forward(self, x: Tensor) -> Tensor:
        """The mean over height and width of each channel, in x's dtype.

        Raises:
            ValueError: x is not 4-d.
        """
        if x.ndim != 4:
            raise image_shape_error(self, x.shape, IMAGES)
        return x.mean(axis=(1, 2), keepdims=self.keepdims)
