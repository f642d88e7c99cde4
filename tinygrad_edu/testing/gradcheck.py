"""Compare the engine's gradients with central differences, in float64.

A backward formula can be wrong in ways no error message reveals: a missing
minus sign, a forgotten broadcast. The check that catches these is numerical:
nudge one input entry by +eps and -eps, see how the output moves, and compare
that slope with what backward says.

A non-scalar output is first turned into a scalar by weighting each entry with
a fixed random number (a "cotangent") and summing, so one backward pass tests
every output entry at once. A plain sum would not do: the entries of a softmax
always sum to 1, so the gradient of their plain sum is zero whatever backward
gets wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from tinygrad_edu.autograd import enable_grad
from tinygrad_edu.gradients import grad
from tinygrad_edu.tensor import Tensor, concatenate
from tinygrad_edu.viz.graph import topological_order

Inputs = Tensor | np.ndarray | Sequence[Tensor | np.ndarray]

# The cotangent is random but fixed, so a check gives the same verdict on every run.
COTANGENT_SEED = 1234


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the first derivatives of `fn` at `inputs` against central differences.

    `inputs` is a sequence of Tensors or arrays (or a single one); `fn` gets one
    float64 Tensor per input, each a copy that requires grad, and must return a
    Tensor. Every input is differentiated: close over constants you do not want
    checked. Returns True, or raises AssertionError naming the input, the
    index, and the analytic and numerical values, and saying how to reproduce
    both by hand (returns False instead when `raise_exception=False`).

    fn must compute in float64 throughout: in float32 the eps nudge is rounded
    away and the numerical slope is noise.

    Raises:
        AssertionError: a gradient disagrees with central differences.
        TypeError: an input is not numeric, fn does not return a Tensor, or a tensor
            on fn's differentiated path is below float64 (a float32 layer, a cast);
            the message names it and how to build fn in float64.
    """
    return _check(fn, inputs, eps, atol, rtol, raise_exception, "gradcheck", "gradient")


