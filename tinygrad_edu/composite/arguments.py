"""PyTorch's argument names with NumPy's as aliases: `dim` or `axis`, `keepdim` or `keepdims`."""

from __future__ import annotations

from typing import Any


def pick_axis(dim: Any, axis: Any, op: str, default: Any = None) -> Any:
    """The axis asked for by `dim` (PyTorch's name) or `axis` (NumPy's), not both.

    Raises:
        TypeError: both are given.
    """
    if dim is not None and axis is not None:
        raise TypeError(f"{op}: give dim (PyTorch's name) or axis (NumPy's), not both")
    if dim is not None:
        return dim
    return axis if axis is not None else default


def pick_keepdims(keepdim: bool, keepdims: bool | None) -> bool:
    """`keepdims` (NumPy's name) when given, else `keepdim` (PyTorch's)."""
    return bool(keepdim if keepdims is None else keepdims)


def one_axis(axis: Any, ndim: int, op: str) -> int:
    """A single axis as a non-negative int (a 0-d tensor has the one axis 0, as in PyTorch).

    Raises:
        TypeError: not an int.
        IndexError: out of range.
    """
    if isinstance(axis, bool) or not hasattr(axis, "__index__"):
        raise TypeError(f"{op}: dim must be one int, got {axis!r}")
    axis = int(axis)
    size = max(ndim, 1)
    if not -size <= axis < size:
        raise IndexError(
            f"{op}: dim {axis} is out of range for a tensor with {ndim} dimensions "
            f"(expected {-size} to {size - 1})"
        )
    return axis % size
