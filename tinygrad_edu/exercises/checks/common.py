"""What many checks share: gradients by the engine, and comparisons that explain themselves."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.exercises.grader import Failure, expect_close
from tinygrad_edu.gradients import grad
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing import gradcheck, gradgradcheck


def cotangent(shape: tuple[int, ...], seed: int = 7) -> np.ndarray:
    """Fixed random weights for an output's entries, so one backward tests them all."""
    return np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)


def gradients(
    fn: Callable[..., Any], arrays: Sequence[np.ndarray], dtype: Any = None
) -> tuple[np.ndarray | None, list[np.ndarray | None]]:
    """fn's output values and the gradients of (output * cotangent).sum() for each input."""
    leaves = [
        Tensor(np.asarray(a, dtype=dtype or np.asarray(a).dtype), requires_grad=True)
        for a in arrays
    ]
    output = fn(*leaves)
    if not isinstance(output, Tensor):
        raise Failure(f"returned a {type(output).__name__}, not a Tensor", got=output)
    weights = Tensor(cotangent(output.shape).astype(output.dtype))
    if not output.requires_grad:
        return output.data, [None] * len(leaves)
    found = grad((output * weights).sum(), leaves, allow_unused=True)
    return output.data, [None if g is None else g.data for g in found]


def expect_same_gradients(
    what: str,
    student_fn: Callable[..., Any],
    reference_fn: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    names: Sequence[str] = ("a", "b", "c", "d"),
    dtype: Any = None,
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> None:
    """The student's function and the reference give the same values and gradients."""
    expected_out, expected = gradients(reference_fn, arrays, dtype)
    got_out, got = gradients(student_fn, arrays, dtype)
    expect_close(f"{what}: the output", expected_out, got_out, rtol, atol)
    for name, e, g in zip(names, expected, got):
        if e is not None and g is None:
            raise Failure(f"{what}: no gradient reached {name}", expected=e, got=None)
        if e is not None:
            expect_close(f"{what}: the gradient of {name}", e, g, rtol, atol)
            if g.dtype != e.dtype:
                raise Failure(
                    f"{what}: the gradient of {name} has dtype {g.dtype}, but {name} is {e.dtype}",
                    expected=str(e.dtype),
                    got=str(g.dtype),
                )


def expect_gradcheck(
    what: str, fn: Callable[..., Any], arrays: Sequence[np.ndarray], second: bool = False
) -> None:
    """gradcheck (or gradgradcheck) of fn at arrays, a failure worded for a student."""
    checker = gradgradcheck if second else gradcheck
    try:
        checker(fn, [np.asarray(a, dtype=np.float64) for a in arrays])
    except AssertionError as error:
        order = "second derivatives" if second else "gradient"
        raise Failure(f"{what}: the {order} disagree with central differences: {error}") from None


def sample(*shape: int, seed: int = 0) -> np.ndarray:
    """Fixed random float64 values of `shape`, for the hand-picked cases checks try first."""
    return np.random.default_rng(seed + len(shape)).uniform(-2, 2, size=shape)


def tensor(array: Any, requires_grad: bool = True, dtype: Any = None) -> Tensor:
    """A leaf Tensor of `array` (float64 unless `dtype` or the array says otherwise)."""
    array = np.asarray(array, dtype=dtype if dtype is not None else np.asarray(array).dtype)
    return Tensor(array, requires_grad=requires_grad)


def direct_backward(cls: type, inputs: Sequence[Tensor], grad: Tensor, **options: Any) -> tuple:
    """What `cls.backward` itself returns for `grad` (no engine in between to fix dtypes)."""
    output = cls.apply(*inputs, **options)
    if output.grad_fn is None:
        raise Failure(f"{cls.__name__}.apply recorded no node although its inputs require grad")
    result = output.grad_fn.backward(grad)
    return result if isinstance(result, tuple) else (result,)


def on_cases(student: Any, cases: Sequence[Any], prop: Callable[[Any], None]) -> None:
    """Check `prop` on each hand-picked case; a failure names the case as its counterexample."""
    from tinygrad_edu.exercises.grader import raised

    for case in cases:
        try:
            prop(case)
        except Failure as failure:
            failure.counterexample = case[0] if _named(case) else case
            raise
        except Exception as error:
            shown = case[0] if _named(case) else case
            raise Failure(raised(error, student), counterexample=shown) from error


def _named(case: Any) -> bool:
    """A case given as (description, thing): the description is what feedback shows."""
    return (
        isinstance(case, tuple)
        and len(case) == 2
        and isinstance(case[0], str)
        and callable(case[1])
    )


def with_ops(fn: Callable[..., Any], **functions: Any) -> Callable[..., Any]:
    """`fn`, run with the student's ops in the engine (the reference stays outside).

    The nodes it records are the student's, so the backward that follows (run
    after the block has put the engine's ops back) still calls their backward.
    """
    from tinygrad_edu.exercises.plugin import use_ops

    def run(*args: Any) -> Any:
        with use_ops(**functions):
            return fn(*args)

    return run
