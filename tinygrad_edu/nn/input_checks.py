"""What `fit`, `evaluate` and `predict` check before any training starts.

Bad input should fail at once, with a message that names the method, what was
given and what was expected, not three layers down inside a matrix product.
Each function here takes the caller's name (`method`) for that message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.nn import structures
from tinygrad_edu.tensor import Tensor

Shape = tuple[int | None, ...]


def _rectangular(value: Any, method: str, what: str) -> np.ndarray:
    """np.asarray(value), or an error naming `method` for ragged lists (unequal lengths)."""
    try:
        return np.asarray(value)
    except ValueError as error:
        if "inhomogeneous" not in str(error):
            raise
        raise ValueError(
            f"{method}: {what} is a list of rows of different lengths (ragged); every sample "
            "must have the same shape: pad token lists to one length first, e.g. "
            "keras.utils.pad_sequences(sequences, maxlen=...)"
        ) from None


def is_text(value: Any) -> bool:
    """True for an array of strings (the input of a model that starts with TextVectorization)."""
    if not isinstance(value, np.ndarray):
        return False
    if value.dtype.kind in "US":
        return True
    return value.dtype.kind == "O" and all(isinstance(v, (str, bytes)) for v in value.flat)


def as_array(value: Any, method: str, what: str) -> np.ndarray:
    """An ndarray from an ndarray, a Tensor or a (nested) list of numbers.

    Raises:
        TypeError: the values are not numbers (strings, objects).
        ValueError: `value` is a scalar, with no samples axis, or a ragged list.
    """
    if isinstance(value, Tensor):
        value = value.data
    array = _rectangular(value, method, what)
    # strings pass as x: a model that starts with TextVectorization takes them, others refuse
    # them when they see the first batch (Model._prepare_inputs)
    if array.dtype.kind not in "biuf" and not (what == "x" and is_text(array)):
        raise TypeError(f"{method}: {what} must hold numbers, got dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{method}: {what} must have a samples axis, got a scalar")
    return array


def check_finite(array: np.ndarray, method: str, what: str) -> None:
    """Refuse NaN or infinity in the data, in one quick pass over it.

    The sum of squares (a BLAS dot product) is finite exactly when every value
    is, unless it overflows; only then is each value looked at.

    Raises:
        ValueError: naming how many values are bad and the index of the first.
    """
    if array.dtype.kind != "f":
        return
    if np.isfinite(np.vdot(array, array)):
        return
    bad = np.argwhere(~np.isfinite(array))
    if len(bad) == 0:  # the sum of squares overflowed but every value is finite
        return
    position = tuple(int(i) for i in bad[0])
    raise ValueError(
        f"{method}: {what} (shape {array.shape}) contains NaN or infinity "
        f"({len(bad)} values, the first at index {position}: {array[position]}); "
        "clean the data first"
    )


def check_batch_size(batch_size: Any, method: str) -> int:
    """The batch size as an int; None means Keras's default, 32.

    Raises:
        TypeError: not an int (a bool or a float is refused too).
        ValueError: less than 1.
    """
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"{method}: batch_size must be an int, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"{method}: batch_size must be at least 1, got {batch_size}")
    return int(batch_size)


def check_verbose(verbose: Any, method: str) -> int:
    """0 (silent), 1 (a progress bar) or 2 (one line per epoch); "auto" means 1.

    Raises:
        ValueError: any other value.
    """
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"{method}: verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)


def check_epochs(epochs: Any) -> int:
    """The number of epochs `fit` runs, a whole number >= 0.

    Raises:
        ValueError: a bool, a float or a negative number.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: epochs must be a whole number >= 0, got {epochs!r}")
    return int(epochs)


