"""Exercise 11: conv2d from a sliding-window view and one matrix product.

A convolution slides a small kernel over the image; at each position it
multiplies the patch under it by the kernel, entry by entry, and adds up:
one output per position and filter. Written as loops that is six nested
`for`s and very slow in Python.

The trick every framework uses ("im2col"): lay every patch out as one row of a
matrix, then a single matrix product with the kernel (flattened to a column per
filter) computes every output at once. `sliding_windows` gives the patches
without copying (a strided view of x), shaped (N, oh, ow, kh, kw, C). Reshape it
to (N * oh * ow, kh * kw * C) rows; reshape the kernel (kh, kw, C, filters) to
(kh * kw * C, filters); the axes line up in the same (kh, kw, C) order, so
entry by entry the row meets the right weight. Multiply, add the bias, reshape
to (N, oh, ow, filters).

You write no backward: `sliding_windows`'s backward adds each patch's gradient
back onto the image (an entry in several patches gets the sum), and reshape
and matmul you know. The engine chains them.

Grade it: tinygrad-edu exercises grade . conv2d
"""

from tinygrad_edu.ops import SlidingWindows


def sliding_windows(x, window, strides):
    """(N, H, W, C) -> (N, oh, ow, kh, kw, C): the (kh, kw) patch under each output position."""
    return SlidingWindows.apply(x, window=tuple(window), strides=tuple(strides))


def conv2d(x, kernel, bias=None, strides=1):
    """2-D convolution (cross-correlation, as in every framework) of NHWC images, "valid" padding.

    Args:
        x: (batch, height, width, in_channels).
        kernel: (kh, kw, in_channels, filters), as Keras stores it.
        bias: (filters,) or None.
        strides: an int or a pair (sh, sw): how far the window moves each step.
    Returns:
        (batch, oh, ow, filters) with oh = (height - kh) // sh + 1, ow likewise.
    """
    sh, sw = (strides, strides) if isinstance(strides, int) else strides
    kh, kw, channels, filters = kernel.shape
    # TODO: windows -> rows (N * oh * ow, kh * kw * C) -> @ kernel as (kh * kw * C, filters)
    # -> + bias (if any) -> (N, oh, ow, filters).
    raise NotImplementedError("exercise 11: write conv2d")
