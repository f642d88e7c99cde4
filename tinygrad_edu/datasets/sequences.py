"""Preparing arrays before training: padding sequences to one length, scaling rows to
unit length. Keras's `keras.utils.pad_sequences` and `keras.utils.normalize`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike


def pad_sequences(
    sequences: Iterable[Sequence[Any]],
    maxlen: int | None = None,
    dtype: DTypeLike = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: float = 0.0,
) -> np.ndarray:
    """Sequences of different lengths as one (count, maxlen) array, as Keras's.

    Shorter ones are filled with `value`, before them (padding="pre", Keras's default,
    so a recurrent layer reads the real steps last) or after ("post"); longer ones
    lose steps at the start (truncating="pre") or the end ("post").

    >>> pad_sequences([[1, 2], [3, 4, 5]])
    array([[0, 1, 2],
           [3, 4, 5]], dtype=int32)

    Args:
        sequences: a list of sequences of numbers (each a list or 1-d array; each step
            may itself be an array of one shape, giving (count, maxlen, *step_shape)).
        maxlen: the length of the result, the longest sequence's by default.
        dtype: of the result ("int32").
        padding, truncating: "pre" or "post".
        value: what padded steps hold (0).

    Returns:
        An array of shape (len(sequences), maxlen, *step_shape) and `dtype`.

    Raises:
        ValueError: padding or truncating not "pre"/"post", a negative maxlen, or
            steps of different shapes.
    """
    for name, setting in (("padding", padding), ("truncating", truncating)):
        if setting not in ("pre", "post"):
            raise ValueError(f"pad_sequences: {name} must be 'pre' or 'post', got {setting!r}")
    rows = [np.asarray(sequence) for sequence in sequences]
    if maxlen is None:
        maxlen = max((len(row) for row in rows), default=0)
    if maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be >= 0, got {maxlen}")
    step_shape = next((row.shape[1:] for row in rows if len(row)), ())
    result = np.full((len(rows), maxlen, *step_shape), value, dtype=dtype)
    for index, row in enumerate(rows):
        if not len(row) or not maxlen:
            continue
        if row.shape[1:] != step_shape:
            raise ValueError(
                f"pad_sequences: sequence {index} has steps of shape {row.shape[1:]}, the "
                f"others {step_shape}"
            )
        kept = row[-maxlen:] if truncating == "pre" else row[:maxlen]
        if padding == "post":
            result[index, : len(kept)] = kept
        else:
            result[index, maxlen - len(kept) :] = kept
    return result


def normalize(x: ArrayLike, axis: int = -1, order: int = 2) -> np.ndarray:
    """x divided by its `order`-norm along `axis`, so each row has length 1 (Keras's).

    Rows of norm 0 are left as they are (divided by 1, not by 0). Keras 3.15 divides
    along the last axis whenever axis=0 is asked for; here axis=0 means axis 0.

    Args:
        x: an array of numbers.
        axis: the axis the norm runs along (the last).
        order: the norm's order (2: Euclidean length; 1: sum of absolute values).

    Returns:
        A float array of x's shape.

    Raises:
        numpy.exceptions.AxisError: an axis x does not have.
    """
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
