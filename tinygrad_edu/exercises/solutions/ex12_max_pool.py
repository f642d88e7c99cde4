"""Exercise 12: max pooling.

Reference solution (for teachers; `exercises new` never copies it).
"""

from tinygrad_edu.ops import SlidingWindows


def sliding_windows(x, window, strides):
    """(N, H, W, C) -> (N, oh, ow, kh, kw, C): the (kh, kw) patch under each output position."""
    return SlidingWindows.apply(x, window=tuple(window), strides=tuple(strides))


def max_pool2d(x, pool_size=2, strides=None):
    """The largest value of each (ph, pw) window of NHWC images, per channel ("valid" padding).

    Args:
        x: (batch, height, width, channels).
        pool_size: an int or a pair (ph, pw).
        strides: an int or a pair; None means pool_size (windows side by side), as in Keras.
    Returns:
        (batch, oh, ow, channels) with oh = (height - ph) // sh + 1, ow likewise.
    """
    pool = (pool_size, pool_size) if isinstance(pool_size, int) else tuple(pool_size)
    if strides is None:
        strides = pool
    strides = (strides, strides) if isinstance(strides, int) else tuple(strides)
    return sliding_windows(x, pool, strides).max(axis=(3, 4))  # the (kh, kw) axes of each window
