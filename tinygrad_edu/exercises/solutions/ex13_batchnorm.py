"""Exercise 13: batch normalization, in training and in inference.

Reference solution (for teachers; `exercises new` never copies it).
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
    if training:
        axes = tuple(range(x.ndim - 1))  # every axis but the features
        mean = x.mean(axis=axes)
        variance = x.var(axis=axes)  # the biased variance (divided by n), as Keras
        moving_mean[...] = moving_mean * momentum + mean.data * (1 - momentum)
        moving_variance[...] = moving_variance * momentum + variance.data * (1 - momentum)
    else:  # constants: a prediction must not depend on the rest of its batch
        mean, variance = moving_mean, moving_variance
    return gamma * (x - mean) / (variance + epsilon) ** 0.5 + beta
