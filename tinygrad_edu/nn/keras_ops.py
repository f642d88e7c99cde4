"""`keras.ops`: NumPy-like functions over Tensors, by Keras 3's names.

    from tinygrad_edu.keras import ops

    def rmse(y_true, y_pred):                     # a custom loss
        return ops.sqrt(ops.mean(ops.square(y_true - y_pred)))

Each function is a thin name over an engine op or Tensor method (`ops.mean(x,
axis)` is `x.mean(axis)`), so whatever is written with them is differentiated
by the engine like any other Tensor code. Arguments may be Tensors, NumPy
arrays or numbers; results are Tensors. Called on a `keras.Input` (a
KerasTensor), a function records a node in the functional model instead of
computing (`symbolic.symbolic_op`), so `ops.mean(inputs, axis=-1)` works inside
`keras.Model(inputs, outputs)` as in Keras. `ops.shape` of a KerasTensor gives
its shape with None for the batch axis, Keras's answer.

A few functions have no useful derivative (comparisons, `argmax`, `round`,
`floor`, `sign`, `one_hot`): they return Tensors that record no graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.nn import activations
from tinygrad_edu.nn.symbolic import KerasTensor, symbolic_op
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.tensor import concatenate as _concatenate
from tinygrad_edu.tensor import stack as _stack
from tinygrad_edu.tensor import where as _where

Axis = int | Sequence[int] | None


def _tensor(x: Any) -> Tensor:
    """x as a Tensor: Tensors as they are; arrays keep their dtype; Python floats become
    float32 (as Keras's default float type)."""
    if isinstance(x, Tensor):
        return x
    array = np.asarray(x)
    return Tensor(
        array.astype(np.float32)
        if array.dtype == np.float64 and not isinstance(x, np.ndarray)
        else array
    )


def _constant(array: np.ndarray) -> Tensor:
    return Tensor(np.asarray(array))


# ---------------------------------------------------------------- making tensors
def convert_to_tensor(x: Any, dtype: Any = None) -> Tensor:
    """x (an array, a list, a number or a Tensor) as a Tensor, in `dtype` if given."""
    tensor = _tensor(x)
    return tensor if dtype is None else tensor.astype(dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    """x's values as a NumPy array (a copy is not made for a Tensor)."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def zeros(shape: Sequence[int], dtype: Any = "float32") -> Tensor:
    """A Tensor of zeros of `shape`."""
    return _constant(np.zeros(shape, dtype=dtype))


def ones(shape: Sequence[int], dtype: Any = "float32") -> Tensor:
    """A Tensor of ones of `shape`."""
    return _constant(np.ones(shape, dtype=dtype))


@symbolic_op
def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    """Zeros of x's shape (and dtype, unless given)."""
    return _constant(np.zeros_like(convert_to_numpy(x), dtype=dtype))


@symbolic_op
def ones_like(x: Any, dtype: Any = None) -> Tensor:
    """Ones of x's shape (and dtype, unless given)."""
    return _constant(np.ones_like(convert_to_numpy(x), dtype=dtype))


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None) -> Tensor:
    """`np.arange` as a Tensor."""
    return _constant(np.arange(start, stop, step, dtype=dtype))


def shape(x: Any) -> tuple[int | None, ...]:
    """x's shape as a tuple; for a KerasTensor None stands for the batch axis (Keras's)."""
    if isinstance(x, KerasTensor):
        return x.shape
    return tuple(_tensor(x).shape)


@symbolic_op
def cast(x: Any, dtype: Any) -> Tensor:
    """x in another dtype; a float to float cast passes the gradient back (cast back)."""
    return _tensor(x).astype(dtype)


# ---------------------------------------------------------------- elementwise arithmetic
@symbolic_op
def add(x1: Any, x2: Any) -> Tensor:
    """x1 + x2, with NumPy broadcasting."""
    return _lifted(x1, x2, lambda a, b: a + b)


@symbolic_op
def subtract(x1: Any, x2: Any) -> Tensor:
    """x1 - x2, with NumPy broadcasting."""
    return _lifted(x1, x2, lambda a, b: a - b)


@symbolic_op
def multiply(x1: Any, x2: Any) -> Tensor:
    """x1 * x2, entry by entry, with NumPy broadcasting."""
    return _lifted(x1, x2, lambda a, b: a * b)


@symbolic_op
def divide(x1: Any, x2: Any) -> Tensor:
    """x1 / x2, entry by entry, with NumPy broadcasting."""
    return _lifted(x1, x2, lambda a, b: a / b)


@symbolic_op
def power(x1: Any, x2: Any) -> Tensor:
    """x1 ** x2, entry by entry."""
    return _lifted(x1, x2, lambda a, b: a**b)


def _lifted(x1: Any, x2: Any, operation: Any) -> Tensor:
    """operation(x1, x2) with both as Tensors; a number takes the other side's dtype."""
    if isinstance(x1, Tensor):
        return operation(x1, x1._lift(x2))
    if isinstance(x2, Tensor):
        return operation(x2._lift(x1), x2)
    return operation(_tensor(x1), _tensor(x2))


@symbolic_op
def negative(x: Any) -> Tensor:
    """-x."""
    return -_tensor(x)


@symbolic_op
def square(x: Any) -> Tensor:
    """x * x."""
    x = _tensor(x)
    return x * x


@symbolic_op
def sqrt(x: Any) -> Tensor:
    """The square root, entry by entry."""
    return _tensor(x).sqrt()


@symbolic_op
def abs(x: Any) -> Tensor:  # noqa: A001 (Keras's name)
    """|x|, entry by entry."""
    return _tensor(x).abs()


absolute = abs


@symbolic_op
def exp(x: Any) -> Tensor:
    """e ** x, entry by entry."""
    return _tensor(x).exp()


@symbolic_op
def log(x: Any) -> Tensor:
    """The natural logarithm, entry by entry."""
    return _tensor(x).log()


@symbolic_op
def log1p(x: Any) -> Tensor:
    """log(1 + x), entry by entry."""
    return (_tensor(x) + 1.0).log()


@symbolic_op
def maximum(x1: Any, x2: Any) -> Tensor:
    """The larger of x1 and x2, entry by entry (a tie splits the gradient)."""
    return _lifted(x1, x2, lambda a, b: a.maximum(b))


@symbolic_op
def minimum(x1: Any, x2: Any) -> Tensor:
    """The smaller of x1 and x2, entry by entry."""
    return _lifted(x1, x2, lambda a, b: a.minimum(b))


@symbolic_op
def clip(x: Any, x_min: float, x_max: float) -> Tensor:
    """x limited to [x_min, x_max]; the gradient is 0 where it was clipped."""
    return _tensor(x).clip(x_min, x_max)


@symbolic_op
def where(condition: Any, x1: Any = None, x2: Any = None) -> Tensor:
    """x1 where condition is true, else x2 (with broadcasting); the condition gets no
    gradient. Given the condition alone, the indices where it holds (as np.nonzero)."""
    condition = np.asarray(convert_to_numpy(condition), dtype=bool)
    if x1 is None and x2 is None:
        return tuple(_constant(index) for index in np.nonzero(condition))
    return _where(condition, x1, x2)


# ---------------------------------------------------------------- activations
@symbolic_op
def relu(x: Any) -> Tensor:
    """max(x, 0)."""
    return _tensor(x).relu()


@symbolic_op
def sigmoid(x: Any) -> Tensor:
    """1 / (1 + exp(-x)), finite for large |x|; a crossentropy loss finds the logits under it."""
    x = _tensor(x)
    return activations.remember_logits(x.sigmoid(), "sigmoid", -1, x)


@symbolic_op
def tanh(x: Any) -> Tensor:
    """The hyperbolic tangent."""
    return _tensor(x).tanh()


@symbolic_op
def softmax(x: Any, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (the largest entry subtracted first); a crossentropy
    loss finds the logits under it."""
    x = _tensor(x)
    return activations.remember_logits(x.softmax(axis=axis), "softmax", axis, x)


@symbolic_op
def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """log(softmax(x)) along `axis`, computed without forming the softmax."""
    return _tensor(x).log_softmax(axis=axis)


@symbolic_op
def softplus(x: Any) -> Tensor:
    """log(1 + exp(x)), as `keras.activations.softplus`."""
    return activations.softplus(_tensor(x))


@symbolic_op
def gelu(x: Any) -> Tensor:
    """The Gaussian error linear unit, as `keras.activations.gelu`."""
    return activations.gelu(_tensor(x))


@symbolic_op
def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) along `axis`, with the maximum subtracted first."""
    x = _tensor(x)
    top = x.max(axis=axis, keepdims=True).detach()
    result = (x - top).exp().sum(axis=axis, keepdims=True).log() + top
    return result if keepdims else result.squeeze(axis)


# ---------------------------------------------------------------- reductions
@symbolic_op
def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """The sum over `axis` (all axes by default)."""
    return _tensor(x).sum(axis=axis, keepdims=keepdims)


@symbolic_op
def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The mean over `axis` (all axes by default)."""
    return _tensor(x).mean(axis=axis, keepdims=keepdims)


@symbolic_op
def max(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """The largest entry over `axis` (ties share the gradient evenly)."""
    return _tensor(x).max(axis=axis, keepdims=keepdims)


@symbolic_op
def min(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """The smallest entry over `axis`."""
    return _tensor(x).min(axis=axis, keepdims=keepdims)


@symbolic_op
def var(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The variance over `axis` (divided by the count, as NumPy's default)."""
    return _tensor(x).var(axis=axis, keepdims=keepdims)


@symbolic_op
def std(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The standard deviation over `axis`: sqrt(var)."""
    return _tensor(x).var(axis=axis, keepdims=keepdims).sqrt()


@symbolic_op
def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """The index of the largest entry along `axis` (no gradient)."""
    return _tensor(x).argmax(axis=axis, keepdims=keepdims)


@symbolic_op
def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """The index of the smallest entry along `axis` (no gradient)."""
    return _tensor(x).argmin(axis=axis, keepdims=keepdims)


# ---------------------------------------------------------------- linear algebra and shapes
@symbolic_op
def matmul(x1: Any, x2: Any) -> Tensor:
    """The matrix product x1 @ x2 (batched over leading axes, as np.matmul)."""
    return _lifted(x1, x2, lambda a, b: a @ b)


dot = matmul


@symbolic_op
def reshape(x: Any, newshape: Sequence[int]) -> Tensor:
    """x's values in a new shape (-1 for one size to infer)."""
    if isinstance(newshape, (list, tuple)):
        return _tensor(x).reshape(*newshape)
    return _tensor(x).reshape(newshape)


@symbolic_op
def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    """x with its axes permuted (reversed by default)."""
    x = _tensor(x)
    return x.transpose() if axes is None else x.transpose(*axes)


@symbolic_op
def expand_dims(x: Any, axis: int) -> Tensor:
    """x with a new axis of size 1 at `axis`."""
    return _tensor(x).expand_dims(axis)


@symbolic_op
def squeeze(x: Any, axis: Axis = None) -> Tensor:
    """x without its axes of size 1 (or only `axis`)."""
    return _tensor(x).squeeze(axis)


@symbolic_op
def concatenate(xs: Sequence[Any], axis: int = 0) -> Tensor:
    """The tensors joined along an existing axis."""
    return _concatenate(list(xs), axis=axis)


@symbolic_op
def stack(x: Sequence[Any], axis: int = 0) -> Tensor:
    """The tensors (of one shape) joined along a new axis."""
    return _stack(list(x), axis=axis)


@symbolic_op
def take_slice(x: Any, index: Any) -> Tensor:
    """x[index] (what `keras_tensor[...]` records in a functional model)."""
    return _tensor(x)[index]


@symbolic_op
def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = "float32") -> Tensor:
    """Integer labels as one-hot rows: (N,) -> (N, num_classes) (no gradient)."""
    labels = np.asarray(convert_to_numpy(x)).astype(np.int64)
    encoded = (labels[..., None] == np.arange(num_classes)).astype(dtype)
    return _constant(np.moveaxis(encoded, -1, axis))


# ---------------------------------------------------------------- no gradient
def _no_gradient(function: Any, x: Any, *args: Any) -> Tensor:
    return _constant(function(convert_to_numpy(x), *args))


@symbolic_op
def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    """x rounded (no gradient: its derivative is 0 almost everywhere)."""
    return _no_gradient(np.round, x, decimals)


@symbolic_op
def floor(x: Any) -> Tensor:
    """x rounded down (no gradient)."""
    return _no_gradient(np.floor, x)


@symbolic_op
def sign(x: Any) -> Tensor:
    """-1, 0 or 1 by the sign of each entry (no gradient)."""
    return _no_gradient(np.sign, x)


def _compare(x1: Any, x2: Any, function: Any) -> Tensor:
    return _constant(function(convert_to_numpy(x1), convert_to_numpy(x2)))


@symbolic_op
def equal(x1: Any, x2: Any) -> Tensor:
    """x1 == x2 entry by entry, a bool Tensor."""
    return _compare(x1, x2, np.equal)


@symbolic_op
def not_equal(x1: Any, x2: Any) -> Tensor:
    """x1 != x2 entry by entry, a bool Tensor."""
    return _compare(x1, x2, np.not_equal)


@symbolic_op
def greater(x1: Any, x2: Any) -> Tensor:
    """x1 > x2 entry by entry, a bool Tensor."""
    return _compare(x1, x2, np.greater)


@symbolic_op
def greater_equal(x1: Any, x2: Any) -> Tensor:
    """x1 >= x2 entry by entry, a bool Tensor."""
    return _compare(x1, x2, np.greater_equal)


@symbolic_op
def less(x1: Any, x2: Any) -> Tensor:
    """x1 < x2 entry by entry, a bool Tensor."""
    return _compare(x1, x2, np.less)


@symbolic_op
def less_equal(x1: Any, x2: Any) -> Tensor:
    """x1 <= x2 entry by entry, a bool Tensor."""
    return _compare(x1, x2, np.less_equal)
