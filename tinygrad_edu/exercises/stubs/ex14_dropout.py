"""Exercise 14: dropout.

Srivastava et al. (2014): during training, each unit is set to zero with
probability `rate`, so the network cannot rely on any one unit. At inference
every unit is kept, so the outputs would be larger on average than in
training. "Inverted" dropout, which Keras uses, fixes that during training
instead: the kept units are divided by (1 - rate), so the expected value of
every unit is the same in both modes and inference is plain x.

Draw the mask from `tinygrad_edu.random.generator()` (so `manual_seed` makes a
run repeatable): `generator().random(x.shape) >= rate` is True with probability
1 - rate. Multiplying by the mask is an op like any other: the gradient is the
mask divided by (1 - rate), zero where a unit was dropped, from the engine.
A boolean mask keeps float32 float32 (a float64 one would not).

Grade it: tinygrad-edu exercises grade . dropout
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
    # TODO: x itself at inference (or for rate 0); else x times a random keep-mask, scaled.
    raise NotImplementedError("exercise 14: write dropout")
