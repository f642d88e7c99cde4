"""A convolution's product as one node, beside its composite twin (im2col, MatMul, Add).

Both compute the same im2col convolution: every window of the (padded) image is
copied into one row of a (batch * oh * ow, kh * kw * channels) matrix, and one
matrix product with the kernel gives every output. They differ in how the
image's gradient is put together.

The twin's gradient of the windows comes out of MatMul's backward as one
(rows, kh * kw * channels) matrix, and AddWindows ("col2im") then adds each of
its kh * kw kernel offsets back onto the image: nine adds for a 3x3 kernel,
each reading a few numbers, skipping the rest of a row, reading a few more.
The fused node asks for that gradient one kernel offset at a time instead, as
one batched matrix product (kh * kw products of the output's gradient with
that offset's (filters, channels) slice of the kernel). The same numbers, laid
out offset by offset, so each of AddWindows's adds reads one contiguous block.
Both take the windows as `functional.conv2d` makes them for every groups-1
convolution: SlidingWindows's view of the padded images, and for a dilated
kernel every d-th tap of its span (a GetItem). Their backward does that adding,
as nodes of their own: the im2col matrix the node saved is freed before they run.
tests/test_fused.py holds the two equal in value, gradient and second order;
benchmarks/RESULTS.md says what the node saves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinygrad_edu.autograd import Function
from tinygrad_edu.fused import threads
from tinygrad_edu.fused.nodes import linear_simple

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


FEW_CHANNELS = 4  # below this many input channels the im2col matrix is made offset by offset


class Conv2D(Function):
    """Windows (N, oh, ow, kh, kw, C) -> (N, oh, ow, filters): im2col, product and bias, one node.

    The windows are SlidingWindows's view of the padded images (for a dilated
    kernel, every d-th tap of each window of its span); the kernel is
    (kh, kw, C, filters), as Keras stores it; the bias (filters,) is optional
    (leave it out of `apply`'s inputs). The windows' gradient comes back as the
    (N, oh, ow, kh, kw, C) view of a (kh, kw, N, oh, ow, C) array, for the
    windows' own backward to put onto the image (SlidingWindows's adds; with
    dilation, first the strided slice's scatter into the span).
    """

    def forward(self, windows, kernel, bias=None):
        kh, kw, channels, filters = kernel.shape
        if windows.ndim != 6 or windows.shape[3:] != (kh, kw, channels):
            raise ValueError(
                f"expects windows (batch, oh, ow, {kh}, {kw}, {channels}) for a kernel of "
                f"shape {kernel.shape}, got {windows.shape}"
            )
        batch, out_height, out_width = windows.shape[:3]
        rows, size = batch * out_height * out_width, kh * kw * channels
        # The reshape copies the overlapping windows into one contiguous matrix: im2col.
        # Made with Tensor ops, so the matrix is a function of the windows (for the
        # second order). Its layout is decided here, once; backward reads it off the node.
        # A window row of a grayscale image is only kh * kw numbers: copied window by
        # window that is many tiny copies; offset by offset, each copy is a long run.
        # So with few channels the matrix is made transposed, (size, rows), and used as
        # its .T.
        self.columns_transposed = channels < FEW_CHANNELS
        if self.columns_transposed:
            columns = windows.transpose(3, 4, 5, 0, 1, 2).reshape(size, rows)
            by_window = columns.data.T  # (rows, size), a view
        else:
            columns = windows.reshape(rows, size)
            by_window = columns.data
        out = threads.matmul(by_window, kernel.data.reshape(size, filters))
        self.save_for_backward(columns, kernel)
        if bias is not None:
            if bias.data.dtype == out.dtype:
                out += bias.data  # in place: no second output-sized array
            else:
                out = out + bias.data  # dtypes differ: let NumPy promote
        return out.reshape(batch, out_height, out_width, filters)

    def backward(self, grad):
        columns, kernel = self.saved_tensors
        kh, kw, channels, filters = kernel.shape
        batch, out_height, out_width = grad.shape[:3]
        rows = grad.reshape(batch * out_height * out_width, filters)
        need_windows, need_kernel = self.needs_input_grad[:2]
        grad_windows = None
        if need_windows:
            # One product per kernel offset, (kh * kw, rows, C), each with that
            # offset's (filters, C) slice of the kernel; seen in the windows' layout.
            per_offset = kernel.reshape(kh * kw, channels, filters).transpose(0, 2, 1)
            grad_windows = (rows @ per_offset).reshape(
                kh, kw, batch, out_height, out_width, channels
            )
            grad_windows = grad_windows.transpose(2, 3, 4, 0, 1, 5)
        grad_kernel = None
        if need_kernel:
            by_offset = columns if self.columns_transposed else columns.T  # (size, rows)
            grad_kernel = (by_offset @ rows).reshape(kernel.shape)
        if len(self.inputs) == 2:
            return grad_windows, grad_kernel
        need_bias = self.needs_input_grad[2]
        return grad_windows, grad_kernel, rows.sum(axis=0) if need_bias else None


def convolution(windows: Tensor, kernel: Tensor, bias: Tensor | None = None) -> Tensor:
    """Windows convolved with a kernel as one `Conv2D` node (im2col, product and bias).

    Args:
        windows: (batch, oh, ow, kh, kw, channels), the windows of the padded images
            (`functional`'s conv2d makes them: SlidingWindows, then every d-th tap of
            a dilated kernel's span).
        kernel: (kh, kw, channels, filters).
        bias: (filters,) or None.
    Returns:
        (batch, oh, ow, filters).
    Raises:
        ValueError: the windows' (kh, kw, channels) are not the kernel's.
    """
    if bias is None:
        return Conv2D.apply(windows, kernel)
    return Conv2D.apply(windows, kernel, bias)


def convolution_simple(windows: Tensor, kernel: Tensor, bias: Tensor | None = None) -> Tensor:
    """`Conv2D`'s twin, from primitives: a copying reshape (im2col), MatMul, Add.

    Same arguments, result and gradients as `convolution`.
    """
    kh, kw, channels, filters = kernel.shape
    batch, out_height, out_width = windows.shape[:3]
    columns = windows.reshape(batch * out_height * out_width, kh * kw * channels)
    weight = kernel.reshape(kh * kw * channels, filters)
    out = linear_simple(columns, weight, bias)
    return out.reshape(batch, out_height, out_width, filters)
