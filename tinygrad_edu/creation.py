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
from tinygrad_edu.scalars import does_not_fit
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

    Raises:
        OverflowError: an integer value the dtype cannot hold (256 as uint8).
    """
    shape = _shape((shape,) if isinstance(shape, int) else (shape,))
    try:
        filled = np.full(shape, value, dtype or DEFAULT_DTYPE)
    except OverflowError:
        raise does_not_fit("full", value, dtype or DEFAULT_DTYPE) from None
    return _make(filled, dtype, requires_grad, name)


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


# ---------------------------------------------------------------- PyTorch's other constructors
def linspace(
    start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """`steps` evenly spaced values from start to end, both included (as torch.linspace).

    Args:
        start, end: the first and the last value.
        steps: how many values.
        dtype, requires_grad: as for `zeros`.
    Raises:
        ValueError: steps is negative.
    """
    if steps < 0:
        raise ValueError(f"linspace: steps must be >= 0, got {steps}")
    return _make(np.linspace(start, end, int(steps)), dtype, requires_grad, None)


def full_like(
    tensor: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of `tensor`'s shape (and dtype, for a Tensor or array), every entry fill_value.

    Args:
        tensor: a Tensor, array or nested list whose shape (and dtype) to take.
        fill_value: the number every entry holds.
        dtype: overrides the dtype taken from `tensor` (float32 for a list).
        requires_grad: as for `zeros`.
    """
    return full(np.shape(tensor), fill_value, dtype or _dtype_of(tensor), requires_grad)


def randint(*bounds: int, size: Any = None, dtype: Any = np.int64) -> Tensor:
    """Integers drawn uniformly from [low, high): `randint(high, size)`, `randint(low, high, size)`.

    As torch.randint: low is 0 unless given, high is not included, int64 unless `dtype`.

    Raises:
        TypeError: not one or two bounds and a size.
        ValueError: low >= high.
    """
    if size is None and bounds and not isinstance(bounds[-1], (int, np.integer)):
        *bounds, size = bounds
    if size is None or len(bounds) not in (1, 2):
        raise TypeError(
            f"randint: expects randint(high, size) or randint(low, high, size), got bounds "
            f"{tuple(bounds)} and size {size!r}"
        )
    low, high = (0, *bounds) if len(bounds) == 1 else bounds
    if low >= high:
        raise ValueError(f"randint: low ({low}) must be below high ({high})")
    shape = _shape((size,) if isinstance(size, int) else (size,))
    return Tensor(generator().integers(low, high, shape).astype(dtype))


def multinomial(weights: Any, num_samples: int, replacement: bool = False) -> Tensor:
    """Indices drawn with probability proportional to `weights` (as torch.multinomial).

    Args:
        weights: (n,) or (rows, n) non-negative weights (they need not sum to 1).
        num_samples: how many indices to draw per row.
        replacement: draw with replacement; without it an index comes at most once,
            so num_samples may not exceed the number of nonzero weights.
    Returns:
        int64 indices of shape (num_samples,) or (rows, num_samples), no graph.
    Raises:
        ValueError: weights that are not 1-D or 2-D, negative, not finite or all zero,
            or too many samples without replacement.
    """
    weights = np.asarray(weights.data if isinstance(weights, Tensor) else weights, np.float64)
    if weights.ndim not in (1, 2):
        raise ValueError(f"multinomial: weights must be 1-D or 2-D, got shape {weights.shape}")
    rows = np.atleast_2d(weights)
    if not np.isfinite(rows).all() or (rows < 0).any() or (rows.sum(axis=1) <= 0).any():
        raise ValueError("multinomial: weights must be finite, >= 0, and not all 0 in a row")
    if not replacement and num_samples > np.count_nonzero(rows, axis=1).min():
        raise ValueError(
            f"multinomial: cannot draw {num_samples} samples without replacement from rows "
            f"with {np.count_nonzero(rows, axis=1).min()} nonzero weights"
        )
    drawn = np.stack(
        [
            generator().choice(row.size, num_samples, replace=replacement, p=row / row.sum())
            for row in rows
        ]
    ).astype(np.int64)
    return Tensor(drawn if weights.ndim == 2 else drawn[0])
