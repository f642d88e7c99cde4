"""Exercise 11: conv2d from a sliding-window view and one matrix product.

Reference solution (for teachers; `exercises new` never copies it).
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
    windows = sliding_windows(x, (kh, kw), (sh, sw))
    batch, out_height, out_width = windows.shape[:3]
    # One row per output position, laid out (kh, kw, C) like the kernel's first three axes.
    rows = windows.reshape(batch * out_height * out_width, kh * kw * channels)
    out = rows @ kernel.reshape(kh * kw * channels, filters)
    if bias is not None:
        out = out + bias
    return out.reshape(batch, out_height, out_width, filters)
