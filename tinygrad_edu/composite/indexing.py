"""Picking, placing and reordering entries: gather, scatter, sort, topk, flip, roll, tril, diag.

All of them are indexing underneath: `GetItem` picks entries (its backward adds
the gradient back to where they came from, twice at an entry picked twice) and
`ScatterAdd` places them (its backward picks the gradient back out). The
indices themselves are integers, worked out with NumPy, and get no gradient.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from tinygrad_edu import ops
from tinygrad_edu.autograd import constant_like

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


class ValuesIndices(NamedTuple):
    """What sort, topk, cummax and cummin return, as PyTorch's: `values, indices = ...`."""

    values: Tensor
    indices: Tensor


def move_axis_last(x: Tensor, axis: int) -> Tensor:
    """x with axis `axis` (non-negative) moved to the end (a recorded transpose)."""
    if axis == x.ndim - 1:
        return x
    order = [a for a in range(x.ndim) if a != axis] + [axis]
    return x.transpose(tuple(order))


def move_last_axis_back(x: Tensor, axis: int) -> Tensor:
    """Undo `move_axis_last`: the last axis goes back to position `axis`."""
    if axis == x.ndim - 1:
        return x
    order = list(range(x.ndim - 1))
    order.insert(axis, x.ndim - 1)
    return x.transpose(tuple(order))


def index_array(index: Any, op: str) -> np.ndarray:
    """An index given as a Tensor, array or list, as an int64 array.

    Raises:
        TypeError: it does not hold integers.
    """
    array = np.asarray(index.data if hasattr(index, "data") else index)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must hold integers, got dtype {array.dtype}")
    return array.astype(np.int64, copy=False)


def along_axis(x_shape: tuple[int, ...], axis: int, index: np.ndarray, op: str) -> tuple:
    """The NumPy index that picks x[i][j][index[i][j][k]] for dim 2 (and so on for each axis).

    `index` has x's number of axes; on every other axis it may be shorter than x
    (as in PyTorch), and the other axes' positions are its own.

    Raises:
        ValueError: index has another number of axes, or is longer than x off `axis`.
        IndexError: an index is out of range for axis `axis`.
    """
    if index.ndim != len(x_shape):
        raise ValueError(
            f"{op}: index has {index.ndim} dimensions but the tensor has {len(x_shape)}; "
            "they must have the same number"
        )
    for a, (size, length) in enumerate(zip(x_shape, index.shape)):
        if a != axis and length > size:
            raise ValueError(
                f"{op}: index of shape {index.shape} is larger than the tensor's shape "
                f"{x_shape} on dimension {a}"
            )
    if index.size and (index.min() < 0 or index.max() >= x_shape[axis]):
        bad = index[(index < 0) | (index >= x_shape[axis])].flat[0]
        raise IndexError(
            f"{op}: index {bad} is out of range for dimension {axis} of size {x_shape[axis]} "
            f"(expected 0 to {x_shape[axis] - 1})"
        )
    grid = np.indices(index.shape, sparse=True)
    return tuple(index if a == axis else grid[a] for a in range(len(x_shape)))


def gather(x: Tensor, axis: int, index: Any) -> Tensor:
    """out[i][j][k] = x[i][j][index[i][j][k]] for axis 2 (PyTorch's gather); out has index's shape.

    The gradient is added back at the picked places (several times where an index repeats).
    """
    index = index_array(index, "gather")
    return x[along_axis(x.shape, axis, index, "gather")]


def _source_part(source: Tensor, index: np.ndarray, op: str) -> Tensor:
    """The corner of `source` of index's shape (PyTorch reads only that much of src)."""
    if source.shape == index.shape:
        return source
    if source.ndim != index.ndim or any(s < i for s, i in zip(source.shape, index.shape)):
        raise ValueError(
            f"{op}: src of shape {source.shape} must be at least as large as index "
            f"{index.shape} on every dimension"
        )
    return source[tuple(slice(0, size) for size in index.shape)]


def scatter_add(x: Tensor, axis: int, index: Any, source: Tensor) -> Tensor:
    """x with source[i][j][k] added at x[i][j][index[i][j][k]] (axis 2); repeats add up.

    Gradients: x gets the output's gradient; source gets it picked at its places.
    """
    index = index_array(index, "scatter_add")
    places = along_axis(x.shape, axis, index, "scatter_add")
    source = _source_part(source, index, "scatter_add")
    return x + ops.ScatterAdd.apply(source, index=places, shape=x.shape)


def scatter(x: Tensor, axis: int, index: Any, source: Tensor) -> Tensor:
    """x with x[i][j][index[i][j][k]] = source[i][j][k] (axis 2), PyTorch's scatter.

    Where an index repeats, the last write wins (PyTorch leaves it unspecified).
    Gradients: x gets the output's gradient except where it was overwritten;
    each source entry that was written gets the gradient of its place, the others 0.
    """
    index = index_array(index, "scatter")
    places = along_axis(x.shape, axis, index, "scatter")
    source = _source_part(source, index, "scatter")
    flat = np.ravel_multi_index(np.broadcast_arrays(*places), x.shape).ravel()
    # The last write to each place: the first of each place in the reversed list.
    _, first_from_end = np.unique(flat[::-1], return_index=True)
    last_write = np.zeros(flat.size, dtype=bool)
    last_write[flat.size - 1 - first_from_end] = True
    zero = constant_like(source, np.zeros((), source.dtype))
    written_source = ops.Where.apply(source, zero, condition=last_write.reshape(index.shape))
    placed = ops.ScatterAdd.apply(written_source, index=places, shape=x.shape)
    overwritten = np.zeros(x.shape, dtype=bool)
    overwritten[places] = True
    return ops.Where.apply(placed, x, condition=overwritten)


