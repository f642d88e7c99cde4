"""Losses with Keras's names and meaning: one number, the mean over the batch.

Every loss takes `(y_true, y_pred)`: the targets (a NumPy array, or a Tensor whose
values are used) and the model's output (a Tensor), and returns a scalar Tensor
to call `backward()` on.

Crossentropy and log(0). A probability that rounds to 0 would make log(p) = -inf.
So, as Keras does:

- when `y_pred` was made by a softmax (or a sigmoid, for binary crossentropy),
  the loss works from the *logits* underneath through log-softmax (or a stable
  log-sigmoid): loss and gradient stay finite even for saturated outputs such
  as softmax([1000, 0]). The output remembers its logits (`_keras_logits`)
  whether or not a graph was recorded, so `fit`, validation and `evaluate`
  report the same loss for the same weights and data;
- otherwise (`from_logits=False` and a `y_pred` that came from elsewhere), the
  probabilities are clipped to [1e-7, 1 - 1e-7] before the log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.functional import cross_entropy_with_logits, labels_outside_classes
from tinygrad_edu.fused.nodes import SparseSoftmaxCrossEntropy
from tinygrad_edu.nn import saving
from tinygrad_edu.nn.activations import logits_under
from tinygrad_edu.tensor import Tensor, where

#: Keras's backend.epsilon(): how far probabilities are kept from 0 and 1.
EPSILON = 1e-7


# ---------------------------------------------------------------- helpers
def _prediction(loss: str, y_pred: Any) -> Tensor:
    """y_pred as a Tensor, or a clear error if it is not floating point or is empty."""
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor(np.asarray(y_pred))
        if y_pred.dtype.kind != "f":
            raise TypeError(f"{loss}: y_pred must hold floating-point numbers, got {y_pred.dtype}")
    if y_pred.size == 0:
        raise ValueError(f"{loss}: y_pred is empty (shape {y_pred.shape}); a batch needs samples")
    return y_pred


def _values(y_true: Any) -> np.ndarray:
    """The target values as an array (a Tensor's values are used, no gradient flows)."""
    return np.asarray(y_true.data if isinstance(y_true, Tensor) else y_true)


def _targets_like(loss: str, y_true: Any, y_pred: Tensor) -> np.ndarray:
    """y_true as an array of y_pred's shape and dtype, or a clear error.

    As Keras does, a trailing axis of size 1 on one side only is tolerated:
    y_true (N,) goes with y_pred (N, 1). Anything else must match exactly; a
    silent broadcast of (N,) against (N, 1) to (N, N) would be a wrong loss.
    """
    targets = _values(y_true)
    if targets.dtype.kind not in "biuf":
        raise TypeError(f"{loss}: y_true must hold numbers, got dtype {targets.dtype}")
    if targets.shape != y_pred.shape:
        if targets.shape + (1,) == y_pred.shape or targets.shape == y_pred.shape + (1,):
            targets = targets.reshape(y_pred.shape)
        else:
            raise ValueError(
                f"{loss}: y_true has shape {targets.shape} but y_pred has shape {y_pred.shape}; "
                "expected the same shape (one target per output)" + _hint(loss, targets, y_pred)
            )
    return targets.astype(y_pred.dtype, copy=False)


def _flatten_hint(targets_shape: tuple[int, ...], y_pred: Tensor) -> str:
    """A hint for the usual cause of a y_pred with too many axes: no Flatten before Dense.

    Dense works on the last axis only, so images of shape (batch, 28, 28) give
    y_pred of shape (batch, 28, units) where (batch, units) was meant.
    """
    if (
        y_pred.ndim > 2
        and len(targets_shape) < y_pred.ndim
        and targets_shape[:1] == y_pred.shape[:1]
    ):
        return (
            f". y_pred has more axes than one sample's outputs need (shape {y_pred.shape}): a "
            "Dense layer on image-shaped input works on the last axis only; put Flatten() "
            "before the Dense layers (e.g. nn.Flatten() first in the Sequential)"
        )
    return ""


def _hint(loss: str, targets: np.ndarray, y_pred: Tensor) -> str:
    flatten = _flatten_hint(targets.shape, y_pred)
    if flatten:
        return flatten
    if (
        loss == "categorical_crossentropy"
        and targets.shape in (y_pred.shape[:-1], y_pred.shape[:-1] + (1,))
        and y_pred.ndim >= 1
    ):
        return (
            ". y_true looks like class indices: use sparse_categorical_crossentropy, or one-hot "
            "encode the labels"
        )
    return ""


def _class_indices(loss: str, y_true: Any, y_pred: Tensor) -> np.ndarray:
    """Sparse labels as int64 class indices of shape y_pred.shape[:-1], or a clear error."""
    labels = _values(y_true)
    batch_shape = y_pred.shape[:-1]
    if y_pred.ndim < 1:
        raise ValueError(f"{loss}: y_pred needs a class axis, got shape {y_pred.shape}")
    if labels.shape == batch_shape + (1,):
        labels = labels.reshape(batch_shape)  # (N, 1) labels, as Keras accepts
    if labels.shape != batch_shape:
        hint = ""
        if labels.shape == y_pred.shape:
            hint = " y_true looks one-hot: use categorical_crossentropy, or argmax it first."
        if _flatten_hint(labels.shape, y_pred):  # the model's output is what is wrong
            raise ValueError(
                f"{loss}: y_true has shape {labels.shape} but y_pred has shape {y_pred.shape}"
                + _flatten_hint(labels.shape, y_pred)
            )
        raise ValueError(
            f"{loss}: y_true has shape {labels.shape} but y_pred has shape {y_pred.shape}; "
            f"expected y_true of shape {batch_shape} (one class index per sample) or "
            f"{batch_shape + (1,)}.{hint}"
        )
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            bad = labels[~np.isfinite(labels) | (labels != np.round(labels))]
            raise ValueError(
                f"{loss}: y_true must be whole-number class indices, got {bad[:5].tolist()} "
                f"(dtype {labels.dtype}); for probabilities per class use "
                "categorical_crossentropy"
            )
    elif labels.dtype.kind not in "iu":
        raise TypeError(f"{loss}: y_true must be integer class indices, got dtype {labels.dtype}")
    if labels.dtype != np.int64:  # tested first: astype costs a call even when it copies nothing
        labels = labels.astype(np.int64)
    classes = y_pred.shape[-1]
    outside = labels_outside_classes(labels, classes)
    if outside.size:
        raise ValueError(
            f"{loss}: class indices must lie in [0, {classes}) for y_pred with {classes} "
            f"classes (shape {y_pred.shape}), got {outside[:5].tolist()}"
        )
    return labels


def _log_clipped(probabilities: Tensor) -> Tensor:
    return probabilities.clip(EPSILON, 1.0 - EPSILON).log()


# ---------------------------------------------------------------- the losses
def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False
) -> Tensor:
    """Mean of -log(probability given to the true class); labels are class indices.

    Args:
        y_true: (N,) or (N, 1) class indices in [0, classes), integers or whole floats;
            a NumPy array or a Tensor (its values are used, no gradient flows).
        y_pred: (N, classes) probabilities (or logits with `from_logits=True`), a
            float Tensor. Extra leading axes are fine (y_true then has them too).
        from_logits: y_pred holds logits. A softmax output is traced back to its
            logits anyway, so the log never sees a 0.

    Returns:
        A scalar Tensor of y_pred's dtype, in nats (natural log), averaged over samples.

    Raises:
        TypeError: y_pred not floating point, or labels that are not numbers.
        ValueError: an empty y_pred, labels of the wrong shape (the message says if
            they look one-hot or if a Flatten is missing), labels that are not whole
            numbers, or labels outside [0, classes).
    """
    name = "sparse_categorical_crossentropy"
    y_pred = _prediction(name, y_pred)
    labels = _class_indices(name, y_true, y_pred)
    if labels.ndim != 1:
        labels = labels.reshape(-1)
    classes = y_pred.shape[-1]
    logits = y_pred if from_logits else logits_under("softmax", y_pred)
    # The labels were checked above, so the fused node is called directly (through
    # functional.sparse_cross_entropy_with_logits they would be checked again).
    if logits is not None:
        if logits.ndim != 2:  # extra leading axes: one row per prediction
            logits = logits.reshape(-1, classes)
        return SparseSoftmaxCrossEntropy.apply(logits, labels=labels)
    # Keras rescales so each row sums to 1, then clips, then takes the log.
    probabilities = y_pred / y_pred.sum(axis=-1, keepdims=True)
    picked = probabilities.reshape(-1, classes)[np.arange(labels.size), labels]
    return -_log_clipped(picked).mean()


