"""Exercise 2: Exp, Log, Tanh and Sigmoid.

Four elementwise ops, forward given, backward yours. Each backward gets `grad`
(the gradient arriving at the output) and returns grad times the local
derivative dy/da. Where the derivative can be written with the output y, use
`self.output` (the Tensor forward produced): it was computed already, and for
Sigmoid it stays finite where a formula in exp(-a) would overflow at a = -1000
and give 0 * inf = NaN.

Write them with Tensor operations (`grad * self.output`), not NumPy (`np.exp(a.data)`):
the grader differentiates your backward a second time (gradgradcheck), and a
NumPy array is a constant to the engine, so its derivative would be lost.

Grade it: tinygrad-edu exercises grade . elementwise
"""

import numpy as np

from tinygrad_edu.autograd import Function


class Exp(Function):
    """y = exp(a); dy/da = exp(a) = y, so backward reuses the output."""

    def forward(self, a):
        return np.exp(a.data)

    def backward(self, grad):
        # TODO: the gradient of a (self.output is y).
        raise NotImplementedError("exercise 2: write Exp.backward")


class Log(Function):
    """y = log(a); dy/da = 1 / a."""

    def forward(self, a):
        self.save_for_backward(a)
        return np.log(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        # TODO: the gradient of a.
        raise NotImplementedError("exercise 2: write Log.backward")


class Tanh(Function):
    """y = tanh(a); dy/da = 1 - tanh(a)^2 = 1 - y^2."""

    def forward(self, a):
        return np.tanh(a.data)

    def backward(self, grad):
        # TODO: the gradient of a, from the output y.
        raise NotImplementedError("exercise 2: write Tanh.backward")


class Sigmoid(Function):
    """y = 1 / (1 + exp(-a)); dy/da = y (1 - y)."""

    def forward(self, a):
        # exp(-log(1 + exp(-a))) is the same number, and cannot overflow at a = -1000.
        return np.exp(-np.logaddexp(0, -a.data)).astype(a.dtype, copy=False)

    def backward(self, grad):
        # TODO: the gradient of a, from the output y.
        raise NotImplementedError("exercise 2: write Sigmoid.backward")
