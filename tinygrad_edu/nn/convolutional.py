"""Conv2D: a 2-D convolution layer over images of shape (batch, height, width, channels).

As in Keras (channels_last): the kernel has shape (kh, kw, in_channels, filters) and
the bias (filters,). Each filter slides over the image and, at every position,
takes the weighted sum of the window under it: one output channel per filter.
The computation is `functional.conv2d` (im2col and one matrix product).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.functional import check_padding, conv2d, output_size, pair
from tinygrad_edu.nn import activations, initializers
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor


def image_shape_error(layer: Layer, got: Sequence[int | None], needs: str) -> ValueError:
    """The error for an input that is not a batch of images: what came, what is needed, and
    how to reshape the usual mistake (flat (batch, 784) or channel-less (batch, 28, 28))."""
    got = tuple(got)
    hint = ""
    if len(got) == 2 and got[1] is not None and math.isqrt(got[1]) ** 2 == got[1]:
        side = math.isqrt(got[1])
        hint = (
            f"; to treat each row as a {side}x{side} image, reshape to (batch, {side}, {side}, 1)"
        )
    elif len(got) == 3:
        hint = f"; for one channel, reshape to (batch, {got[1]}, {got[2]}, 1)"
    return ValueError(
        f"{type(layer).__name__} {layer.name!r}: expects inputs of shape {needs}, got an input "
        f"of shape {got}{hint}"
    )


class Conv2D(Layer):
    """activation(conv2d(x, kernel) + bias) on NHWC images.

    Args:
        filters: how many output channels (one kernel each).
        kernel_size: an int or (kh, kw).
        strides: an int or (sh, sw), 1 by default.
        padding: "valid" (the window stays inside the image, which shrinks by
            kernel - 1) or "same" (zeros around it, TensorFlow's rule: the output
            has ceil(size / stride) positions).
        activation, use_bias, kernel_initializer, bias_initializer, input_shape,
            name, dtype: as for Dense. Glorot's fans count the window: fan_in =
            kh * kw * in_channels, fan_out = kh * kw * filters, as Keras does.

    Raises:
        ValueError: for bad arguments, and for an input that is not (batch, height,
            width, channels) with the channels the kernel was built for.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"Conv2D: filters must be a positive integer, got {filters!r}")
        kernel_size = pair(kernel_size, "kernel_size", "Conv2D")
        strides = pair(strides, "strides", "Conv2D")
        padding = check_padding(padding, "Conv2D")
        super().__init__(name, input_shape, dtype)
        self.filters = int(filters)
        self.kernel_size, self.strides, self.padding = kernel_size, strides, padding
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create `kernel` (kh, kw, channels, filters) and `bias` (filters,).

        Raises:
            ValueError: input_shape is not (batch, height, width, channels) with known
                channels.
        """
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise image_shape_error(self, input_shape, "(batch, height, width, channels)")
        channels = input_shape[-1]
        self.add_weight(
            "kernel", (*self.kernel_size, channels, self.filters), self.kernel_initializer
        )
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, out_height, out_width, filters) for NHWC inputs of `input_shape`.

        Raises:
            ValueError: input_shape has not 4 axes, or the kernel does not fit with
                padding="valid".
        """
        if len(input_shape) != 4:
            raise image_shape_error(self, input_shape, "(batch, height, width, channels)")
        sizes = [
            output_size(size, window, stride, self.padding)
            for size, window, stride in zip(input_shape[1:3], self.kernel_size, self.strides)
        ]
        if any(size is not None and size < 1 for size in sizes):
            raise ValueError(
                f"Conv2D {self.name!r}: a {self.kernel_size[0]}x{self.kernel_size[1]} kernel does "
                f"not fit in inputs of shape {tuple(input_shape)} with padding='valid'; it needs "
                f"height >= {self.kernel_size[0]} and width >= {self.kernel_size[1]} (or "
                "padding='same')"
            )
        return (input_shape[0], *sizes, self.filters)

    def forward(self, x: Tensor) -> Tensor:
        """activation(conv2d(x, kernel) + bias): (N, H, W, C) -> (N, H', W', filters).

        Raises:
            ValueError: x is not 4-d or has not the channels the kernel was built for.
        """
        channels = self.kernel.shape[2]
        if x.ndim != 4 or x.shape[-1] != channels:
            raise image_shape_error(self, x.shape, f"(batch, height, width, {channels})")
        return self.activation(conv2d(x, self.kernel, self.bias, self.strides, self.padding))

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return (
            f"filters={self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
            f"padding={self.padding!r}, activation={activations.name_of(self.activation)!r}"
        )
