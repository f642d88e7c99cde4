"""Conv1D and Conv2D: convolution layers over sequences and images, channels last as in Keras.

As in Keras (channels_last): a Conv2D kernel has shape (kh, kw, in_channels /
groups, filters), a Conv1D kernel (k, in_channels / groups, filters), and the
bias (filters,). Each filter slides over the input and, at every position,
takes the weighted sum of the window under it: one output channel per filter.
The computation is `functional.conv2d` / `conv1d` (im2col and one matrix
product). Conv2DTranspose lives in conv_transpose.py, DepthwiseConv2D and
SeparableConv2D in depthwise.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.functional import (
    check_padding,
    conv1d,
    conv2d,
    dilated,
    output_size,
    pair,
)
from tinygrad_edu.nn import activations, initializers
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor

IMAGES = "(batch, height, width, channels)"
SEQUENCES = "(batch, steps, channels)"


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


def sequence_shape_error(layer: Layer, got: Sequence[int | None], needs: str) -> ValueError:
    """The error for an input that is not a batch of sequences, with the usual fix."""
    got = tuple(got)
    hint = f"; for one channel, reshape to (batch, {got[1]}, 1)" if len(got) == 2 else ""
    return ValueError(
        f"{type(layer).__name__} {layer.name!r}: expects inputs of shape {needs}, got an input "
        f"of shape {got}{hint}"
    )


def check_data_format(data_format: str | None, who: str, channels_first: bool = False) -> str:
    """ "channels_last" for None or "channels_last" (NHWC, Keras's default); also
    "channels_first" (NCHW) where the layer takes it (`channels_first=True`).

    Raises:
        ValueError: anything else, or "channels_first" for a layer that does not take it.
    """
    allowed = (
        (None, "channels_last", "channels_first") if channels_first else (None, "channels_last")
    )
    if data_format not in allowed:
        if channels_first:
            raise ValueError(
                f"{who}: data_format must be None, 'channels_last' or 'channels_first', got "
                f"{data_format!r}"
            )
        raise ValueError(
            f"{who}: data_format must be None or 'channels_last' (tinygrad-edu keeps channels "
            f"last, NHWC, Keras's default), got {data_format!r}; transpose the input instead"
        )
    return data_format or "channels_last"


def expected_layout(rank: int, data_format: str, channels: Any = "channels") -> str:
    """The input a layer expects, in words: "(batch, height, width, channels)" for images
    (rank 2), "(batch, steps, channels)" for sequences; channels second for channels_first."""
    axes = ("height", "width") if rank == 2 else ("steps",)
    parts = (channels, *axes) if data_format == "channels_first" else (*axes, channels)
    return f"(batch, {', '.join(map(str, parts))})"


def to_channels_last(x: Tensor) -> Tensor:
    """(batch, channels, *sizes) -> (batch, *sizes, channels): how channels_first layers
    hand their input to the channels-last code."""
    return x.transpose(0, *range(2, x.ndim), 1)


def to_channels_first(x: Tensor) -> Tensor:
    """(batch, *sizes, channels) -> (batch, channels, *sizes): the output, back in the
    channels_first layout."""
    return x.transpose(0, x.ndim - 1, *range(1, x.ndim - 1))


def shape_channels_last(shape: Sequence[int | None]) -> tuple[int | None, ...]:
    """`to_channels_last` for a shape tuple."""
    return (shape[0], *shape[2:], shape[1])


def shape_channels_first(shape: Sequence[int | None]) -> tuple[int | None, ...]:
    """`to_channels_first` for a shape tuple."""
    return (shape[0], shape[-1], *shape[1:-1])


def positive_int(value: Any, what: str, who: str) -> int:
    """A positive int (not a bool).

    Raises:
        ValueError: anything else, naming `who` and `what`.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{who}: {what} must be a positive integer, got {value!r}")
    return int(value)


def single(value: int | Sequence[int], what: str, who: str) -> int:
    """A positive int, or a 1-tuple of one, as Keras's 1-D layers take: 3 or (3,) -> 3.

    Raises:
        ValueError: anything else, naming `who` and `what`.
    """
    if isinstance(value, Sequence) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{who}: {what} must be a positive int or a 1-tuple of one, got {value!r}")
    return int(value)


def conv_arguments(
    who: str,
    rank: int,
    kernel_size: Any,
    strides: Any,
    padding: Any,
    data_format: str | None,
    dilation_rate: Any,
    channels_first: bool = False,
) -> tuple[tuple[int, ...], tuple[int, ...], Any, tuple[int, ...]]:
    """Check and normalise the arguments every convolution layer takes.

    Args:
        who: the layer's class name, for messages.
        rank: 1 (sequences) or 2 (images): how many ints each per-axis setting has.
        kernel_size, strides, dilation_rate: an int, or a tuple of `rank` ints.
        padding: "valid", "same", explicit pads (see `functional.check_padding`), or
            "causal" when rank is 1.
        data_format: None or "channels_last" (or "channels_first" if `channels_first`).
        channels_first: whether the layer takes data_format="channels_first".

    Returns:
        (kernel_size, strides, padding, dilation_rate), each per-axis setting a tuple of
        `rank` positive ints.

    Raises:
        ValueError: any argument that is not one of the above, naming `who`.
    """
    as_tuple = pair if rank == 2 else (lambda v, what, w: (single(v, what, w),))
    kernel_size = as_tuple(kernel_size, "kernel_size", who)
    strides = as_tuple(strides, "strides", who)
    dilation = as_tuple(dilation_rate, "dilation_rate", who)
    if rank == 1 and isinstance(padding, str) and padding.lower() == "causal":
        padding = "causal"
    else:
        padding = check_padding(padding, who)
    check_data_format(data_format, who, channels_first)
    return kernel_size, strides, padding, dilation


class _ConvLayer(Layer):
    """What every convolution layer shares (Conv1D, Conv2D, Conv2DTranspose,
    DepthwiseConv2D, SeparableConv2D): the input checks, creating a kernel and its
    bias, and the output size of a sliding window.

    Subclasses set `rank` (1 or 2) and the attributes `kernel_size`, `strides`,
    `padding`, `dilation_rate` (from `conv_arguments`), `use_bias` and
    `bias_initializer`.
    """

    rank = 2
    data_format = "channels_last"  # Conv1D and Conv2D also take "channels_first"

    def _shape_error(self, got: Sequence[int | None], channels: Any = "channels") -> ValueError:
        needs = expected_layout(self.rank, self.data_format, channels)
        if self.rank == 2:
            return image_shape_error(self, got, needs)
        return sequence_shape_error(self, got, needs)

    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else -1

    def _input_channels(self, input_shape: Shape) -> int:
        """The channels of `input_shape`, which must have rank + 2 axes, channels known."""
        if len(input_shape) != self.rank + 2 or input_shape[self._channel_axis()] is None:
            raise self._shape_error(input_shape)
        return input_shape[self._channel_axis()]

    def _add_kernel(
        self, name: str, shape: tuple[int, ...], initializer: Any, bias_size: int
    ) -> None:
        """Create the weight `name` of `shape`, then `bias` (bias_size,) if use_bias
        (Keras's order: the kernel first)."""
        self.add_weight(name, shape, initializer)
        if self.use_bias:
            self.add_weight("bias", (bias_size,), self.bias_initializer)

    def _check_input(self, x: Tensor, channels: int) -> Tensor:
        """x, checked, in the channels-last layout the computation uses.

        Raises:
            ValueError: x has not rank + 2 axes or not `channels` channels.
        """
        if x.ndim != self.rank + 2 or x.shape[self._channel_axis()] != channels:
            raise self._shape_error(x.shape, channels)
        return to_channels_last(x) if self.data_format == "channels_first" else x

    def _output(self, out: Tensor) -> Tensor:
        """The channels-last result in the layer's data_format."""
        return to_channels_first(out) if self.data_format == "channels_first" else out

    def _spatial_output(self, input_shape: Shape) -> list[int | None]:
        """The output's sizes along the rank spatial axes, by `functional.output_size`.

        Raises:
            ValueError: input_shape has not rank + 2 axes, or the kernel does not fit
                with padding="valid".
        """
        if len(input_shape) != self.rank + 2:
            raise self._shape_error(input_shape)
        if self.data_format == "channels_first":
            input_shape = shape_channels_last(input_shape)
        sizes = []
        for size, window, stride, dilation in zip(
            input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate
        ):
            padding = (
                (dilated(window, dilation) - 1, 0) if self.padding == "causal" else self.padding
            )
            sizes.append(output_size(size, window, stride, padding, dilation))
        if any(size is not None and size < 1 for size in sizes):
            spans = [dilated(k, d) for k, d in zip(self.kernel_size, self.dilation_rate)]
            kernel = "x".join(map(str, self.kernel_size))
            dilation = (
                ""
                if spans == list(self.kernel_size)
                else f" dilated to {'x'.join(map(str, spans))}"
            )
            axes = ("height", "width") if self.rank == 2 else ("steps",)
            needs = " and ".join(f"{axis} >= {span}" for axis, span in zip(axes, spans))
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: a {kernel} kernel{dilation} does not fit "
                f"in inputs of shape {tuple(input_shape)} with padding='valid'; it needs "
                f"{needs} (or padding='same')"
            )
        return sizes


