"""Exercise 4: Sum and Mean with axis and keepdims.

Summing adds entries together, and each entry contributes with weight 1, so
each gets the whole gradient of the total it went into. Sum's backward
spreads `grad` back over the summed axes: `grad.broadcast_to(a.shape)`.

The catch is keepdims. `a.sum(axis=1)` of a (2, 3) tensor has shape (2,), and
(2,) does not broadcast to (2, 3) (broadcasting lines shapes up from the
right). Put the summed axes back with size 1 first (reshape to (2, 1)) unless
keepdims already kept them.

`mean` is not a new primitive: it is a sum times 1 / count, so its gradient
comes from your Sum and the engine's Mul. Over an empty axis there is nothing
to divide by: NumPy gives NaN, and so should you. While graded, your Sum runs
every `.sum()` in the engine, so `x.sum(...)` in `mean` is yours too.

Grade it: tinygrad-edu exercises grade . sum_mean
"""

import math

from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.reduce import normalize_axes


class Sum(Function):
    """y = a summed over `axis` (None: all axes); keepdims keeps them with size 1."""

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axes(axis, a.ndim)  # a sorted tuple, negatives made positive
        self.keepdims = keepdims
        return a.data.sum(axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        (a,) = self.inputs
        # TODO: the gradient of a (a's shape): grad spread over the summed axes.
        raise NotImplementedError("exercise 4: write Sum.backward")


def mean(x, axis=None, keepdims=False):
    """The mean of x over `axis` (None: all), as NumPy: the sum divided by the count.

    Over an empty axis the count is 0 and the mean is NaN (0 / 0), as in NumPy.
    """
    axes = normalize_axes(axis, x.ndim)
    # TODO: the count of entries in each mean (math.prod of the sizes of `axes`),
    # then x.sum(axis=axis, keepdims=keepdims) scaled by 1 / count (NaN for a count of 0).
    raise NotImplementedError("exercise 4: write mean")
