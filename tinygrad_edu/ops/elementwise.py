"""Elementwise operations: each forward (on arrays) beside its backward (on Tensors)."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd import Function, constant_like
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
    """a / b. d/da = 1 / b; d/db = -a / b**2, written -(a / b) / b: b * b would
    overflow to inf for a large b (making 0 * inf, NaN, in the second order)."""

    def forward(self, a, b):
        self.save_for_backward(b)
        return a.data / b.data

    def backward(self, grad):
        (b,) = self.saved_tensors
        a, _ = self.inputs
        need_a, need_b = self.needs_input_grad
        return (
            unbroadcast(grad / b, a.shape) if need_a else None,
            unbroadcast(-grad * self.output / b, b.shape) if need_b else None,
        )


class Neg(Function):
    def forward(self, a):
        return -a.data

    def backward(self, grad):
        return -grad


class Pow(Function):
    """a ** b. d/da = b * a**(b-1); d/db = a**b * log(a) (NaN where a < 0, as in PyTorch).

    Read literally, those formulas give 0 * inf or 0 * log(0) at two kinds of
    point where the true derivative is 0, and there backward gives 0, as PyTorch
    does: d/da where a == b == 0 (a ** 0 is the constant 1, even at a = 0), and d/db
    where a == 0 and b >= 0 (0 ** b is the constant 0 for b > 0). Only those points
    are masked (elsewhere the formula is right, and its own derivatives with it,
    such as d/db of d/da at b = 0, which is 1 / a). The formula is
    evaluated at a harmless stand-in value there and the result replaced by 0
    (`_masked`), so the derivatives of the derivative, which run through the
    same formula, stay finite too.
    """

    def forward(self, a, b):
        self.save_for_backward(a, b)
        # 0 ** negative is inf, the right limit (d/da of sqrt at 0 is inf too): no
        # "divide by zero" warning for it, as in PyTorch. Other warnings stay on.
        with np.errstate(divide="ignore"):
            return a.data**b.data

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        grad_a = grad_b = None
        if need_a:
            constant = (b.data == 0) & (a.data == 0)  # a ** 0 == 1, even at a = 0
            safe_b = _masked(b, constant, 1)
            grad_a = unbroadcast(_masked(grad * safe_b * a ** (safe_b - 1), constant, 0), a.shape)
        if need_b:
            constant = (a.data == 0) & (b.data >= 0)  # 0 ** b == 0 for every b > 0
            safe_a = _masked(a, constant, 1)
            grad_b = unbroadcast(_masked(grad * self.output * safe_a.log(), constant, 0), b.shape)
        return grad_a, grad_b


def _masked(tensor, mask: np.ndarray, value: float):
    """`tensor` with `value` where `mask` holds (a recorded Where); itself if mask is all False."""
    if not mask.any():  # the usual case: nothing to replace, no extra node
        return tensor
    return Where.apply(
        constant_like(tensor, np.asarray(value, tensor.dtype)), tensor, condition=mask
    )


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
    """1 / (1 + exp(-a)), written as exp(min(a, 0)) / (1 + exp(-|a|)) so +-1000 cannot overflow.

    Both exponents are <= 0. For a >= 0 it is 1 / (1 + exp(-a)); for a < 0, the same
    fraction with exp(a) multiplied in above and below.
    """

    def forward(self, a):
        return np.exp(np.minimum(a.data, 0)) / (1 + np.exp(-np.abs(a.data)))

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

    pick, wins = staticmethod(np.maximum), staticmethod(np.greater)  # Minimum: the other way

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.pick(a.data, b.data)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        # a's share of the gradient: 1 where a was picked, 1/2 at ties, else 0; b gets the rest
        share_a = self.wins(a.data, b.data) + 0.5 * (a.data == b.data)
        share_a = share_a.astype(grad.dtype, copy=False)
        return (
            unbroadcast(grad * share_a, a.shape) if need_a else None,
            unbroadcast(grad * (1 - share_a), b.shape) if need_b else None,
        )


class Minimum(Maximum):
    """Elementwise min; where a == b each side gets half the gradient (as PyTorch)."""

    pick, wins = staticmethod(np.minimum), staticmethod(np.less)


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
