"""Small helpers for feeding data sets to a model: one-hot labels, mini-batches, splits."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from tinygrad_edu import random


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


def _split_size(size: int | float | None, total: int, side: str) -> int | None:
    """A split's number of samples from an int (a count) or a float (a fraction)."""
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, (int, float)):
        raise TypeError(
            f"split_dataset: {side}_size must be an int, a float or None, got {type(size).__name__}"
        )
    if isinstance(size, float):
        if not 0 < size < 1:
            raise ValueError(
                f"split_dataset: {side}_size={size} as a fraction must lie strictly between 0 and 1"
            )
        return round(size * total)
    if not 0 < size < total:
        raise ValueError(
            f"split_dataset: {side}_size={size} as a count must lie strictly between 0 and "
            f"the {total} samples"
        )
    return size


def split_dataset(
    dataset: Any,
    left_size: int | float | None = None,
    right_size: int | float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
) -> tuple[Any, Any]:
    """Split arrays into a left part and a right part (e.g. train and test), as Keras's.

        (x_train, y_train), (x_test, y_test) = split_dataset((x, y), left_size=0.8)

    Args:
        dataset: a NumPy array, or a tuple, list or dict of arrays with the same
            number of samples (the first axis).
        left_size, right_size: a fraction of the samples (a float in (0, 1)) or a
            number of them (an int); one may be None for "the rest". The left part
            is the first samples, the right part the last ones (samples between
            them, when the two leave some, are in neither).
        shuffle: shuffle the samples first (the same order for every array).
        seed: the seed of that shuffle; None draws from `tinygrad_edu.random`.

    Returns:
        (left, right), each of the same kind as `dataset` (NumPy arrays where Keras
        gives `tf.data` datasets).

    Raises:
        ValueError: both sizes None, sizes out of range or adding up to more than the
            samples, an empty part, or arrays of different lengths.
        TypeError: a size that is not a number, or a dataset that is not arrays.
    """
    if left_size is None and right_size is None:
        raise ValueError("split_dataset: give left_size, right_size or both")
    arrays = _leaves(dataset)
    lengths = {len(array) for array in arrays}
    if len(lengths) != 1:
        raise ValueError(
            f"split_dataset: the arrays have different numbers of samples {sorted(lengths)}"
        )
    total = lengths.pop()
    left = _split_size(left_size, total, "left")
    right = _split_size(right_size, total, "right")
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(
            f"split_dataset: left_size and right_size make {left} + {right} samples, more "
            f"than the {total} there are"
        )
    if left == 0 or right == 0:
        raise ValueError(
            f"split_dataset: with {total} samples the {'left' if left == 0 else 'right'} "
            "part would be empty; change left_size or right_size"
        )
    order = np.arange(total)
    if shuffle:
        generator = np.random.default_rng(seed) if seed is not None else random.generator()
        order = generator.permutation(total)
    left_rows, right_rows = order[:left], order[total - right :]
    return _take(dataset, left_rows), _take(dataset, right_rows)


def _leaves(dataset: Any) -> list[np.ndarray]:
    if isinstance(dataset, dict):
        return [leaf for value in dataset.values() for leaf in _leaves(value)]
    if isinstance(dataset, (tuple, list)):
        return [leaf for value in dataset for leaf in _leaves(value)]
    array = np.asarray(dataset)
    if array.ndim == 0 or array.dtype == object:
        raise TypeError(
            "split_dataset: expected a NumPy array or a tuple, list or dict of arrays, got "
            f"{type(dataset).__name__}"
        )
    return [array]


def _take(dataset: Any, rows: np.ndarray) -> Any:
    """The same structure as `dataset`, each array's `rows` (in that order)."""
    if isinstance(dataset, dict):
        return {key: _take(value, rows) for key, value in dataset.items()}
    if isinstance(dataset, (tuple, list)):
        return type(dataset)(_take(value, rows) for value in dataset)
    return np.asarray(dataset)[rows]