def extreme_along(x: Tensor, axis: int, keepdim: bool, largest: bool) -> ValuesIndices:
    """(values, indices) of the max (min) along one axis, as torch.max(x, dim).

    The index is the first at ties (NumPy's argmax), and the values are gathered
    there, so that entry alone gets the gradient, as in PyTorch.
    """
    if x.ndim == 0:
        return ValuesIndices(x.reshape(()), constant_like(x, np.zeros((), np.int64)))
    find = np.argmax if largest else np.argmin
    indices = find(x.data, axis=axis, keepdims=True)
    values = gather(x, axis, indices)
    if not keepdim:
        values, indices = values.squeeze(axis), indices.squeeze(axis)
    return ValuesIndices(values, constant_like(x, indices.astype(np.int64)))


def stable_argsort(data: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """The order that sorts `data` along `axis`; equal entries keep their order (stable).

    Descending is done as ascending on the reversed axis, reversed back: that keeps
    equal entries in their original order and puts NaN first, as PyTorch's
    stable descending sort does (NaN counts as the largest value).
    """
    if not descending:
        return np.argsort(data, axis=axis, kind="stable")
    backwards = (slice(None),) * axis + (slice(None, None, -1),)
    order = np.argsort(data[backwards], axis=axis, kind="stable")[backwards]
    return data.shape[axis] - 1 - order


def sort(x: Tensor, axis: int, descending: bool = False) -> ValuesIndices:
    """(values, indices) of x sorted along `axis`; stable, so ties keep their order.

    Each sorted value's gradient goes back to the entry it came from.
    """
    if x.ndim == 0:
        return ValuesIndices(x.reshape(()), constant_like(x, np.zeros((), np.int64)))
    indices = stable_argsort(x.data, axis, descending)
    return ValuesIndices(gather(x, axis, indices), constant_like(x, indices.astype(np.int64)))


def topk(x: Tensor, k: int, axis: int, largest: bool = True) -> ValuesIndices:
    """(values, indices) of the k largest (smallest) entries along `axis`, best first.

    Ties are broken by position, the earlier entry first: these are the first k
    entries of the stable sort.

    Raises:
        ValueError: k is negative or larger than the axis.
    """
    size = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= size:
        raise ValueError(f"topk: k={k} must be between 0 and the size of dimension {axis}, {size}")
    if x.ndim == 0:
        return sort(x, 0)
    indices = stable_argsort(x.data, axis, descending=largest)
    indices = indices[(slice(None),) * axis + (slice(0, k),)]
    return ValuesIndices(gather(x, axis, indices), constant_like(x, indices.astype(np.int64)))


def flip(x: Tensor, axes: Sequence[int]) -> Tensor:
    """x with the order of entries reversed along each axis in `axes` (non-negative)."""
    return x[tuple(slice(None, None, -1) if a in axes else slice(None) for a in range(x.ndim))]


def roll(x: Tensor, shifts: Sequence[int], axes: Sequence[int] | None) -> Tensor:
    """x shifted by shifts[i] places along axes[i], entries leaving one end coming in at the other.

    With `axes` None the tensor is rolled as if flattened (PyTorch's rule).
    """
    if axes is None:
        return roll(x.reshape(-1), shifts, [0]).reshape(x.shape)
    for shift, axis in zip(shifts, axes):
        size = x.shape[axis]
        if size:
            source = (np.arange(size) - shift) % size  # entry i comes from i - shift
            x = x[(slice(None),) * axis + (source,)]
    return x


def _triangle(x: Tensor, keep: np.ndarray) -> Tensor:
    zero = constant_like(x, np.zeros((), x.dtype))
    return ops.Where.apply(x, zero, condition=keep)


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two axes: (i, j) with j <= i + diagonal, zeros above."""
    rows, columns = x.shape[-2:]
    return _triangle(x, np.tri(rows, columns, diagonal, dtype=bool))


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two axes: (i, j) with j >= i + diagonal, zeros below."""
    rows, columns = x.shape[-2:]
    return _triangle(x, ~np.tri(rows, columns, diagonal - 1, dtype=bool))


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """A vector onto a diagonal of a square matrix, or a matrix's diagonal as a vector.

    `diagonal` 0 is the main diagonal, > 0 above it, < 0 below (PyTorch's diag).

    Raises:
        ValueError: x is neither 1-D nor 2-D.
    """
    if x.ndim == 1:
        n = x.shape[0]
        size = n + abs(diagonal)
        rows = np.arange(n) + max(-diagonal, 0)
        columns = np.arange(n) + max(diagonal, 0)
        return ops.ScatterAdd.apply(x, index=(rows, columns), shape=(size, size))
    if x.ndim == 2:
        height, width = x.shape
        start_row, start_column = max(-diagonal, 0), max(diagonal, 0)
        length = max(min(height - start_row, width - start_column), 0)
        steps = np.arange(length)
        return x[steps + start_row, steps + start_column]
    raise ValueError(f"diag: expects a 1-D or 2-D tensor, got shape {x.shape}")


def one_hot(labels: np.ndarray, num_classes: int = -1) -> np.ndarray:
    """(..., num_classes) int64 array with a 1 at each label (PyTorch's one_hot).

    num_classes=-1 takes one more than the largest label.

    Raises:
        TypeError: labels are not integers.
        ValueError: a label is negative or not below num_classes.
    """
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: labels must be integers, got dtype {labels.dtype}")
    if num_classes == -1:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"one_hot: labels must be in 0 to {num_classes - 1} for num_classes={num_classes}, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return (labels[..., None] == np.arange(num_classes)).astype(np.int64)
