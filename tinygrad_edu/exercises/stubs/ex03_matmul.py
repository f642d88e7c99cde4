"""Exercise 3: MatMul backward.

For y = a @ b with a (n, k) and b (k, m), each y[i, j] is sum over l of
a[i, l] * b[l, j]. So a[i, l] affects row i of y through b's row l: its
gradient is sum over j of grad[i, j] * b[l, j], which is (grad @ b^T)[i, l].
Likewise b's gradient is a^T @ grad. Check the shapes: (n, m) @ (m, k) is
(n, k), a's shape.

With more axes, (..., n, k) @ (..., k, m), the leading axes are a batch of
matrices and broadcast like any other op: transpose only the last two axes
(`matrix_transpose`; `.T` reverses *all* of them), and unbroadcast each
gradient to its input's shape, as in exercise 1 (`unbroadcast` is given here).

Your MatMul runs every `a @ b` in the engine while it is graded.

Grade it: tinygrad-edu exercises grade . matmul
"""

import numpy as np

from tinygrad_edu.autograd import Function
from tinygrad_edu.ops import unbroadcast


def matrix_transpose(t):
    """t with its last two axes swapped (the batch axes stay where they are)."""
    axes = list(range(t.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return t.transpose(tuple(axes))


class MatMul(Function):
    """y = a @ b for a of shape (..., n, k) and b of shape (..., k, m): (..., n, m)."""

    def forward(self, a, b):
        if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2]:
            raise ValueError(f"expects (..., n, k) @ (..., k, m), got {a.shape} @ {b.shape}")
        self.save_for_backward(a, b)
        return np.matmul(a.data, b.data)

    def backward(self, grad):
        a, b = self.saved_tensors
        # TODO: the gradients of a and b, each unbroadcast to its input's shape.
        raise NotImplementedError("exercise 3: write MatMul.backward")
