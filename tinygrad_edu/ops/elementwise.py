"""Elementwise operations: each forward (on arrays) beside its backward (on Tensors)."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.broadcasting import unbroadcast


class Add(Function):
    def forward(self, a, b):
        return a.data + b.data

    def backward(self, grad):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (
            unbroadcast(grad, a.shape) if need_a else None,
            unbroadcast(grad, b.shape) if need_b else None,
        )


class Sub(Function):
    def forward(self, a, b):
        return a.data - b.data

    def backward(self, grad):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (
            unbroadcast(grad, a.shape) if need_a else None,
            unbroadcast(-grad, b.shape) if need_b else None,
        )


class Mul(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a.data * b.data

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (
            unbroadcast(grad * b, a.shape) if need_a else None,
            unbroadcast(grad * a, b.shape) if need_b else None,
        )


class Div(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a.data / b.data

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (
            unbroadcast(grad / b, a.shape) if need_a else None,
            unbroadcast(-grad * a / (b * b), b.shape) if need_b else None,
        )


class Neg(Function):
    def forward(self, a):
        return -a.data

    def backward(self, grad):
        return -grad


class Pow(Function):
    """a ** b. d/da = b * a**(b-1); d/db = a**b * log(a) (NaN where a < 0, as in PyTorch)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a.data**b.data

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        grad_a = unbroadcast(grad * b * a ** (b - 1), a.shape) if need_a else None
        grad_b = unbroadcast(grad * self.output * a.log(), b.shape) if need_b else None
        return grad_a, grad_b


class Exp(Function):
    def forward(self, a):
        return np.exp(a.data)

    def backward(self, grad):
        return grad * self.output


class Log(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.log(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / a


class Sqrt(Function):
    def forward(self, a):
        return np.sqrt(a.data)

    def backward(self, grad):
        return grad / (self.output * 2)


class Abs(Function):
    """|a|; the gradient at 0 is 0, as in PyTorch."""

    def forward(self, a):
        self.save_for_backward(a)
        return np.abs(a.data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * np.sign(a.data)


class Relu(Function):
    def forward(self, a):
        return np.maximum(a.data, 0)

    def backward(self, grad):
        # The output is positive exactly where the input was: the gradient passes there.
        return grad * (self.output.data > 0)


class Sigmoid(Function):
    """1 / (1 + exp(-a)), computed as exp(-log(1 + exp(-a))) so +-1000 cannot overflow."""

    def forward(self, a):
        return np.exp(-np.logaddexp(0, -a.data)).astype(a.dtype, copy=False)

    def backward(self, grad):
        out = self.output
        return grad * out * (1 - out)


class Tanh(Function):
    def forward(self, a):
        return np.tanh(a.data)

    def backward(self, grad):
        out = self.output
        return grad * (1 - out * out)


class Maximum(Function):
    """Elementwise max; where a == b each side gets half the gradient (as PyTorch)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.maximum(a.data, b.data)

    def backward(self, grad):
        a, b = self.saved_tensors
        share_a = (a.data > b.data) + 0.5 * (a.data == b.data)
        return _split(self, grad, share_a.astype(grad.dtype, copy=False))


class Minimum(Function):
    """Elementwise min; where a == b each side gets half the gradient (as PyTorch)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.minimum(a.data, b.data)

    def backward(self, grad):
        a, b = self.saved_tensors
        share_a = (a.data < b.data) + 0.5 * (a.data == b.data)
        return _split(self, grad, share_a.astype(grad.dtype, copy=False))


def _split(function: Function, grad, share_a: np.ndarray):
    """Give input a the `share_a` fraction of grad and input b the rest."""
    a, b = function.inputs
    need_a, need_b = function.needs_input_grad
    return (
        unbroadcast(grad * share_a, a.shape) if need_a else None,
        unbroadcast(grad * (1 - share_a), b.shape) if need_b else None,
    )


class Clip(Function):
    """Clamp to [low, high]; the gradient passes where low <= a <= high (as PyTorch)."""

    def forward(self, a, low=None, high=None):
        self.save_for_backward(a)
        self.low, self.high = low, high
        return np.clip(a.data, low, high)

    def backward(self, grad):
        (a,) = self.saved_tensors
        inside = np.ones(a.shape, dtype=bool)
        if self.low is not None:
            inside &= a.data >= self.low
        if self.high is not None:
            inside &= a.data <= self.high
        return grad * inside


class Where(Function):
    """Pick a where condition holds, else b; the condition itself has no gradient."""

    def forward(self, a, b, condition=None):
        self.condition = condition
        return np.where(condition, a.data, b.data)

    def backward(self, grad):
        a, b = self.inputs
        need_a, need_b = self.needs_input_grad
        return (
            unbroadcast(grad * self.condition, a.shape) if need_a else None,
            unbroadcast(grad * ~self.condition, b.shape) if need_b else None,
        )


class Cast(Function):
    """Change dtype; the gradient is cast back to the input's dtype."""

    def forward(self, a, dtype=None):
        return a.data.astype(dtype)

    def backward(self, grad):
        (a,) = self.inputs
        return grad.astype(a.dtype)
