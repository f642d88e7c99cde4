"""Conv2DTranspose: the transposed convolution that decoders and segmentation nets upsample with.

Each input pixel spreads over a kernel-sized patch of a larger output, patches
`strides` apart, added where they overlap: the adjoint of Conv2D (its gradient
with respect to its input), so a stride-2 Conv2DTranspose undoes a stride-2
Conv2D's shapes. The kernel has Keras's shape (kh, kw, filters, in_channels).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tinygrad_edu.functional import conv2d_transpose, transpose_output_size
from tinygrad_edu.nn import activations, initializers
from tinygrad_edu.nn.convolutional import _ConvLayer, conv_arguments, positive_int
from tinygrad_edu.nn.layers import Shape
from tinygrad_edu.tensor import Tensor


class Conv2DTranspose(_ConvLayer):
    """activation(conv2d_transpose(x, kernel) + bias) on NHWC images.

    Args:
        filters: how many output channels.
        kernel_size: an int or (kh, kw).
        strides: an int or (sh, sw): the output is about this many times larger.
        padding: "valid" (out = (n - 1) * s + max(k, s)) or "same" (out = n * s).
        output_padding: None, or an int or pair, each less than its stride: the
            output is then (n - 1) * s + k - 2 * pad + output_padding, with pad =
            k // 2 for "same" and 0 for "valid" (Keras's rule).
        data_format: None or "channels_last".
        dilation_rate: an int or (dh, dw).
        activation, use_bias, kernel_initializer, bias_initializer, input_shape,
            name, dtype: as for Conv2D.

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
        output_padding: int | Sequence[int] | None = None,
        data_format: str | None = None,
        dilation_rate: int | Sequence[int] = 1,
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        who = "Conv2DTranspose"
        filters = positive_int(filters, "filters", who)
        kernel_size, strides, padding, dilation_rate = conv_arguments(
            who, 2, kernel_size, strides, padding, data_format, dilation_rate
        )
        if output_padding is not None:
            extras = (output_padding,) * 2 if isinstance(output_padding, int) else output_padding
            extras = tuple(extras)
            if len(extras) != 2 or not all(
                isinstance(e, int) and 0 <= e < s for e, s in zip(extras, strides)
            ):
                raise ValueError(
                    f"{who}: output_padding must be None or non-negative ints each less than "
                    f"its stride (strides {strides}), got {output_padding!r}"
                )
            output_padding = extras
        super().__init__(name, input_shape, dtype)
        self.filters, self.kernel_size, self.strides = filters, kernel_size, strides
        self.padding, self.output_padding, self.dilation_rate = (
            padding,
            output_padding,
            dilation_rate,
        )
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.set_regularizers(kernel_regularizer, bias_regularizer, activity_regularizer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create `kernel` (kh, kw, filters, channels) and `bias` (filters,).

        Raises:
            ValueError: input_shape is not (batch, height, width, channels) with known
                channels.
        """
        shape = (*self.kernel_size, self.filters, self._input_channels(input_shape))
        self._add_kernel("kernel", shape, self.kernel_initializer, self.filters)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, out_height, out_width, filters), sizes by `transpose_output_size`.

        Raises:
            ValueError: input_shape has not 4 axes.
        """
        if len(input_shape) != 4:
            raise self._shape_error(input_shape)
        extras = self.output_padding or (None, None)
        sizes = [
            transpose_output_size(n, k, s, self.padding, extra, d)
            for n, k, s, extra, d in zip(
                input_shape[1:3], self.kernel_size, self.strides, extras, self.dilation_rate
            )
        ]
        return (input_shape[0], *sizes, self.filters)

    def forward(self, x: Tensor) -> Tensor:
        """activation(conv2d_transpose(x, kernel) + bias): (N, H, W, C) -> (N, H', W', filters).

        Raises:
            ValueError: x is not 4-d or has not the channels the kernel was built for.
        """
        self._check_input(x, self.kernel.shape[3])
        out = conv2d_transpose(
            x, self.kernel, self.bias, self.strides, self.padding, self.output_padding,
            self.dilation_rate,
        )  # fmt: skip
        return self.activation(out)

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return (
            f"filters={self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
            f"padding={self.padding!r}, activation={activations.name_of(self.activation)!r}"
        )
