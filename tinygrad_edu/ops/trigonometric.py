"""Trigonometric, hyperbolic, base-2 and base-10 functions: forward beside backward.

Each derivative is written with Tensor operations (sin's uses cos, cos's uses sin,
tan's its own output), so every one can be differentiated again.
"""

from __future__ import annotations

import math

import numpy as np

from tinygrad_edu.autograd import Function


class Sin(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.sin(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * Cos.apply(a)


class Cos(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.cos(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return -grad * Sin.apply(a)


class Tan(Function):
    """tan(a); its derivative 1 / cos^2 = 1 + tan^2 is read from the output."""

    def forward(self, a):
        return np.tan(a.data)

    def backward(self, grad):
        out = self.output
        return grad * (out * out + 1)


class Asin(Function):
    """arcsin(a) on [-1, 1]; the derivative 1 / sqrt(1 - a^2) is inf at +-1 (as in PyTorch)."""

    def forward(self, a):
        self.save_for_backward(a)
        return np.arcsin(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (1 - a * a).sqrt()


class Acos(Function):
    """arccos(a) on [-1, 1]; the derivative is -1 / sqrt(1 - a^2)."""

    def forward(self, a):
        self.save_for_backward(a)
        return np.arccos(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return -grad / (1 - a * a).sqrt()


class Atan(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.arctan(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * a + 1)


class Sinh(Function):
    """sinh(a), a primitive rather than (e^a - e^-a) / 2: that difference loses the
    digits of a small a (sinh(1e-10) would come out about 1e-6 wrong, relatively)."""

    def forward(self, a):
        self.save_for_backward(a)
        return np.sinh(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * Cosh.apply(a)


class Cosh(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.cosh(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * Sinh.apply(a)


class Log2(Function):
    """log2(a), a primitive so that log2(8) is exactly 3 (log(8) / log(2) is not)."""

    def forward(self, a):
        self.save_for_backward(a)
        return np.log2(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * math.log(2))


class Log10(Function):
    """log10(a), a primitive so that log10(1000) is exactly 3."""

    def forward(self, a):
        self.save_for_backward(a)
        return np.log10(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * math.log(10))


class Exp2(Function):
    """2 ** a; the derivative is 2 ** a * ln 2, read from the output."""

    def forward(self, a):
        return np.exp2(a.data)

    def backward(self, grad):
        return grad * self.output * math.log(2)
