"""tinygrad-edu: a small, readable deep-learning framework for learning how networks train.

>>> from tinygrad_edu import Tensor
>>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x**2).sum().backward()
>>> x.grad
Tensor([2., 4., 6.], dtype=float32)
"""

from tinygrad_edu.autograd import Function, enable_grad, is_grad_enabled, no_grad
from tinygrad_edu.creation import (
    arange,
    eye,
    full,
    ones,
    ones_like,
    rand,
    randn,
    uniform,
    zeros,
    zeros_like,
)
from tinygrad_edu.gradients import grad
from tinygrad_edu.random import manual_seed
from tinygrad_edu.tensor import Tensor, concatenate, stack, where

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "Function",
    "grad",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "manual_seed",
    "concatenate",
    "stack",
    "where",
    "zeros",
    "ones",
    "full",
    "rand",
    "randn",
    "uniform",
    "arange",
    "eye",
    "zeros_like",
    "ones_like",
]
