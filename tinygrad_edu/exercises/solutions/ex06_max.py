"""Exercise 6: Max, with ties.

Reference solution (for teachers; `exercises new` never copies it).
"""

from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.reduce import normalize_axes


class Max(Function):
    """y = the largest entry of a over `axis` (None: all axes); keepdims as for sum."""

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axes(axis, a.ndim)
        self.keepdims = keepdims
        return a.data.max(axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        (a,) = self.inputs
        kept = tuple(1 if axis in self.axes else size for axis, size in enumerate(a.shape))
        is_max = a.data == self.output.data.reshape(kept)  # True at every tied maximum
        ties = is_max.sum(axis=self.axes, keepdims=True)  # how many share each maximum
        share = (is_max / ties).astype(a.dtype)  # each tied maximum gets an equal part
        return grad.reshape(kept) * share
