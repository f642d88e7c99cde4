"""The one helper every binary op uses to undo NumPy broadcasting in backward."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


def unbroadcast(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum `grad` down to `shape`, the shape an input had before broadcasting.

    Broadcasting copies an input along new leading axes and along axes of size 1;
    each copy received its own gradient, so the input's gradient is their sum.
    """
    if grad.shape == shape:
        return grad
    extra_leading = grad.ndim - len(shape)
    stretched = tuple(
        extra_leading + axis
        for axis, size in enumerate(shape)
        if size == 1 and grad.shape[extra_leading + axis] != 1
    )
    if not stretched:  # only new leading axes (a bias added to a batch): one plain sum
        return grad.sum(axis=tuple(range(extra_leading)))
    summed = grad.sum(axis=tuple(range(extra_leading)) + stretched, keepdims=True)
    return summed.reshape(shape)