def _smoothing(loss: str, label_smoothing: float) -> float:
    if isinstance(label_smoothing, bool) or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{loss}: label_smoothing must be in [0, 1], got {label_smoothing!r}")
    return float(label_smoothing)


def categorical_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False, label_smoothing: float = 0.0
) -> Tensor:
    """Mean over samples of -sum(y_true * log(y_pred)); y_true one-hot (or soft) targets.

    y_true and y_pred have the same shape (N, classes); y_pred holds probabilities
    (or logits with `from_logits=True`; a softmax output is traced back to its
    logits). Returns a scalar Tensor of y_pred's dtype, in nats.

    Args:
        y_true: (N, classes) one-hot or soft targets (an array or a Tensor's values).
        y_pred: (N, classes) probabilities, or logits with from_logits=True.
        from_logits: y_pred holds logits.
        label_smoothing: s in [0, 1]: the targets become y_true * (1 - s) + s / classes
            first, as Keras does (Szegedy et al. 2016, "Rethinking the Inception
            Architecture"); 0 by default.

    Raises:
        TypeError: y_pred not floating point, or y_true not numbers.
        ValueError: an empty y_pred, or y_true whose shape is not y_pred's (a trailing
            axis of size 1 on one side is accepted, as in Keras).
    """
    name = "categorical_crossentropy"
    y_pred = _prediction(name, y_pred)
    targets = _targets_like(name, y_true, y_pred)
    smoothing = _smoothing(name, label_smoothing)
    if smoothing:
        targets = targets * (1.0 - smoothing) + smoothing / y_pred.shape[-1]
    logits = y_pred if from_logits else logits_under("softmax", y_pred)
    if logits is not None:
        return cross_entropy_with_logits(logits, targets)
    probabilities = y_pred / y_pred.sum(axis=-1, keepdims=True)
    return -(_log_clipped(probabilities) * targets).sum(axis=-1).mean()


