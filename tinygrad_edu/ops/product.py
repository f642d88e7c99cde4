"""The product over axes, with a gradient that stays right where entries are zero."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd import Function, constant_like
from tinygrad_edu.ops.elementwise import Where
from tinygrad_edu.ops.reduce import kept_shape, normalize_axes


class Prod(Function):
    """y = the product of a's entries over axes; d y / d a_i = the product of the others.

    Where no entry is zero that product is y / a_i. Where one is, y / a_i would be
    0 / 0, so the products of the others are multiplied out instead (see
    `product_of_others`): with one zero, only the zero's own entry gets a gradient
    (the product of the rest); with two or more, every entry gets 0. PyTorch gives
    the same numbers.
    """

    def forward(self, a, axis=None, keepdims=False):
        self.save_for_backward(a)
        self.axes = normalize_axes(axis, a.ndim)
        self.keepdims = keepdims
        if a.data.dtype == np.float16:  # multiplied out in float32, rounded once (as Sum)
            with np.errstate(over="ignore", under="ignore"):
                product = np.prod(a.data, axis=self.axes, keepdims=keepdims, dtype=np.float32)
                return product.astype(np.float16)
        return np.prod(a.data, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        (a,) = self.saved_tensors
        shape = kept_shape(a.shape, self.axes)
        grad = grad.reshape(shape)
        if not (a.data == 0).any():
            return grad * self.output.reshape(shape) / a
        return grad * product_of_others(a, self.axes)


def product_of_others(a, axes: tuple[int, ...]):
    """For every entry of `a`, the product of the other entries in its group over `axes`.

    The reduced axes are moved last and flattened into one of length n; each group
    then becomes an n x n square whose row i is the group with its i-th entry
    replaced by 1, and each row is multiplied out (a Prod again, so this
    differentiates too). It costs n times the memory of `a`, and is used only
    where some entry is zero.
    """
    kept = [axis for axis in range(a.ndim) if axis not in axes]
    order = kept + list(axes)
    moved = a.transpose(tuple(order)) if order != list(range(a.ndim)) else a
    n = int(np.prod([a.shape[axis] for axis in axes], dtype=np.int64))
    rows = moved.reshape(moved.shape[: len(kept)] + (1, n))
    one = constant_like(a, np.ones((), a.dtype))
    square = Where.apply(one, rows, condition=np.eye(n, dtype=bool))  # (..., n, n)
    others = Prod.apply(square, axis=-1).reshape(moved.shape)
    if order == list(range(a.ndim)):
        return others
    return others.transpose(tuple(np.argsort(order)))
