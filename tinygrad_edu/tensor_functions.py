"""PyTorch's functions of tensors, `tg.sin(x)` as `torch.sin(x)`: each calls the Tensor method.

`tg.sin(x)` is `Tensor(x).sin()`, `tg.gather(x, 1, index)` is `x.gather(1, index)`,
and so on: one implementation (the method), two spellings, as in PyTorch. A
NumPy array or list is made a Tensor first. Functions of several tensors that
are not methods (einsum) are written here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinygrad_edu.composite import einsum as _einsum
from tinygrad_edu.tensor import Tensor, concatenate


def _as_function(method_name: str) -> Callable[..., Any]:
    """The function `name(input, *args, **kwargs)` = `input.name(*args, **kwargs)`."""
    method = getattr(Tensor, method_name)

    def function(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 (PyTorch's name)
        tensor = input if isinstance(input, Tensor) else Tensor(input)
        return getattr(tensor, method_name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = method_name
    function.__doc__ = (
        f"`input.{method_name}(...)` as a function (PyTorch's torch.{method_name}).\n\n"
    )
    function.__doc__ += method.__doc__ or ""
    return function


# Elementwise math
sin, cos, tan = _as_function("sin"), _as_function("cos"), _as_function("tan")
asin, acos, atan = _as_function("asin"), _as_function("acos"), _as_function("atan")
arcsin, arccos, arctan = asin, acos, atan
sinh, cosh, tanh = _as_function("sinh"), _as_function("cosh"), _as_function("tanh")
exp, log, sqrt, abs = (
    _as_function("exp"),
    _as_function("log"),
    _as_function("sqrt"),
    _as_function("abs"),
)  # noqa: A001
log2, log10, exp2, rsqrt = (_as_function(n) for n in ("log2", "log10", "exp2", "rsqrt"))
sign, floor, ceil = _as_function("sign"), _as_function("floor"), _as_function("ceil")
round, trunc = _as_function("round"), _as_function("trunc")  # noqa: A001
isnan, isinf, isfinite = _as_function("isnan"), _as_function("isinf"), _as_function("isfinite")
logaddexp, lerp = _as_function("logaddexp"), _as_function("lerp")
remainder, fmod, floor_divide = (_as_function(n) for n in ("remainder", "fmod", "floor_divide"))
sigmoid, relu = _as_function("sigmoid"), _as_function("relu")
maximum, minimum = _as_function("maximum"), _as_function("minimum")
clamp, clip = _as_function("clamp"), _as_function("clip")
# Reductions (not max and min: torch.max(x, 1) gives (values, indices), x.max(1) a NumPy max;
# x.max(dim=1) is PyTorch's)
prod, std = _as_function("prod"), _as_function("std")
sum, mean = _as_function("sum"), _as_function("mean")  # noqa: A001
argmax, argmin = _as_function("argmax"), _as_function("argmin")
all, any = _as_function("all"), _as_function("any")  # noqa: A001
cumsum, cumprod = _as_function("cumsum"), _as_function("cumprod")
cummax, cummin = _as_function("cummax"), _as_function("cummin")
# Picking, sorting, rearranging
gather, scatter, scatter_add = (_as_function(n) for n in ("gather", "scatter", "scatter_add"))
masked_fill, nonzero = _as_function("masked_fill"), _as_function("nonzero")
sort, argsort, topk = _as_function("sort"), _as_function("argsort"), _as_function("topk")
flip, roll = _as_function("flip"), _as_function("roll")
tril, triu, diag = _as_function("tril"), _as_function("triu"), _as_function("diag")
split, chunk, unflatten = _as_function("split"), _as_function("chunk"), _as_function("unflatten")
tile, clone = _as_function("tile"), _as_function("clone")


def cat(tensors: Any, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """torch.cat: join tensors along an existing axis `dim` (`tg.concatenate` with axis=;
    `axis` is accepted here too).

    Raises:
        ValueError: no tensors, or shapes that differ off `dim`.
    """
    return concatenate(tensors, axis=dim if axis is None else axis)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as torch.einsum / np.einsum: `einsum("ij,jk->ik", a, b)` is a @ b.

    Each operand's axes are named by letters; the output keeps the letters after
    "->" (without "->": the letters used once, alphabetically) and sums over the
    others. A repeated letter in one operand takes its diagonal ("ii->i"); "..."
    stands for the axes not named, broadcast across operands. The operands may
    also be given as one list. Gradients come from the primitives it is built
    from (composite/einsum.py).

    Raises:
        ValueError: no operands, a malformed equation, or sizes that differ for one letter.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError(f"einsum: the equation {equation!r} needs at least one tensor")
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in operands]
    return _einsum.einsum(equation, tensors)