def binary_crossentropy(
    y_true: Any, y_pred: Tensor, from_logits: bool = False, label_smoothing: float = 0.0
) -> Tensor:
    """Mean of -(y log p + (1 - y) log(1 - p)) over every output; targets in [0, 1].

    Args:
        y_true: targets in [0, 1] of y_pred's shape.
        y_pred: probabilities, or logits with from_logits=True.
        from_logits: y_pred holds logits.
        label_smoothing: s in [0, 1]: the targets become y * (1 - s) + s / 2 first, as
            Keras does; 0 by default.

    From logits z it is computed as max(z, 0) - y z + log(1 + exp(-|z|)), which
    equals the formula above with p = sigmoid(z) and never overflows.

    y_true and y_pred have the same shape, e.g. (N, 1) for one yes/no output;
    returns a scalar Tensor of y_pred's dtype, in nats.

    Raises:
        TypeError: y_pred not floating point, or y_true not numbers.
        ValueError: an empty y_pred, or y_true whose shape is not y_pred's (a trailing
            axis of size 1 on one side is accepted, as in Keras).
    """
    name = "binary_crossentropy"
    y_pred = _prediction(name, y_pred)
    targets = _targets_like(name, y_true, y_pred)
    smoothing = _smoothing(name, label_smoothing)
    if smoothing:
        targets = targets * (1.0 - smoothing) + 0.5 * smoothing
    logits = y_pred if from_logits else logits_under("sigmoid", y_pred)
    if logits is not None:
        softplus_of_minus_size = ((-logits.abs()).exp() + 1.0).log()
        return (logits.maximum(0.0) - logits * targets + softplus_of_minus_size).mean()
    log_p = _log_clipped(y_pred)
    log_not_p = _log_clipped(1.0 - y_pred)
    return -(log_p * targets + log_not_p * (1.0 - targets)).mean()


def mean_squared_error(y_true: Any, y_pred: Tensor) -> Tensor:
    """Mean of (y_true - y_pred)^2: the usual loss for regression.

    The mean runs over every entry of the batch. The result is a scalar Tensor in the
    square of the targets' units (e.g. degrees^2), of y_pred's dtype.

    Raises:
        TypeError: y_pred not floating point, or y_true not numbers.
        ValueError: an empty y_pred, or y_true whose shape is not y_pred's (a trailing
            axis of size 1 on one side is accepted, as in Keras).
    """
    name = "mean_squared_error"
    y_pred = _prediction(name, y_pred)
    difference = y_pred - _targets_like(name, y_true, y_pred)
    return (difference * difference).mean()


