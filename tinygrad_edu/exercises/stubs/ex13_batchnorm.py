"""Exercise 13: batch normalization, in training and in inference.

Ioffe and Szegedy (2015), Algorithm 1. During training each feature is
normalized with the mean and variance of the batch in hand, then scaled and
shifted by learned gamma and beta:

    y = gamma * (x - mean) / sqrt(variance + epsilon) + beta

The statistics are computed with Tensor operations (x.mean, x.var), so the
gradient flows through them too: every sample's output depends on the whole
batch, and the engine's gradient says so.

At inference there may be one sample, and a prediction must not depend on what
else is in its batch. So training also keeps running averages, as Keras does:

    moving = moving * momentum + batch_statistic * (1 - momentum)

and inference uses them instead of the batch's. The moving statistics are not
learned: update them as NumPy arrays, in place (`moving_mean[...] = ...`), with
the values (`mean.data`) rather than Tensors. Keras uses the biased variance
(divided by n, `x.var()`'s default).

Grade it: tinygrad-edu exercises grade . batchnorm
"""


def batch_norm(x, gamma, beta, moving_mean, moving_variance, training, momentum=0.99, epsilon=1e-3):
    """Normalize each feature (the last axis), then scale by gamma and shift by beta.

    Args:
        x: (..., features) Tensor: (batch, features) or NHWC images (channels are features).
        gamma, beta: (features,) Tensors, learned.
        moving_mean, moving_variance: (features,) NumPy arrays, updated in place when training.
        training: True: the batch's statistics (and update the moving ones); False: the moving ones.
        momentum: how much of the moving statistics each batch keeps (Keras: 0.99).
        epsilon: added to the variance before the square root (Keras: 1e-3).
    Returns:
        A Tensor of x's shape and dtype.
    """
    # TODO: in training, the mean and variance over every axis but the last, and the moving
    # statistics updated in place; in inference, the moving statistics. Then the formula.
    raise NotImplementedError("exercise 13: write batch_norm")
