"""Reductions over axes: sum, max, min. Their backward spreads grad back over the reduced axes."""

from __future__ import annotations

import math

import numpy as np

from tinygrad_edu.autograd import Function
from tinygrad_edu.fused.arrays import reduce_axes  # np.maximum.reduce, as slices when few


def normalize_axes(
    axis: int | tuple[int, ...] | None,
    ndim: int,
    shape: tuple[int, ...] | None = None,
    op: str | None = None,
) -> tuple[int, ...]:
    """Turn None / an int / a tuple (negatives allowed) into a sorted tuple of axes.

    A 0-d tensor has no axes, but takes axis 0 or -1 as PyTorch does (its reductions
    then reduce nothing): they give ().

    Args:
        axis: None (every axis), an int or a tuple of ints, each in [-ndim, ndim).
        ndim: the number of axes of the tensor.
        shape, op: the tensor's shape and the operation's name, for the errors.
    Raises:
        ValueError: an axis is out of range or repeated.
        TypeError: an axis is not an int.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    where = f"{op}: " if op else ""
    if not isinstance(axes, (tuple, list)) or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes
    ):
        raise TypeError(f"{where}axis must be None, an int or a tuple of ints, got {axis!r}")
    tensor = f"a tensor of shape {shape}" if shape is not None else f"a {ndim}-d tensor"
    normalized = []
    for a in axes:
        if ndim == 0 and a in (0, -1):
            continue  # PyTorch's one exception: a 0-d tensor takes axis 0 or -1
        if not -ndim <= a < ndim:
            valid = "only 0 or -1" if ndim == 0 else f"from {-ndim} to {ndim - 1}"
            raise ValueError(f"{where}axis {a} is out of range for {tensor} (valid: {valid})")
        normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{where}axis {axis} repeats an axis of {tensor}")
    return tuple(sorted(normalized))


def single_axis(axis: int, ndim: int, shape: tuple[int, ...], op: str) -> int | None:
    """One axis (softmax's, argmax's) in [0, ndim), or None for a 0-d tensor's 0 or -1.

    Raises:
        ValueError, TypeError: as `normalize_axes`, naming `op` and `shape`.
    """
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    axes = normalize_axes(axis, ndim, shape, op)
    return axes[0] if axes else None


def wide_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype to count or add up in for `dtype`: float32 for float16 (whose integers are
    exact only to 2048 and which overflows past 65504), else `dtype` itself."""
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape a keepdims=True reduction over `axes` gives."""
    return tuple(1 if i in axes else size for i, size in enumerate(shape))


class Sum(Function):
    """Sum over axes. float16 is added up in float32 and the total rounded back, as
    PyTorch does: float16 stops at 65504, and 80,000 halves would otherwise make inf."""

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axes(axis, a.ndim, a.shape)
        self.keepdims = keepdims
        data = a.data
        if data.dtype == np.float16:
            total = data.sum(axis=self.axes, keepdims=keepdims, dtype=np.float32)
            with np.errstate(over="ignore"):  # a total past 65504 is inf in float16, rightly
                return total.astype(np.float16)
        return data.sum(axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        (a,) = self.inputs
        if not self.keepdims:
            grad = grad.reshape(kept_shape(a.shape, self.axes))
        return grad.broadcast_to(a.shape)


class Max(Function):
    """Largest value. At ties the gradient is split evenly among the tied entries
    (as PyTorch's amax does), so it stays a true average of one-sided derivatives."""

    combine = staticmethod(np.maximum)

    def forward(self, a, axis=None, keepdims=False):
        self.save_for_backward(a)
        self.axes = normalize_axes(axis, a.ndim, a.shape)
        self.keepdims = keepdims
        return reduce_axes(self.combine, a.data, self.axes, keepdims)

    def backward(self, grad):
        (a,) = self.saved_tensors
        shape = kept_shape(a.shape, self.axes)
        # The entries equal to the extreme (forward's output, not computed again) get
        # the gradient; where k entries tie, each gets 1 / k of it.
        is_extreme = a.data == self.output.data.reshape(shape)
        grad = grad.reshape(shape)
        if not self.one_extreme_each(is_extreme):
            # Counted as integers, as slices of bytes where each output has few entries
            # (the 4 of a 2x2 pooling window), divided in at least float32 (a float16
            # count stops being exact at 2048), and rounded to grad's dtype once.
            entries = math.prod(a.shape[axis] for axis in self.axes)
            count = np.uint8 if entries < 256 else np.intp  # room for every entry
            ties = reduce_axes(np.add, is_extreme.view(np.uint8), self.axes, True, dtype=count)
            with np.errstate(divide="ignore", invalid="ignore"):
                # a NaN extreme matches nothing: 0 ties, and a NaN gradient
                grad = (grad / ties.astype(wide_dtype(grad.dtype))).astype(grad.dtype)
        return grad * is_extreme

    def one_extreme_each(self, is_extreme: np.ndarray) -> bool:
        """True when every output has exactly one extreme entry (so nothing to split).

        Each output that is not NaN has at least one (itself), so as many extreme
        entries as outputs means one each; a NaN output matches no entry at all.
        """
        extreme = self.output.data
        return np.count_nonzero(is_extreme) == extreme.size and not np.isnan(extreme).any()


class Min(Max):
    """Smallest value; ties split the gradient evenly, like Max."""

    combine = staticmethod(np.minimum)