def mean_absolute_error(y_true: Any, y_pred: Tensor) -> Tensor:
    """Mean of |y_true - y_pred|: regression that cares less about outliers.

    A scalar Tensor in the targets' own units, of y_pred's dtype.

    Raises:
        TypeError: y_pred not floating point, or y_true not numbers.
        ValueError: an empty y_pred, or y_true whose shape is not y_pred's (a trailing
            axis of size 1 on one side is accepted, as in Keras).
    """
    name = "mean_absolute_error"
    y_pred = _prediction(name, y_pred)
    return (y_pred - _targets_like(name, y_true, y_pred)).abs().mean()


def huber(y_true: Any, y_pred: Tensor, delta: float = 1.0) -> Tensor:
    """Mean Huber loss: squared for small errors, linear (like MAE) for large ones.

    For each error e = y_pred - y_true: 0.5 e^2 where |e| <= delta, else
    delta |e| - 0.5 delta^2 (the two pieces meet with the same slope at |e| = delta),
    so outliers pull less than in MSE. Source: Huber, "Robust Estimation of a
    Location Parameter" (1964); the formula and default delta=1 are Keras's.
    Returns a scalar Tensor of y_pred's dtype.

    Raises:
        TypeError: y_pred not floating point, or y_true not numbers.
        ValueError: an empty y_pred, y_true whose shape is not y_pred's, or delta <= 0.
    """
    name = "huber"
    if not delta > 0:
        raise ValueError(f"huber: delta must be positive, got {delta!r}")
    y_pred = _prediction(name, y_pred)
    error = y_pred - _targets_like(name, y_true, y_pred)
    size = error.abs()
    quadratic = error * error * 0.5
    linear = size * delta - 0.5 * delta * delta
    return where(size.data <= delta, quadratic, linear).mean()


def log_cosh(y_true: Any, y_pred: Tensor) -> Tensor:
    """Mean of log(cosh(y_pred - y_true)): like MSE/2 for small errors, like MAE for large.

    Computed as e + softplus(-2e) - log(2), which equals log(cosh(e)) and never
    overflows (cosh of a large error would). Keras's `log_cosh`. A scalar Tensor of
    y_pred's dtype.

    Raises:
        TypeError, ValueError: as for `mean_squared_error`.
    """
    name = "log_cosh"
    y_pred = _prediction(name, y_pred)
    error = y_pred - _targets_like(name, y_true, y_pred)
    softplus = ((-(error * -2.0).abs()).exp() + 1.0).log() + (error * -2.0).maximum(0.0)
    return (error + softplus - float(np.log(2.0))).mean()


def kl_divergence(y_true: Any, y_pred: Tensor) -> Tensor:
    """Mean over samples of sum(y_true * log(y_true / y_pred)) over the last axis.

    Both are clipped to [1e-7, 1] first, as Keras does, so zeros give 0 * log(...) = 0
    rather than nan. Kullback & Leibler (1951); Keras's `kl_divergence`. A scalar
    Tensor of y_pred's dtype, in nats.

    Raises:
        TypeError, ValueError: as for `mean_squared_error`.
    """
    name = "kl_divergence"
    y_pred = _prediction(name, y_pred)
    targets = np.clip(_targets_like(name, y_true, y_pred), EPSILON, 1.0)
    log_ratio = np.log(targets) - y_pred.clip(EPSILON, 1.0).log()
    return (log_ratio * targets).sum(axis=-1).mean()


def hinge(y_true: Any, y_pred: Tensor) -> Tensor:
    """Mean of max(1 - y_true * y_pred, 0): the SVM loss; y_true is -1 or 1 per output.

    Targets that are all 0 or 1 are taken as -1 and 1 (2y - 1), as Keras does.
    A scalar Tensor of y_pred's dtype.

    Raises:
        TypeError, ValueError: as for `mean_squared_error`.
    """
    name = "hinge"
    y_pred = _prediction(name, y_pred)
    targets = _targets_like(name, y_true, y_pred)
    if np.all((targets == 0) | (targets == 1)):
        targets = 2.0 * targets - 1.0
    return (1.0 - y_pred * targets).maximum(0.0).mean()


