"""Metrics that count a confusion matrix: Precision, Recall and AUC, with Keras's rules.

Every entry of y_pred is one prediction and the entry of y_true beside it its
label (any nonzero label is positive). At a threshold t, a prediction above t
says "positive", and the four counts follow:

                      predicted positive    predicted negative
    label positive    true positive (tp)    false negative (fn)
    label negative    false positive (fp)   true negative (tn)

    precision = tp / (tp + fp)    recall = tp / (tp + fn)    (0 when nothing was counted)

The counts are kept per threshold and summed over batches, so the result is
the precision of every sample seen, not an average of batch precisions.

AUC counts at 200 thresholds spread evenly over [0, 1] (the first just below 0,
the last just above 1), draws the ROC curve through the points (false positive
rate, recall) and sums its area with trapezoids ("interpolation"), as Keras's
`AUC()` does. With curve="PR" the curve is (recall, precision) and the area
between two thresholds follows Davis & Goadrich's interpolation (ICML 2006),
again as Keras. Source for the formulas: Keras 3's `keras.metrics.AUC`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.nn.metric_base import Metric, values_of

_ALL_COUNTS = ("true_positives", "false_positives", "true_negatives", "false_negatives")
EPSILON = 1e-7  # Keras's backend.epsilon(): the end thresholds lie this far outside [0, 1]


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0 (Keras's divide_no_nan)."""
    safe = np.where(denominator == 0, 1.0, denominator)
    return np.where(denominator == 0, 0.0, numerator / safe)


def _check_thresholds(thresholds: list[float], owner: str) -> None:
    outside = [t for t in thresholds if t is None or not 0.0 <= t <= 1.0]
    if outside:
        raise ValueError(f"{owner}: thresholds must lie in [0, 1], got {outside}")


def confusion_counts(
    y_true: Any,
    y_pred: Any,
    thresholds: np.ndarray,
    sample_weight: Any = None,
    top_k: int | None = None,
    class_id: int | None = None,
) -> dict[str, np.ndarray]:
    """The weighted true_positives, false_positives, true_negatives and false_negatives
    of one batch at each threshold, arrays of len(thresholds).

    Args:
        y_true: labels (nonzero is positive), y_pred: scores, of the same shape (a
            trailing axis of 1 may differ).
        thresholds: a prediction is positive when it is above the threshold.
        sample_weight: one weight per sample (or per entry), or None.
        top_k: only the k highest scores of each row count as positive.
        class_id: count only this column (class) of the last axis.

    Raises:
        ValueError: shapes that do not match, or a class_id with 1-D predictions.
    """
    y_true, y_pred = values_of(y_true, np.float64), values_of(y_pred, np.float64)
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = y_pred[..., 0]
    elif y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"confusion matrix: y_true has shape {y_true.shape} but y_pred has shape "
            f"{y_pred.shape}; expected one label per prediction"
        )
    weights = None
    if sample_weight is not None:
        weights = values_of(sample_weight, np.float64)[..., None]  # a weight per sample...
        if weights.ndim == y_true.ndim + 1:
            weights = weights[..., 0]  # ...fits the labels' axes
    if top_k is not None:
        kth_best = -np.sort(-y_pred, axis=-1)[..., top_k - 1 : top_k]
        y_pred = np.where(y_pred >= kth_best, y_pred, -1e10)  # the rest count as negative
    if class_id is not None:
        if y_pred.ndim < 2:
            raise ValueError(
                f"confusion matrix: class_id needs y_pred of shape (samples, classes), got "
                f"{y_pred.shape}"
            )
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    if weights is None:
        weights = np.ones(y_pred.shape)
    weights = np.broadcast_to(weights, y_pred.shape).reshape(-1)
    positive = y_true.reshape(-1) != 0
    predicted = y_pred.reshape(1, -1) > np.asarray(thresholds).reshape(-1, 1)  # (t, n)
    return {
        "true_positives": (predicted & positive) @ weights,
        "false_positives": (predicted & ~positive) @ weights,
        "false_negatives": (~predicted & positive) @ weights,
        "true_negatives": (~predicted & ~positive) @ weights,
    }


