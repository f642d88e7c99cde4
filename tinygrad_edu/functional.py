"""Composite functions built from the primitives, fused where stability needs it.

Softmax and log-softmax are their own Functions: computed naively, exp(1000)
overflows. Both subtract the row maximum first (the result does not change),
and their backward formulas are written with Tensor operations, so they
differentiate twice like any primitive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd import Function

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


class Softmax(Function):
    def forward(self, a, axis=-1):
        self.axis = axis
        shifted = a.data - a.data.max(axis=axis, keepdims=True)
        exps = np.exp(shifted)
        return exps / exps.sum(axis=axis, keepdims=True)

    def backward(self, grad):
        out = self.output
        return out * (grad - (grad * out).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    def forward(self, a, axis=-1):
        self.axis = axis
        shifted = a.data - a.data.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(self, grad):
        softmax = self.output.exp()
        return grad - softmax * grad.sum(axis=self.axis, keepdims=True)


class NegativeLogLikelihood(Function):
    """-mean(log_probabilities[i, labels[i]]): the last step of sparse cross-entropy.

    Fused for speed: written as indexing, mean and negation it is four nodes
    forward and five backward on the hottest path of classifier training. As one
    node, its derivative is a constant array, -1/batch at each picked entry and 0
    elsewhere, so backward is one Tensor multiplication (which differentiates
    again like any other, as the composite did).
    """

    def forward(self, log_probabilities, labels=None):
        data = log_probabilities.data
        rows = np.arange(data.shape[0])
        if self._recording:  # only a recorded node will need its derivative
            self.derivative = np.zeros_like(data)
            self.derivative[rows, labels] = -1.0 / data.shape[0]
        return -data[rows, labels].sum() / len(rows)  # the mean; sum / n is quicker

    def backward(self, grad):
        return grad * self.derivative

    def release(self) -> None:
        super().release()
        self.derivative = None  # it is what this node saved for backward


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`; finite for any finite input."""
    return Softmax.apply(x, axis=axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """log(softmax(x)) without ever taking log(0): x - max - log(sum(exp(x - max)))."""
    return LogSoftmax.apply(x, axis=axis)


def logsumexp(x: Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False):
    """log(sum(exp(x))) with the maximum subtracted first (it has no gradient of its own)."""
    biggest = x.max(axis=axis, keepdims=True).detach()
    result = (x - biggest).exp().sum(axis=axis, keepdims=True).log() + biggest
    return result if keepdims else result.squeeze(axis)


def sparse_cross_entropy_with_logits(logits: Tensor, labels: np.ndarray) -> Tensor:
    """Mean over the batch of -log softmax(logits)[i, labels[i]].

    `logits` has shape (batch, classes); `labels` holds integer class indices.
    Working from logits through log-softmax keeps loss and gradient finite.
    """
    return NegativeLogLikelihood.apply(log_softmax(logits, axis=-1), labels=np.asarray(labels))


def cross_entropy_with_logits(logits: Tensor, targets: Tensor | np.ndarray) -> Tensor:
    """Mean over the batch of -sum(targets * log_softmax(logits)) (targets are probabilities)."""
    return -(log_softmax(logits, axis=-1) * targets).sum(axis=-1).mean()
