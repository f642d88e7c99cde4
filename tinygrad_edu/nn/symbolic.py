"""Symbolic tensors: what Keras's functional API wires layers together with.

    inputs = keras.Input(shape=(784,))               # a KerasTensor: shape (None, 784), no data
    hidden = layers.Dense(64, activation="relu")(inputs)   # records a Node, gives a KerasTensor
    outputs = layers.Dense(10)(hidden)
    model = keras.Model(inputs, outputs)             # the graph of Nodes from inputs to outputs

A `KerasTensor` holds a shape (None where any size will do, the batch axis
first), a dtype and the `Node` that made it. Calling a layer (or a `keras.ops`
function) on KerasTensors runs nothing on data: `call_symbolically` records a
Node (the layer, its arguments with the KerasTensors in them, its outputs) and
returns new KerasTensors. `functional_model.Functional` later replays the
Nodes in order on real Tensors, so training differentiates exactly the Tensor
ops the layers run, as for any other model.

How does a layer's output shape get known without data? The layer is run, for
real but without recording a graph, on small samples of zeros: once with 2
samples (and 32 for every other None axis) and once with 3 (and 35). An axis
whose size differs between the two runs depends on a None axis, so it is None;
the others are fixed. This works for every layer, your own included, without
each one having to describe its shapes.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.autograd import no_grad
from tinygrad_edu.tensor import Tensor

#: Sizes given to None axes in the two sample runs: (batch axis, any other None axis).
SAMPLE_SIZES = ((2, 32), (3, 35))

# True while layers run on samples of zeros only to learn shapes (here and in a model's
# build): a stateful RNN then neither reads nor keeps the states it carries.
_sampling = contextvars.ContextVar("sampling_shapes", default=False)


@contextlib.contextmanager
def sampling_shapes() -> Iterator[None]:
    """Mark the calls inside as shape probes on sample zeros, not real data."""
    token = _sampling.set(True)
    try:
        yield
    finally:
        _sampling.reset(token)


def is_sampling_shapes() -> bool:
    """True inside `sampling_shapes()`."""
    return _sampling.get()


def format_shape(shape: Sequence[int | None]) -> str:
    """`(None, 784)` as Keras prints a shape (a trailing comma for one axis)."""
    inside = ", ".join(str(size) for size in shape)
    return f"({inside},)" if len(shape) == 1 else f"({inside})"


class KerasTensor:
    """A placeholder for a batch of data in a functional model: shape and dtype, no values.

    Attributes:
        shape: a tuple, None for the batch axis (first) and any variable-size axis.
        dtype: the dtype's name, e.g. "float32".
        name: the Input's name, or the name of the layer that made it.
        node: the `Node` (layer call) that made it.
        index: which of that node's outputs it is (0 for a layer with one output).
    """

    is_symbolic = True

    def __init__(
        self,
        shape: Sequence[int | None],
        dtype: Any = "float32",
        name: str | None = None,
        node: Node | None = None,
        index: int = 0,
    ) -> None:
        self.shape = tuple(None if size is None else int(size) for size in shape)
        self.dtype = np.dtype(dtype).name
        self.name = name
        self.node = node
        self.index = index

    @property
    def ndim(self) -> int:
        """The number of axes, batch axis included."""
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    # Data questions have no answer yet: say so instead of a puzzling NumPy error.
    def _no_values(self, what: str) -> TypeError:
        return TypeError(
            f"{what}: {self!r} is symbolic (a placeholder in a functional model) and has no "
            "values yet; use it to wire layers, then call the model on data"
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise self._no_values("np.asarray")

    def __bool__(self) -> bool:
        raise self._no_values("bool()")

    def __iter__(self) -> Any:
        raise self._no_values("iterating")

    def numpy(self) -> np.ndarray:
        """Raises TypeError: a KerasTensor has no values to give."""
        raise self._no_values("numpy()")

    # Arithmetic records a keras.ops node, as in Keras: `x * 2 + y` inside a model.
    def _op(self, name: str, *args: Any) -> KerasTensor:
        from tinygrad_edu.nn import keras_ops  # keras_ops builds on this module

        return getattr(keras_ops, name)(*args)

    def __add__(self, other: Any) -> KerasTensor:
        return self._op("add", self, other)

    def __radd__(self, other: Any) -> KerasTensor:
        return self._op("add", other, self)

    def __sub__(self, other: Any) -> KerasTensor:
        return self._op("subtract", self, other)

    def __rsub__(self, other: Any) -> KerasTensor:
        return self._op("subtract", other, self)

    def __mul__(self, other: Any) -> KerasTensor:
        return self._op("multiply", self, other)

    def __rmul__(self, other: Any) -> KerasTensor:
        return self._op("multiply", other, self)

    def __truediv__(self, other: Any) -> KerasTensor:
        return self._op("divide", self, other)

    def __rtruediv__(self, other: Any) -> KerasTensor:
        return self._op("divide", other, self)

    def __pow__(self, other: Any) -> KerasTensor:
        return self._op("power", self, other)

    def __matmul__(self, other: Any) -> KerasTensor:
        return self._op("matmul", self, other)

    def __neg__(self) -> KerasTensor:
        return self._op("negative", self)

    def __abs__(self) -> KerasTensor:
        return self._op("abs", self)

    def __getitem__(self, index: Any) -> KerasTensor:
        return self._op("take_slice", self, index)


class Node:
    """One call of a layer (or an op) on KerasTensors, as the functional model replays it.

    Attributes:
        operation: the layer, model or `keras.ops` function called.
        args, kwargs: the call's arguments, with KerasTensors where data will go.
        inputs: the KerasTensors among the arguments, in order.
        outputs: what the call returned, with KerasTensors for its Tensors.
        output_tensors: those KerasTensors, in order.
    """

    def __init__(
        self, operation: Any, args: tuple[Any, ...], kwargs: dict[str, Any], outputs: Any = None
    ) -> None:
        self.operation = operation
        self.args, self.kwargs = args, kwargs
        self.inputs = symbolic_leaves((args, kwargs))
        self.outputs = outputs
        self.output_tensors: list[KerasTensor] = []

    def run(self, values: dict[int, Any], **extra: Any) -> Any:
        """Call the operation with each input KerasTensor replaced by its value in `values`
        (keyed by id), and `extra` keyword arguments (a mask); returns what it returns."""
        args = replace_symbolic(self.args, values)
        kwargs = replace_symbolic(self.kwargs, values)
        return self.operation(*args, **kwargs, **extra)


# ---------------------------------------------------------------- finding KerasTensors
def is_symbolic(value: Any) -> bool:
    """True for a KerasTensor."""
    return isinstance(value, KerasTensor)


def symbolic_leaves(value: Any) -> list[KerasTensor]:
    """The KerasTensors inside `value` (lists, tuples and dicts are searched), in order."""
    found: list[KerasTensor] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, KerasTensor):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
    return found


def any_symbolic(*values: Any) -> bool:
    """True if a KerasTensor is anywhere inside `values` (lists, tuples, dicts searched).

    Every layer call asks this, so plain Tensors (the usual case) are answered by one
    isinstance each, without building a list.
    """
    for value in values:
        if isinstance(value, KerasTensor):
            return True
        if isinstance(value, (list, tuple, dict)) and value and symbolic_leaves(value):
            return True
    return False


def replace_symbolic(value: Any, values: dict[int, Any] | Callable[[KerasTensor], Any]) -> Any:
    """`value` with each KerasTensor replaced: by `values[id(tensor)]`, or `values(tensor)`."""
    if isinstance(value, KerasTensor):
        return values(value) if callable(values) else values[id(value)]
    if isinstance(value, dict):
        return {key: replace_symbolic(item, values) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(replace_symbolic(item, values) for item in value)
    return value


# ---------------------------------------------------------------- recording a call
def operation_name(operation: Any) -> str:
    """A layer's name, or a function's (`mean` for keras.ops.mean)."""
    return getattr(operation, "name", None) or getattr(operation, "__name__", "operation")


def describe(operation: Any) -> str:
    """`Dense 'dense_1'` for a layer, `keras.ops.mean` for an op, for messages."""
    if hasattr(operation, "named_children"):
        return f"{type(operation).__name__} {operation.name!r}"
    return f"keras.ops.{operation_name(operation)}"


def _sample(tensor: KerasTensor, sizes: tuple[int, int]) -> Tensor:
    batch, other = sizes
    shape = [other if size is None else size for size in tensor.shape]
    if shape and tensor.shape[0] is None:
        shape[0] = batch
    return Tensor(np.zeros(shape, dtype=tensor.dtype))


def _variable_axes_hint(inputs: list[KerasTensor]) -> str:
    if any(None in tensor.shape[1:] for tensor in inputs):
        return (
            ". The input has a variable-size axis (None besides the batch axis), which this "
            "layer cannot take; give that axis a size in keras.Input(shape=...)"
        )
    return ""


def _run_on_samples(operation: Any, args: tuple, kwargs: dict, inputs: list[KerasTensor]) -> Any:
    """Run `operation` on zeros shaped like its inputs, twice (see the module docstring);
    returns the two outputs."""
    from tinygrad_edu.nn.module import Module, training_mode

    results = []
    for sizes in SAMPLE_SIZES:
        samples = {id(tensor): _sample(tensor, sizes) for tensor in inputs}
        call_args = replace_symbolic(args, samples)
        call_kwargs = replace_symbolic(kwargs, samples)
        with no_grad(), sampling_shapes():
            if isinstance(operation, Module):
                with training_mode(operation, False):
                    results.append(operation(*call_args, **call_kwargs))
            else:
                results.append(operation(*call_args, **call_kwargs))
    return results


def _output_tensor(first: Any, second: Any, name: str) -> KerasTensor:
    if not isinstance(first, Tensor) or not isinstance(second, Tensor):
        raise TypeError(
            f"{name}: called on KerasTensors it must return Tensors (or lists or dicts of "
            f"them), got {type(first).__name__}"
        )
    if first.ndim != second.ndim:
        raise ValueError(f"{name}: its output's number of axes depends on the batch size")
    shape = tuple(a if a == b else None for a, b in zip(first.shape, second.shape))
    return KerasTensor(shape, first.dtype, name=name)


def _pair_outputs(first: Any, second: Any, make: Callable[[Any, Any], KerasTensor]) -> Any:
    if isinstance(first, dict):
        return {key: _pair_outputs(first[key], second[key], make) for key in first}
    if isinstance(first, (list, tuple)):
        return type(first)(_pair_outputs(a, b, make) for a, b in zip(first, second))
    return make(first, second)


def build_for(layer: Any, args: tuple) -> None:
    """Build an unbuilt Layer for the shapes of its KerasTensor argument (None included),
    so its `input_shape` keeps the None axes; errors name the layer and the shapes."""
    from tinygrad_edu.nn.layers import Layer

    if not isinstance(layer, Layer) or layer.built or not args:
        return
    shapes = replace_symbolic(args[0], lambda tensor: tensor.shape)
    if not any_symbolic(args[0]):
        return
    try:
        layer.build(shapes)
    except (ValueError, TypeError, IndexError) as error:
        raise ValueError(
            f"{describe(layer)} cannot take an input of shape {shapes}: {error}"
            + _variable_axes_hint(symbolic_leaves(args[0]))
        ) from error
    if not layer.built:  # a subclass's build forgot super().build(...)
        Layer.build(layer, shapes)


def call_symbolically(operation: Any, args: tuple, kwargs: dict) -> Any:
    """Record `operation(*args, **kwargs)` on KerasTensors as a Node; return its outputs
    as KerasTensors (in the structure the operation returns).

    Raises:
        ValueError: the operation cannot take inputs of these shapes (the message
            names it, the shapes, and a variable-size axis if that is the cause).
    """
    inputs = symbolic_leaves((args, kwargs))
    build_for(operation, args)
    try:
        first, second = _run_on_samples(operation, args, kwargs, inputs)
    except (ValueError, TypeError, IndexError) as error:
        shapes = ", ".join(format_shape(tensor.shape) for tensor in inputs)
        raise ValueError(
            f"{describe(operation)} cannot take an input of shape {shapes}: {error}"
            + _variable_axes_hint(inputs)
        ) from error
    node = Node(operation, args, kwargs)
    name = operation_name(operation)
    node.outputs = _pair_outputs(first, second, lambda a, b: _output_tensor(a, b, name))
    node.output_tensors = symbolic_leaves(node.outputs)
    for index, tensor in enumerate(node.output_tensors):
        tensor.node, tensor.index = node, index
    if hasattr(operation, "named_children"):  # a layer or model: it knows where it is used
        operation.__dict__.setdefault("_inbound_nodes", []).append(node)
    return node.outputs


def symbolic_op(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for a `keras.ops` function: called on a KerasTensor it records a Node
    (so it works inside a functional model); otherwise it runs on Tensors at once."""

    def op(*args: Any, **kwargs: Any) -> Any:
        if any_symbolic(*args, *kwargs.values()):
            return call_symbolically(op, args, kwargs)
        return function(*args, **kwargs)

    op.__name__ = function.__name__
    op.__qualname__ = function.__qualname__
    op.__doc__ = function.__doc__
    op.__module__ = function.__module__
    op.__wrapped__ = function
    return op


def camel_case(name: str) -> str:
    """'mean' -> 'Mean', 'take_slice' -> 'TakeSlice' (how summary shows an op's type)."""
    return "".join(part.capitalize() for part in re.split(r"_+", name) if part)
