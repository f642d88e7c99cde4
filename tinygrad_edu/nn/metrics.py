"""Metrics: numbers for people to read (accuracy, mse), as Keras's stateful classes.

Each metric is a class with a state (see nn/metric_base.py): `update_state` adds
a batch, `result()` gives the value over every batch since `reset_state()`.
`fit` resets them at each epoch's start and logs their results, so an epoch's
accuracy is the fraction of all its samples that were right. Metrics need no
gradient: they work on NumPy arrays (Tensors are read as arrays).

The accuracies and errors are means over samples of a value per sample, so each
is a `MeanMetricWrapper` of a small function below (`_sparse_categorical_hits`,
...); the functions of Keras's names (`sparse_categorical_accuracy(y_true,
y_pred)`) give the same mean for one batch, as a Python float.
Names map onto the classes: `compile(metrics=["mae", "auc"])` is
`metrics=[MeanAbsoluteError(name="mae"), AUC(name="auc")]`.

"accuracy" means different things for different targets; as in Keras, `get`
picks the one that fits the loss (or, when the loss does not tell, the shapes):

    sparse_categorical_crossentropy -> SparseCategoricalAccuracy (labels are indices)
    categorical_crossentropy        -> CategoricalAccuracy       (labels are one-hot)
    binary_crossentropy             -> BinaryAccuracy            (threshold 0.5)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.autograd import no_grad
from tinygrad_edu.nn import losses
from tinygrad_edu.nn.confusion_metrics import AUC, Precision, Recall
from tinygrad_edu.nn.metric_base import (
    Mean,
    MeanMetricWrapper,
    Metric,
    MetricResult,
    Sum,
    Variable,
)
from tinygrad_edu.nn.module import snake_case
from tinygrad_edu.tensor import Tensor


def _array(values: Any) -> np.ndarray:
    return np.asarray(values.data if isinstance(values, Tensor) else values)


def _fraction(hits: np.ndarray) -> float:
    """The fraction of True entries (NaN for an empty batch, as np.mean gives)."""
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


def _class_indices(metric: str, y_true: Any, y_pred: np.ndarray) -> np.ndarray:
    """Labels as one class index per sample, shape y_pred.shape[:-1], or an error."""
    y_true = _array(y_true)
    if y_pred.ndim < 2:
        raise ValueError(
            f"{metric}: y_pred must hold one row of class scores per sample, shape "
            f"(batch, classes), got shape {y_pred.shape}"
        )
    batch_shape = y_pred.shape[:-1]
    if y_true.shape == batch_shape + (1,):
        y_true = y_true.reshape(batch_shape)
    if y_true.shape != batch_shape:
        raise ValueError(
            f"{metric}: y_true has shape {y_true.shape} but y_pred has shape "
            f"{y_pred.shape}; expected one class index per sample, shape {batch_shape}"
        )
    return y_true


def _one_hot_classes(metric: str, y_true: Any, y_pred: np.ndarray) -> np.ndarray:
    """The class of each one-hot label row (argmax), after checking the shapes match."""
    y_true = _array(y_true)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{metric}: y_true has shape {y_true.shape} but y_pred has shape "
            f"{y_pred.shape}; expected one-hot labels of the same shape"
        )
    return y_true.argmax(axis=-1)


# ---------------------------------------------------------------- values per sample
def _sparse_categorical_hits(y_true: Any, y_pred: Any) -> np.ndarray:
    """True where the highest-scoring class is the label (an index), one per sample."""
    y_pred = _array(y_pred)
    labels = _class_indices("sparse_categorical_accuracy", y_true, y_pred)
    return y_pred.argmax(axis=-1) == labels


def _categorical_hits(y_true: Any, y_pred: Any) -> np.ndarray:
    """True where the highest-scoring class is the one-hot label's, one per sample."""
    y_pred = _array(y_pred)
    return y_pred.argmax(axis=-1) == _one_hot_classes("categorical_accuracy", y_true, y_pred)


