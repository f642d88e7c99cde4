"""PyTorch's F.cross_entropy: log_softmax, then nll_loss (or a sum against probabilities).

No derivative here: the gradient comes from log_softmax, the indexing in
`functional.nll_loss` and the arithmetic below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd import constant_like

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


def cross_entropy(
    input: Tensor,  # noqa: A002 (PyTorch's name)
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """PyTorch's torch.nn.functional.cross_entropy: -log softmax(input)[target].

    `input` holds logits, classes on axis 1 as in PyTorch: (N, C), (N, C, d1, ...),
    or (C,) for one example. The target is either class indices, (N, d1, ...) (or
    one int for (C,)), or class probabilities of input's shape. PyTorch's formula
    (its documentation of CrossEntropyLoss), with p = log_softmax(input, axis=1):

    indices:        loss_n = -w[t_n] * p[n, t_n]; "mean" divides the sum by
                    sum of w[t_n] over the targets counted (not ignore_index)
    probabilities:  loss_n = -sum_c w[c] * y[n, c] * p[n, c]; "mean" divides by N
    label_smoothing e: the target becomes (1 - e) * target + e / C (for indices:
                    (1 - e) * the loss above + e / C * -sum_c w[c] * p[n, c])

    Args:
        input: logits, float, (N, C, ...) or (C,).
        target: class indices (ints) or probabilities (floats, input's shape; a
            Tensor that requires grad gets a gradient too).
        weight: None or (C,) weights per class.
        ignore_index: with class indices, targets equal to it count for nothing
            (unused with probabilities).
        reduction: "mean", "sum" or "none" (one loss per example, (N, d1, ...)).
        label_smoothing: in [0, 1].

    Returns:
        A 0-d tensor, or (N, d1, ...) with reduction="none"; input's dtype.

    Raises:
        ValueError: an unknown reduction, label_smoothing outside [0, 1], a weight that
            is not (C,), a target whose shape does not fit, or an index out of range.
        TypeError: see `functional.nll_loss`.
    """
    from tinygrad_edu import functional as F
    from tinygrad_edu.tensor import Tensor

    if reduction not in F.NLL_REDUCTIONS:
        raise ValueError(
            f"cross_entropy: reduction must be one of {F.NLL_REDUCTIONS}, got {reduction!r}"
        )
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    axis = 0 if input.ndim == 1 else 1  # PyTorch's class axis
    classes = input.shape[axis]
    log_probs = F.log_softmax(input, axis=axis)
    if weight is not None:
        weight = np.asarray(getattr(weight, "data", weight), dtype=input.dtype)
        if weight.shape != (classes,):
            raise ValueError(
                f"cross_entropy: weight must have shape ({classes},), one per class of input "
                f"{input.shape}, got {weight.shape}"
            )
        per_class = weight.reshape([classes if i == axis else 1 for i in range(input.ndim)])
        weighted = log_probs * constant_like(log_probs, per_class)
    else:
        weighted = log_probs
    data = np.asarray(target.data if isinstance(target, Tensor) else target)
    if data.dtype.kind == "f":  # class probabilities
        if data.shape != input.shape:
            hint = (
                "; class indices must be integers: convert them, e.g. target.astype(int)"
                if data.shape == input.shape[:axis] + input.shape[axis + 1 :]
                else ""
            )
            raise ValueError(
                f"cross_entropy: a float target is class probabilities; probabilities must have "
                f"input's shape {input.shape}, got {data.shape}{hint}"
            )
        probs = (
            target if isinstance(target, Tensor) else constant_like(input, data.astype(input.dtype))
        )
        if label_smoothing:
            probs = probs * (1.0 - label_smoothing) + label_smoothing / classes
        losses = -(weighted * probs).sum(axis=axis)
        if reduction == "none":
            return losses
        total = losses.sum()
        return total if reduction == "sum" else total / (input.size // classes)
    nll = F.nll_loss(log_probs, data, weight, ignore_index, reduction)
    if not label_smoothing:
        return nll
    counted = data != ignore_index
    smooth = -weighted.sum(axis=axis) * constant_like(input, counted.astype(input.dtype))
    if reduction == "mean":  # divided as nll_loss divides: by the counted targets' weights
        safe = np.where(counted, data, 0)
        smooth = smooth.sum() / (counted.sum() if weight is None else weight[safe][counted].sum())
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1.0 - label_smoothing) + smooth * (label_smoothing / classes)
