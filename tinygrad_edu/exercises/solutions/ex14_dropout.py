"""Exercise 14: dropout.

Reference solution (for teachers; `exercises new` never copies it).
"""

from tinygrad_edu import random


def dropout(x, rate, training):
    """In training, zero each entry with probability `rate` and scale the rest by 1 / (1 - rate).

    Args:
        x: a Tensor of any shape.
        rate: the fraction to drop, in [0, 1).
        training: False (inference): x is returned unchanged.
    Returns:
        A Tensor of x's shape and dtype.
    """
    if not training or rate == 0:
        return x
    keep = random.generator().random(x.shape) >= rate  # True with probability 1 - rate
    return x * keep / (1 - rate)  # "inverted" dropout: the expected value stays x
