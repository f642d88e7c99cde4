"""Exercise 12: max pooling.

Max pooling keeps the largest value of each small window, per channel: a 2x2
pool halves an image's height and width and keeps its strongest responses.
With the windows as a view (`sliding_windows`, as in exercise 11) it is one
reduction: the maximum over the two window axes, (kh, kw) = axes 3 and 4 of
(N, oh, ow, kh, kw, C).

The gradient then comes from Tensor.max (exercise 6): each window's gradient
goes to its maximum, split evenly at ties, and an entry that lies in two
overlapping windows gets both shares, added by the windows' backward. Resist
building a one-hot mask of the argmax by hand: it gives ties all to the first.

Keras's default strides are the pool size (windows side by side).

Grade it: tinygrad-edu exercises grade . max_pool
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
    # TODO: strides (None: pool), the windows, and the max over the window axes.
    raise NotImplementedError("exercise 12: write max_pool2d")
