"""Helpers the op tests share: compare the engine with derivatives written out in NumPy.

Central differences (`gradcheck`) say whether backward agrees with forward. These
helpers add an independent reference: the value, the first derivative and the
second derivative of each op from a closed-form formula written in the test
(d tanh = 1 - tanh^2, ...), compared to rtol 1e-6 in float64.

For an op y = f(x1, ..., xk) the engine is asked for
    first[i]  = d/dxi  sum(cotangent * y)                      (a vector-Jacobian product)
    second[j] = d/dxj  sum_i sum(weights[i] * first[i])        (a Hessian-vector product)
with fixed random `cotangent` and `weights`, and a reference function returns
the same three things computed with NumPy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from tinygrad_edu import Tensor, grad

RTOL = 1e-6
ATOL = 1e-10  # for entries that are zero up to rounding

Reference = Callable[
    [list[np.ndarray], np.ndarray, list[np.ndarray]],
    tuple[np.ndarray, list[np.ndarray], list[np.ndarray]],
]


def fixed_random(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Standard-normal numbers that are the same on every run."""
    return np.random.default_rng(seed).standard_normal(shape)


def engine_derivatives(
    fn: Callable[..., Tensor],
    arrays: Sequence[np.ndarray],
    cotangent: np.ndarray,
    weights: Sequence[np.ndarray],
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """The value, the first-order and the second-order products, from the engine."""
    inputs = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    output = fn(*inputs)
    first = grad((output * cotangent).sum(), inputs, create_graph=True, allow_unused=True)
    first = [Tensor(np.zeros(x.shape)) if g is None else g for g, x in zip(first, inputs)]
    recorded = [(g * w).sum() for g, w in zip(first, weights) if g.requires_grad]
    if recorded:  # a constant first derivative (a linear op) has no recorded graph
        total = recorded[0]
        for term in recorded[1:]:
            total = total + term
        second = grad(total, inputs, allow_unused=True)
    else:
        second = [None] * len(inputs)
    second = [np.zeros(x.shape) if g is None else g.data for g, x in zip(second, inputs)]
    return output.data, [g.data for g in first], second


def check_reference(
    fn: Callable[..., Tensor], arrays: Sequence[np.ndarray], reference: Reference
) -> None:
    """Assert that the engine and the NumPy reference agree on value, first and second order."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    output_shape = fn(*[Tensor(a) for a in arrays]).shape
    cotangent = fixed_random(output_shape, seed=1)
    weights = [fixed_random(a.shape, seed=2 + i) for i, a in enumerate(arrays)]
    value, first, second = engine_derivatives(fn, arrays, cotangent, weights)
    expected_value, expected_first, expected_second = reference(arrays, cotangent, weights)
    np.testing.assert_allclose(value, expected_value, rtol=RTOL, atol=ATOL, err_msg="value")
    for i in range(len(arrays)):
        np.testing.assert_allclose(
            first[i], expected_first[i], rtol=RTOL, atol=ATOL, err_msg=f"first order, input {i}"
        )
        np.testing.assert_allclose(
            second[i],
            expected_second[i],
            rtol=RTOL,
            atol=ATOL,
            err_msg=f"second order, input {i}",
        )


def unbroadcast_to(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast result back to `shape` (the reference's own version, for independence)."""
    while array.ndim > len(shape):
        array = array.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and array.shape[axis] != 1:
            array = array.sum(axis=axis, keepdims=True)
    return array


def elementwise_reference(
    value: Callable[..., np.ndarray],
    partials: Sequence[Callable[..., np.ndarray]],
    second_partials: Sequence[Sequence[Callable[..., np.ndarray]]],
) -> Reference:
    """A reference for an elementwise op from its derivative formulas.

    `partials[i](*xs)` is df/dxi and `second_partials[i][j](*xs)` is d2f/dxi dxj,
    each evaluated on the inputs broadcast to the output's shape.
    """

    def reference(arrays, cotangent, weights):
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        xs = [np.broadcast_to(a, shape) for a in arrays]
        ws = [np.broadcast_to(w, shape) for w in weights]
        first = [
            unbroadcast_to(cotangent * partial(*xs), a.shape)
            for partial, a in zip(partials, arrays)
        ]
        second = [
            unbroadcast_to(
                sum(ws[i] * cotangent * second_partials[i][j](*xs) for i in range(len(xs))),
                arrays[j].shape,
            )
            for j in range(len(xs))
        ]
        return value(*xs), first, second

    return reference


def linear_vjp(linear: Callable[[np.ndarray], np.ndarray], like: np.ndarray, cotangent):
    """Gradient of sum(cotangent * f(x)) for an f that is linear (or affine) in x: entry k
    is sum(cotangent * (f(e_k) - f(0))), with e_k the k-th unit array. Exact, no formula."""
    offset = linear(np.zeros(like.shape))
    result = np.zeros(like.shape)
    for index in np.ndindex(like.shape):
        unit = np.zeros(like.shape)
        unit[index] = 1.0
        result[index] = np.sum(cotangent * (linear(unit) - offset))
    return result


def zero_second_order(arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    return [np.zeros(a.shape) for a in arrays]
