"""Small helpers for feeding data sets to a model: one-hot labels and mini-batches."""

from __future__ import annotations

import operator
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, DTypeLike


def to_categorical(
    y: ArrayLike, num_classes: int | None = None, dtype: DTypeLike = "float32"
) -> np.ndarray:
    """One-hot encode class labels: label ``k`` becomes a vector with a 1 at index ``k``.

    A softmax classifier outputs one probability per class, and cross-entropy
    compares it with such a vector. Follows Keras: the result has shape
    ``y.shape + (num_classes,)``, except that a trailing axis of size 1 (labels
    shaped ``(N, 1)``) is dropped first. ``num_classes`` defaults to
    ``max(y) + 1``.

    >>> to_categorical([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)

    Raises ``TypeError`` for labels that are not integers (floats are accepted
    only when they are whole numbers, like 3.0) and ``ValueError`` for negative
    labels or labels >= ``num_classes``.
    """
    labels = np.asarray(y)
    if np.issubdtype(labels.dtype, np.floating):
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise TypeError("to_categorical needs integer class labels, got non-integer floats")
    elif not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"to_categorical needs integer class labels, got dtype {labels.dtype}")

    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1).astype(np.int64)

    if num_classes is None:
        if flat.size == 0:
            raise ValueError("cannot guess num_classes from empty labels; pass num_classes")
        num_classes = int(flat.max()) + 1
    num_classes = operator.index(num_classes)  # rejects 2.5, accepts numpy integers
    if num_classes < 1:
        raise ValueError(f"num_classes must be at least 1, got {num_classes}")
    if flat.size and flat.min() < 0:
        raise ValueError(f"labels must not be negative, found {flat.min()}")
    if flat.size and flat.max() >= num_classes:
        raise ValueError(
            f"label {flat.max()} is out of range for num_classes={num_classes} "
            f"(labels must be 0..{num_classes - 1})"
        )

    one_hot = np.zeros((flat.size, num_classes), dtype=dtype)
    one_hot[np.arange(flat.size), flat] = 1  # row i gets a 1 in column flat[i]
    return one_hot.reshape(*shape, num_classes)


def batches(
    x: ArrayLike,
    y: ArrayLike,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int | np.random.Generator | None = None,
    drop_last: bool = False,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Iterate over ``(x_batch, y_batch)`` mini-batches, shuffled once per call.

    One pass over the result is one epoch. Shuffling means every epoch sees
    the examples in a new order, so gradient steps are not biased by how the
    data happens to be sorted. The last batch is smaller when ``batch_size``
    does not divide the number of examples (``drop_last=True`` skips it).

    ``seed`` is passed to ``np.random.default_rng``: an int gives the same order
    every call (reproducible), ``None`` a new order every call, and a
    ``Generator`` created once outside the training loop gives a different but
    reproducible order each epoch. ``shuffle=False`` keeps the original order.

    Arguments are checked right away, not when iteration starts, so a mistake
    shows up at the line that made it.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("x and y must be arrays with one example per row, not single numbers")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if isinstance(batch_size, bool):
        raise TypeError("batch_size must be an integer, got a bool")
    batch_size = operator.index(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")

    order = np.random.default_rng(seed).permutation(len(x)) if shuffle else None
    return _iterate_batches(x, y, batch_size, order, drop_last)


def _iterate_batches(
    x: np.ndarray, y: np.ndarray, batch_size: int, order: np.ndarray | None, drop_last: bool
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The generator behind ``batches`` (kept separate so argument errors are raised early)."""
    n = len(x)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        if order is None:
            yield x[start : start + batch_size], y[start : start + batch_size]
        else:
            index = order[start : start + batch_size]
            yield x[index], y[index]
