"""Exercise 7: softmax and cross-entropy from logits, stable at large inputs.

These are composites: write them with Tensor operations (`exp`, `sum`, `max`,
`log`, indexing) and the engine differentiates them for you. The lesson is
numerical. exp(1000) is inf in float64 (exp(89) already in float32), and
inf / inf is NaN. Softmax does not change when the same number is subtracted
from every entry of a row, so subtract the row's maximum first: then every
exponent is <= 0 and the largest term is exactly 1.

Cross-entropy is -log of the probability given to the right class. Computed
as log(softmax(x)), a probability that rounds to 0 gives log(0) = -inf.
log_softmax(x) = (x - max) - log(sum(exp(x - max))) never takes log(0). So
the loss is computed from the logits, through log_softmax, as Keras does with
`from_logits=True`.

The maximum only shifts the values: `.detach()` it (a constant) or let the
gradient flow through it; the gradients through it cancel exactly either way.

Grade it: tinygrad-edu exercises grade . softmax
"""

import numpy as np


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`; finite for any finite x."""
    # TODO: subtract the maximum along axis (keepdims=True), exponentiate, normalize.
    raise NotImplementedError("exercise 7: write softmax")


def log_softmax(x, axis=-1):
    """log(softmax(x)) along `axis`, computed without ever taking log(0)."""
    # TODO: shifted = x - max; shifted - log(sum(exp(shifted))).
    raise NotImplementedError("exercise 7: write log_softmax")


def cross_entropy(logits, labels):
    """The mean over the batch of -log softmax(logits)[i, labels[i]].

    Args:
        logits: (batch, classes) Tensor of scores.
        labels: (batch,) integer class indices (a NumPy array).
    Returns:
        A 0-d Tensor, the logits' dtype.
    """
    labels = np.asarray(labels)
    # TODO: pick each row's label from log_softmax(logits) with
    # [np.arange(len(labels)), labels], then the negative mean.
    raise NotImplementedError("exercise 7: write cross_entropy")
