"""Activation functions that PyTorch and Keras have, composed from the primitives.

Where a function has a kink, the gradient there follows PyTorch's rule, stated
in each docstring, so training code ported from PyTorch sees the same numbers.
`functional` and `nn.activations` (Keras's names) give these same functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu import ops
from tinygrad_edu.autograd import constant_like

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor

# Klambauer et al., "Self-Normalizing Neural Networks" (2017), equations 14 and 15.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _choose(condition: np.ndarray, a: Tensor, b: Tensor | float) -> Tensor:
    """a where condition holds, else b (a number or a tensor), with b lifted to a's dtype."""
    if not hasattr(b, "data"):
        b = constant_like(a, np.asarray(b, a.dtype))
    return ops.Where.apply(a, b, condition=condition)


def silu(x: Tensor) -> Tensor:
    """x * sigmoid(x), the sigmoid linear unit (Keras also calls it swish)."""
    return x * x.sigmoid()


swish = silu


def selu(x: Tensor) -> Tensor:
    """scale * (x if x > 0 else alpha * (exp(x) - 1)), with Klambauer et al.'s alpha and scale.

    exp is taken of min(x, 0), so a large positive x cannot overflow it.
    """
    negative = (x.clip(None, 0.0).exp() - 1.0) * SELU_ALPHA
    return _choose(x.data > 0, x, negative) * SELU_SCALE


def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6). The gradient is 1 strictly between 0 and 6 and 0 at both ends,
    as PyTorch's hardtanh-based relu6 (clip would pass it at the ends)."""
    inside = (x.data > 0) & (x.data < 6)
    return _choose(inside, x, constant_like(x, np.clip(x.data, 0, 6)))


def hardsigmoid(x: Tensor) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, a line between (PyTorch's and Keras 3's).

    The gradient is 1/6 strictly between -3 and 3, 0 elsewhere (PyTorch's rule).
    """
    return relu6(x + 3.0) * (1.0 / 6.0)


hard_sigmoid = hardsigmoid


def hardswish(x: Tensor) -> Tensor:
    """x * relu6(x + 3) / 6 (Howard et al., "Searching for MobileNetV3", 2019).

    Written as its three pieces so the gradient follows PyTorch's: 0 below -3,
    x / 3 + 0.5 from -3 to 3 (both ends included), 1 above 3.
    """
    middle = x * (x + 3.0) * (1.0 / 6.0)
    upper = _choose(x.data <= 3, middle, x)
    return _choose(x.data >= -3, upper, 0.0)


hard_swish = hard_silu = hardswish


def softplus(x: Tensor) -> Tensor:
    """log(1 + exp(x)), as max(x, 0) + log(1 + exp(-|x|)): finite for any x."""
    return x.maximum(0.0) + ((-x.abs()).exp() + 1.0).log()


def mish(x: Tensor) -> Tensor:
    """x * tanh(softplus(x)) (Misra, "Mish: A Self Regularized Non-Monotonic Activation", 2019)."""
    return x * softplus(x).tanh()


def softsign(x: Tensor) -> Tensor:
    """x / (1 + |x|), in (-1, 1)."""
    return x / (x.abs() + 1.0)


def logsigmoid(x: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x): finite for any x (log of a rounded sigmoid is not)."""
    return -softplus(-x)


log_sigmoid = logsigmoid