def check_data(
    method: str, x: Any, y: Any = None, needs_y: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """x (and y) as arrays that are non-empty, finite and the same length.

    Raises:
        ValueError: x or a needed y is missing, empty, of different lengths, or
            holds NaN or infinity.
        TypeError: they do not hold numbers.
    """
    if x is None:
        raise ValueError(f"{method}: x is required (a NumPy array of inputs)")
    if structures.is_structure(x) or structures.is_structure(y):
        return _check_structures(method, x, y, needs_y)
    x = as_array(x, method, "x")
    if needs_y and y is None:
        raise ValueError(f"{method}: y is required (targets or labels for x of shape {x.shape})")
    if y is not None:
        y = as_array(y, method, "y")
        if len(x) != len(y):
            raise ValueError(
                f"{method}: x and y must have the same number of samples, got x with shape "
                f"{x.shape} ({len(x)} samples) and y with shape {y.shape} ({len(y)} samples)"
            )
    if len(x) == 0:
        raise ValueError(f"{method}: x is empty (shape {x.shape}); there is no sample to use")
    check_finite(x, method, "x")
    if y is not None:
        check_finite(y, method, "y")
    return x, y


def _check_structures(method: str, x: Any, y: Any, needs_y: bool) -> tuple[Any, Any]:
    """check_data for a model of several inputs or outputs: lists or dicts of arrays, all
    with one number of samples."""
    if needs_y and y is None:
        raise ValueError(f"{method}: y is required (targets or labels for x)")
    x = structures.map_structure(lambda leaf: as_array(leaf, method, "x"), x)
    if y is not None:
        y = structures.map_structure(lambda leaf: as_array(leaf, method, "y"), y)
    arrays = structures.leaves(x) + ([] if y is None else structures.leaves(y))
    lengths = {len(array) for array in arrays}
    if len(lengths) != 1:
        shapes = ", ".join(str(array.shape) for array in arrays)
        raise ValueError(
            f"{method}: every input and target array must have the same number of samples, "
            f"got shapes {shapes}"
        )
    if lengths == {0}:
        raise ValueError(f"{method}: x is empty; there is no sample to use")
    for array in arrays:
        check_finite(array, method, "x or y")
    return x, y


def validation_arrays(
    x: np.ndarray, y: np.ndarray, validation_split: float, validation_data: Any
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """`fit`'s (x, y, (x_val, y_val)): the checked `validation_data`, or the LAST
    `validation_split` of the samples held out (views, no copy); None if neither.

    Raises:
        ValueError: validation_split outside [0, 1) or leaving either part empty;
            validation_data not a pair, or bad as `check_data` explains.
    """
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(
            f"fit: validation_split is the fraction of samples held out, so it must be in "
            f"[0, 1); got {validation_split}"
        )
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("fit: validation_data must be a pair (x_val, y_val)")
        x_val, y_val = check_data("fit (validation_data)", *validation_data)
        return x, y, (x_val, y_val)
    if validation_split == 0:
        return x, y, None
    count = structures.batch_length(x)
    split_at = int(math.floor(count * (1.0 - validation_split)))
    if split_at == 0 or split_at == count:
        raise ValueError(
            f"fit: validation_split={validation_split} of {count} samples leaves "
            f"{split_at} for training and {count - split_at} for validation; "
            "both need at least one"
        )

    def part(value: Any, where: slice) -> Any:
        return structures.map_structure(lambda array: array[where], value)

    train, held_out = slice(None, split_at), slice(split_at, None)
    return part(x, train), part(y, train), (part(x, held_out), part(y, held_out))


def check_input_shape(x: np.ndarray, expected: Shape | None, method: str) -> None:
    """Refuse x whose shape does not fit the model's `expected` input shape (None: any).

    Raises:
        ValueError: naming both shapes.
    """
    if expected is None or structures.is_structure(x):  # several inputs: checked per input
        return
    if x.ndim == len(expected) - 1 and expected[-1] == 1:  # (N,) for (None, 1): Keras adds the 1
        expected = expected[:-1]
    fits = len(expected) == x.ndim and all(
        want is None or want == size for want, size in zip(expected[1:], x.shape[1:])
    )
    if not fits:
        raise ValueError(
            f"{method}: the model expects inputs of shape {format_shape(expected)} "
            f"(None = any number of samples), but x has shape {x.shape}"
        )


def format_shape(shape: Any) -> str:
    """`(None, 784)`, `(10,)`, or `?` for an unknown shape, as Keras prints them."""
    if shape is None:
        return "?"
    if isinstance(shape, tuple):
        return "(" + ", ".join(str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"
    return str(shape)


def as_tensor(value: Any, model_dtype: Callable[[], np.dtype]) -> Any:
    """A model's input as a Tensor: arrays and nested lists of numbers (uint8 images
    included) in the dtype `model_dtype()` gives; Tensors and anything else as they are."""
    if isinstance(value, Tensor) or not isinstance(value, (np.ndarray, list)):
        return value
    array = _rectangular(value, "the model", "its input")
    if is_text(array):  # for a TextVectorization layer: strings stay strings
        return array
    if array.dtype.kind in "biuf" and array.dtype != model_dtype():
        array = array.astype(model_dtype())
    return Tensor(array)