def _binary_hits(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """True where (y_pred > threshold) equals y_true, one per output."""
    y_pred = _array(y_pred)
    return (y_pred > threshold) == _same_shape("binary_accuracy", _array(y_true), y_pred)


def _equal_hits(y_true: Any, y_pred: Any) -> np.ndarray:
    """True where y_pred equals y_true exactly (Keras's `Accuracy`: for class ids)."""
    y_pred = _array(y_pred)
    return _same_shape("accuracy", _array(y_true), y_pred) == y_pred


def _in_top_k(labels: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """True where the label's score is among the k highest of its row: fewer than k
    scores are strictly higher (so a tie counts in, as Keras's in_top_k)."""
    label_scores = np.take_along_axis(y_pred, labels.astype(np.int64)[..., None], axis=-1)
    return (y_pred > label_scores).sum(axis=-1) < k


def _top_k_hits(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """True where the one-hot label's class is among the k best scores, one per sample."""
    y_pred = _array(y_pred)
    classes = _one_hot_classes("top_k_categorical_accuracy", y_true, y_pred)
    return _in_top_k(classes, y_pred, k)


def _sparse_top_k_hits(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """True where the label (an index) is among the k best scores, one per sample."""
    y_pred = _array(y_pred)
    labels = _class_indices("sparse_top_k_categorical_accuracy", y_true, y_pred)
    return _in_top_k(labels, y_pred, k)


def _errors(metric: str, y_true: Any, y_pred: Any) -> np.ndarray:
    y_pred = _array(y_pred).astype(np.float64, copy=False)
    return y_pred - _same_shape(metric, _array(y_true), y_pred)


def _squared_errors(y_true: Any, y_pred: Any) -> np.ndarray:
    """(y_pred - y_true)^2 averaged over the last axis: one value per sample, as Keras."""
    errors = _errors("mean_squared_error", y_true, y_pred)
    squares = errors * errors
    return squares.mean(axis=-1) if squares.ndim > 1 else squares


def _absolute_errors(y_true: Any, y_pred: Any) -> np.ndarray:
    """|y_pred - y_true| averaged over the last axis: one value per sample, as Keras."""
    errors = np.abs(_errors("mean_absolute_error", y_true, y_pred))
    return errors.mean(axis=-1) if errors.ndim > 1 else errors


# ---------------------------------------------------------------- one batch, as a float
def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of samples whose highest-scoring class is the label (labels are indices).

    y_true: (N,) or (N, 1) class indices; y_pred: (N, classes) scores or probabilities
    (arrays or Tensors). Returns a float in [0, 1] (NaN for an empty batch).

    Raises:
        ValueError: y_true has not one class index per sample.
    """
    return _fraction(_sparse_categorical_hits(y_true, y_pred))


def categorical_accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of samples whose highest-scoring class is the one-hot label's class.

    y_true and y_pred have the same shape (N, classes). Returns a float in [0, 1].

    Raises:
        ValueError: the shapes differ.
    """
    return _fraction(_categorical_hits(y_true, y_pred))


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> float:
    """Fraction of outputs whose class (1 if y_pred > threshold, else 0) equals y_true."""
    return _fraction(_binary_hits(y_true, y_pred, threshold))


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> float:
    """Fraction of samples whose one-hot label's class is among the k highest scores.

    y_true, y_pred: (N, classes). Returns a float in [0, 1] (NaN for an empty batch).
    """
    return _fraction(_top_k_hits(y_true, y_pred, k))


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> float:
    """Fraction of samples whose label (an index) is among the k highest scores.

    y_true: (N,) or (N, 1) class indices; y_pred: (N, classes). Returns a float in [0, 1].
    """
    return _fraction(_sparse_top_k_hits(y_true, y_pred, k))


def mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """Mean of (y_true - y_pred)^2 over every entry, a float in the targets' units squared.

    Shapes must match (a trailing axis of size 1 may differ); ValueError otherwise.
    """
    return float(np.mean(_squared_errors(y_true, y_pred)))


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """Mean of |y_true - y_pred| over every entry, a float in the targets' units.

    Shapes must match (a trailing axis of size 1 may differ); ValueError otherwise.
    """
    return float(np.mean(_absolute_errors(y_true, y_pred)))


mse = mean_squared_error
mae = mean_absolute_error


def _accuracy_by_shapes(y_true: Any, y_pred: Any) -> np.ndarray:
    """Keras 3's choice when the loss does not say: from the shapes of this batch."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_pred.ndim <= 1 or y_pred.shape[-1] == 1:
        return _binary_hits(y_true, y_pred)
    if y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
        return _sparse_categorical_hits(y_true, y_pred)
    return _categorical_hits(y_true, y_pred)


# ---------------------------------------------------------------- the classes
class Accuracy(MeanMetricWrapper):
    """How often y_pred equals y_true exactly (for predicted class ids, not scores)."""

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(_equal_hits, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) equals the 0/1 label; see `binary_accuracy`."""

    def __init__(
        self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5
    ) -> None:
        super().__init__(_binary_hits, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the highest score is the one-hot label's class; see `categorical_accuracy`."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(_categorical_hits, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the highest score is the label (an index); see `sparse_categorical_accuracy`."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(_sparse_categorical_hits, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the k highest scores (k=5)."""

    def __init__(
        self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(_top_k_hits, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the label (an index) is among the k highest scores (k=5)."""

    def __init__(
        self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(_sparse_top_k_hits, name=name, dtype=dtype, k=k)
        self.k = k


class MeanSquaredError(MeanMetricWrapper):
    """The mean over samples of (y_pred - y_true)^2 averaged over the last axis."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(_squared_errors, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean over samples of |y_pred - y_true| averaged over the last axis."""

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(_absolute_errors, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """sqrt of the mean of (y_pred - y_true)^2 over every entry of every batch seen.

    The square root comes last, so the result is not a mean of batch RMSEs.
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add one batch's squared errors to the mean."""
        errors = _errors("root_mean_squared_error", y_true, y_pred)
        super().update_state(errors * errors, sample_weight)

    def result(self) -> float:
        """The square root of the mean squared error so far."""
        return float(np.sqrt(super().result()))


# Every class, by its own name and in snake_case, as Keras's `metrics.get` takes them.
_CLASSES: list[type[Metric]] = [
    Accuracy, AUC, BinaryAccuracy, CategoricalAccuracy, Mean, MeanAbsoluteError,
    MeanSquaredError, Precision, Recall, RootMeanSquaredError, SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, Sum, TopKCategoricalAccuracy,
]  # fmt: skip
_BY_NAME: dict[str, type[Metric]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{snake_case(cls.__name__): cls for cls in _CLASSES},
    "mse": MeanSquaredError,
    "mae": MeanAbsoluteError,
}
# "mean" and "sum" need values, not (y_true, y_pred): not for compile.
_NOT_FOR_COMPILE = {"Mean", "Sum", "mean", "sum"}

_ACCURACY_FOR_LOSS: dict[str, type[Metric]] = {
    "sparse_categorical_crossentropy": SparseCategoricalAccuracy,
    "categorical_crossentropy": CategoricalAccuracy,
    "binary_crossentropy": BinaryAccuracy,
}


def names() -> list[str]:
    """The names `get` accepts (each class's own name, "Precision", is taken too)."""
    return sorted(
        {*_BY_NAME, "accuracy", "acc"} - _NOT_FOR_COMPILE - {c.__name__ for c in _CLASSES}
    )


def get(identifier: str | Metric | type | Callable[..., Any], loss: Any = None) -> Metric:
    """A Metric from a name, a Metric (returned as it is), a Metric class, or a function.

    A name gives a new metric logged under that name ("acc" stays "acc", "mae" is
    MeanAbsoluteError(name="mae")); a function `(y_true, y_pred) -> values` gives a
    `MeanMetricWrapper` named after it. "accuracy" (or "acc") becomes the accuracy that
    fits `loss` (compile's loss), or, if the loss does not tell, one chosen from each
    batch's shapes, as Keras 3 does.

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
        TypeError: something that is neither a name nor callable.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        if identifier in ("accuracy", "acc"):
            return _accuracy_for(identifier, loss)
        if identifier not in _BY_NAME or identifier in _NOT_FOR_COMPILE:
            raise ValueError(
                f"Unknown metric {identifier!r}; valid names: {', '.join(names())} "
                "(or pass a Metric, or a function (y_true, y_pred) -> number)"
            )
        cls = _BY_NAME[identifier]
        # Keras logs a metric given by name under that name ("mae"), a class's own otherwise
        return cls(name=identifier) if identifier[0].islower() else cls()
    if callable(identifier):
        return MeanMetricWrapper(
            identifier, getattr(identifier, "__name__", type(identifier).__name__)
        )
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
    cls = _ACCURACY_FOR_LOSS.get(loss_name)
    if cls is None:
        return MeanMetricWrapper(_accuracy_by_shapes, name)
    if cls is BinaryAccuracy and getattr(loss, "from_logits", False):
        # The model outputs logits: class 1 is a logit above 0, i.e. sigmoid above 0.5.
        return BinaryAccuracy(name=name, threshold=0.0)
    return cls(name=name)


def update_all(metrics: list[Metric], y_true: Any, y_pred: Any) -> dict[str, MetricResult]:
    """Update each metric with one batch and read its result, by name: what a step logs.

    The metrics get Tensors that record no graph (a metric is not differentiated),
    as Keras passes tensors; the results are marked `MetricResult` so fit logs the
    newest value rather than averaging batches.

    Raises:
        TypeError: a result that is not one number (a metric with several thresholds).
    """
    if not metrics:
        return {}
    y_true = Tensor(y_true.data if isinstance(y_true, Tensor) else np.asarray(y_true))
    y_pred = Tensor(y_pred.data if isinstance(y_pred, Tensor) else np.asarray(y_pred))
    logs = {}
    with no_grad():
        for metric in metrics:
            metric.update_state(y_true, y_pred)
            value = metric.result()
            try:
                logs[metric.name] = MetricResult(_array(value))
            except TypeError:
                raise TypeError(
                    f"metric {metric.name!r}: result() must be one number to be logged, got "
                    f"shape {_array(value).shape}"
                ) from None
    return logs


__all__ = [
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "Mean",
    "MeanAbsoluteError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "Metric",
    "Precision",
    "Recall",
    "RootMeanSquaredError",
    "SparseCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "Sum",
    "TopKCategoricalAccuracy",
    "Variable",
    "binary_accuracy",
    "categorical_accuracy",
    "get",
    "get_all",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "names",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
    "update_all",
]
