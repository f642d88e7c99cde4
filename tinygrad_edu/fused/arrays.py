"""Reductions over a few entries per output, as slices (NumPy arrays in, arrays out).

NumPy's own reduction (np.max, ufunc.reduce) runs one small loop over the
entries of each output. When every output combines only a few entries, such as
the 4 of a 2x2 pooling window, that is millions of loops of four, and starting
them costs far more than the comparisons. Taking the entries as slices instead
(for a window, its top-left corners, its top-right corners, ...) and combining
those elementwise makes a few long loops over all the outputs at once: the same
numbers, several times faster. The twin is `ufunc.reduce` itself.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

FEW_ENTRIES = 9  # the most entries per output (a 3x3 window) that are combined as slices


def reduce_axes(
    ufunc: np.ufunc, array: np.ndarray, axes: tuple[int, ...], keepdims: bool, dtype=None
) -> np.ndarray:
    """`ufunc` folded over `axes` of `array` (np.maximum: the max, np.add: the sum).

    Args:
        ufunc: a binary NumPy ufunc with a reduce (np.maximum, np.minimum, np.add).
        array: any shape.
        axes: sorted, non-negative axes (as `ops.reduce.normalize_axes` gives them).
        keepdims: keep the reduced axes with size 1.
        dtype: the dtype to combine in (None: the ufunc's usual one for `array`).
    Returns:
        A new array, as its twin `ufunc.reduce(array, axis=axes, keepdims=keepdims)` gives.
    Raises:
        ValueError: an axis of size 0 and a ufunc without an identity (np.maximum).
    """
    entries = math.prod(array.shape[axis] for axis in axes)
    if not 2 <= entries <= FEW_ENTRIES:  # many entries per output, none (an error), or one
        return ufunc.reduce(array, axis=axes, keepdims=keepdims, dtype=dtype)
    # One slice per place in the reduced axes, each keeping those axes with size 1.
    places = itertools.product(*(range(array.shape[axis]) for axis in axes))
    slices = [array[place_index(array.ndim, axes, place)] for place in places]
    result = ufunc(slices[0], slices[1], dtype=dtype)  # a new array...
    for entry in slices[2:]:
        ufunc(result, entry, out=result, dtype=dtype)  # ...that the others are folded into
    if keepdims:
        return result
    return result.reshape([size for i, size in enumerate(result.shape) if i not in axes])


def place_index(ndim: int, axes: tuple[int, ...], place: tuple[int, ...]) -> tuple[slice, ...]:
    """An index taking entry place[k] of each axis axes[k] (kept, with size 1), all of the rest."""
    index = [slice(None)] * ndim
    for axis, i in zip(axes, place):
        index[axis] = slice(i, i + 1)
    return tuple(index)