def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Tensor,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
) -> Tensor:
    """Crossentropy that down-weights classes already predicted well (Lin et al. 2017,
    "Focal Loss for Dense Object Detection"); Keras 3's formula:

    p = y_pred / sum(y_pred) clipped to [1e-7, 1 - 1e-7]     (softmax first if from_logits)
    loss = mean over samples of sum(alpha * (1 - p)^gamma * -y_true * log(p))

    With alpha=1 and gamma=0 it is categorical crossentropy. A scalar Tensor of
    y_pred's dtype.

    Args:
        y_true: (N, classes) one-hot or soft targets.
        y_pred: (N, classes) probabilities, or logits with from_logits=True.
        alpha: the weight of every term (Keras's 0.25).
        gamma: the focusing exponent (Keras's 2.0).
        from_logits: y_pred holds logits (a softmax is applied first).
        label_smoothing: as for `categorical_crossentropy`.

    Raises:
        TypeError, ValueError: as for `categorical_crossentropy`.
    """
    name = "categorical_focal_crossentropy"
    y_pred = _prediction(name, y_pred)
    targets = _targets_like(name, y_true, y_pred)
    smoothing = _smoothing(name, label_smoothing)
    if smoothing:
        targets = targets * (1.0 - smoothing) + smoothing / y_pred.shape[-1]
    probabilities = y_pred.softmax(axis=-1) if from_logits else y_pred
    probabilities = probabilities / probabilities.sum(axis=-1, keepdims=True)
    probabilities = probabilities.clip(EPSILON, 1.0 - EPSILON)
    weight = (1.0 - probabilities) ** gamma * alpha
    return -(weight * probabilities.log() * targets).sum(axis=-1).mean()


mse = mean_squared_error
mae = mean_absolute_error


# ---------------------------------------------------------------- loss objects
class Loss:
    """A loss with its settings, callable as `loss(y_true, y_pred)`; `name` is Keras's."""

    name = "loss"

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """The loss as a scalar Tensor, to call `backward()` on.

        Raises:
            NotImplementedError: in the base class; each subclass calls its function.
        """
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (`from_logits`), as JSON values."""
        return saving.constructor_arguments(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """A new loss from `get_config()`'s result."""
        return cls(**saving.arguments_from_config(config))

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in vars(self).items())
        return f"{type(self).__name__}({settings})"


class SparseCategoricalCrossentropy(Loss):
    """Crossentropy against class indices, as an object (see `sparse_categorical_crossentropy`).

    The loss of the function of the same name with `from_logits` fixed; Keras's
    `keras.losses.SparseCategoricalCrossentropy`.
    Call it as `loss(y_true, y_pred)` for a scalar Tensor.

    Args:
        from_logits: y_pred holds logits, not probabilities (default False; a softmax
            or sigmoid output is still traced back to its logits).
    """

    name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = from_logits

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """`sparse_categorical_crossentropy(y_true, y_pred, from_logits)`: a scalar Tensor."""
        return sparse_categorical_crossentropy(y_true, y_pred, from_logits=self.from_logits)


class CategoricalCrossentropy(Loss):
    """Crossentropy against one-hot targets, as an object (see `categorical_crossentropy`).

    The loss of the function of the same name with `from_logits` fixed; Keras's
    `keras.losses.CategoricalCrossentropy`.
    Call it as `loss(y_true, y_pred)` for a scalar Tensor.

    Args:
        from_logits: y_pred holds logits, not probabilities (default False; a softmax
            or sigmoid output is still traced back to its logits).
        label_smoothing: in [0, 1], see `categorical_crossentropy` (default 0).
    """

    name = "categorical_crossentropy"

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0) -> None:
        self.from_logits = from_logits
        self.label_smoothing = _smoothing(type(self).__name__, label_smoothing)

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """`categorical_crossentropy` with this object's settings: a scalar Tensor."""
        return categorical_crossentropy(
            y_true, y_pred, from_logits=self.from_logits, label_smoothing=self.label_smoothing
        )


class BinaryCrossentropy(Loss):
    """Crossentropy of yes/no outputs, as an object (see `binary_crossentropy`).

    The loss of the function of the same name with `from_logits` fixed; Keras's
    `keras.losses.BinaryCrossentropy`.
    Call it as `loss(y_true, y_pred)` for a scalar Tensor.

    Args:
        from_logits: y_pred holds logits, not probabilities (default False; a softmax
            or sigmoid output is still traced back to its logits).
        label_smoothing: in [0, 1], see `binary_crossentropy` (default 0).
    """

    name = "binary_crossentropy"

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0) -> None:
        self.from_logits = from_logits
        self.label_smoothing = _smoothing(type(self).__name__, label_smoothing)

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """`binary_crossentropy` with this object's settings: a scalar Tensor."""
        return binary_crossentropy(
            y_true, y_pred, from_logits=self.from_logits, label_smoothing=self.label_smoothing
        )


