"""Exercise 1: Add and Mul backward, with broadcasting.

Reference solution (for teachers; `exercises new` never copies it).
"""

from tinygrad_edu.autograd import Function


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape`, the shape an input had before NumPy broadcast it.

    Broadcasting copies an input along new leading axes and along axes of size 1.
    Each copy received its own share of the gradient, so the input's gradient is
    the sum of the shares: sum over the new leading axes, then over every axis
    where the input had size 1 (keeping it, so the shape comes out right).

    Args:
        grad: a Tensor of the broadcast (output) shape.
        shape: the input's shape, e.g. (3,) for a bias added to a (batch, 3) array.
    Returns:
        A Tensor of `shape`.
    """
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(
        axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1
    )
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


class Add(Function):
    """y = a + b with broadcasting. Each input's gradient is the output's, unbroadcast."""

    def forward(self, a, b):
        return a.data + b.data

    def backward(self, grad):
        a, b = self.inputs
        return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)


class Mul(Function):
    """y = a * b with broadcasting. da = grad * b, db = grad * a, each unbroadcast."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a.data * b.data

    def backward(self, grad):
        a, b = self.saved_tensors
        return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)
