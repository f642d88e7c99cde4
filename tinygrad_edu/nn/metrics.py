"""Metrics: numbers for people to read (accuracy, mse), computed on plain arrays.

Unlike losses they need no gradient, so they take NumPy arrays and return a
Python float: the mean over the batch. `fit` averages them over an epoch,
weighting each batch by its size.

"accuracy" means different things for different targets; as in Keras, `get`
picks the one that fits the loss (or, when the loss does not tell, the shapes):

    sparse_categorical_crossentropy -> sparse_categorical_accuracy (labels are indices)
    categorical_crossentropy        -> categorical_accuracy        (labels are one-hot)
    binary_crossentropy             -> binary_accuracy             (threshold 0.5)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.nn import losses, saving
from tinygrad_edu.tensor import Tensor


def _array(values: Any) -> np.ndarray:
    return np.asarray(values.data if isinstance(values, Tensor) else values)


def _fraction(hits: np.ndarray) -> float:
    """The fraction of True entries (NaN for an empty batch, as np.mean gives)."""
    # count_nonzero is one quick C call; np.mean goes through Python wrappers and a
    # float conversion, which shows when fit calls it at every step.
    return int(np.count_nonzero(hits)) / hits.size if hits.size else float("nan")


def _same_shape(metric: str, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """y_true reshaped to y_pred's shape (a trailing axis of 1 may differ), or an error."""
    if y_true.shape == y_pred.shape:
        return y_true
    if y_true.shape + (1,) == y_pred.shape or y_true.shape == y_pred.shape + (1,):
        return y_true.reshape(y_pred.shape)
    raise ValueError(
        f"{metric}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; "
        "expected the same shape"
    )


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of samples whose highest-scoring class is the label (labels are indices).

    y_true: (N,) or (N, 1) class indices; y_pred: (N, classes) scores or probabilities
    (arrays or Tensors). Returns a float in [0, 1] (NaN for an empty batch).

    Raises:
        ValueError: y_true has not one class index per sample.
    """
    y_true, y_pred = _array(y_true), _array(y_pred)
    batch_shape = y_pred.shape[:-1]
    if y_true.shape == batch_shape + (1,):
        y_true = y_true.reshape(batch_shape)
    if y_true.shape != batch_shape:
        raise ValueError(
            f"sparse_categorical_accuracy: y_true has shape {y_true.shape} but y_pred has shape "
            f"{y_pred.shape}; expected one class index per sample, shape {batch_shape}"
        )
    return _fraction(y_pred.argmax(axis=-1) == y_true)


def categorical_accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of samples whose highest-scoring class is the one-hot label's class.

    y_true and y_pred have the same shape (N, classes). Returns a float in [0, 1].

    Raises:
        ValueError: the shapes differ.
    """
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"categorical_accuracy: y_true has shape {y_true.shape} but y_pred has shape "
            f"{y_pred.shape}; expected one-hot labels of the same shape"
        )
    return _fraction(y_pred.argmax(axis=-1) == y_true.argmax(axis=-1))


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> float:
    """Fraction of outputs whose class (1 if y_pred > threshold, else 0) equals y_true."""
    y_pred = _array(y_pred)
    y_true = _same_shape("binary_accuracy", _array(y_true), y_pred)
    return _fraction((y_pred > threshold) == y_true)


def mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """Mean of (y_true - y_pred)^2 over every entry, a float in the targets' units squared.

    Shapes must match (a trailing axis of size 1 may differ); ValueError otherwise.
    """
    y_pred = _array(y_pred)
    difference = y_pred - _same_shape("mean_squared_error", _array(y_true), y_pred)
    return float(np.mean(difference * difference))


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """Mean of |y_true - y_pred| over every entry, a float in the targets' units.

    Shapes must match (a trailing axis of size 1 may differ); ValueError otherwise.
    """
    y_pred = _array(y_pred)
    return float(
        np.mean(np.abs(y_pred - _same_shape("mean_absolute_error", _array(y_true), y_pred)))
    )


mse = mean_squared_error
mae = mean_absolute_error