class _ThresholdMetric(Metric):
    """Precision and Recall: tp and one other count at each threshold."""

    _counts = ("true_positives",)

    def __init__(
        self,
        thresholds: float | list[float] | None = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        default = 0.5 if top_k is None else -1e10  # top_k alone: the top k are positive
        listed = [default] if thresholds is None else list(np.atleast_1d(thresholds))
        if thresholds is not None:
            _check_thresholds(listed, type(self).__name__)
        self._threshold_values = np.asarray(listed, dtype=np.float64)
        for count in self._counts:
            setattr(self, count, self.add_variable((len(listed),), name=count))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Count one batch's predictions at each threshold."""
        counts = confusion_counts(
            y_true, y_pred, self._threshold_values, sample_weight, self.top_k, self.class_id
        )
        for count in self._counts:
            getattr(self, count).assign_add(counts[count])

    def _one_or_all(self, values: np.ndarray) -> float | np.ndarray:
        return float(values[0]) if len(values) == 1 else values


class Precision(_ThresholdMetric):
    """The fraction of predicted positives that are positive: tp / (tp + fp).

    Args:
        thresholds: a prediction above it is positive (0.5 by default); a list gives
            one precision per threshold.
        top_k: only the k highest scores of each row are predictions of positive.
        class_id: the precision of this class (column of y_pred) only.
        name, dtype: as for every Metric.
    """

    _counts = ("true_positives", "false_positives")

    def result(self) -> float | np.ndarray:
        """tp / (tp + fp) over every batch since the reset (0 if nothing was predicted)."""
        tp, fp = self.true_positives.data, self.false_positives.data
        return self._one_or_all(_ratio(tp, tp + fp))


class Recall(_ThresholdMetric):
    """The fraction of positives predicted positive: tp / (tp + fn).

    Takes the arguments `Precision` takes.
    """

    _counts = ("true_positives", "false_negatives")

    def result(self) -> float | np.ndarray:
        """tp / (tp + fn) over every batch since the reset (0 if there were no positives)."""
        tp, fn = self.true_positives.data, self.false_negatives.data
        return self._one_or_all(_ratio(tp, tp + fn))


class AUC(Metric):
    """The area under the ROC (or precision-recall) curve, from counts at many thresholds.

    Args:
        num_thresholds: how many thresholds (200 by default, as Keras).
        curve: "ROC" (false positive rate against recall) or "PR" (recall against
            precision).
        summation_method: "interpolation" (trapezoids; for PR, Davis & Goadrich),
            "minoring" or "majoring" (the lower or upper of the two heights).
        thresholds: your own thresholds in [0, 1] instead of evenly spread ones.
        from_logits: y_pred holds logits: a sigmoid is applied first.
        name, dtype: as for every Metric.

    Predictions are clipped to [0, 1], as Keras's counting does.

    Raises:
        ValueError: an unknown curve or summation method, fewer than 2 thresholds,
            or multi_label=True (not in tinygrad-edu yet).
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: list[float] | None = None,
        multi_label: bool = False,
        from_logits: bool = False,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if str(curve).upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', got {curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                "AUC: summation_method must be 'interpolation', 'minoring' or 'majoring', "
                f"got {summation_method!r}"
            )
        if multi_label:
            raise ValueError("AUC: multi_label=True is not in tinygrad-edu yet")
        if thresholds is not None:
            _check_thresholds(list(thresholds), "AUC")
            inner = sorted(float(t) for t in thresholds)
        else:
            if num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be above 1, got {num_thresholds}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.num_thresholds = len(inner) + 2
        self.curve, self.summation_method = str(curve).upper(), summation_method
        self.thresholds, self.multi_label, self.from_logits = thresholds, multi_label, from_logits
        self._threshold_values = np.array([-EPSILON, *inner, 1.0 + EPSILON])
        for count in _ALL_COUNTS:
            setattr(self, count, self.add_variable((self.num_thresholds,), name=count))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Count one batch's predictions at every threshold."""
        scores = values_of(y_pred, np.float64)
        if self.from_logits:
            scores = 1.0 / (1.0 + np.exp(-scores))
        scores = np.clip(scores, 0.0, 1.0)
        counts = confusion_counts(y_true, scores, self._threshold_values, sample_weight)
        for count in _ALL_COUNTS:
            getattr(self, count).assign_add(counts[count])

    def result(self) -> float:
        """The area under the curve through the points at each threshold (a float in [0, 1])."""
        tp, fp, tn, fn = (getattr(self, count).data.astype(np.float64) for count in _ALL_COUNTS)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolated_pr_area(tp, fp, fn)
        recall = _ratio(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _ratio(fp, fp + tn), recall
        else:
            x, y = recall, _ratio(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        # Thresholds rise, so x falls: each step's width is x[i] - x[i + 1].
        return float(np.sum((x[:-1] - x[1:]) * heights))

    @staticmethod
    def _interpolated_pr_area(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> float:
        """Davis & Goadrich's area: between two thresholds, precision follows the line
        that tp makes as a function of the predicted positives p = tp + fp."""
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _ratio(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        p_ratio = np.where(both, _ratio(p[:-1], np.maximum(p[1:], 0)), 1.0)
        increments = _ratio(
            slope * (dtp + intercept * np.log(p_ratio)), np.maximum(tp[1:] + fn[1:], 0)
        )
        return float(np.sum(increments))
