"""Tensor: an n-d NumPy array that remembers how it was made, so it can be differentiated.

Every method here is thin: it turns its arguments into Tensors and calls a
primitive `Function` from `tinygrad_edu.ops` (or a composite of them). The
derivatives live beside the forwards in ops/, not here.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from tinygrad_edu import autograd, ops
from tinygrad_edu.functional import log_softmax, softmax
from tinygrad_edu.ops.reduce import normalize_axes

Axis = int | tuple[int, ...] | None


class Tensor:
    """An array with an optional gradient and a record of the op that produced it."""

    # Make `ndarray + Tensor` call Tensor.__radd__ instead of NumPy looping over us.
    __array_ufunc__ = None
    # Comparisons return tensors, so identity is the only sensible hash.
    __hash__ = object.__hash__
    # Made by the graph when it is released after backward (see autograd.ReleasedTensor).
    _stand_in: autograd.ReleasedTensor | None = None

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        dtype = None if dtype is None else np.dtype(dtype)
        if isinstance(data, Tensor):
            data = data.data
        if isinstance(data, (np.ndarray, np.generic)):
            # An array keeps its dtype (float64 stays float64); no copy is made.
            array = np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype)
        else:
            array = _array_from(data, dtype)
            if dtype is None and array.dtype.kind in "iuf":
                array = array.astype(np.float32)  # Python numbers and lists: float32
        if array.dtype.kind not in "biuf":  # strings, objects, dates: not numbers
            raise TypeError(
                f"Tensor: the data must be numbers (or booleans), got dtype {array.dtype} from "
                f"{type(data).__name__} data such as {_first_item(array)!r}"
            )
        self._data = array
        self._versions = [0]
        self._creator: autograd.Function | None = None
        self._retains_grad = False
        self._requires_grad = False
        self.grad: Tensor | None = None
        self.name = name
        if requires_grad:  # the setter checks the dtype
            self.requires_grad = True

    @classmethod
    def _from_op(cls, data: Any, requires_grad: bool) -> Tensor:
        """Wrap an op's result quickly (no dtype conversion, no checks)."""
        tensor = cls.__new__(cls)
        tensor._data = data if isinstance(data, np.ndarray) else np.asarray(data)
        tensor._versions = [0]
        tensor._creator = None
        tensor._retains_grad = False
        tensor._requires_grad = requires_grad
        tensor.grad = None
        tensor.name = None
        return tensor

    # ------------------------------------------------------------ attributes
    @property
    def data(self) -> np.ndarray:
        """The values. Assigning (including `t.data -= x`) counts as an in-place change."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value.data if isinstance(value, Tensor) else np.asarray(value)
        self._version += 1

    @property
    def _version(self) -> int:
        """How many times the data was changed in place. Views (reshape, transpose,
        basic indexing, detach) share one counter with their base, as in PyTorch,
        so an edit through either is seen by ops that saved the other."""
        return self._versions[0]

    @_version.setter
    def _version(self, value: int) -> None:
        self._versions[0] = value

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._data.dtype.kind != "f":
            raise TypeError(
                f"Tensor: only floating-point tensors can require gradients, got dtype "
                f"{self._data.dtype}; convert first, e.g. Tensor(x, dtype='float32', "
                "requires_grad=True)"
            )
        self._requires_grad = bool(value)

    shape = property(lambda self: self._data.shape, doc="The size of each axis.")
    ndim = property(lambda self: self._data.ndim, doc="The number of axes.")
    size = property(lambda self: self._data.size, doc="The number of elements.")
    dtype = property(lambda self: self._data.dtype, doc="The NumPy dtype of the values.")

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by a recorded op."""
        return self._creator is None

    @property
    def grad_fn(self) -> autograd.Function | None:
        """The Function that produced this tensor (None for leaves)."""
        return self._creator

    @property
    def T(self) -> Tensor:  # noqa: N802 (NumPy's name)
        return self.transpose()

    def numpy(self) -> np.ndarray:
        return self._data

    def item(self) -> float | int | bool:
        if self._data.size != 1:
            raise ValueError(
                f"item: only a tensor with one element can become a Python number; "
                f"this one has shape {self.shape}"
            )
        return self._data.item()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        array = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return array.copy() if copy else array

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __repr__(self) -> str:
        values = np.array2string(self._data, separator=", ", prefix="Tensor(")
        extras = [f"dtype={self.dtype}"]
        if self._creator is not None:
            extras.append(f"grad_fn=<{self._creator.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return f"Tensor({values}, {', '.join(extras)})"

    # ------------------------------------------------------------ autograd
    def backward(
        self,
        grad: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad`.

        `grad` is the gradient flowing in from above; it may be left out only for
        a one-element tensor (a loss). `retain_graph` defaults to `create_graph`.
        """
        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad, so no graph leads to it; "
                "make an input with requires_grad=True first"
            )
        if grad is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be left out only for a one-element output, but this "
                    f"output has shape {self.shape}; pass grad= of that shape, or reduce it "
                    "first (e.g. y.sum().backward())"
                )
            data = self._data
            grad = Tensor._from_op(np.array(1, dtype=data.dtype).reshape(data.shape), False)
        else:
            grad = grad if isinstance(grad, Tensor) else Tensor(grad, dtype=self.dtype)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward: grad has shape {grad.shape} but the output has shape "
                    f"{self.shape}; they must match"
                )
        if retain_graph is None:
            retain_graph = create_graph
        autograd.run_backward([self], [grad], retain_graph, create_graph)

    def retain_grad(self) -> Tensor:
        """Keep `.grad` on this non-leaf tensor too after backward (as in PyTorch)."""
        self._retains_grad = True
        return self

    def detach(self) -> Tensor:
        """The same values (shared memory), cut from the graph."""
        detached = Tensor._from_op(self._data, False)
        detached._versions = self._versions  # same memory, so the same version counter
        return detached

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    def draw_graph(self, **options: Any) -> Any:
        """Shortcut for `tinygrad_edu.viz.draw_graph(self, ...)`."""
        from tinygrad_edu.viz import draw_graph  # viz needs graphviz: import it only on use

        return draw_graph(self, **options)

    # ------------------------------------------------------------ conversions
    def _lift(self, other: Any) -> Tensor:
        """Make `other` a Tensor; Python numbers take this tensor's dtype (no upcast)."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float, bool)) and self.dtype.kind == "f":
            return Tensor._from_op(np.asarray(other, dtype=self.dtype), False)
        return Tensor._from_op(np.asarray(other), False)

    def astype(self, dtype: Any) -> Tensor:
        """A copy with another dtype; the gradient is cast back."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if dtype.kind != "f":  # integers and bools carry no gradient
            return Tensor._from_op(self._data.astype(dtype), False)
        return ops.Cast.apply(self, dtype=dtype)

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Tensor:
        return ops.Add.apply(self, self._lift(other))

    def __radd__(self, other: Any) -> Tensor:
        return ops.Add.apply(self._lift(other), self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.Sub.apply(self, self._lift(other))

    def __rsub__(self, other: Any) -> Tensor:
        return ops.Sub.apply(self._lift(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.Mul.apply(self, self._lift(other))

    def __rmul__(self, other: Any) -> Tensor:
        return ops.Mul.apply(self._lift(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.Div.apply(self, self._lift(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.Div.apply(self._lift(other), self)

    def __pow__(self, exponent: Any) -> Tensor:
        return ops.Pow.apply(self, self._lift(exponent))

    def __rpow__(self, base: Any) -> Tensor:
        return ops.Pow.apply(self._lift(base), self)

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._lift(other).matmul(self)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with NumPy's rules: 1-D operands, batched broadcasting."""
        other = self._lift(other)
        if self.ndim == 0 or other.ndim == 0:
            raise ValueError(
                f"matmul: both operands need at least one dimension, got shapes "
                f"{self.shape} and {other.shape} (use * to scale by a number)"
            )
        return ops.MatMul.apply(self, other)

    # In place, as in PyTorch: allowed where no graph is being recorded through them.
    def _in_place(self, other: Any, numpy_op: np.ufunc, symbol: str) -> Tensor:
        if self._requires_grad and autograd.is_grad_enabled():
            raise RuntimeError(
                f"in-place {symbol} on a tensor that requires grad while the graph is being "
                "recorded; wrap the update in `with no_grad():` or write x = x "
                f"{symbol[0]} y to make a new tensor"
            )
        value = other._data if isinstance(other, Tensor) else other
        numpy_op(self._data, value, out=self._data)  # ufuncs refuse unsafe casts into out=
        self._versions[0] += 1
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._in_place(other, np.add, "+=")

    def __isub__(self, other: Any) -> Tensor:
        return self._in_place(other, np.subtract, "-=")

    def __imul__(self, other: Any) -> Tensor:
        return self._in_place(other, np.multiply, "*=")

    def __itruediv__(self, other: Any) -> Tensor:
        return self._in_place(other, np.true_divide, "/=")

    # Comparisons give bool tensors and record nothing.
    def _compare(self, other: Any, numpy_op: np.ufunc) -> Tensor:
        value = other.data if isinstance(other, Tensor) else other
        return Tensor._from_op(numpy_op(self._data, value), False)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    # ------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        return ops.Exp.apply(self)

    def log(self) -> Tensor:
        return ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    def relu(self) -> Tensor:
        return ops.Relu.apply(self)

    def sigmoid(self) -> Tensor:
        output = ops.Sigmoid.apply(self)
        # Its logits, for binary_crossentropy with or without a recorded graph (as Keras keeps).
        output._keras_logits = ("sigmoid", -1, self)
        return output

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(self)

    def softmax(self, axis: int = -1) -> Tensor:
        return softmax(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return log_softmax(self, axis=axis)

    def clip(self, low: float | None = None, high: float | None = None) -> Tensor:
        """Clamp into [low, high]; the gradient flows where low <= x <= high."""
        if low is not None and high is not None and low > high:
            raise ValueError(f"clip: low ({low}) must not be greater than high ({high})")
        return ops.Clip.apply(self, low=low, high=high)

    def maximum(self, other: Any) -> Tensor:
        """Elementwise max; at ties each side gets half the gradient."""
        return ops.Maximum.apply(self, self._lift(other))

    def minimum(self, other: Any) -> Tensor:
        """Elementwise min; at ties each side gets half the gradient."""
        return ops.Minimum.apply(self, self._lift(other))

    # ------------------------------------------------------------ reductions
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Mean over `axis`. Over an empty axis it is NaN (with a warning), as in NumPy and
        PyTorch; float16 is averaged in float32 and rounded back once."""
        count = math.prod(self.shape[a] for a in normalize_axes(axis, self.ndim))
        total = _accumulator(self).sum(axis=axis, keepdims=keepdims)
        if count > 0:
            return (total * (1.0 / count)).astype(self.dtype)
        return _divided_by_nothing(total, "mean", self.shape, axis).astype(self.dtype)

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        """Variance, dividing by (count - ddof): ddof=0 as NumPy and Keras do.

        Where count - ddof <= 0 it is NaN (inf if the values differ), with a warning, as
        in NumPy. float16 is worked out in float32 and rounded back once.
        """
        count = math.prod(self.shape[a] for a in normalize_axes(axis, self.ndim))
        wide = _accumulator(self)
        centered = wide - wide.mean(axis=axis, keepdims=True)
        squares = (centered * centered).sum(axis=axis, keepdims=keepdims)
        if count - ddof > 0:
            return (squares * (1.0 / (count - ddof))).astype(self.dtype)
        op = f"var (ddof={ddof})"
        return _divided_by_nothing(squares, op, self.shape, axis).astype(self.dtype)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Largest value; at ties the gradient is split evenly among the tied entries."""
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Smallest value; at ties the gradient is split evenly among the tied entries."""
        return ops.Min.apply(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Index of the largest value (an integer tensor, no gradient)."""
        return Tensor._from_op(np.argmax(self._data, axis=axis, keepdims=keepdims), False)

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return Tensor._from_op(np.argmin(self._data, axis=axis, keepdims=keepdims), False)

    # ------------------------------------------------------------ movement
    def reshape(self, *shape: Any) -> Tensor:
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], Sequence) else shape
        return ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: Any) -> Tensor:
        """Permute axes (all reversed when none are given), as NumPy's transpose."""
        if not axes:  # .T, as in every matmul backward: nothing to check
            return ops.Transpose.apply(self, axes=None)
        if len(axes) == 1 and isinstance(axes[0], Sequence):
            axes = tuple(axes[0])
        in_range = all(-self.ndim <= a < self.ndim for a in axes)
        if axes and (not in_range or sorted(a % self.ndim for a in axes) != list(range(self.ndim))):
            raise ValueError(
                f"transpose: axes {axes} are not a permutation of the {self.ndim} axes of a "
                f"tensor of shape {self.shape}"
            )
        return ops.Transpose.apply(self, axes=tuple(a % self.ndim for a in axes) or None)

    def flatten(self, start_axis: int = 0) -> Tensor:
        """Merge the axes from `start_axis` on into one (Keras's Flatten uses start_axis=1)."""
        start_axis %= max(self.ndim, 1)
        return self.reshape(self.shape[:start_axis] + (-1,))

    def squeeze(self, axis: Axis = None) -> Tensor:
        if axis is None:
            axes = tuple(i for i, size in enumerate(self.shape) if size == 1)
        else:
            axes = normalize_axes(axis, self.ndim)
            for a in axes:
                if self.shape[a] != 1:
                    raise ValueError(
                        f"squeeze: axis {a} of shape {self.shape} has size {self.shape[a]}, "
                        "only axes of size 1 can be removed"
                    )
        return self.reshape(tuple(s for i, s in enumerate(self.shape) if i not in axes))

    def expand_dims(self, axis: int | tuple[int, ...]) -> Tensor:
        return self.reshape(np.expand_dims(self._data, axis).shape)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        return ops.BroadcastTo.apply(self, shape=tuple(shape))

    def __getitem__(self, index: Any) -> Tensor:
        """NumPy indexing: ints, slices, Ellipsis, None, integer arrays, boolean masks."""
        return ops.GetItem.apply(self, index=_plain_index(index))


def _plain_index(index: Any) -> Any:
    """Replace Tensors and lists inside an index by ndarrays, as NumPy expects them."""
    if isinstance(index, tuple):
        return tuple(_plain_index(part) for part in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


# ---------------------------------------------------------------- making tensors
def _array_from(data: Any, dtype: np.dtype | None) -> np.ndarray:
    """np.asarray(data), with a clear error for nested lists of different lengths."""
    try:
        return np.asarray(data, dtype=dtype)
    except ValueError as error:
        if isinstance(data, (list, tuple)) and "inhomogeneous" in str(error):
            raise ValueError(
                "Tensor: the nested lists are ragged (rows of different lengths), found "
                f"{_ragged_shapes(data)}; every row must have the same shape"
            ) from None
        raise


def _ragged_shapes(data: list | tuple) -> str:
    """Where a nested list stops being rectangular: the shapes of the items at that level."""
    shapes = []
    for item in data:
        try:
            shapes.append(np.asarray(item).shape)
        except ValueError:  # ragged further down: look there
            return _ragged_shapes(item)
    return f"items of shapes {', '.join(str(shape) for shape in dict.fromkeys(shapes))}"


def _first_item(array: np.ndarray) -> Any:
    """The first value, as a plain Python object (for an error message)."""
    if not array.size:
        return None
    first = array.flat[0]
    return first.item() if isinstance(first, np.generic) else first


# ---------------------------------------------------------------- reductions' helpers
def _accumulator(tensor: Tensor) -> Tensor:
    """`tensor` in the dtype sums should add up in: float32 for float16, else itself."""
    return tensor.astype(np.float32) if tensor.dtype == np.float16 else tensor


def _divided_by_nothing(total: Tensor, op: str, shape: tuple[int, ...], axis: Axis) -> Tensor:
    """`total` divided by a count of 0 (or less), as NumPy answers: NaN where the total
    is 0 (an empty mean, the variance of one value), inf elsewhere; with a clear warning
    instead of a bare ZeroDivisionError. The gradient is NaN too, of the input's shape."""
    warnings.warn(
        f"{op}: a tensor of shape {shape} reduced over axis {axis} leaves nothing to divide "
        "by (too few elements); the result is NaN",
        RuntimeWarning,
        stacklevel=3,
    )
    with np.errstate(invalid="ignore"):  # 0 * inf is the NaN we mean to give
        return total * math.inf


# ---------------------------------------------------------------- functions of several tensors
def _tensors(values: Sequence[Any]) -> list[Tensor]:
    return [v if isinstance(v, Tensor) else Tensor(v) for v in values]


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    tensors = _tensors(tensors)
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    return ops.Concatenate.apply(*tensors, axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis."""
    tensors = _tensors(tensors)
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors need the same shape, got {sorted(shapes)}")
    return concatenate([t.expand_dims(axis) for t in tensors], axis=axis)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise choice: a where condition is true, else b (condition has no gradient)."""
    condition = np.asarray(condition.data if isinstance(condition, Tensor) else condition)
    if condition.dtype != bool:
        raise TypeError(f"where: the condition must be boolean, got dtype {condition.dtype}")
    first = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else Tensor(a)
    return ops.Where.apply(first._lift(a), first._lift(b), condition=condition)
