"""Exercise 4: Sum and Mean with axis and keepdims.

Reference solution (for teachers; `exercises new` never copies it).
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
        if not self.keepdims:  # put the summed axes back, with size 1, so grad lines up with a
            kept = tuple(1 if axis in self.axes else size for axis, size in enumerate(a.shape))
            grad = grad.reshape(kept)
        return grad.broadcast_to(a.shape)  # every entry that was summed gets the same gradient


def mean(x, axis=None, keepdims=False):
    """The mean of x over `axis` (None: all), as NumPy: the sum divided by the count.

    Over an empty axis the count is 0 and the mean is NaN (0 / 0), as in NumPy.
    """
    axes = normalize_axes(axis, x.ndim)
    count = math.prod(x.shape[axis] for axis in axes)
    total = x.sum(axis=axis, keepdims=keepdims)
    if count == 0:
        return total * math.nan
    return total * (1.0 / count)