def _accuracy_by_shapes(y_true: Any, y_pred: Any) -> float:
    """Keras 3's choice when the loss does not say: from the shapes of this batch."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_pred.ndim <= 1 or y_pred.shape[-1] == 1:
        return binary_accuracy(y_true, y_pred)
    if y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
        return sparse_categorical_accuracy(y_true, y_pred)
    return categorical_accuracy(y_true, y_pred)


class Metric:
    """A metric function with the name it is logged under: `metric(y_true, y_pred) -> float`."""

    def __init__(self, function: Callable[..., Any], name: str, **options: Any) -> None:
        self.function = function
        self.name = name
        self.options = options

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        """The metric of one batch as a float (a per-sample result is averaged)."""
        value = self.function(y_true, y_pred, **self.options)
        if isinstance(value, Tensor):  # written with keras.ops: its values
            value = value.data
        # Built-in metrics return a float; a user's may return one value per sample.
        return value if type(value) is float else float(np.mean(value))

    def __repr__(self) -> str:
        return f"Metric(name={self.name!r}, function={self.function.__name__})"

    def get_config(self) -> dict[str, Any]:
        """The function (saved by name), the logged name and the options, as JSON values."""
        function = saving.serialize_value(self.function, f"metric {self.name!r}")
        return {"function": function, "name": self.name, **self.options}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """A new Metric from `get_config()`'s result."""
        arguments = saving.arguments_from_config(config)
        return cls(arguments.pop("function"), **arguments)


_BY_NAME: dict[str, Callable[..., float]] = {
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "binary_accuracy": binary_accuracy,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
}

_ACCURACY_FOR_LOSS = {
    "sparse_categorical_crossentropy": sparse_categorical_accuracy,
    "categorical_crossentropy": categorical_accuracy,
    "binary_crossentropy": binary_accuracy,
}


def names() -> list[str]:
    """The names `get` accepts."""
    return sorted([*_BY_NAME, "accuracy", "acc"])


def get(identifier: str | Metric | Callable[..., Any], loss: Any = None) -> Metric:
    """A Metric from a name, a Metric, or a function `(y_true, y_pred) -> number`.

    The Metric's `name` is the string given ("acc" stays "acc"), or the function's name.
    "accuracy" (or "acc") becomes the accuracy that fits `loss` (compile's loss), or, if
    the loss does not tell, one chosen from each batch's shapes, as Keras 3 does.

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
        TypeError: something that is neither a name nor callable.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in ("accuracy", "acc"):
            return _accuracy_for(identifier, loss)
        if identifier not in _BY_NAME:
            raise ValueError(
                f"Unknown metric {identifier!r}; valid names: {', '.join(names())} "
                "(or pass a function (y_true, y_pred) -> number)"
            )
        return Metric(_BY_NAME[identifier], identifier)
    if callable(identifier):
        return Metric(identifier, getattr(identifier, "__name__", type(identifier).__name__))
    raise TypeError(
        f"metrics.get: expected a metric name, a Metric or a callable, got "
        f"{type(identifier).__name__}"
    )


def get_all(metrics: Any, loss: Any = None, method: str = "compile") -> list[Metric]:
    """The Metrics for `compile(metrics=...)`: a list of what `get` takes, or one alone.

    Raises:
        ValueError: a metric `get` cannot use, or two that would be logged under
            one name (or as "loss"); the message starts with `method`.
    """
    if isinstance(metrics, str) or callable(metrics):  # one metric, not a list
        metrics = [metrics]
    compiled = []
    for metric in metrics or []:
        try:
            compiled.append(get(metric, loss=loss))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{method}: cannot use metric {metric!r}: {error}") from None
    names = ["loss"] + [metric.name for metric in compiled]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"{method}: two metrics would both be logged as {duplicates[0]!r}")
    return compiled


def _accuracy_for(name: str, loss: Any) -> Metric:
    loss_name = losses.canonical_name(loss) if loss is not None else None
    function = _ACCURACY_FOR_LOSS.get(loss_name)
    if function is None:
        return Metric(_accuracy_by_shapes, name)
    if function is binary_accuracy and getattr(loss, "from_logits", False):
        # The model outputs logits: class 1 is a logit above 0, i.e. sigmoid above 0.5.
        return Metric(binary_accuracy, name, threshold=0.0)
    return Metric(function, name)
