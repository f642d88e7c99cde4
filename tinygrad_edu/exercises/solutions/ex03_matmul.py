"""Exercise 3: MatMul backward.

Reference solution (for teachers; `exercises new` never copies it).
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
        grad_a = grad @ matrix_transpose(b)  # (..., n, m) @ (..., m, k) -> (..., n, k)
        grad_b = matrix_transpose(a) @ grad  # (..., k, n) @ (..., n, m) -> (..., k, m)
        return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)
