"""Constructors: tensors of zeros, ones, ranges and random numbers."""

from __future__ import annotations

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


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None):
    return _make(np.zeros(_shape(shape), dtype or DEFAULT_DTYPE), dtype, requires_grad, name)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None):
    return _make(np.ones(_shape(shape), dtype or DEFAULT_DTYPE), dtype, requires_grad, name)


def full(
    shape: Any,
    value: float,
    dtype: Any = None,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    shape = _shape((shape,) if isinstance(shape, int) else (shape,))
    return _make(np.full(shape, value, dtype or DEFAULT_DTYPE), dtype, requires_grad, name)


def zeros_like(tensor: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(np.shape(tensor), dtype=dtype or _dtype_of(tensor), requires_grad=requires_grad)


def ones_like(tensor: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(np.shape(tensor), dtype=dtype or _dtype_of(tensor), requires_grad=requires_grad)


def _dtype_of(tensor: Any) -> Any:
    return tensor.dtype if isinstance(tensor, (Tensor, np.ndarray)) else None


def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None):
    """Uniform on [0, 1), drawn from the generator that manual_seed sets."""
    return _make(generator().random(_shape(shape)), dtype, requires_grad, name)


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False, name: str | None = None):
    """Standard normal, drawn from the generator that manual_seed sets."""
    return _make(generator().standard_normal(_shape(shape)), dtype, requires_grad, name)


def uniform(
    low: float = 0.0,
    high: float = 1.0,
    shape: Any = (),
    dtype: Any = None,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """Uniform on [low, high)."""
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
    """Evenly spaced values, as numpy.arange (float32 unless a dtype is given)."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return _make(values, dtype, requires_grad, None)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.eye(n, m), dtype, requires_grad, None)
