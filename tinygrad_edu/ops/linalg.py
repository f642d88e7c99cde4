"""Matrix multiplication with NumPy's rules (1-D operands, batched broadcasting)."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.broadcasting import unbroadcast


def _matrix_transpose(t):
    """Swap the last two axes (a view: NumPy's matmul hands it to BLAS without copying)."""
    axes = list(range(t.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return t.transpose(tuple(axes))


class MatMul(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.matmul(a.data, b.data)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, kept short and fast
            return (grad @ b.T if need_a else None, a.T @ grad if need_b else None)
        # NumPy treats a 1-D a as a row (1, n) and a 1-D b as a column (n, 1), then
        # drops that axis from the result. Do the same, and put the axis back in grad.
        a2 = a.reshape((1,) + a.shape) if a.ndim == 1 else a
        b2 = b.reshape(b.shape + (1,)) if b.ndim == 1 else b
        grad2 = grad
        if a.ndim == 1:
            grad2 = grad2.expand_dims(-2 if b.ndim > 1 else -1)
        if b.ndim == 1:
            grad2 = grad2.expand_dims(-1)
        grad_a = grad_b = None
        if need_a:
            grad_a = unbroadcast(grad2 @ _matrix_transpose(b2), a2.shape).reshape(a.shape)
        if need_b:
            grad_b = unbroadcast(_matrix_transpose(a2) @ grad2, b2.shape).reshape(b.shape)
        return grad_a, grad_b
