"""DepthwiseConv2D and SeparableConv2D: convolutions that treat each channel on its own.

A depthwise convolution gives every input channel its own `depth_multiplier`
small kernels and never mixes channels: it is `functional.conv2d` with groups
equal to the channels (one group per channel). A separable convolution follows
it with a 1x1 convolution that mixes the channels (MobileNet and Xception's
building block): far fewer weights than one full Conv2D. Output channel
c * depth_multiplier + m is channel c's m-th kernel, as in Keras.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tinygrad_edu.functional import conv2d
from tinygrad_edu.nn import activations, initializers
from tinygrad_edu.nn.convolutional import _ConvLayer, conv_arguments, positive_int
from tinygrad_edu.nn.layers import Shape
from tinygrad_edu.tensor import Tensor


def depthwise_conv2d(
    x: Tensor,
    kernel: Tensor,
    bias: Tensor | None,
    strides: tuple[int, int],
    padding: str,
    dilation_rate: tuple[int, int],
) -> Tensor:
    """Each channel convolved with its own kernels: kernel (kh, kw, channels, multiplier).

    A grouped conv2d with one group per channel; the kernel seen as (kh, kw, 1,
    channels * multiplier) puts channel c's kernels at filters c * m ... c * m + m - 1.

    Args:
        x: (batch, height, width, channels).
        kernel: (kh, kw, channels, multiplier).
        bias: (channels * multiplier,) or None.
        strides, padding, dilation_rate: as for `functional.conv2d`.

    Returns:
        (batch, oh, ow, channels * multiplier).

    Raises:
        ValueError: from conv2d, for shapes that do not fit.
    """
    kh, kw, channels, multiplier = kernel.shape
    per_channel = kernel.reshape(kh, kw, 1, channels * multiplier)
    return conv2d(x, per_channel, bias, strides, padding, dilation_rate, groups=channels)


class _Depthwise(_ConvLayer):
    """The settings DepthwiseConv2D and SeparableConv2D share."""

    def _settings(self, kernel_size, strides, padding, data_format, dilation_rate, multiplier):
        who = type(self).__name__
        arguments = conv_arguments(
            who, 2, kernel_size, strides, padding, data_format, dilation_rate
        )
        return (*arguments, positive_int(multiplier, "depth_multiplier", who))

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return (
            f"kernel_size={self.kernel_size}, strides={self.strides}, padding={self.padding!r}, "
            f"depth_multiplier={self.depth_multiplier}, "
            f"activation={activations.name_of(self.activation)!r}"
        )


class DepthwiseConv2D(_Depthwise):
    """activation(depthwise convolution + bias): each channel filtered on its own.

    Weights as in Keras 3: `kernel` (kh, kw, channels, depth_multiplier) and
    `bias` (channels * depth_multiplier,).

    Args:
        kernel_size: an int or (kh, kw).
        strides, padding, data_format, dilation_rate: as for Conv2D.
        depth_multiplier: kernels per input channel; the output has channels *
            depth_multiplier channels.
        activation, use_bias, bias_initializer, input_shape, name, dtype: as for Conv2D.
        depthwise_initializer: for the kernel, "glorot_uniform" by default.
        depthwise_regularizer, bias_regularizer, activity_regularizer: penalties on the
            kernel, the bias and the output (`nn.regularizers`), as Keras's.

    Raises:
        ValueError: for bad arguments, and for an input that is not (batch, height,
            width, channels) with the channels the kernel was built for.
    """

    def __init__(
        self,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        settings = self._settings(
            kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier
        )
        super().__init__(name, input_shape, dtype)
        self.kernel_size, self.strides, self.padding = settings[:3]
        self.dilation_rate, self.depth_multiplier = settings[3:]
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.set_regularizers(depthwise_regularizer, bias_regularizer, activity_regularizer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create `kernel` (kh, kw, channels, depth_multiplier) and `bias`.

        Raises:
            ValueError: input_shape is not (batch, height, width, channels), channels known.
        """
        channels = self._input_channels(input_shape)
        shape = (*self.kernel_size, channels, self.depth_multiplier)
        self._add_kernel(
            "kernel", shape, self.depthwise_initializer, channels * self.depth_multiplier
        )
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, out_height, out_width, channels * depth_multiplier).

        Raises:
            ValueError: input_shape has not 4 axes, or the kernel does not fit.
        """
        sizes = self._spatial_output(input_shape)
        channels = None if input_shape[3] is None else input_shape[3] * self.depth_multiplier
        return (input_shape[0], *sizes, channels)

    def forward(self, x: Tensor) -> Tensor:
        """(N, H, W, C) -> (N, H', W', C * depth_multiplier).

        Raises:
            ValueError: x is not 4-d or has not the channels the kernel was built for.
        """
        self._check_input(x, self.kernel.shape[2])
        out = depthwise_conv2d(
            x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate
        )
        return self.activation(out)


class SeparableConv2D(_Depthwise):
    """activation(pointwise(depthwise(x)) + bias): a depthwise then a 1x1 convolution.

    Weights as in Keras 3: `depthwise_kernel` (kh, kw, channels, depth_multiplier),
    `pointwise_kernel` (1, 1, channels * depth_multiplier, filters), `bias`
    (filters,). Strides and dilation apply to the depthwise step.

    Args:
        filters: output channels of the 1x1 convolution.
        kernel_size, strides, padding, data_format, dilation_rate,
            depth_multiplier: as for DepthwiseConv2D.
        activation, use_bias, bias_initializer, input_shape, name, dtype: as for Conv2D.
        depthwise_initializer, pointwise_initializer: "glorot_uniform" by default.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer,
            activity_regularizer: penalties on the two kernels, the bias and the
            output (`nn.regularizers`), as Keras's.

    Raises:
        ValueError: for bad arguments, and for an input that is not (batch, height,
            width, channels) with the channels the kernels were built for.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        depth_multiplier: int = 1,
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        filters = positive_int(filters, "filters", "SeparableConv2D")
        settings = self._settings(
            kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier
        )
        super().__init__(name, input_shape, dtype)
        self.filters = filters
        self.kernel_size, self.strides, self.padding = settings[:3]
        self.dilation_rate, self.depth_multiplier = settings[3:]
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.set_regularizers(
            None,
            bias_regularizer,
            activity_regularizer,
            depthwise_kernel=depthwise_regularizer,
            pointwise_kernel=pointwise_regularizer,
        )
        self.depthwise_kernel: Tensor | None = None
        self.pointwise_kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create `depthwise_kernel`, `pointwise_kernel` and `bias`, in Keras's order.

        Raises:
            ValueError: input_shape is not (batch, height, width, channels), channels known.
        """
        channels = self._input_channels(input_shape)
        depthwise = (*self.kernel_size, channels, self.depth_multiplier)
        self.add_weight("depthwise_kernel", depthwise, self.depthwise_initializer)
        pointwise = (1, 1, channels * self.depth_multiplier, self.filters)
        self._add_kernel("pointwise_kernel", pointwise, self.pointwise_initializer, self.filters)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, out_height, out_width, filters).

        Raises:
            ValueError: input_shape has not 4 axes, or the kernel does not fit.
        """
        return (input_shape[0], *self._spatial_output(input_shape), self.filters)

    def forward(self, x: Tensor) -> Tensor:
        """(N, H, W, C) -> (N, H', W', filters).

        Raises:
            ValueError: x is not 4-d or has not the channels the kernels were built for.
        """
        self._check_input(x, self.depthwise_kernel.shape[2])
        mixed = depthwise_conv2d(
            x, self.depthwise_kernel, None, self.strides, self.padding, self.dilation_rate
        )
        return self.activation(conv2d(mixed, self.pointwise_kernel, self.bias))
