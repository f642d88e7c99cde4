"""Reductions over axes: sum, max, min. Their backward spreads grad back over the reduced axes."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd import Function


def normalize_axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    """Turn None / an int / a tuple (negatives allowed) into a sorted tuple of axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        normalized.append(int(a) % max(ndim, 1))
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"axis {axis} repeats an axis")
    return tuple(sorted(normalized))


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape a keepdims=True reduction over `axes` gives."""
    return tuple(1 if i in axes else size for i, size in enumerate(shape))


class Sum(Function):
    """Sum over axes. float16 is added up in float32 and the total rounded back, as
    PyTorch does: float16 stops at 65504, and 80,000 halves would otherwise make inf."""

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axes(axis, a.ndim)
        self.keepdims = keepdims
        data = a.data
        if data.dtype == np.float16:
            total = data.sum(axis=self.axes, keepdims=keepdims, dtype=np.float32)
            with np.errstate(over="ignore"):  # a total past 65504 is inf in float16, rightly
                return total.astype(np.float16)
        return data.sum(axis=self.axes, keepdims=keepdims)  # the method skips np.sum's wrapper

    def backward(self, grad):
        (a,) = self.inputs
        if not self.keepdims:
            grad = grad.reshape(kept_shape(a.shape, self.axes))
        return grad.broadcast_to(a.shape)


class Max(Function):
    """Largest value. At ties the gradient is split evenly among the tied entries
    (as PyTorch's amax does), so it stays a true average of one-sided derivatives."""

    reduce = staticmethod(np.max)

    def forward(self, a, axis=None, keepdims=False):
        self.save_for_backward(a)
        self.axes = normalize_axes(axis, a.ndim)
        self.keepdims = keepdims
        return self.reduce(a.data, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        (a,) = self.saved_tensors
        shape = kept_shape(a.shape, self.axes)
        extreme = self.reduce(a.data, axis=self.axes, keepdims=True)
        # 1 / (how many tie) at each extreme entry, 0 elsewhere; made in grad's dtype
        # from the start (bool / int would make a float64 array as big as the input)
        share = (a.data == extreme).astype(grad.dtype)
        share /= share.sum(axis=self.axes, keepdims=True)
        return grad.reshape(shape) * share


class Min(Max):
    """Smallest value; ties split the gradient evenly, like Max."""

    reduce = staticmethod(np.min)
