"""Exercise 2: Exp, Log, Tanh and Sigmoid.

Reference solution (for teachers; `exercises new` never copies it).
"""

import numpy as np

from tinygrad_edu.autograd import Function


class Exp(Function):
    """y = exp(a); dy/da = exp(a) = y, so backward reuses the output."""

    def forward(self, a):
        return np.exp(a.data)

    def backward(self, grad):
        return grad * self.output


class Log(Function):
    """y = log(a); dy/da = 1 / a."""

    def forward(self, a):
        self.save_for_backward(a)
        return np.log(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / a


class Tanh(Function):
    """y = tanh(a); dy/da = 1 - tanh(a)^2 = 1 - y^2."""

    def forward(self, a):
        return np.tanh(a.data)

    def backward(self, grad):
        y = self.output
        return grad * (1 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-a)); dy/da = y (1 - y)."""

    def forward(self, a):
        # exp(-log(1 + exp(-a))) is the same number, and cannot overflow at a = -1000.
        return np.exp(-np.logaddexp(0, -a.data)).astype(a.dtype, copy=False)

    def backward(self, grad):
        y = self.output
        return grad * y * (1 - y)
