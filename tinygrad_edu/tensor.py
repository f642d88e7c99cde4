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
from tinygrad_edu.functional import log_softmax, softmax
from tinygrad_edu.ops.reduce import normalize_axes

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

    def draw_graph(self, **options: Any) -> Any:
        """This tensor's graph as a Graphviz picture: `tinygrad_edu.viz.draw_graph(self, ...)`."""
        from tinygrad_edu.viz import draw_graph  # viz needs graphviz: import it only on use

        return draw_graph(self, **options)

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
            return Tensor._from_op(np.asarray(value, dtype=_weak_dtype(self.dtype, value)), False)
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
        """1 / (1 + exp(-self)), elementwise, in (0, 1); finite for any input.

        The output remembers its logits (`_keras_logits`), so binary_crossentropy
        can work from them, with or without a recorded graph (as Keras does).
        """
        output = ops.Sigmoid.apply(*_floating(self))
        output._keras_logits = ("sigmoid", -1, self)
        return output

    def tanh(self) -> Tensor:
        """Hyperbolic tangent, elementwise, in (-1, 1)."""
        return ops.Tanh.apply(*_floating(self))

    def softmax(self, axis: int = -1) -> Tensor:
        """exp(self) / sum(exp(self)) along `axis`, summing to 1: `functional.softmax`."""
        return softmax(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log(softmax(self)) along `axis`, computed without log(0): `functional.log_softmax`."""
        return log_softmax(self, axis=axis)

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
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over `axis` (an int, a tuple, or None for all axes).

        keepdims=True keeps the summed axes with size 1. Same dtype as self, except
        that bools and smaller integers add up to int64, as in NumPy and PyTorch.

        Raises:
            ValueError: an axis is out of range or repeated.
        """
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Mean over `axis` (an int, a tuple, or None for all axes); keepdims as in `sum`.

        Over an empty axis it is NaN (with a warning), as in NumPy and PyTorch;
        float16 is averaged in float32 and rounded back once. A mean of bools or
        integers is float32 (`(pred == y).mean()` is an accuracy), counted exactly.

        Raises:
            ValueError: an axis is out of range or repeated.
        """
        count = math.prod(self.shape[a] for a in normalize_axes(axis, self.ndim))
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
        count = math.prod(self.shape[a] for a in normalize_axes(axis, self.ndim))
        wide = _accumulator(self)
        centered = wide - wide.mean(axis=axis, keepdims=True)
        squares = (centered * centered).sum(axis=axis, keepdims=keepdims)
        op = f"var (ddof={ddof})"
        return _divided(squares, count - ddof, op, self.shape, axis).astype(_float_result(self))

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Largest value over `axis` (None: all); at ties the gradient is split evenly.

        Raises:
            ValueError: an axis is out of range, or the tensor is empty.
        """
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Smallest value over `axis` (None: all); at ties the gradient is split evenly.

        Raises:
            ValueError: an axis is out of range, or the tensor is empty.
        """
        return ops.Min.apply(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Index of the largest value along `axis` (None: in the flattened tensor); int64."""
        return Tensor._from_op(np.argmax(self._data, axis=axis, keepdims=keepdims), False)

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Index of the smallest value along `axis` (None: in the flattened tensor); int64."""
        return Tensor._from_op(np.argmin(self._data, axis=axis, keepdims=keepdims), False)

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
        """Merge the axes from `start_axis` on into one (Keras's Flatten uses start_axis=1)."""
        start_axis %= max(self.ndim, 1)
        return self.reshape(self.shape[:start_axis] + (-1,))

    def squeeze(self, axis: Axis = None) -> Tensor:
        """Remove axes of size 1: those in `axis`, or all of them when `axis` is None.

        Raises:
            ValueError: an axis named has another size, or is out of range.
        """
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
        """Insert axes of size 1 at the positions in `axis` (as np.expand_dims)."""
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
    return [v if isinstance(v, Tensor) else Tensor(v) for v in values]


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
    return ops.Where.apply(first._lift(a), first._lift(b), condition=condition)
