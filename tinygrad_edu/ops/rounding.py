"""Rounding, sign, and the division that rounds: floor division, remainder, fmod.

floor, ceil, round, trunc and sign are flat between their jumps, so their
derivative is 0 there; at a jump it does not exist, and backward gives 0 there
too, as PyTorch does. Floor division is flat in both inputs in the same way.
The remainders are not flat: a - b * q moves with a (slope 1) and with b
(slope -q), where q, the rounded quotient, is a constant between jumps.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd import Function, constant_like
from tinygrad_edu.ops.broadcasting import unbroadcast


class Stepwise(Function):
    """A function that is constant between jumps (floor, ...): its gradient is 0 everywhere."""

    function = staticmethod(np.floor)  # each subclass names its NumPy function

    def forward(self, a):
        return self.function(a.data)

    def backward(self, grad):
        # Zeros, not grad * 0 (an inf in grad would make NaN); a constant, as d(0) = 0.
        return constant_like(grad, np.zeros(grad.shape, grad.dtype))


class Floor(Stepwise):
    """The largest integer <= a."""

    function = staticmethod(np.floor)


class Ceil(Stepwise):
    """The smallest integer >= a."""

    function = staticmethod(np.ceil)


class Round(Stepwise):
    """The nearest integer, halves to the even one (0.5 -> 0, 1.5 -> 2, 2.5 -> 2), as
    NumPy and PyTorch round; with `decimals`, to that many digits after the point."""

    def forward(self, a, decimals=0):
        return np.round(a.data, decimals)


class Trunc(Stepwise):
    """a with its fractional part dropped: towards zero (-1.7 -> -1)."""

    function = staticmethod(np.trunc)


class Sign(Stepwise):
    """-1, 0 or 1 by the sign of a (NaN stays NaN)."""

    function = staticmethod(np.sign)


class FloorDivide(Function):
    """a // b: floor(a / b), as Python and NumPy compute it (so 1 // 0.1 is 9, not 10:
    0.1 is a little more than a tenth). Flat in a and b, so both gradients are 0."""

    def forward(self, a, b):
        return np.floor_divide(a.data, b.data)

    def backward(self, grad):
        return tuple(
            constant_like(grad, np.zeros(x.shape, grad.dtype)) if needed else None
            for x, needed in zip(self.inputs, self.needs_input_grad)
        )


class Remainder(Function):
    """a % b = a - b * floor(a / b): the sign of b, as Python's % and torch.remainder.

    d/da = 1; d/db = -floor(a / b), a constant between the jumps (PyTorch's rule).
    """

    rounded_quotient = staticmethod(np.floor_divide)  # Fmod: the quotient rounded to zero
    remainder = staticmethod(np.mod)

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.remainder(a.data, b.data)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        quotient = constant_like(grad, self.rounded_quotient(a.data, b.data).astype(grad.dtype))
        return (
            unbroadcast(grad, a.shape) if need_a else None,
            unbroadcast(-grad * quotient, b.shape) if need_b else None,
        )


def _truncated_quotient(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.trunc(np.true_divide(a, b))


class Fmod(Remainder):
    """fmod(a, b) = a - b * trunc(a / b): the sign of a, as C's fmod and torch.fmod.

    d/da = 1; d/db = -trunc(a / b).
    """

    rounded_quotient = staticmethod(_truncated_quotient)
    remainder = staticmethod(np.fmod)