class _Conv(_ConvLayer):
    """What Conv1D and Conv2D share: the arguments, the weights and the output shape.

    Subclasses set `rank` (1 or 2) and the functional op; the per-axis settings
    are tuples of `rank` ints.
    """

    def _setup(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any,
        padding: str,
        data_format: str | None,
        dilation_rate: Any,
        groups: int,
        activation: Any,
        use_bias: bool,
        kernel_initializer: Any,
        bias_initializer: Any,
        input_shape: Any,
        name: str | None,
        dtype: Any,
        regularizers: tuple[Any, Any, Any] = (None, None, None),
    ) -> None:
        who = type(self).__name__
        filters = positive_int(filters, "filters", who)
        kernel_size, strides, padding, dilation = conv_arguments(
            who, self.rank, kernel_size, strides, padding, data_format, dilation_rate, True
        )
        data_format = check_data_format(data_format, who, channels_first=True)
        groups = positive_int(groups, "groups", who)
        if filters % groups:
            raise ValueError(
                f"{who}: filters ({filters}) must be a multiple of groups ({groups}), so that "
                "each group of channels gets as many filters"
            )
        super().__init__(name, input_shape, dtype)
        self.filters, self.groups = filters, groups
        self.kernel_size, self.strides, self.padding = kernel_size, strides, padding
        self.dilation_rate, self.data_format = dilation, data_format
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.set_regularizers(*regularizers)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create `kernel` (*kernel_size, channels / groups, filters) and `bias` (filters,).

        Raises:
            ValueError: input_shape has not rank + 2 axes, its channels are unknown,
                or they do not split into `groups` equal blocks.
        """
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: the input's {channels} channels do not "
                f"split into groups={self.groups} equal blocks (input shape "
                f"{tuple(input_shape)})"
            )
        shape = (*self.kernel_size, channels // self.groups, self.filters)
        self._add_kernel("kernel", shape, self.kernel_initializer, self.filters)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, *out_sizes, filters); each size by `functional.output_size`.

        Raises:
            ValueError: input_shape has not rank + 2 axes, or the kernel does not fit
                with padding="valid".
        """
        shape = (input_shape[0], *self._spatial_output(input_shape), self.filters)
        return shape_channels_first(shape) if self.data_format == "channels_first" else shape

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses (dilation and groups when set)."""
        extra = ""
        if any(d != 1 for d in self.dilation_rate):
            extra += f", dilation_rate={self.dilation_rate}"
        if self.groups != 1:
            extra += f", groups={self.groups}"
        return (
            f"filters={self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
            f"padding={self.padding!r}{extra}, "
            f"activation={activations.name_of(self.activation)!r}"
        )


class Conv2D(_Conv):
    """activation(conv2d(x, kernel) + bias) on NHWC images.

    Args:
        filters: how many output channels (one kernel each).
        kernel_size: an int or (kh, kw).
        strides: an int or (sh, sw), 1 by default.
        padding: "valid" (the window stays inside the image, which shrinks by
            kernel - 1) or "same" (zeros around it, TensorFlow's rule: the output
            has ceil(size / stride) positions).
        data_format: None or "channels_last" (NHWC), or "channels_first" (NCHW: the
            input is transposed to NHWC, the output back, as Keras's layouts).
        dilation_rate: an int or (dh, dw): the kernel's taps this far apart.
        groups: cut the channels into this many blocks, each with filters / groups
            filters of its own (the kernel is (kh, kw, channels / groups, filters)).
        activation, use_bias, kernel_initializer, bias_initializer, input_shape,
            name, dtype, kernel_regularizer, bias_regularizer, activity_regularizer: as for
            Dense. Glorot's fans count the window: fan_in =
            kh * kw * in_channels / groups, fan_out = kh * kw * filters, as Keras.

    Raises:
        ValueError: for bad arguments, and for an input that is not (batch, height,
            width, channels) with the channels the kernel was built for.
    """

    rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        groups: int = 1,
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
    ) -> None:
        self._setup(
            filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
            activation, use_bias, kernel_initializer, bias_initializer, input_shape, name, dtype,
            (kernel_regularizer, bias_regularizer, activity_regularizer),
        )  # fmt: skip

    def forward(self, x: Tensor) -> Tensor:
        """activation(conv2d(x, kernel) + bias): (N, H, W, C) -> (N, H', W', filters).

        Raises:
            ValueError: x is not 4-d or has not the channels the kernel was built for.
        """
        x = self._check_input(x, self.kernel.shape[-2] * self.groups)
        out = conv2d(
            x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate, self.groups
        )
        return self.activation(self._output(out))


class Conv1D(_Conv):
    """activation(conv1d(x, kernel) + bias) on sequences (batch, steps, channels).

    Args:
        filters: how many output channels (one kernel each).
        kernel_size: an int (or a 1-tuple): how many steps a window covers.
        strides: an int, 1 by default.
        padding: "valid", "same" or "causal" (all zeros before the sequence, so
            output t sees inputs up to t only: forecasting and WaveNet).
        data_format: None or "channels_last", or "channels_first" ((batch, channels,
            steps), transposed in and out).
        dilation_rate: an int: the kernel's taps this many steps apart.
        groups: as for Conv2D; the kernel is (k, channels / groups, filters).
        activation, use_bias, kernel_initializer, bias_initializer, input_shape,
            name, dtype, kernel_regularizer, bias_regularizer, activity_regularizer: as for
            Conv2D.

    Raises:
        ValueError: for bad arguments, and for an input that is not (batch, steps,
            channels) with the channels the kernel was built for.
    """

    rank = 1

    def __init__(
        self,
        filters: int,
        kernel_size: int | Sequence[int],
        strides: int | Sequence[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        groups: int = 1,
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
    ) -> None:
        self._setup(
            filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
            activation, use_bias, kernel_initializer, bias_initializer, input_shape, name, dtype,
            (kernel_regularizer, bias_regularizer, activity_regularizer),
        )  # fmt: skip

    def forward(self, x: Tensor) -> Tensor:
        """activation(conv1d(x, kernel) + bias): (N, steps, C) -> (N, steps', filters).

        Raises:
            ValueError: x is not 3-d or has not the channels the kernel was built for.
        """
        x = self._check_input(x, self.kernel.shape[-2] * self.groups)
        (stride,), (dilation,) = self.strides, self.dilation_rate
        out = conv1d(x, self.kernel, self.bias, stride, self.padding, dilation, self.groups)
        return self.activation(self._output(out))