def gradgradcheck(
    fn: Callable[..., Tensor],
    inputs: Inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the second derivatives of `fn`, for backward formulas that must differentiate again.

    It runs `gradcheck` on the function that maps the inputs to the first-order
    gradients of `fn` (its cotangent-weighted output), computed with
    `create_graph=True` so the engine records them.
    """

    def first_derivatives(*tensors: Tensor) -> Tensor:
        output = _call(fn, tensors, "gradgradcheck")
        if output.requires_grad:
            scalar = _weighted_sum(output, _cotangent(output.shape))
            grads = grad(scalar, list(tensors), create_graph=True, allow_unused=True)
        else:  # fn does not depend on its inputs through the graph: its gradients are zero
            grads = [None] * len(tensors)
        pieces = [
            (Tensor(np.zeros(t.shape)) if g is None else g).reshape(-1)
            for g, t in zip(grads, tensors)
        ]
        return concatenate(pieces)

    return _check(
        first_derivatives,
        inputs,
        eps,
        atol,
        rtol,
        raise_exception,
        "gradgradcheck",
        "second-order gradient",
    )


# ---------------------------------------------------------------- the pieces
def _float64_arrays(inputs: Inputs, who: str) -> list[np.ndarray]:
    """Own float64 copies of the inputs, so nudging them never touches the caller's data."""
    if isinstance(inputs, (Tensor, np.ndarray)):
        inputs = [inputs]
    arrays = []
    for position, value in enumerate(inputs):
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype.kind not in "fiu":
            raise TypeError(
                f"{who}: input {position} has dtype {array.dtype}; only numbers can be "
                "differentiated (pass floats, or close over other values inside fn)"
            )
        arrays.append(np.array(array, dtype=np.float64))
    if not arrays:
        raise ValueError(f"{who}: needs at least one input to differentiate")
    return arrays


def _call(fn: Callable[..., Tensor], tensors: Sequence[Tensor], who: str) -> Tensor:
    output = fn(*tensors)
    if not isinstance(output, Tensor):
        raise TypeError(
            f"{who}: fn must return a Tensor, but it returned {type(output).__name__}; "
            "build the result with Tensor operations so the engine can differentiate it"
        )
    return output


def _cotangent(shape: tuple[int, ...]) -> np.ndarray:
    """Fixed random weights for the output entries (its own generator: the global one is
    left alone, and the weights depend only on the shape)."""
    return np.random.default_rng(COTANGENT_SEED).standard_normal(shape)


def _weighted_sum(output: Tensor, cotangent: np.ndarray) -> Tensor:
    return output.sum() if output.size == 1 else (output * cotangent).sum()


def _check(
    fn: Callable[..., Tensor],
    inputs: Inputs,
    eps: float,
    atol: float,
    rtol: float,
    raise_exception: bool,
    who: str,
    what: str,
) -> bool:
    arrays = _float64_arrays(inputs, who)
    with enable_grad():  # the check must record a graph even when called inside no_grad
        analytic, output_shape = _analytic_gradients(fn, arrays, who)
        cotangent = _cotangent(output_shape)

        def value_at(current: list[np.ndarray]) -> float:
            output = _call(fn, _leaves(current), who)
            if output.shape != output_shape:
                raise ValueError(
                    f"{who}: fn's output shape changed from {output_shape} to {output.shape} "
                    "when an input moved by eps; its gradient is not defined there"
                )
            values = np.asarray(output.data, dtype=np.float64)
            return float(values.sum() if values.size == 1 else (values * cotangent).sum())

        for position, array in enumerate(arrays):
            if analytic[position].shape != array.shape:
                return _fail(
                    raise_exception,
                    f"{who}: the {what} of input {position} has shape "
                    f"{analytic[position].shape}, but the input has shape {array.shape}",
                )
            numerical = _central_differences(value_at, arrays, position, eps)
            message = _mismatch(analytic[position], numerical, atol, rtol)
            if message:
                return _fail(
                    raise_exception,
                    f"{who}: {what} of input {position} (shape {array.shape}) is wrong "
                    f"{message}. {_what_the_numbers_are(what, output_shape, position, eps)} "
                    f"The check allows |analytic - numerical| <= atol + rtol * |numerical| "
                    f"with atol={atol}, rtol={rtol}.",
                )
    return True


def _leaves(arrays: Sequence[np.ndarray]) -> list[Tensor]:
    return [Tensor(array.copy(), requires_grad=True) for array in arrays]


def _analytic_gradients(
    fn: Callable[..., Tensor], arrays: list[np.ndarray], who: str
) -> tuple[list[np.ndarray], tuple[int, ...]]:
    """What backward says, one float64 array per input (zeros where an input is unused)."""
    tensors = _leaves(arrays)
    output = _call(fn, tensors, who)
    if not output.requires_grad:  # nothing recorded: fn's output does not depend on the inputs
        return [np.zeros_like(array) for array in arrays], output.shape
    _refuse_low_precision(output, who)
    scalar = _weighted_sum(output, _cotangent(output.shape))
    grads = grad(scalar, tensors, allow_unused=True)
    gradients = [
        np.zeros_like(array) if g is None else np.asarray(g.data, dtype=np.float64)
        for g, array in zip(grads, arrays)
    ]
    return gradients, output.shape


def _refuse_low_precision(output: Tensor, who: str) -> None:
    """Raise if any tensor on the differentiated path of fn is below float64.

    Central differences nudge an input by eps (1e-6): float32 keeps about 7 significant
    digits, so the nudge is mostly rounded away and "numerical" becomes noise (such as
    0.9536... for a slope of 1). Only tensors that require grad count: a float32
    constant multiplied in does not round the computation itself.
    """
    order = topological_order([output], lambda t: t.grad_fn.inputs if t.grad_fn else ())
    for tensor in order:
        dtype = np.dtype(tensor.dtype)
        if tensor.requires_grad and dtype.kind == "f" and dtype.itemsize < 8:
            if tensor is output:
                where = "its output"
            elif tensor.grad_fn is not None:
                where = f"the output of {tensor.grad_fn.name}"
            else:
                where = f"the weight {tensor.name!r}" if tensor.name else "a tensor it closes over"
            raise TypeError(
                f"{who}: fn computes in {dtype}, below the float64 its inputs are given in: "
                f"{where} (shape {tensor.shape}) is {dtype}. The check nudges each input by "
                f"eps and {dtype} rounds most of that nudge away, so its numbers would be "
                "noise. Build fn in float64: layers with dtype='float64' (e.g. "
                "Dense(4, dtype='float64')), tensors with Tensor(values, dtype='float64') "
                "or .double(), and no cast to float32 inside fn."
            )


def _what_the_numbers_are(what: str, output_shape: tuple[int, ...], position: int, eps: float):
    """How to reproduce "analytic" and "numerical" by hand, for a failure message."""
    if output_shape == () or np.prod(output_shape) == 1:
        scalar = "s(inputs) = fn(*inputs).sum() (the output's one value)"
    else:
        scalar = (
            f"s(inputs) = (fn(*inputs) * v).sum() for a fixed random v of the output's shape "
            f"{output_shape}, v = np.random.default_rng({COTANGENT_SEED}).standard_normal("
            f"{output_shape}) (so every output entry is checked at once)"
        )
    return (
        f"Both numbers are the {what} of the scalar {scalar}: analytic is what backward "
        f"gives for input {position}; numerical is (s(x + eps) - s(x - eps)) / (2 * eps), "
        f"moving that one entry of input {position} by eps={eps}, in float64."
    )


def _central_differences(
    value_at: Callable[[list[np.ndarray]], float],
    arrays: list[np.ndarray],
    position: int,
    eps: float,
) -> np.ndarray:
    """(f(x + eps) - f(x - eps)) / (2 eps), one input entry at a time."""
    array = arrays[position]
    slopes = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + eps
        above = value_at(arrays)
        array[index] = original - eps
        below = value_at(arrays)
        array[index] = original
        slopes[index] = (above - below) / (2 * eps)
    return slopes


def _mismatch(analytic: np.ndarray, numerical: np.ndarray, atol: float, rtol: float) -> str:
    """An empty string when the two agree, else where and by how much they differ."""
    close = np.abs(analytic - numerical) <= atol + rtol * np.abs(numerical)  # NaN: not close
    if close.all():
        return ""
    wrong = np.argwhere(~close)
    index = tuple(int(i) for i in wrong[0])
    return (
        f"at index {index}: analytic {float(analytic[index])!r}, numerical "
        f"{float(numerical[index])!r} ({len(wrong)} of {analytic.size} entries differ)"
    )


def _fail(raise_exception: bool, message: str) -> bool:
    if raise_exception:
        raise AssertionError(message)
    return False
