"""Reductions and running reductions built from primitives: std, cumprod, cummax, cummin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu import ops
from tinygrad_edu.autograd import constant_like
from tinygrad_edu.composite.indexing import (
    ValuesIndices,
    gather,
    move_axis_last,
    move_last_axis_back,
)

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


def cumprod(x: Tensor, axis: int) -> Tensor:
    """y_k = x_0 * ... * x_k along `axis` (non-negative).

    Each y_k is a product, so it is computed as one: a square whose row k holds
    x_0 ... x_k and ones after, multiplied out along its rows (Prod, whose
    gradient is right at zeros). It takes n times the memory of x for an axis of
    length n: meant for the short axes of lessons and tests.
    """
    if x.ndim == 0:
        return x.reshape(())
    rows = move_axis_last(x, axis).expand_dims(-2)  # (..., 1, n)
    n = x.shape[axis]
    one = constant_like(x, np.ones((), x.dtype))
    square = ops.Where.apply(rows, one, condition=np.tri(n, dtype=bool))  # row k keeps j <= k
    return move_last_axis_back(ops.Prod.apply(square, axis=-1), axis)


def running_extreme_indices(data: np.ndarray, axis: int, largest: bool) -> np.ndarray:
    """For each position k, the index of the running max (min) of data[0..k] along `axis`.

    At ties the later index wins, and a NaN holds its place until a later NaN, as
    in PyTorch's cummax and cummin. An entry that equals the running extreme where
    it stands is its new holder (a later strictly smaller entry cannot be), so the
    holder at k is the last such position up to k: a running max of positions.
    """
    running = (np.maximum if largest else np.minimum).accumulate(data, axis=axis)
    holds = data == running
    if data.dtype.kind == "f":
        holds |= np.isnan(data)
    shape = [1] * data.ndim
    shape[axis] = data.shape[axis]
    positions = np.arange(data.shape[axis]).reshape(shape)
    return np.maximum.accumulate(np.where(holds, positions, 0), axis=axis)


def cumulative_extreme(x: Tensor, axis: int, largest: bool) -> ValuesIndices:
    """(values, indices) of the running max (largest=True) or min along `axis`.

    The values are gathered from x at the indices, so each gradient goes to the
    one entry that holds the extreme there (the later one at a tie).
    """
    if x.ndim == 0:
        return ValuesIndices(x.reshape(()), constant_like(x, np.zeros((), np.int64)))
    indices = running_extreme_indices(x.data, axis, largest)
    return ValuesIndices(gather(x, axis, indices), constant_like(x, indices.astype(np.int64)))
