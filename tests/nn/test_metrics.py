"""Metrics: values, the resolution of "accuracy", names shown in logs, errors."""

import warnings

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.nn import losses, metrics

PROBABILITIES = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3], [0.4, 0.4, 0.2]])
LABELS = np.array([0, 1, 1, 1])  # argmax per row: 0, 2, 1, 0 -> 2 of 4 right
ONE_HOT = np.eye(3)[LABELS]


def test_sparse_and_categorical_accuracy() -> None:
    assert metrics.sparse_categorical_accuracy(LABELS, PROBABILITIES) == 0.5
    assert metrics.sparse_categorical_accuracy(LABELS.reshape(-1, 1), PROBABILITIES) == 0.5
    assert metrics.sparse_categorical_accuracy(LABELS.astype(np.float32), PROBABILITIES) == 0.5
    assert metrics.categorical_accuracy(ONE_HOT, PROBABILITIES) == 0.5


def test_binary_accuracy_uses_a_threshold_of_one_half() -> None:
    y_pred = np.array([[0.9], [0.4], [0.51], [0.5]])
    y_true = np.array([1, 0, 0, 1])
    assert metrics.binary_accuracy(y_true, y_pred) == 0.5  # right, right, wrong, wrong
    assert metrics.binary_accuracy(y_true, y_pred, threshold=0.45) == 0.75


def test_mse_and_mae_are_batch_means() -> None:
    y_true, y_pred = np.array([1.0, 2.0, 3.0]), np.array([[1.5], [2.0], [1.0]])
    assert metrics.mse(y_true, y_pred) == pytest.approx((0.25 + 0 + 4) / 3)
    assert metrics.mae(y_true, y_pred) == pytest.approx(2.5 / 3)


def test_metrics_return_python_floats_and_accept_tensors() -> None:
    value = metrics.get("accuracy", loss="sparse_categorical_crossentropy")(
        Tensor(LABELS), Tensor(PROBABILITIES)
    )
    assert type(value) is float and value == 0.5


@pytest.mark.parametrize(
    "function, y_true, y_pred",
    [
        (metrics.sparse_categorical_accuracy, LABELS, PROBABILITIES),
        (metrics.categorical_accuracy, ONE_HOT, PROBABILITIES),
        (metrics.binary_accuracy, np.array([1, 0, 0, 1]), np.array([[0.9], [0.4], [0.51], [0.5]])),
    ],
    ids=["sparse_categorical", "categorical", "binary"],
)
def test_accuracies_are_python_floats_and_nan_for_an_empty_batch(function, y_true, y_pred) -> None:
    value = function(y_true, y_pred)
    assert type(value) is float and value == 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "mean of empty slice" warning either
        empty = function(y_true[:0], y_pred[:0])  # e.g. predictions of shape (0, 3)
    assert type(empty) is float and np.isnan(empty)
    # A stateful metric that has counted nothing says 0.0, as Keras's (divide_no_nan).
    assert metrics.MeanMetricWrapper(function, "accuracy")(y_true[:0], y_pred[:0]) == 0.0


@pytest.mark.parametrize(
    "loss, cls",
    [
        ("sparse_categorical_crossentropy", metrics.SparseCategoricalAccuracy),
        (
            losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics.SparseCategoricalAccuracy,
        ),
        ("categorical_crossentropy", metrics.CategoricalAccuracy),
        (losses.categorical_crossentropy, metrics.CategoricalAccuracy),
        ("binary_crossentropy", metrics.BinaryAccuracy),
        (losses.BinaryCrossentropy, metrics.BinaryAccuracy),
    ],
)
def test_accuracy_resolves_by_the_loss(loss, cls) -> None:
    for name in ("accuracy", "acc"):
        metric = metrics.get(name, loss=loss)
        assert type(metric) is cls and metric.name == name


def test_binary_accuracy_on_logits_thresholds_at_zero() -> None:
    metric = metrics.get("accuracy", loss=losses.BinaryCrossentropy(from_logits=True))
    assert metric(np.array([1, 0, 1]), np.array([0.2, -0.1, -3.0])) == pytest.approx(2 / 3)


def test_accuracy_without_a_loss_resolves_by_shapes_as_keras_3() -> None:
    metric = metrics.get("accuracy")
    assert metric(LABELS, PROBABILITIES) == 0.5  # sparse labels
    assert metric(LABELS.reshape(-1, 1), PROBABILITIES) == 0.5
    assert metric(ONE_HOT, PROBABILITIES) == 0.5  # one-hot labels
    assert metric(np.array([1, 0]), np.array([[0.8], [0.7]])) == 0.5  # binary
    assert metrics.get("accuracy", loss="mse")(np.array([1, 0]), np.array([0.8, 0.2])) == 1.0


def test_names_are_kept_as_given() -> None:
    assert metrics.get("mse").name == "mse"
    assert metrics.get("mean_absolute_error").name == "mean_absolute_error"
    assert metrics.get("categorical_accuracy").name == "categorical_accuracy"

    def top_class_share(y_true, y_pred):
        return np.mean(np.argmax(y_pred, -1) == 0)

    custom = metrics.get(top_class_share)
    assert custom.name == "top_class_share" and custom(LABELS, PROBABILITIES) == 0.5
    assert metrics.get(custom) is custom


def test_unknown_metrics_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="Unknown metric 'accuracyy'; valid names: acc, accu"):
        metrics.get("accuracyy")
    with pytest.raises(TypeError, match="expected a metric name, a Metric or a callable"):
        metrics.get(3)


def test_shape_errors_name_the_metric_and_shapes() -> None:
    with pytest.raises(ValueError, match=r"sparse_categorical_accuracy: y_true has shape \(3,\)"):
        metrics.sparse_categorical_accuracy(LABELS[:3], PROBABILITIES)
    with pytest.raises(ValueError, match=r"categorical_accuracy: y_true has shape \(4,\)"):
        metrics.categorical_accuracy(LABELS, PROBABILITIES)
    with pytest.raises(ValueError, match=r"mean_squared_error: y_true has shape \(2,\) but y_pr"):
        metrics.mse(np.ones(2), np.ones(3))
