"""The text inside graph nodes: op names with their arguments, tensor shapes and values.

Everything here returns plain strings, so it can be read and tested without
Graphviz. Labels stay short on purpose: a picture is for seeing the structure,
`print(tensor)` is for reading every number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tinygrad_edu.autograd import Function
    from tinygrad_edu.tensor import Tensor

# Tensors with at most this many elements show their values; bigger ones a summary.
SMALL_TENSOR_SIZE = 6

# Binary ops written as a Python operator, so a folded constant reads as `Pow (** 2)`.
OPERATOR_SYMBOLS = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "Pow": "**"}

# Ops whose `index` option is written in brackets: `GetItem [0:2]`.
INDEXING_OPS = ("GetItem", "ScatterAdd")

# Stands for "the input drawn as an arrow" inside an op label, as in `Sub (1 - ·)`.
PLACEHOLDER = "·"

# Shown instead of values for a tensor that backward let go and no one else holds;
# draw before backward, or keep a reference to the tensor, to see them.
RELEASED = "freed by backward"


def format_number(value: Any) -> str:
    """A short, exact-looking number: 2 not 2.0, 0.125, -3.142, 1e-08."""
    value = np.asarray(value).item()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def format_shape(shape: tuple[int, ...]) -> str:
    """`(8, 784)`; a 0-d tensor is called what it is, a scalar."""
    if shape == ():
        return "scalar"
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(size) for size in shape) + ")"


def format_values(array: np.ndarray) -> str:
    """All values of a small array (`[1, -2.5]`), or mean, std and norm of a big one."""
    if array.size <= SMALL_TENSOR_SIZE:
        if array.ndim == 0:
            return format_number(array)
        text = np.array2string(array, precision=4, separator=", ", formatter={"all": format_number})
        return " ".join(text.split())  # one line, even for 2-D arrays
    numbers = array.astype(np.float64)
    return (
        f"mean={format_number(numbers.mean())} std={format_number(numbers.std())} "
        f"norm={format_number(np.linalg.norm(numbers.ravel()))}"
    )


def format_argument(value: Any) -> str:
    """A short form of one op option: arrays by dtype and shape unless tiny."""
    if isinstance(value, np.ndarray):
        if value.ndim == 1 and value.size <= 4 and value.dtype.kind in "iub":
            return "[" + ", ".join(format_number(v) for v in value) + "]"
        return f"{value.dtype}[{', '.join(str(s) for s in value.shape)}]"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, float, np.number)):
        return format_number(value)
    if isinstance(value, slice):
        return format_slice(value)
    if value is Ellipsis:
        return "..."
    if isinstance(value, tuple):
        inside = ", ".join(format_argument(part) for part in value)
        return f"({inside},)" if len(value) == 1 else f"({inside})"
    if isinstance(value, list):
        return "[" + ", ".join(format_argument(part) for part in value) + "]"
    if isinstance(value, np.dtype):
        return str(value)
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def format_slice(part: slice) -> str:
    """`0:2`, `:`, `::2`, written as in the source code that made it."""
    start = "" if part.start is None else str(part.start)
    stop = "" if part.stop is None else str(part.stop)
    step = "" if part.step is None else f":{part.step}"
    return f"{start}:{stop}{step}"


def format_index(index: Any) -> str:
    """An index as it would be written in brackets: `[0:2, int64[8]]`."""
    parts = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(format_argument(part) for part in parts) + "]"


def _option_text(function: Function) -> list[str]:
    """The options that change what the op does, as `key=value` strings."""
    texts = []
    for key, value in function.options.items():
        if key == "index" and function.name in INDEXING_OPS:
            continue  # written in brackets after the name instead
        if value is None or (key == "keepdims" and value is False):
            continue  # the default: nothing to say
        if key == "keepdims":
            texts.append("keepdims")
        elif key == "dtype":
            texts.append(str(np.dtype(value)))
        else:
            texts.append(f"{key}={format_argument(value)}")
    return texts


def op_label(function: Function, folded: dict[int, Tensor]) -> str:
    """`Sum (axis=1)`, `Pow (** 2)`, `GetItem [0:2]`: the op and what it was given.

    `folded` maps input positions to 0-d constants that are written into the
    label instead of being drawn as nodes of their own.
    """
    parts: list[str] = []
    if folded:
        symbol = OPERATOR_SYMBOLS.get(function.name)
        constants = {position: format_number(t.data) for position, t in folded.items()}
        if symbol is not None and len(function.inputs) == 2 and len(folded) == 1:
            if 1 in constants:
                parts.append(f"{symbol} {constants[1]}")  # x ** 2 -> Pow (** 2)
            else:
                parts.append(f"{constants[0]} {symbol} {PLACEHOLDER}")  # 1 - x -> Sub (1 - ·)
        else:
            parts.append(
                ", ".join(constants.get(i, PLACEHOLDER) for i in range(len(function.inputs)))
            )
    parts.extend(_option_text(function))
    head = function.name
    if function.name in INDEXING_OPS and "index" in function.options:
        head += " " + format_index(function.options["index"])
    return f"{head} ({', '.join(parts)})" if parts else head


def tensor_lines(
    tensor: Tensor, name: str | None, show_values: bool, show_grads: bool
) -> list[str]:
    """The lines of a tensor node: name, shape and dtype, then values and gradient."""
    lines = [name] if name else []
    lines.append(f"{format_shape(tensor.shape)} {tensor.dtype}")
    if show_values:
        lines.append(f"data {_values_text(tensor)}")
    if show_grads and tensor.grad is not None:
        lines.append(f"grad {format_values(tensor.grad.data)}")
    return lines


def _values_text(tensor: Tensor) -> str:
    # A ReleasedTensor has no values: backward let them go (see autograd.Function.release).
    return RELEASED if tensor.data is None else format_values(tensor.data)


def escape_record(text: str) -> str:
    """`text` for a field of a Graphviz record label, to be drawn exactly as written.

    Backslashes are doubled (Graphviz reads \\n, \\l, \\N as commands), the characters
    that split or name fields are backslashed, and a newline becomes Graphviz's own
    line break (a record drops a newline character).
    """
    for character in "\\{}|<>":
        text = text.replace(character, "\\" + character)
    return text.replace("\n", "\\n")


def scalar_record(
    tensor: Tensor, name: str | None, show_values: bool, show_grads: bool, rankdir: str
) -> str:
    """micrograd's picture of a number: `name | data 2 | grad -4` side by side."""
    fields = [name] if name else []
    if show_values:
        fields.append(f"data {_values_text(tensor)}")
    if show_grads:
        grad = tensor.grad
        fields.append(f"grad {format_values(grad.data)}" if grad is not None else "grad None")
    text = " | ".join(escape_record(field) for field in fields)
    # A record's fields run across the rank direction: braces turn them for LR layouts.
    return "{" + text + "}" if rankdir in ("LR", "RL") else text
