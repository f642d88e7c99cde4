"""Running totals along an axis (cumsum), forward beside backward."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd import Function


def reversed_along(axis: int) -> tuple[slice, ...]:
    """An index that reverses axis `axis` (non-negative) and keeps the axes before it."""
    return (slice(None),) * axis + (slice(None, None, -1),)


class Cumsum(Function):
    """y_k = a_0 + ... + a_k along `axis` (non-negative).

    Entry a_i appears in every y_k with k >= i, so its gradient is g_i + ... + g_last:
    the running total of g taken from the far end (reverse, cumsum, reverse back).
    """

    def forward(self, a, axis=0):
        self.axis = axis
        if a.data.dtype == np.float16:  # running totals in float32 (exact past 2048), rounded once
            with np.errstate(over="ignore"):  # a total past 65504 is inf in float16, rightly
                return np.cumsum(a.data, axis=axis, dtype=np.float32).astype(np.float16)
        return np.cumsum(a.data, axis=axis)

    def backward(self, grad):
        backwards = reversed_along(self.axis)
        return Cumsum.apply(grad[backwards], axis=self.axis)[backwards]
