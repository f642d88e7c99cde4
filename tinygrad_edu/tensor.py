"""Tensor: an n-d NumPy array that remembers how it was made, so it can be differentiated.

Every method here is thin: it turns its arguments into Tensors and calls a
primitive `Function` from `tinygrad_edu.ops` (or a composite of them). The
derivatives live beside the forwards in ops/, not here.
"""

from __future__ import annotations

import math
import sys
import warnings
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from tinygrad_edu import autograd, ops
from tinygrad_edu.composite import elementwise as composite_math
from tinygrad_edu.composite import indexing, reductions, shaping
from tinygrad_edu.composite.arguments import one_axis, pick_axis, pick_keepdims
from tinygrad_edu.functional import log_softmax, softmax
from tinygrad_edu.ops.reduce import normalize_axes, single_axis
from tinygrad_edu.scalars import does_not_fit, scalar_array

Axis = int | tuple[int, ...] | None

# The dtype Python numbers (and lists of them) become, by kind, as in PyTorch:
# floats the default float dtype, ints int64; bools stay bool.
DEFAULT_FLOAT = np.dtype(np.float32)
_DEFAULT_OF_KIND = {"f": DEFAULT_FLOAT, "i": np.dtype(np.int64)}


class Tensor:
    """An n-d array of numbers with an optional gradient and a record of the op that made it.

    `data` holds the values (a NumPy array), `grad` the gradient backward put
    there (a Tensor of the same shape and dtype, or None), `grad_fn` the
    recorded op (None for a leaf). Operators and methods follow NumPy's rules
    for shapes, broadcasting and dtypes; each records one op when grad mode is
    on and an input requires grad. Errors name the op and the input shapes.
    """

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
        """Make a tensor from an array, a Python number or nested lists.

        Args:
            data: the values. A NumPy array keeps its dtype and is not copied. Python
                numbers and lists follow PyTorch: floats become float32 (the default
                float dtype), ints int64, bools bool; a list mixing ints and floats
                is float32.
            requires_grad: record operations on this tensor so backward can reach it.
            dtype: convert the values to this NumPy dtype first (e.g. "float64").
            name: a label for reprs and graph pictures (layers name their weights).
        Raises:
            TypeError: the data is not numeric (an object array), or requires_grad is
                asked of a tensor that is not floating point.
        """
        dtype = None if dtype is None else np.dtype(dtype)
        if isinstance(data, Tensor):
            data = data.data
        if isinstance(data, (np.ndarray, np.generic)):
            # An array keeps its dtype (float64 stays float64); no copy is made.
            array = np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype)
        else:
            array = _array_from(data, dtype)
            if dtype is None:  # Python numbers and lists: PyTorch's defaults
                array = array.astype(_DEFAULT_OF_KIND.get(array.dtype.kind, array.dtype))
        if array.dtype.kind not in "biuf":  # strings, objects, dates: not numbers
            raise TypeError(
                f"Tensor: the data must be numbers (or booleans), got dtype {array.dtype} from "
                f"{type(data).__name__} data such as {_first_item(array)!r}"
            )
        self._data = array
        # How many times the data was changed in place, in a list that views (reshape,
        # transpose, basic indexing, detach) share with their base, as in PyTorch, so an
        # edit through either is seen by ops that saved the other.
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
        self._versions[0] += 1

    @property
    def requires_grad(self) -> bool:
        """Whether backward computes a gradient for this tensor (settable).

        Raises:
            TypeError: set to True on a tensor that is not floating point.
        """
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
        """The transpose: all axes reversed (a view of the same values, as NumPy's `.T`)."""
        return ops.Transpose.apply(self)

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array (the tensor's own array, not a copy)."""
        return self._data

    def item(self) -> float | int | bool:
        """The single value as a Python number (float, int or bool).

        Raises:
            ValueError: the tensor has more than one element.
        """
        if self._data.size != 1:
            raise ValueError(
                f"item: only a tensor with one element can become a Python number; "
                f"this one has shape {self.shape}"
            )
        return self._data.item()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """The values for NumPy (`np.asarray(t)`); a copy only when asked for."""
        array = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return array.copy() if copy else array

    def __len__(self) -> int:
        """The size of the first axis.

        Raises:
            TypeError: the tensor is 0-d.
        """
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        """The sub-tensors along the first axis, each `self[i]` (recorded, like indexing)."""
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        """Truth of a one-element tensor (NumPy raises ValueError for more elements)."""
        return bool(self._data)

    def __float__(self) -> float:
        """The single value as a float (see `item`)."""
        return float(self.item())

    def __int__(self) -> int:
        """The single value as an int (see `item`)."""
        return int(self.item())

    def __repr__(self) -> str:
        """`Tensor([...], dtype=..., grad_fn=<Op>)`: values, dtype, and how it was made."""
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
        """Accumulate d(self)/d(t) into `t.grad` for every leaf t that requires grad.

        Args:
            grad: the gradient flowing in from above, of self's shape (an array or
                Tensor); it may be left out only for a one-element tensor (a loss),
                where it is 1.
            retain_graph: keep the graph's saved arrays for another backward through
                it; defaults to `create_graph`.
            create_graph: record the backward's own operations, so the gradients can
                be differentiated again (second derivatives).
        Raises:
            RuntimeError: self does not require grad; `grad` is left out for a tensor
                of more than one element; the graph was released by an earlier
                backward (pass retain_graph=True to that one); a saved tensor was
                changed in place since the forward.
            ValueError: `grad` has another shape than self.
        """
        grad = seed_gradient(self, grad, "backward", "grad", "this output")
        if retain_graph is None:
            retain_graph = create_graph
        autograd.run_backward([self], [grad], retain_graph, create_graph)

    def retain_grad(self) -> Tensor:
        """Keep `.grad` on this non-leaf tensor too after backward (as in PyTorch); returns self."""
        self._retains_grad = True
        return self

    def detach(self) -> Tensor:
        """The same values (shared memory, so in-place edits show in both), cut from the graph."""
        detached = Tensor._from_op(self._data, False)
        detached._versions = self._versions  # same memory, so the same version counter
        return detached

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set `requires_grad` in place and return self (PyTorch's spelling).

        Raises:
            TypeError: True for a tensor that is not floating point.
        """
        self.requires_grad = requires_grad
        return self

    # ------------------------------------------------------------ conversions
    def _lift(self, other: Any) -> Tensor:
        """Make `other` a Tensor for a binary op with self, by PyTorch's (and NumPy 2's) rules.

        A Python or NumPy scalar is "weak": it takes self's dtype when it is of the
        same kind or a lower one (bool < int < float), so int32 + 1 stays int32 and
        float16 * 0.5 stays float16; an int scalar with a bool tensor is int64 and a
        float scalar with an int or bool tensor is float32 (the default float).
        Tensors and arrays are "strong": they keep their own dtype.
        """
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (bool, int, float, np.bool_, np.integer, np.floating)):
            value = other.item() if isinstance(other, np.generic) else other
            return Tensor._from_op(scalar_array(value, _weak_dtype(self.dtype, value)), False)
        return Tensor._from_op(np.asarray(other), False)

    def _pair(self, other: Any, reverse: bool = False) -> tuple[Tensor, Tensor]:
        """(self, other) as Tensors for a binary op ((other, self) when `reverse`).

        When one is floating point and the other integer or bool, the integer one is
        converted to the float's dtype first, as in PyTorch (NumPy would widen
        float32 and int64 to float64): integers never change a float's dtype.
        """
        other = self._lift(other)
        a, b = (other, self) if reverse else (self, other)
        kind_a, kind_b = a._data.dtype.kind, b._data.dtype.kind
        if kind_a == "f" and kind_b in "biu":
            b = b.astype(a.dtype)
        elif kind_b == "f" and kind_a in "biu":
            a = a.astype(b.dtype)
        return a, b

    def astype(self, dtype: Any) -> Tensor:
        """The values in another dtype (self when it already has it).

        Casting to another float dtype is recorded and the gradient is cast back;
        an integer or bool result carries no gradient (it ends the graph).
        """
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if dtype.kind != "f":  # integers and bools carry no gradient
            return Tensor._from_op(self._data.astype(dtype), False)
        return ops.Cast.apply(self, dtype=dtype)

    # PyTorch's names for the common conversions (each is `astype`, so float to
    # float is recorded and the gradient cast back; ints and bools end the graph).
    def float(self) -> Tensor:
        """The values as float32 (`astype("float32")`), e.g. `(pred == y).float().mean()`."""
        return self.astype(np.float32)

    def double(self) -> Tensor:
        """The values as float64 (`astype("float64")`), e.g. for `gradcheck`."""
        return self.astype(np.float64)

    def half(self) -> Tensor:
        """The values as float16 (`astype("float16")`)."""
        return self.astype(np.float16)

    def int(self) -> Tensor:
        """The values as int32, truncated toward 0 (`astype("int32")`); no gradient."""
        return self.astype(np.int32)

    def long(self) -> Tensor:
        """The values as int64, truncated toward 0 (`astype("int64")`); no gradient."""
        return self.astype(np.int64)

    def bool(self) -> Tensor:
        """The values as bools, True where nonzero (`astype("bool")`); no gradient."""
        return self.astype(np.bool_)

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Tensor:
        """self + other, elementwise with NumPy broadcasting; a Python number takes self's dtype."""
        return ops.Add.apply(*self._pair(other))

    def __radd__(self, other: Any) -> Tensor:
        """other + self (a number or array on the left)."""
        return ops.Add.apply(*self._pair(other, reverse=True))

    def __sub__(self, other: Any) -> Tensor:
        """self - other, elementwise with NumPy broadcasting."""
        return ops.Sub.apply(*self._pair(other))

    def __rsub__(self, other: Any) -> Tensor:
        """other - self (a number or array on the left)."""
        return ops.Sub.apply(*self._pair(other, reverse=True))

    def __mul__(self, other: Any) -> Tensor:
        """self * other, elementwise with NumPy broadcasting."""
        return ops.Mul.apply(*self._pair(other))

    def __rmul__(self, other: Any) -> Tensor:
        """other * self (a number or array on the left)."""
        return ops.Mul.apply(*self._pair(other, reverse=True))

    def __truediv__(self, other: Any) -> Tensor:
        """self / other, elementwise with NumPy broadcasting (x / 0 gives inf, as NumPy)."""
        return ops.Div.apply(*_floating(*self._pair(other)))

    def __rtruediv__(self, other: Any) -> Tensor:
        """other / self (a number or array on the left)."""
        return ops.Div.apply(*_floating(*self._pair(other, reverse=True)))

    def __pow__(self, exponent: Any) -> Tensor:
        """self ** exponent, elementwise; the exponent may be a tensor and gets a gradient too."""
        return ops.Pow.apply(*self._pair(exponent))

    def __rpow__(self, base: Any) -> Tensor:
        """base ** self (a number or array as the base)."""
        return ops.Pow.apply(*self._pair(base, reverse=True))

    def __matmul__(self, other: Any) -> Tensor:
        """self @ other: see `matmul`."""
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        """other @ self (an array on the left): see `matmul`."""
        return Tensor.matmul(*self._pair(other, reverse=True))

    def __neg__(self) -> Tensor:
        """-self."""
        return ops.Neg.apply(self)

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with NumPy's rules: 1-D operands, batched broadcasting.

        (n, k) @ (k, m) -> (n, m); leading axes broadcast as batches; a 1-D operand
        is a row on the left and a column on the right.

        Raises:
            ValueError: an operand is 0-d, or the inner sizes differ.
        """
        a, other = self._pair(other)
        if self._data.ndim == 0 or other._data.ndim == 0:
            raise ValueError(
                f"matmul: both operands need at least one dimension, got shapes "
                f"{self.shape} and {other.shape} (use * to scale by a number)"
            )
        return ops.MatMul.apply(a, other)

    # ------------------------------------------------------------ in place
    # `x op= y` writes into x's own array, so x keeps its identity (and views of x
    # see the change), as in PyTorch. When the graph is being recorded through it
    # (grad mode on, and x or y requires grad), the op is recorded too: x becomes
    # the output of `x_before op y`, a non-leaf that requires grad, and backward
    # reaches y through it. A leaf that requires grad cannot be changed that way
    # (its gradient would belong to a value it no longer has), except under no_grad.
    def _in_place(self, other: Any, ufunc: np.ufunc, operator: Any, symbol: str) -> Tensor:
        other = self._lift(other)
        if not (autograd.is_grad_enabled() and (self._requires_grad or other._requires_grad)):
            # Nothing to record (an optimizer update, a counter): NumPy writes in place.
            try:
                ufunc(self._data, other._data, out=self._data)
            except (TypeError, ValueError) as error:
                raise self._in_place_error(symbol, other, operator, error) from None
            self._versions[0] += 1
            return self
        self._check_in_place_recordable(symbol)
        # The value before the op, as a tensor of its own (a copy: the op may save it,
        # and self's array is about to change). It takes self's old place in the graph.
        before = Tensor._from_op(self._data.copy(), self._requires_grad)
        if self._creator is not None:
            before._creator = self._creator
            self._creator._output_ref = weakref.ref(before)
            self._creator._output_version = 0
        result = operator(before, other)
        if result.shape != self.shape or not np.can_cast(result.dtype, self.dtype, "same_kind"):
            raise self._in_place_error(symbol, other, operator)
        result = result.astype(self.dtype)  # recorded: e.g. float64 y into float32 x
        np.copyto(self._data, result._data)
        self._versions[0] += 1
        # self now stands for the result: its op's output, remembering what it replaced
        creator = result._creator
        creator._output_ref = weakref.ref(self)
        creator._output_version = self._versions[0]
        creator.overwrote = before
        self._creator, self._requires_grad = creator, True
        return self

    def _check_in_place_recordable(self, symbol: str) -> None:
        """Raise if `self op= other` cannot be recorded (a leaf that requires grad, a view)."""
        if self._creator is None and self._requires_grad:
            raise RuntimeError(
                f"in-place {symbol}: this tensor (shape {self.shape}) is a leaf that requires "
                "grad, so it cannot be changed in place while the graph is being recorded (its "
                "gradient would belong to a value it no longer holds). For an update, wrap it "
                f"in `with no_grad():` (as optimizers do); to compute, write x = x "
                f"{symbol[:-1]} y, which makes a new tensor"
            )
        # Views (reshape, transpose, slices, detach) share this list with their base. Their
        # graphs could not see the change, so their values and gradients would disagree.
        if sys.getrefcount(self._versions) > 2:  # this tensor's reference, and the call's
            raise RuntimeError(
                f"in-place {symbol}: this tensor (shape {self.shape}) shares its memory with "
                "another tensor (a view such as a reshape, slice, transpose or detach, or the "
                "tensor it is a view of), so the op cannot be recorded for both; write x = x "
                f"{symbol[:-1]} y, which makes a new tensor"
            )

    def _in_place_error(
        self, symbol: str, other: Tensor, operator: Any, error: Exception | None = None
    ) -> Exception:
        """A clear error for `self op= other` whose result does not fit in self."""
        try:  # what the op gives out of place says what went wrong
            with autograd.no_grad():
                result = operator(self.detach(), other.detach())
        except (TypeError, ValueError) as inner:
            return type(inner)(f"in-place {symbol}: {inner}")
        if result.shape != self.shape:
            return ValueError(
                f"in-place {symbol}: the result has shape {result.shape} but the tensor "
                f"written into has shape {self.shape} (the other operand: {other.shape}); "
                f"in place, only the other operand may be broadcast. Write x = x "
                f"{symbol[:-1]} y for a new tensor"
            )
        if not np.can_cast(result.dtype, self.dtype, "same_kind"):
            return TypeError(
                f"in-place {symbol}: the result has dtype {result.dtype}, which a tensor of "
                f"dtype {self.dtype} cannot hold (the other operand: {other.dtype}); convert "
                f"first (e.g. x = x.float()) or write x = x {symbol[:-1]} y for a new tensor"
            )
        return type(error)(f"in-place {symbol}: {error}") if error else RuntimeError(symbol)

    def __iadd__(self, other: Any) -> Tensor:
        """self += other in place (also `-= *= /= **= @=`), as in PyTorch.

        The result keeps self's shape and dtype (only `other` is broadcast). Under
        `no_grad()`, or when neither operand requires grad, only the values change
        (optimizer updates). Otherwise the op is recorded: self becomes a non-leaf
        that requires grad, and backward reaches `other` through it.

        Raises:
            RuntimeError: self is a leaf that requires grad (outside no_grad), or shares
                its memory with another tensor, while the op would be recorded.
            ValueError: the result's shape is not self's.
            TypeError: self's dtype cannot hold the result (an int tensor /= 2).
        """
        return self._in_place(other, np.add, Tensor.__add__, "+=")

    def __isub__(self, other: Any) -> Tensor:
        """self -= other in place: see `__iadd__`."""
        return self._in_place(other, np.subtract, Tensor.__sub__, "-=")

    def __imul__(self, other: Any) -> Tensor:
        """self *= other in place: see `__iadd__`."""
        return self._in_place(other, np.multiply, Tensor.__mul__, "*=")

    def __itruediv__(self, other: Any) -> Tensor:
        """self /= other in place: see `__iadd__`."""
        return self._in_place(other, np.true_divide, Tensor.__truediv__, "/=")

    def __ipow__(self, other: Any) -> Tensor:
        """self **= other in place: see `__iadd__`."""
        return self._in_place(other, np.power, Tensor.__pow__, "**=")

    def __imatmul__(self, other: Any) -> Tensor:
        """self @= other in place (the product must have self's shape): see `__iadd__`."""
        return self._in_place(other, np.matmul, Tensor.matmul, "@=")

    def __setitem__(self, index: Any, value: Any) -> None:
        """Not supported: say how to write it instead of Python's bare TypeError.

        Raises:
            TypeError: always.
        """
        raise TypeError(
            "Tensor does not support item assignment (x[index] = value): in the graph, "
            "build a new tensor instead (tg.where(mask, value, x)); outside it (no gradient "
            "needed), write into the array: x.data[index] = value"
        )

    # Comparisons give bool tensors and record nothing.
    def _compare(self, other: Any, numpy_op: np.ufunc) -> Tensor:
        value = other.data if isinstance(other, Tensor) else other
        return Tensor._from_op(numpy_op(self._data, value), False)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        """Elementwise ==, as a bool tensor with no graph (so a Tensor is hashed by identity)."""
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        """Elementwise !=, as a bool tensor with no graph."""
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        """Elementwise <, as a bool tensor with no graph."""
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        """Elementwise <=, as a bool tensor with no graph."""
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        """Elementwise >, as a bool tensor with no graph."""
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        """Elementwise >=, as a bool tensor with no graph."""
        return self._compare(other, np.greater_equal)

    # ------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        """e ** self, elementwise (overflows to inf above about 88 in float32, 709 in float64)."""
        return ops.Exp.apply(*_floating(self))

    def log(self) -> Tensor:
        """Natural log, elementwise (-inf at 0 and nan below, with NumPy's warning)."""
        return ops.Log.apply(*_floating(self))

    def sqrt(self) -> Tensor:
        """Square root, elementwise (nan below 0; the gradient at 0 is inf)."""
        return ops.Sqrt.apply(*_floating(self))

    def abs(self) -> Tensor:
        """|self|, elementwise; the gradient at 0 is 0, as in PyTorch."""
        return ops.Abs.apply(self)

    def relu(self) -> Tensor:
        """max(self, 0), elementwise; the gradient at 0 is 0."""
        return ops.Relu.apply(self)

    def sigmoid(self) -> Tensor:
        """1 / (1 + exp(-self)), elementwise, in (0, 1); finite for any input."""
        return ops.Sigmoid.apply(*_floating(self))

    def tanh(self) -> Tensor:
        """Hyperbolic tangent, elementwise, in (-1, 1)."""
        return ops.Tanh.apply(*_floating(self))

    def softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor:
        """exp(self) / sum(exp(self)) along `axis` (PyTorch's `dim`), summing to 1:
        `functional.softmax`."""
        return softmax(self, axis=axis if dim is None else dim)

    def log_softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor:
        """log(softmax(self)) along `axis` (PyTorch's `dim`), computed without log(0):
        `functional.log_softmax`."""
        return log_softmax(self, axis=axis if dim is None else dim)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """PyTorch's name for `clip`, with its argument names: `x.clamp(min=0)`."""
        return self.clip(min, max)

    def clip(self, low: float | None = None, high: float | None = None) -> Tensor:
        """Clamp into [low, high] (None: no bound on that side).

        The gradient flows where low <= self <= high, as in PyTorch.

        Raises:
            ValueError: low > high.
        """
        if low is not None and high is not None and low > high:
            raise ValueError(f"clip: low ({low}) must not be greater than high ({high})")
        return ops.Clip.apply(self, low=low, high=high)

    def maximum(self, other: Any) -> Tensor:
        """Elementwise max with `other` (broadcasting); at ties each side gets half the gradient."""
        return ops.Maximum.apply(*self._pair(other))

    def minimum(self, other: Any) -> Tensor:
        """Elementwise min with `other` (broadcasting); at ties each side gets half the gradient."""
        return ops.Minimum.apply(*self._pair(other))

    # ------------------------------------------------------------ reductions
    def sum(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Sum over `axis` (an int, a tuple, or None for all axes).

        keepdims=True keeps the summed axes with size 1. Same dtype as self, except
        that bools and smaller integers add up to int64, as in NumPy and PyTorch.

        Args:
            axis: the axes to sum over (`dim`: PyTorch's name).
            keepdims: keep them with size 1 (`keepdim`: PyTorch's name).
            dim, keepdim: PyTorch's names for the two above.
        Raises:
            ValueError: an axis is out of range or repeated.
            TypeError: an argument is given under both of its names.
        """
        axis, keepdims = pick_axis(dim, axis, "sum"), pick_keepdims(keepdims, keepdim)
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: Axis = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Mean over `axis` (an int, a tuple, or None for all axes); keepdims as in `sum`.

        Over an empty axis it is NaN (with a warning), as in NumPy and PyTorch;
        float16 is averaged in float32 and rounded back once. A mean of bools or
        integers is float32 (`(pred == y).mean()` is an accuracy), counted exactly.

        Args:
            axis: the axes to average over (`dim`: PyTorch's name).
            keepdims: keep them with size 1 (`keepdim`: PyTorch's name).
            dim, keepdim: PyTorch's names for the two above.
        Raises:
            ValueError: an axis is out of range or repeated.
            TypeError: an argument is given under both of its names.
        """
        axis, keepdims = pick_axis(dim, axis, "mean"), pick_keepdims(keepdims, keepdim)
        count = math.prod(
            self.shape[a] for a in normalize_axes(axis, self.ndim, self.shape, "mean")
        )
        total = _accumulator(self).sum(axis=axis, keepdims=keepdims)
        return _divided(total, count, "mean", self.shape, axis).astype(_float_result(self))

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        """Variance over `axis`, dividing by (count - ddof): ddof=0 as NumPy and Keras do.

        Where count - ddof <= 0 it is NaN (inf if the values differ), with a warning, as
        in NumPy. float16 is worked out in float32 and rounded back once; bools and
        integers give float32.

        Raises:
            ValueError: an axis is out of range or repeated.
        """
        count = math.prod(self.shape[a] for a in normalize_axes(axis, self.ndim, self.shape, "var"))
        wide = _accumulator(self)
        centered = wide - wide.mean(axis=axis, keepdims=True)
        squares = (centered * centered).sum(axis=axis, keepdims=keepdims)
        op = f"var (ddof={ddof})"
        return _divided(squares, count - ddof, op, self.shape, axis).astype(_float_result(self))

    def max(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool = False,
    ) -> Any:
        """Largest value over `axis` (None: all); at ties the gradient is split evenly.

        With PyTorch's `dim=` instead, as torch.max(x, dim): `(values, indices)` along
        that one axis, the first index at ties, which alone gets the gradient.

        Args:
            axis: an int, a tuple, or None for all axes (NumPy's meaning).
            keepdims: keep the reduced axes with size 1.
            dim: one axis, PyTorch's meaning: gives (values, indices).
            keepdim: keep `dim` with size 1 (with `dim`).
        Raises:
            ValueError: an axis is out of range, or the tensor is empty.
            TypeError: both axis and dim are given.
        """
        if dim is not None:
            pick_axis(dim, axis, "max")
            return indexing.extreme_along(self, one_axis(dim, self.ndim, "max"), keepdim, True)
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(
        self,
        axis: Axis = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool = False,
    ) -> Any:
        """Smallest value over `axis` (None: all); at ties the gradient is split evenly.

        With PyTorch's `dim=` instead: `(values, indices)`, as `max`.

        Args:
            axis: an int, a tuple, or None for all axes (NumPy's meaning).
            keepdims: keep the reduced axes with size 1.
            dim: one axis, PyTorch's meaning: gives (values, indices).
            keepdim: keep `dim` with size 1 (with `dim`).
        Raises:
            ValueError: an axis is out of range, or the tensor is empty.
            TypeError: both axis and dim are given.
        """
        if dim is not None:
            pick_axis(dim, axis, "min")
            return indexing.extreme_along(self, one_axis(dim, self.ndim, "min"), keepdim, False)
        return ops.Min.apply(self, axis=axis, keepdims=keepdims)

    def argmax(
        self,
        axis: int | None = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Index of the largest value along `axis` (None: in the flattened tensor); int64.

        Args:
            axis: one axis, or None for the flattened tensor (`dim`: PyTorch's name).
            keepdims: keep it with size 1 (`keepdim`: PyTorch's name).
            dim, keepdim: PyTorch's names for the two above.
        Raises:
            ValueError: the axis is out of range (a 0-d tensor takes 0 or -1, giving 0).
            TypeError: an argument is given under both of its names.
        """
        axis, keepdims = pick_axis(dim, axis, "argmax"), pick_keepdims(keepdims, keepdim)
        return self._arg_extreme(np.argmax, axis, keepdims, "argmax")

    def argmin(
        self,
        axis: int | None = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Index of the smallest value along `axis` (None: in the flattened tensor); int64.

        Args:
            axis: one axis, or None for the flattened tensor (`dim`: PyTorch's name).
            keepdims: keep it with size 1 (`keepdim`: PyTorch's name).
            dim, keepdim: PyTorch's names for the two above.
        Raises:
            ValueError: the axis is out of range (a 0-d tensor takes 0 or -1, giving 0).
            TypeError: an argument is given under both of its names.
        """
        axis, keepdims = pick_axis(dim, axis, "argmin"), pick_keepdims(keepdims, keepdim)
        return self._arg_extreme(np.argmin, axis, keepdims, "argmin")

    def _arg_extreme(self, find: Any, axis: int | None, keepdims: bool, op: str) -> Tensor:
        """np.argmax or np.argmin along a checked axis; a 0-d tensor's only index is 0."""
        if axis is not None:
            axis = single_axis(axis, self.ndim, self.shape, op)
        if self.ndim == 0:
            return Tensor._from_op(np.zeros((), dtype=np.int64), False)
        return Tensor._from_op(find(self._data, axis=axis, keepdims=keepdims), False)

    # ------------------------------------------------------------ movement
    def reshape(self, *shape: Any) -> Tensor:
        """The same values in another shape: `t.reshape(2, 3)` or `t.reshape((2, 3))`.

        One size may be -1: it is inferred from the others.

        Raises:
            ValueError: the sizes do not match.
        """
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], Sequence) else shape
        return ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: Any) -> Tensor:
        """Permute axes (all reversed when none are given), as NumPy's transpose.

        Raises:
            ValueError: the axes are not a permutation of the tensor's axes.
        """
        if not axes:  # all axes reversed, as .T: nothing to check
            return ops.Transpose.apply(self)
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
        """Merge the axes from `start_axis` on into one (Keras's Flatten uses start_axis=1).

        A 0-d tensor becomes shape (1,), as in PyTorch.

        Raises:
            ValueError: start_axis is out of range.
        """
        start = single_axis(start_axis, self.ndim, self.shape, "flatten")
        return self.reshape(self.shape[: start or 0] + (-1,))

    def squeeze(self, axis: Axis = None) -> Tensor:
        """Remove axes of size 1: those in `axis`, or all of them when `axis` is None.

        An axis named in `axis` whose size is not 1 is left as it is, as in PyTorch
        (so `squeeze(0)` of a (2, 3) tensor gives it back unchanged).

        Raises:
            ValueError: an axis is out of range.
        """
        axes = normalize_axes(axis, self.ndim, self.shape, "squeeze")
        axes = tuple(a for a in axes if self.shape[a] == 1)
        if not axes:
            return self
        return self.reshape(tuple(s for i, s in enumerate(self.shape) if i not in axes))

    def expand_dims(self, axis: int | tuple[int, ...]) -> Tensor:
        """Insert axes of size 1 at the positions in `axis` (as np.expand_dims).

        Raises:
            ValueError: a position is out of range for the result's ndim + len(axis) axes.
        """
        added = 1 if isinstance(axis, (int, np.integer)) else len(axis)
        normalize_axes(axis, self.ndim + added, None, f"expand_dims of shape {self.shape}")
        return self.reshape(np.expand_dims(self._data, axis).shape)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """Repeat the values to `shape` by NumPy's broadcasting rules; the gradient is summed back.

        Raises:
            ValueError: the shape cannot be broadcast to.
        """
        return ops.BroadcastTo.apply(self, shape=tuple(shape))

    def __getitem__(self, index: Any) -> Tensor:
        """NumPy indexing: ints, slices, Ellipsis, None, integer arrays, boolean masks.

        The gradient goes back to the picked entries (added up where an index repeats).

        Raises:
            IndexError: an index is out of range.
        """
        return ops.GetItem.apply(self, index=_plain_index(index))

    # ============================================================ PyTorch's Tensor ops
    # The ops a PyTorch user reaches for (docs/tensor-ops.md lists them). Each method
    # is one call: a primitive from ops/ or a composite from composite/. Arguments take
    # PyTorch's names (dim, keepdim), and NumPy's (axis, keepdims) as aliases.

    # ------------------------------------------------ trigonometric and friends
    def sin(self) -> Tensor:
        """Sine, elementwise (radians)."""
        return ops.Sin.apply(self)

    def cos(self) -> Tensor:
        """Cosine, elementwise (radians)."""
        return ops.Cos.apply(self)

    def tan(self) -> Tensor:
        """Tangent, elementwise (radians)."""
        return ops.Tan.apply(self)

    def asin(self) -> Tensor:
        """Inverse sine, elementwise, in [-pi/2, pi/2] (NaN outside [-1, 1]); also `arcsin`."""
        return ops.Asin.apply(self)

    def acos(self) -> Tensor:
        """Inverse cosine, elementwise, in [0, pi] (NaN outside [-1, 1]); also `arccos`."""
        return ops.Acos.apply(self)

    def atan(self) -> Tensor:
        """Inverse tangent, elementwise, in (-pi/2, pi/2); also `arctan`."""
        return ops.Atan.apply(self)

    arcsin, arccos, arctan = asin, acos, atan  # NumPy's (and PyTorch's other) names

    def sinh(self) -> Tensor:
        """Hyperbolic sine, elementwise."""
        return ops.Sinh.apply(self)

    def cosh(self) -> Tensor:
        """Hyperbolic cosine, elementwise."""
        return ops.Cosh.apply(self)

    def log2(self) -> Tensor:
        """Base-2 logarithm, elementwise (exact at powers of 2)."""
        return ops.Log2.apply(self)

    def log10(self) -> Tensor:
        """Base-10 logarithm, elementwise (exact at powers of 10)."""
        return ops.Log10.apply(self)

    def exp2(self) -> Tensor:
        """2 ** self, elementwise."""
        return ops.Exp2.apply(self)

    def rsqrt(self) -> Tensor:
        """1 / sqrt(self), elementwise (inf at 0, NaN below)."""
        return composite_math.rsqrt(self)

    def logaddexp(self, other: Any) -> Tensor:
        """log(exp(self) + exp(other)), elementwise with broadcasting, without overflow."""
        return composite_math.logaddexp(self, self._lift(other))

    def lerp(self, end: Any, weight: Any) -> Tensor:
        """self + weight * (end - self): linear interpolation (weight a number or a tensor)."""
        return composite_math.lerp(self, self._lift(end), self._lift(weight))

    # ------------------------------------------------ rounding and remainders
    def _stepwise(self, op: type[autograd.Function], **options: Any) -> Tensor:
        if self.dtype.kind in "iub":  # integers are already whole: a copy, as in PyTorch
            return Tensor._from_op(self._data.copy(), False)
        return op.apply(self, **options)

    def floor(self) -> Tensor:
        """The largest integer <= self, elementwise; the gradient is 0 (also at the jumps)."""
        return self._stepwise(ops.Floor)

    def ceil(self) -> Tensor:
        """The smallest integer >= self, elementwise; the gradient is 0."""
        return self._stepwise(ops.Ceil)

    def round(self, decimals: int = 0) -> Tensor:
        """The nearest integer (or `decimals` digits), halves to even: 0.5 -> 0, 1.5 -> 2,
        2.5 -> 2, as NumPy and PyTorch; the gradient is 0."""
        return self._stepwise(ops.Round, decimals=decimals)

    def trunc(self) -> Tensor:
        """self rounded towards zero (-1.7 -> -1), elementwise; the gradient is 0."""
        return self._stepwise(ops.Trunc)

    def sign(self) -> Tensor:
        """-1, 0 or 1 by the sign of each entry; the gradient is 0."""
        if self.dtype.kind in "iub":
            return Tensor._from_op(np.sign(self._data), False)
        return ops.Sign.apply(self)

    def floor_divide(self, other: Any) -> Tensor:
        """self // other: floor(self / other), as Python's //; both gradients are 0."""
        return ops.FloorDivide.apply(self, self._lift(other))

    def remainder(self, other: Any) -> Tensor:
        """self % other = self - other * floor(self / other): the sign of `other`, as Python.

        Gradients (PyTorch's): 1 for self, -floor(self / other) for other. Also `mod`.
        """
        return ops.Remainder.apply(self, self._lift(other))

    mod = remainder

    def fmod(self, other: Any) -> Tensor:
        """self - other * trunc(self / other): the sign of self, as C's fmod and torch.fmod."""
        return ops.Fmod.apply(self, self._lift(other))

    def __mod__(self, other: Any) -> Tensor:
        """self % other: see `remainder`."""
        return self.remainder(other)

    def __rmod__(self, other: Any) -> Tensor:
        """other % self (a number or array on the left)."""
        return ops.Remainder.apply(self._lift(other), self)

    def __floordiv__(self, other: Any) -> Tensor:
        """self // other: see `floor_divide`."""
        return self.floor_divide(other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        """other // self (a number or array on the left)."""
        return ops.FloorDivide.apply(self._lift(other), self)

    # ------------------------------------------------ tests of values (no graph)
    def isnan(self) -> Tensor:
        """True where an entry is NaN (a bool tensor with no graph)."""
        return Tensor._from_op(np.isnan(self._data), False)

    def isinf(self) -> Tensor:
        """True where an entry is +inf or -inf (a bool tensor with no graph)."""
        return Tensor._from_op(np.isinf(self._data), False)

    def isfinite(self) -> Tensor:
        """True where an entry is neither inf nor NaN (a bool tensor with no graph)."""
        return Tensor._from_op(np.isfinite(self._data), False)

    # ------------------------------------------------ more reductions
    def std(
        self,
        dim: Axis = None,
        keepdim: bool = False,
        *,
        correction: int | None = None,
        axis: Axis = None,
        keepdims: bool | None = None,
        ddof: int | None = None,
    ) -> Tensor:
        """Standard deviation, sqrt(var), over `dim` (None: all axes).

        The default divides by n, as `var`, NumPy and Keras do; PyTorch's default
        divides by n - 1: pass `correction=1` (or `ddof=1`) for that. Where all the
        values are equal the gradient is NaN (0 / 0), as in PyTorch.

        Args:
            dim: an int, a tuple, or None for all axes (`axis` is the same).
            keepdim: keep the reduced axes with size 1 (`keepdims` is the same).
            correction: divide by n - correction (`ddof` is NumPy's name for it); 0 unless given.
            axis, keepdims, ddof: NumPy's names for the arguments above.
        Raises:
            TypeError: an argument is given under both of its names.
        """
        axis = pick_axis(dim, axis, "std")
        if correction is not None and ddof is not None:
            raise TypeError("std: give correction (PyTorch's name) or ddof (NumPy's), not both")
        ddof = correction if correction is not None else ddof or 0
        normalize_axes(axis, self.ndim, self.shape, "std")  # a bad axis: an error naming std
        return self.var(axis=axis, keepdims=pick_keepdims(keepdim, keepdims), ddof=ddof).sqrt()

    def prod(
        self,
        dim: Axis = None,
        keepdim: bool = False,
        *,
        axis: Axis = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """The product of the entries over `dim` (None: all; `axis` is the same).

        The gradient of each entry is the product of the others, also where some
        are zero (one zero: only it gets a gradient; two or more: none does), as PyTorch.

        Args:
            dim: an int, a tuple, or None for all axes (`axis`: NumPy's name).
            keepdim: keep the reduced axes with size 1 (`keepdims`: NumPy's name).
            axis, keepdims: NumPy's names for the two above.
        Raises:
            TypeError: an argument is given under both of its names.
        """
        axis = pick_axis(dim, axis, "prod")
        return ops.Prod.apply(self, axis=axis, keepdims=pick_keepdims(keepdim, keepdims))

    def all(
        self,
        dim: Axis = None,
        keepdim: bool = False,
        *,
        axis: Axis = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """True where every entry over `dim` is nonzero (None: all axes); bool, no graph.

        Args:
            dim: an int, a tuple, or None for all axes (`axis`: NumPy's name).
            keepdim: keep the reduced axes with size 1 (`keepdims`: NumPy's name).
            axis, keepdims: NumPy's names for the two above.
        Raises:
            TypeError: an argument is given under both of its names.
        """
        axis = normalize_axes(pick_axis(dim, axis, "all"), self.ndim)
        result = np.all(self._data, axis=axis, keepdims=pick_keepdims(keepdim, keepdims))
        return Tensor._from_op(result, False)

    def any(
        self,
        dim: Axis = None,
        keepdim: bool = False,
        *,
        axis: Axis = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """True where some entry over `dim` is nonzero (None: all axes); bool, no graph.

        Args:
            dim: an int, a tuple, or None for all axes (`axis`: NumPy's name).
            keepdim: keep the reduced axes with size 1 (`keepdims`: NumPy's name).
            axis, keepdims: NumPy's names for the two above.
        Raises:
            TypeError: an argument is given under both of its names.
        """
        axis = normalize_axes(pick_axis(dim, axis, "any"), self.ndim)
        result = np.any(self._data, axis=axis, keepdims=pick_keepdims(keepdim, keepdims))
        return Tensor._from_op(result, False)

    def _cumulative_axis(self, dim: int | None, axis: int | None, op: str) -> tuple[Tensor, int]:
        """self and the axis a running op works along; None (NumPy only) flattens first."""
        axis = pick_axis(dim, axis, op)
        if axis is None:
            return self.reshape(-1), 0
        return self, one_axis(axis, self.ndim, op)

    def cumsum(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        """Running totals along `dim`: y_k = x_0 + ... + x_k (None: of the flattened tensor)."""
        tensor, axis = self._cumulative_axis(dim, axis, "cumsum")
        if tensor.ndim == 0:  # one entry: its own running total
            return ops.Cumsum.apply(tensor.reshape(1), axis=0).reshape(())
        return ops.Cumsum.apply(tensor, axis=axis)

    def cumprod(self, dim: int | None = None, *, axis: int | None = None) -> Tensor:
        """Running products along `dim`: y_k = x_0 * ... * x_k; the gradient is right at zeros."""
        tensor, axis = self._cumulative_axis(dim, axis, "cumprod")
        return reductions.cumprod(tensor, axis)

    def cummax(self, dim: int) -> indexing.ValuesIndices:
        """(values, indices) of the running maximum along `dim`; at ties the later index,
        which gets the gradient (PyTorch's rule); NaN propagates."""
        return reductions.cumulative_extreme(self, one_axis(dim, self.ndim, "cummax"), True)

    def cummin(self, dim: int) -> indexing.ValuesIndices:
        """(values, indices) of the running minimum along `dim`; ties as in `cummax`."""
        return reductions.cumulative_extreme(self, one_axis(dim, self.ndim, "cummin"), False)

    # ------------------------------------------------ picking, placing, sorting
    def gather(self, dim: int, index: Any) -> Tensor:
        """`out[i][j][k] = self[i][j][index[i][j][k]]` for dim=2 (and so on), of index's shape.

        The gradient is added back where each entry was picked.
        """
        return indexing.gather(self, one_axis(dim, self.ndim, "gather"), index)

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
        """A copy with `self[i][j][index[i][j][k]] = src[i][j][k]` for dim=2 (src: tensor, number).

        Where an index repeats, the last write wins. The gradient passes to self
        except where overwritten, and to each src entry that was written.

        Args:
            dim: the axis the index runs along.
            index: int64 positions, of self's number of axes (no longer than self
                off `dim`); the output entry at each index position is written.
            src: a tensor (at least index's shape) or a number to write.
            value: a number to write (PyTorch's keyword for it).
        Raises:
            TypeError: neither or both of src and value are given.
        """
        if (src is None) == (value is None):
            raise TypeError("scatter: give src (a tensor or a number) or value, one of them")
        src = self._lift(value if src is None else src)
        if src.ndim == 0:
            src = src.broadcast_to(np.shape(index.data if isinstance(index, Tensor) else index))
        return indexing.scatter(self, one_axis(dim, self.ndim, "scatter"), index, src)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor:
        """A copy with `src[i][j][k]` added at `self[i][j][index[i][j][k]]` (dim=2); repeats add."""
        return indexing.scatter_add(
            self, one_axis(dim, self.ndim, "scatter_add"), index, self._lift(src)
        )

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """self with `value` where `mask` (bool, broadcast) is True; gradient passes elsewhere."""
        return where(mask, self._lift(value).astype(self.dtype), self)

    def sort(
        self,
        dim: int = -1,
        descending: bool = False,
        stable: bool = True,
        *,
        axis: int | None = None,
    ) -> indexing.ValuesIndices:
        """(values, indices): self sorted along `dim`. Always stable: equal entries keep
        their order; NaN counts as the largest.

        Args:
            dim: the axis to sort along (the last by default).
            descending: largest first (True) or smallest first (False).
            stable: accepted for PyTorch's signature; the sort is always stable.
            axis: NumPy's name for `dim`.
        """
        dim = dim if axis is None else axis
        return indexing.sort(self, one_axis(dim, self.ndim, "sort"), descending)

    def argsort(
        self,
        dim: int = -1,
        descending: bool = False,
        stable: bool = True,
        *,
        axis: int | None = None,
    ) -> Tensor:
        """The int64 indices that sort self along `dim` (stable, as `sort`); no graph.

        Args:
            dim: the axis to sort along (the last by default).
            descending: largest first (True) or smallest first (False).
            stable: accepted for PyTorch's signature; the sort is always stable.
            axis: NumPy's name for `dim`.
        """
        return self.sort(dim if axis is None else axis, descending).indices

    def topk(
        self,
        k: int,
        dim: int = -1,
        largest: bool = True,
        sorted: bool = True,
        *,
        axis: int | None = None,
    ) -> indexing.ValuesIndices:
        """(values, indices) of the k largest entries along `dim` (smallest: largest=False).

        Always sorted, best first; at ties the earlier entry comes first (the first k
        of a stable sort), and the gradient goes to the entries picked.

        Args:
            k: how many entries to keep, from 0 to the size of `dim`.
            dim: the axis to look along (the last by default).
            largest: the largest (True) or the smallest (False) entries.
            sorted: accepted for PyTorch's signature; the result is always sorted.
            axis: NumPy's name for `dim`.
        """
        dim = dim if axis is None else axis
        return indexing.topk(self, int(k), one_axis(dim, self.ndim, "topk"), largest)

    def nonzero(self, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
        """The int64 indices of the nonzero entries: (count, ndim), or one 1-D tensor per
        axis with as_tuple=True (then usable as an index); no graph."""
        found = np.argwhere(self._data)
        if as_tuple:
            return tuple(Tensor._from_op(column, False) for column in found.T)
        return Tensor._from_op(found, False)

    # ------------------------------------------------ rearranging
    def flip(self, *dims: Any) -> Tensor:
        """self reversed along each of `dims`: `x.flip(0)`, `x.flip((0, 1))`, `x.flip(0, 1)`."""
        dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], Sequence) else dims
        return indexing.flip(self, [one_axis(d, self.ndim, "flip") for d in dims])

    def roll(self, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Tensor:
        """self shifted by `shifts` places along `dims`, wrapping around (None: as if flattened).

        Raises:
            ValueError: a different number of shifts and dims.
        """
        shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
        if dims is not None:
            dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
            dims = [one_axis(d, self.ndim, "roll") for d in dims]
            if len(dims) != len(shifts):
                raise ValueError(f"roll: {len(shifts)} shifts for {len(dims)} dims; give one each")
        return indexing.roll(self, shifts, dims)

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle of the last two axes (column <= row + diagonal), 0 above."""
        return indexing.tril(self._matrix("tril"), diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle of the last two axes (column >= row + diagonal), 0 below."""
        return indexing.triu(self._matrix("triu"), diagonal)

    def _matrix(self, op: str) -> Tensor:
        if self.ndim < 2:
            raise ValueError(
                f"{op}: needs a tensor of at least 2 dimensions, got shape {self.shape}"
            )
        return self

    def diag(self, diagonal: int = 0) -> Tensor:
        """A 1-D tensor onto a diagonal of a square matrix, or a 2-D one's diagonal as 1-D."""
        return indexing.diag(self, diagonal)

    def repeat(self, *sizes: Any) -> Tensor:
        """self copied sizes[i] times along axis i (PyTorch's repeat, NumPy's tile):
        `Tensor([1, 2]).repeat(2)` is [1, 2, 1, 2]; more sizes than axes add leading axes."""
        sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], Sequence) else sizes
        return shaping.repeat(self, sizes)

    def tile(self, *dims: Any) -> Tensor:
        """PyTorch's tile: `repeat`, where fewer sizes than axes are padded with ones in front."""
        dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], Sequence) else dims
        return shaping.tile(self, dims)

    def split(
        self, split_size_or_sections: int | Sequence[int], dim: int = 0
    ) -> tuple[Tensor, ...]:
        """Pieces along `dim`: of split_size entries each (the last may be shorter), or of the
        listed sizes (PyTorch's split; NumPy's split counts pieces, use `chunk` for that)."""
        return shaping.split(self, split_size_or_sections, one_axis(dim, self.ndim, "split"))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """At most `chunks` pieces of equal size along `dim` (the last may be smaller)."""
        return shaping.chunk(self, int(chunks), one_axis(dim, self.ndim, "chunk"))

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        """Axis `dim` split into axes of `sizes` (one may be -1): `x.unflatten(1, (2, 3))`."""
        return shaping.unflatten(self, one_axis(dim, self.ndim, "unflatten"), sizes)

    def clone(self) -> Tensor:
        """A copy with its own memory, recorded: the gradient passes through to self."""
        return ops.Clone.apply(self)

    def multinomial(self, num_samples: int, replacement: bool = False) -> Tensor:
        """int64 indices drawn with probabilities proportional to self's entries (1-D or 2-D
        rows of non-negative weights): see `tinygrad_edu.multinomial`."""
        from tinygrad_edu.creation import multinomial  # creation.py imports this file

        return multinomial(self, num_samples, replacement)


def _plain_index(index: Any) -> Any:
    """Replace Tensors and lists inside an index by ndarrays, as NumPy expects them."""
    if isinstance(index, tuple):
        return tuple(_plain_index(part) for part in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def seed_gradient(output: Tensor, grad: Any, who: str, what: str, name: str) -> Tensor:
    """The gradient a backward pass starts from at `output`: `grad` as a Tensor, or 1.

    `Tensor.backward` and `grad()` both check their seeds here.

    Args:
        output: the Tensor the backward pass starts from.
        grad: the gradient of the final result with respect to `output` (a Tensor,
            array or number of output's shape), or None for 1 on a one-element output.
        who, what, name: words for the errors, e.g. "backward", "grad" and
            "this output".

    Returns:
        The seed, a Tensor of output's shape and dtype.

    Raises:
        RuntimeError: `output` does not require grad, or `grad` is None for an
            output of more than one element.
        ValueError: `grad` has another shape than `output`.
    """
    if output._data.dtype.kind != "f":
        raise RuntimeError(
            f"{who}: {name} has dtype {output.dtype}, and only floating-point results can be "
            "differentiated (integers and bools, such as comparisons, argmax or astype('int64'), "
            "end the graph, as in PyTorch); differentiate a float result instead, e.g. the "
            "loss before rounding"
        )
    if not output._requires_grad:
        raise RuntimeError(
            f"{who}: {name} does not require grad, so no graph leads to it; make an input "
            "with requires_grad=True first"
        )
    if grad is None:
        if output.size != 1:
            raise RuntimeError(
                f"{who}: {what} can be left out only for a one-element output, but {name} has "
                f"shape {output.shape}; pass {what} of that shape, or reduce the output first "
                "(e.g. y.sum())"
            )
        return Tensor._from_op(np.ones(output.shape, dtype=output.dtype), False)
    grad = grad if isinstance(grad, Tensor) else Tensor(grad, dtype=output.dtype)
    if grad.shape != output.shape:
        raise ValueError(
            f"{who}: {what} has shape {grad.shape} but {name} has shape {output.shape}; "
            "they must match"
        )
    return grad


def _floating(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors as they are if any is floating point, else all as float32 (the default
    float), as PyTorch does for results that leave the integers (exp, log, a / b, mean)."""
    if any(t._data.dtype.kind == "f" for t in tensors):
        return tensors
    return tuple(t.astype(DEFAULT_FLOAT) for t in tensors)


def _weak_dtype(dtype: np.dtype, value: bool | int | float) -> np.dtype:
    """The dtype a Python scalar `value` takes beside a tensor of `dtype` (see `Tensor._lift`)."""
    kind = "b" if isinstance(value, bool) else "i" if isinstance(value, int) else "f"
    rank = {"b": 0, "i": 1, "u": 1, "f": 2}
    if rank[kind] <= rank.get(dtype.kind, -1):
        return dtype
    return DEFAULT_FLOAT if kind == "f" else np.dtype(np.int64)


# ---------------------------------------------------------------- making tensors
def _array_from(data: Any, dtype: np.dtype | None) -> np.ndarray:
    """np.asarray(data), with a clear error for nested lists of different lengths."""
    try:
        return np.asarray(data, dtype=dtype)
    except OverflowError:
        raise does_not_fit("Tensor", data, dtype) from None
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
    """`tensor` in the dtype its mean or variance is worked out in: float32 for float16
    (whose sums overflow at 65504), float64 for integers and bools (exact counts), else
    itself."""
    if tensor.dtype == np.float16:
        return tensor.astype(np.float32)
    return tensor if tensor.dtype.kind == "f" else tensor.astype(np.float64)


def _float_result(tensor: Tensor) -> np.dtype:
    """The dtype of a mean or variance of `tensor`: its own if floating point, else float32
    (a mean of bools or ints is a fraction: NumPy gives a float too)."""
    return tensor.dtype if tensor.dtype.kind == "f" else DEFAULT_FLOAT


def _divided(total: Tensor, count: int, op: str, shape: tuple[int, ...], axis: Axis) -> Tensor:
    """`total / count` for mean and var. A count of 0 (or less) gets NumPy's answer:
    NaN where the total is 0 (an empty mean, the variance of one value), inf
    elsewhere, with a clear warning instead of a bare ZeroDivisionError; the
    gradient is NaN too, of the input's shape."""
    if count > 0:
        return total * (1.0 / count)
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
    """The values as Tensors; integer and bool ones in the floats' dtype if any is a float
    (as in PyTorch: integers never widen a float, as NumPy's float32 + int64 -> float64)."""
    tensors = [v if isinstance(v, Tensor) else Tensor(v) for v in values]
    floats = [t.dtype for t in tensors if t.dtype.kind == "f"]
    if floats:
        wide = np.result_type(*floats)
        tensors = [t if t.dtype.kind == "f" else t.astype(wide) for t in tensors]
    return tensors


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis; each gets its slice of the gradient back.

    Raises:
        ValueError: no tensors, or shapes that differ off `axis`.
    """
    tensors = _tensors(tensors)
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    return ops.Concatenate.apply(*tensors, axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis `axis` (as np.stack).

    Raises:
        ValueError: no tensors, or tensors of different shapes.
    """
    tensors = _tensors(tensors)
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors need the same shape, got {sorted(shapes)}")
    return concatenate([t.expand_dims(axis) for t in tensors], axis=axis)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise choice: a where condition is true, else b, with NumPy broadcasting.

    The condition (a bool array or tensor) has no gradient; a gets the gradient
    where it was chosen and b elsewhere.

    Raises:
        TypeError: the condition is not boolean.
    """
    condition = np.asarray(condition.data if isinstance(condition, Tensor) else condition)
    if condition.dtype != bool:
        raise TypeError(f"where: the condition must be boolean, got dtype {condition.dtype}")
    first = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else Tensor(a)
    a, b = first._lift(a)._pair(first._lift(b))  # numbers take first's dtype; ints never widen
    return ops.Where.apply(a, b, condition=condition)
