"""Exercise 6: Max, with ties.

The maximum depends only on its largest entry: nudge that one and the maximum
moves with it; nudge any other and nothing happens. So the gradient goes to the
entry that was the maximum, and every other entry gets 0.

Ties are the catch. In [1, 3, 3] both 3s are the maximum. Giving all the
gradient to the first one (what `argmax` suggests) makes the gradient depend
on the order of equal values; giving each the whole gradient counts it twice.
The convention here (PyTorch's for `amax`, and the engine's) splits it evenly:
each of k tied maxima gets grad / k, so the shares add up to exactly grad.

The mask of maxima (`a.data == y`) is a constant that backward multiplies by:
a NumPy array is fine there. Keep `grad` a Tensor (`grad.reshape(...) * share`),
and remember keepdims: put the reduced axes back before comparing and multiplying.

While graded, your Max runs every `.max()` in the engine (max pooling, softmax).

Grade it: tinygrad-edu exercises grade . max
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
        # TODO: a mask of the entries equal to the maximum (self.output, reshaped with
        # the reduced axes kept), divided by how many tie; grad (reshaped) times that.
        raise NotImplementedError("exercise 6: write Max.backward")
