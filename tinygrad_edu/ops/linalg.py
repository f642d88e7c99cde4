"""Matrix multiplication with NumPy's rules (1-D operands, batched broadcasting)."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd import Function
from tinygrad_edu.fused import threads
from tinygrad_edu.ops.broadcasting import unbroadcast


def _matrix_transpose(t):
    """Swap the last two axes (a view: NumPy's matmul hands it to BLAS without copying)."""
    axes = list(range(t.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return t.transpose(tuple(axes))


def check_matmul_shapes(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> None:
    """Explain, in matrix terms, why `a @ b` cannot be computed (NumPy's words are gufunc's).

    (..., n, k) @ (..., k, m): a's last axis and b's second-to-last (its only one
    when 1-D) are summed over, so they must agree; the axes before the last two
    are batches and must broadcast.

    Raises:
        ValueError: the summed-over sizes differ or the batch axes do not broadcast.
    """
    b_axis = "second-to-last" if len(b_shape) > 1 else "only"
    a_axis = "last" if len(a_shape) > 1 else "only"
    inner_a, inner_b = a_shape[-1], b_shape[-2 if len(b_shape) > 1 else 0]
    if inner_a != inner_b:
        raise ValueError(
            f"a @ b with a of shape {a_shape} and b of shape {b_shape}: a's {a_axis} axis "
            f"({inner_a}) must equal b's {b_axis} axis ({inner_b}), as in (n, k) @ (k, m)"
        )
    if len(a_shape) > 2 or len(b_shape) > 2:
        try:
            np.broadcast_shapes(a_shape[:-2], b_shape[:-2])
        except ValueError:
            raise ValueError(
                f"a @ b with a of shape {a_shape} and b of shape {b_shape}: the batch axes "
                f"(all but the last two), {a_shape[:-2]} and {b_shape[:-2]}, do not broadcast"
            ) from None


class MatMul(Function):
    def forward(self, a, b):
        check_matmul_shapes(a.shape, b.shape)
        self.save_for_backward(a, b)
        return threads.matmul(a.data, b.data)  # np.matmul, on as many BLAS threads as its size pays

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
