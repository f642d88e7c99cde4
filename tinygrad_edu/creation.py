"""Constructors: tensors of zeros, ones, ranges and random numbers.

Every constructor makes a new leaf Tensor, float32 unless `dtype` says otherwise (as
PyTorch's default dtype; `arange` of integers gives int64), with `requires_grad=False`
unless asked. A shape may be given as separate ints (`zeros(2, 3)`) or as one tuple
(`zeros((2, 3))`); a negative size is a ValueError. `requires_grad=True` with an
integer dtype is a TypeError (only floating-point tensors have gradients). The random
ones draw from the generator that `tinygrad_edu.manual_seed` seeds.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.random import generator
from tinygrad_edu.tensor import Tensor

DEFAULT_DTYPE = np.float32


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept both zeros(2, 3) and zeros((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], Sequence):
        shape = tuple(shape[0])
    if any(int(s) < 0 for s in shape):
        raise ValueError(f"shape {shape} has a negative size")
    return tuple(int(s) for s in shape)


def _make(array: np.ndarray, dtype: Any, requires_grad: bool, name: str | None) -> Tensor:
    return Tensor(array.astype(dtype or DEFAULT_DTYPE, copy=False), requires_grad, name=name)


def zeros(
    *shape: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None
) -> Tensor:
    """A tensor of zeros of `shape`.

    `dtype` is float32 unless given; `requires_grad=True` makes a leaf that backward
    fills (floating dtypes only); `name` labels it in reprs and graph pictures.
    """
    return _make(np.zeros(_shape(shape), dtype or DEFAULT_DTYPE), dtype, requires_grad, name)


def ones(
    *shape: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None
) -> Tensor:
    """A tensor of ones of `shape`.

    `dtype` is float32 unless given; `requires_grad=True` makes a leaf that backward
    fills (floating dtypes only); `name` labels it in reprs and graph pictures.
    """
    return _make(np.ones(_shape(shape), dtype or DEFAULT_DTYPE), dtype, requires_grad, name)


def full(
    shape: Any,
    value: float,
    dtype: Any = None,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """A tensor of `shape` with every entry `value`.

    Args:
        shape: an int or a tuple.
        value: the number every entry holds (rounded to the dtype).
        dtype, requires_grad, name: as for `zeros`.
    """
    shape = _shape((shape,) if isinstance(shape, int) else (shape,))
    return _make(np.full(shape, value, dtype or DEFAULT_DTYPE), dtype, requires_grad, name)


def zeros_like(tensor: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of `tensor`'s shape, and of its dtype if it is a Tensor or array (else float32)."""
    return zeros(np.shape(tensor), dtype=dtype or _dtype_of(tensor), requires_grad=requires_grad)


def ones_like(tensor: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of `tensor`'s shape, and of its dtype if it is a Tensor or array (else float32)."""
    return ones(np.shape(tensor), dtype=dtype or _dtype_of(tensor), requires_grad=requires_grad)


def _dtype_of(tensor: Any) -> Any:
    return tensor.dtype if isinstance(tensor, (Tensor, np.ndarray)) else None


def rand(
    *shape: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None
) -> Tensor:
    """Uniform on [0, 1), drawn from the generator that manual_seed sets."""
    return _make(generator().random(_shape(shape)), dtype, requires_grad, name)


def randn(
    *shape: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None
) -> Tensor:
    """Standard normal (mean 0, standard deviation 1), drawn from the generator that
    manual_seed sets."""
    return _make(generator().standard_normal(_shape(shape)), dtype, requires_grad, name)


def uniform(
    low: float = 0.0,
    high: float = 1.0,
    shape: Any = (),
    dtype: Any = None,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """Uniform on [low, high), drawn from the generator that manual_seed sets.

    Args:
        low, high: the bounds, low <= high.
        shape: an int or a tuple, () (one number) by default.
        dtype, requires_grad, name: as for `zeros`.

    Raises:
        TypeError: low or high is not a number (a shape given first, as for `rand`).
        ValueError: low greater than high, or a negative size.
    """
    for argument, value in (("low", low), ("high", high)):
        if not isinstance(value, numbers.Real):
            raise TypeError(
                f"uniform(low, high, shape): {argument} must be a number, got {value!r}; the "
                "shape comes third, e.g. uniform(0.0, 1.0, (2, 3)) or uniform(shape=(2, 3))"
            )
    if not low <= high:
        raise ValueError(f"uniform: low ({low}) must not be greater than high ({high})")
    shape = _shape((shape,) if isinstance(shape, int) else (shape,))
    return _make(generator().uniform(low, high, shape), dtype, requires_grad, name)


def arange(
    start: float,
    stop: float | None = None,
    step: float = 1,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values, as numpy.arange and torch.arange.

    The dtype, unless given: int64 when start, stop and step are all integers
    (`arange(3)` is 0, 1, 2, usable as indices), else float32, as in PyTorch.

    Args:
        start: the first value; given alone it is the stop, and the range starts at 0
            (`arange(5)` is 0, 1, 2, 3, 4).
        stop: the end, not included.
        step: the distance between values (1); `arange(10, step=2)` is 0, 2, 4, 6, 8.
        dtype, requires_grad: as for `zeros`.
    """
    values = np.arange(start, stop, step) if stop is not None else np.arange(0, start, step)
    if dtype is None and all(
        isinstance(v, (int, np.integer)) for v in (start, stop, step) if v is not None
    ):
        dtype = np.int64  # integers in, integers out
    return _make(values, dtype, requires_grad, None)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix: ones on the diagonal, zeros elsewhere.

    Args:
        n: the number of rows.
        m: the number of columns (n when left out).
        dtype, requires_grad: as for `zeros`.
    """
    return _make(np.eye(n, m), dtype, requires_grad, None)