class MeanSquaredError(Loss):
    """`mean_squared_error` as an object, Keras's `keras.losses.MeanSquaredError`."""

    name = "mean_squared_error"

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """`mean_squared_error(y_true, y_pred)`: a scalar Tensor."""
        return mean_squared_error(y_true, y_pred)


class MeanAbsoluteError(Loss):
    """`mean_absolute_error` as an object, Keras's `keras.losses.MeanAbsoluteError`."""

    name = "mean_absolute_error"

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """`mean_absolute_error(y_true, y_pred)`: a scalar Tensor."""
        return mean_absolute_error(y_true, y_pred)


class Huber(Loss):
    """`huber` as an object with its `delta`, Keras's `keras.losses.Huber`.

    Args:
        delta: where the loss turns from squared to linear (1.0).
    """

    name = "huber"

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = delta

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """`huber(y_true, y_pred, delta)`: a scalar Tensor."""
        return huber(y_true, y_pred, delta=self.delta)


class LogCosh(Loss):
    """`log_cosh` as an object, Keras's `keras.losses.LogCosh`."""

    name = "log_cosh"

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """`log_cosh(y_true, y_pred)`: a scalar Tensor."""
        return log_cosh(y_true, y_pred)


class KLDivergence(Loss):
    """`kl_divergence` as an object, Keras's `keras.losses.KLDivergence`."""

    name = "kl_divergence"

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """`kl_divergence(y_true, y_pred)`: a scalar Tensor."""
        return kl_divergence(y_true, y_pred)


class Hinge(Loss):
    """`hinge` as an object, Keras's `keras.losses.Hinge`."""

    name = "hinge"

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """`hinge(y_true, y_pred)`: a scalar Tensor."""
        return hinge(y_true, y_pred)


class CategoricalFocalCrossentropy(Loss):
    """`categorical_focal_crossentropy` as an object with its settings.

    Args:
        alpha: the weight of every class's term (Keras's 0.25).
        gamma: >= 0, how much well-predicted classes are down-weighted (2.0).
        from_logits: y_pred holds logits (a softmax is applied first).
        label_smoothing: in [0, 1], as for `categorical_crossentropy`.

    Raises:
        ValueError: a negative gamma or a label_smoothing outside [0, 1].
    """

    name = "categorical_focal_crossentropy"

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
    ) -> None:
        if not gamma >= 0:
            raise ValueError(f"CategoricalFocalCrossentropy: gamma must be >= 0, got {gamma!r}")
        self.alpha, self.gamma, self.from_logits = alpha, gamma, from_logits
        self.label_smoothing = _smoothing("CategoricalFocalCrossentropy", label_smoothing)

    def __call__(self, y_true: Any, y_pred: Tensor) -> Tensor:
        """`categorical_focal_crossentropy` with this object's settings: a scalar Tensor."""
        return categorical_focal_crossentropy(
            y_true, y_pred, self.alpha, self.gamma, self.from_logits, self.label_smoothing
        )


_BY_NAME: dict[str, type[Loss]] = {
    "huber": Huber,
    "log_cosh": LogCosh,
    "logcosh": LogCosh,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "hinge": Hinge,
    "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
}


def names() -> list[str]:
    """The names `get` accepts."""
    return sorted(_BY_NAME)


def get(
    identifier: str | Loss | Callable[[Any, Tensor], Tensor],
) -> Callable[[Any, Tensor], Tensor]:
    """A loss callable `(y_true, y_pred) -> Tensor` from a name, a Loss, or a function.

    A name or a Loss class gives a new Loss with default settings; a Loss instance or
    any other callable is returned as it is.

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
        TypeError: something that is neither a name nor callable.
    """
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(
                f"Unknown loss {identifier!r}; valid names: {', '.join(names())} "
                "(or pass a function (y_true, y_pred) -> scalar Tensor)"
            )
        return _BY_NAME[identifier]()
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(
        f"losses.get: expected a loss name, a Loss or a callable, got {type(identifier).__name__}"
    )


def canonical_name(loss: Any) -> str | None:
    """Keras's name of a loss given as a name, Loss, class or function; None if unknown.

    `metrics.get` uses it to turn "accuracy" into the right kind of accuracy.
    """
    if isinstance(loss, str):
        name = loss
    elif isinstance(loss, Loss) or (isinstance(loss, type) and issubclass(loss, Loss)):
        name = loss.name
    else:
        name = getattr(loss, "__name__", None)
    if name in _BY_NAME:
        return _BY_NAME[name].name
    return None
