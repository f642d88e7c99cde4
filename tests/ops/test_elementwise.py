"""Elementwise ops: gradients against central differences and against closed-form formulas."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor, grad, where
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import (
    broadcastable_shapes,
    float_arrays,
    positive_arrays,
    shapes,
)

from . import check_reference, elementwise_reference, unbroadcast_to, zero_second_order

SMALL = shapes(max_dims=3, max_side=4)  # up to 64 entries: keeps central differences quick
ZERO = lambda x: np.zeros_like(x)  # noqa: E731 (the second derivative of a piecewise-linear op)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name -> (engine function, f, df/dx, d2f/dx2, inputs, smooth)
UNARY = {
    "neg": (lambda x: -x, np.negative, lambda x: -np.ones_like(x), ZERO, float_arrays(SMALL), True),
    "exp": (lambda x: x.exp(), np.exp, np.exp, np.exp, float_arrays(SMALL), True),
    "log": (
        lambda x: x.log(),
        np.log,
        lambda x: 1 / x,
        lambda x: -1 / x**2,
        positive_arrays(SMALL),
        True,
    ),
    "sqrt": (
        lambda x: x.sqrt(),
        np.sqrt,
        lambda x: 0.5 / np.sqrt(x),
        lambda x: -0.25 * x**-1.5,
        positive_arrays(SMALL),
        True,
    ),
    "sigmoid": (
        lambda x: x.sigmoid(),
        sigmoid,
        lambda x: sigmoid(x) * (1 - sigmoid(x)),
        lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x)),
        float_arrays(SMALL),
        True,
    ),
    "tanh": (
        lambda x: x.tanh(),
        np.tanh,
        lambda x: 1 - np.tanh(x) ** 2,
        lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
        float_arrays(SMALL),
        True,
    ),
    "cube": (
        lambda x: x**3,
        lambda x: x**3,
        lambda x: 3 * x**2,
        lambda x: 6 * x,
        float_arrays(SMALL),
        True,
    ),
    "power_2.5": (
        lambda x: x**2.5,
        lambda x: x**2.5,
        lambda x: 2.5 * x**1.5,
        lambda x: 3.75 * x**0.5,
        positive_arrays(SMALL),
        True,
    ),
    "reciprocal_power": (
        lambda x: x**-1.0,
        lambda x: 1 / x,
        lambda x: -1 / x**2,
        lambda x: 2 / x**3,
        positive_arrays(SMALL, min_value=0.5),
        True,
    ),
    "two_to_the_x": (
        lambda x: 2.0**x,
        lambda x: 2.0**x,
        lambda x: 2.0**x * np.log(2.0),
        lambda x: 2.0**x * np.log(2.0) ** 2,
        float_arrays(SMALL),
        True,
    ),
    "scalar_arithmetic": (
        lambda x: (3.0 - x) * 2.0 / 4.0 + 1.0,
        lambda x: (3 - x) / 2 + 1,
        lambda x: np.full_like(x, -0.5),
        ZERO,
        float_arrays(SMALL),
        True,
    ),
    "scalar_divided_by_x": (
        lambda x: 2.0 / x,
        lambda x: 2 / x,
        lambda x: -2 / x**2,
        lambda x: 4 / x**3,
        float_arrays(SMALL, avoid=(0.0,), margin=0.5),
        True,
    ),
    # Kinked ops: inputs kept 1e-3 away from the kink, far beyond eps = 1e-6.
    "abs": (lambda x: x.abs(), np.abs, np.sign, ZERO, float_arrays(SMALL, avoid=(0.0,)), False),
    "relu": (
        lambda x: x.relu(),
        lambda x: np.maximum(x, 0),
        lambda x: (x > 0).astype(float),
        ZERO,
        float_arrays(SMALL, avoid=(0.0,)),
        False,
    ),
    "clip": (
        lambda x: x.clip(-1.0, 1.0),
        lambda x: np.clip(x, -1, 1),
        lambda x: ((x >= -1) & (x <= 1)).astype(float),
        ZERO,
        float_arrays(SMALL, avoid=(-1.0, 1.0)),
        False,
    ),
    "clip_low_only": (
        lambda x: x.clip(low=0.5),
        lambda x: np.maximum(x, 0.5),
        lambda x: (x >= 0.5).astype(float),
        ZERO,
        float_arrays(SMALL, avoid=(0.5,)),
        False,
    ),
    "clip_high_only": (
        lambda x: x.clip(high=-0.5),
        lambda x: np.minimum(x, -0.5),
        lambda x: (x <= -0.5).astype(float),
        ZERO,
        float_arrays(SMALL, avoid=(-0.5,)),
        False,
    ),
}


def _grid_arrays(shape, offset: float):
    """Multiples of 1/8 plus `offset`: two arrays with offsets 0 and 1/16 never come
    closer than 1/16, which keeps maximum/minimum off their kink."""
    return hnp.arrays(
        np.float64, shape, elements=st.integers(-24, 24).map(lambda k: k / 8 + offset)
    )


@st.composite
def binary_inputs(draw, first=float_arrays, second=float_arrays):
    shape_a, shape_b = draw(broadcastable_shapes(2, max_dims=3, max_side=4))
    return draw(first(shape_a)), draw(second(shape_b))


def _nonzero(shape):
    return float_arrays(shape, avoid=(0.0,), margin=0.5)


def _first_of_grid(shape):
    return _grid_arrays(shape, 0.0)


def _second_of_grid(shape):
    return _grid_arrays(shape, 1 / 16)


ONE = lambda a, b: np.ones(np.broadcast_shapes(a.shape, b.shape))  # noqa: E731
ZERO2 = lambda a, b: np.zeros(np.broadcast_shapes(a.shape, b.shape))  # noqa: E731

# name -> (engine function, f, [df/da, df/db], [[d2f/da2, d2f/dadb], [., d2f/db2]], inputs, smooth)
BINARY = {
    "add": (lambda a, b: a + b, np.add, [ONE, ONE], [[ZERO2] * 2] * 2, binary_inputs(), True),
    "sub": (
        lambda a, b: a - b,
        np.subtract,
        [ONE, lambda a, b: -ONE(a, b)],
        [[ZERO2] * 2] * 2,
        binary_inputs(),
        True,
    ),
    "mul": (
        lambda a, b: a * b,
        np.multiply,
        [lambda a, b: b, lambda a, b: a],
        [[ZERO2, ONE], [ONE, ZERO2]],
        binary_inputs(),
        True,
    ),
    "div": (
        lambda a, b: a / b,
        np.divide,
        [lambda a, b: 1 / b, lambda a, b: -a / b**2],
        [[ZERO2, lambda a, b: -1 / b**2], [lambda a, b: -1 / b**2, lambda a, b: 2 * a / b**3]],
        binary_inputs(second=_nonzero),
        True,
    ),
    "pow": (
        lambda a, b: a**b,
        np.power,
        [lambda a, b: b * a ** (b - 1), lambda a, b: a**b * np.log(a)],
        [
            [
                lambda a, b: b * (b - 1) * a ** (b - 2),
                lambda a, b: a ** (b - 1) * (1 + b * np.log(a)),
            ],
            [
                lambda a, b: a ** (b - 1) * (1 + b * np.log(a)),
                lambda a, b: a**b * np.log(a) ** 2,
            ],
        ],
        binary_inputs(first=positive_arrays),
        True,
    ),
    "maximum": (
        lambda a, b: a.maximum(b),
        np.maximum,
        [lambda a, b: (a > b).astype(float), lambda a, b: (b > a).astype(float)],
        [[ZERO2] * 2] * 2,
        binary_inputs(first=_first_of_grid, second=_second_of_grid),
        False,
    ),
    "minimum": (
        lambda a, b: a.minimum(b),
        np.minimum,
        [lambda a, b: (a < b).astype(float), lambda a, b: (b < a).astype(float)],
        [[ZERO2] * 2] * 2,
        binary_inputs(first=_first_of_grid, second=_second_of_grid),
        False,
    ),
}


# ---------------------------------------------------------------- unary ops
@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_gradients_match_central_differences(name, data):
    op, _, _, _, inputs, smooth = UNARY[name]
    x = data.draw(inputs)
    assert gradcheck(op, [x])
    assert gradgradcheck(op, [x])  # for kinked ops: zero away from the kink, on both sides


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_matches_closed_form_derivatives(name, data):
    op, f, df, d2f, inputs, _ = UNARY[name]
    x = data.draw(inputs)

    def reference(arrays, cotangent, weights):
        (x,) = arrays
        (w,) = weights
        return f(x), [cotangent * df(x)], [w * cotangent * d2f(x)]

    check_reference(op, [x], reference)


# ---------------------------------------------------------------- binary ops, broadcasting
@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_gradients_match_central_differences_with_broadcasting(name, data):
    op, _, _, _, inputs, smooth = BINARY[name]
    a, b = data.draw(inputs)
    assert gradcheck(op, [a, b])
    assert gradgradcheck(op, [a, b])


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_matches_closed_form_derivatives_with_broadcasting(name, data):
    op, f, partials, second_partials, inputs, _ = BINARY[name]
    a, b = data.draw(inputs)
    check_reference(op, [a, b], elementwise_reference(f, partials, second_partials))


@given(
    shapes=broadcastable_shapes(3, max_dims=3, max_side=4),
    data=st.data(),
)
def test_where_picks_and_routes_gradients_with_broadcasting(shapes, data):
    condition_shape, shape_a, shape_b = shapes
    condition = data.draw(hnp.arrays(bool, condition_shape))
    a, b = data.draw(float_arrays(shape_a)), data.draw(float_arrays(shape_b))

    def op(a, b):
        return where(condition, a, b)

    assert gradcheck(op, [a, b])
    assert gradgradcheck(op, [a, b])

    def reference(arrays, cotangent, weights):
        a, b = arrays
        chosen = np.broadcast_to(condition, cotangent.shape)
        first = [
            unbroadcast_to(cotangent * chosen, a.shape),
            unbroadcast_to(cotangent * ~chosen, b.shape),
        ]
        return np.where(condition, a, b), first, zero_second_order(arrays)

    check_reference(op, [a, b], reference)


def test_where_accepts_python_numbers_for_either_branch():
    x = Tensor([-1.0, 2.0, -3.0], requires_grad=True)
    y = where(x.data > 0, x, 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [0.0, 2.0, 0.0])
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0])
    assert where(np.array([True, False]), 1.0, 2.0).data.tolist() == [1.0, 2.0]


# ---------------------------------------------------------------- kinks and ties
def test_maximum_and_minimum_split_the_gradient_evenly_at_ties():
    a = Tensor(np.array([1.0, 2.0, 5.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 3.0, 5.0]), requires_grad=True)
    (a.maximum(b) * np.array([2.0, 1.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [1.0, 0.0, 2.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0, 2.0])

    a.grad = b.grad = None
    (a.minimum(b) * np.array([2.0, 1.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [1.0, 1.0, 2.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 0.0, 2.0])


def test_maximum_tie_with_a_broadcast_scalar_adds_up_the_halves():
    x = Tensor(np.array([0.0, 0.0, 1.0]), requires_grad=True)
    floor = Tensor(np.array(0.0), requires_grad=True)
    x.maximum(floor).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.5, 0.5, 1.0])
    assert floor.grad.item() == 1.0  # half from each of the two ties


@pytest.mark.parametrize(
    "op, expected",
    [
        (lambda x: x.abs(), [-1.0, 0.0, 1.0]),  # 0 at the kink, as PyTorch
        (lambda x: x.relu(), [0.0, 0.0, 1.0]),
        (lambda x: x.clip(-1.0, 1.0), [0.0, 1.0, 0.0]),
    ],
)
def test_kinked_ops_gradient_values(op, expected):
    x = Tensor(np.array([-2.0, 0.0, 2.0]), requires_grad=True)
    op(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, expected)


def test_clip_passes_the_gradient_at_the_bounds_themselves():
    x = Tensor(np.array([-1.0, 1.0]), requires_grad=True)
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


def test_clip_rejects_low_above_high():
    with pytest.raises(ValueError, match=r"clip.*low.*high"):
        Tensor([1.0]).clip(2.0, 1.0)


# ---------------------------------------------------------------- large inputs
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_saturating_ops_are_finite_and_silent_at_plus_minus_1000(name, dtype):
    op = UNARY[name][0]
    x = Tensor(np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0], dtype=dtype), requires_grad=True)
    # Underflow to 0 is the right answer (sigmoid(-1000) is 0 in any float), so it is allowed;
    # overflow, division by zero and invalid operations are errors, as is any warning.
    with np.errstate(all="raise", under="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        y = op(x)
        (g,) = grad(y.sum(), x, create_graph=True)
        (g2,) = grad(g.sum(), x)
    for values in (y.data, g.data, g2.data):
        assert values.dtype == dtype
        assert np.all(np.isfinite(values))
    assert abs(y.data[-1] - 1.0) < 1e-6 and g.data[-1] == 0.0 and g.data[0] == 0.0


# ---------------------------------------------------------------- dtypes
@given(float_arrays(SMALL))
def test_astype_passes_the_gradient_back_in_the_input_dtype(x):
    def op(t):
        return t.astype(np.float32)

    def reference(arrays, cotangent, weights):
        (x,) = arrays
        return x.astype(np.float32), [cotangent], [np.zeros(x.shape)]

    # float32 rounding is about 6e-8 relative: inside the reference's rtol of 1e-6
    check_reference(op, [x], reference)
    t = Tensor(x, requires_grad=True)
    (op(t) * 2).sum().backward()
    assert t.grad.dtype == np.float64
    np.testing.assert_array_equal(t.grad.data, np.full(x.shape, 2.0))


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_keep_float32(name):
    op = UNARY[name][0]
    x = Tensor(np.array([0.5, 1.5, 2.5], dtype=np.float32), requires_grad=True)
    y = op(x)
    y.sum().backward()
    assert y.dtype == np.float32
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_keep_float32_and_python_numbers_do_not_upcast(name):
    op = BINARY[name][0]
    a = Tensor(np.array([[0.5, 1.5, 2.5]], dtype=np.float32), requires_grad=True)
    b = Tensor(np.array([[1.25], [2.25]], dtype=np.float32), requires_grad=True)
    y = op(a, b)
    y.sum().backward()
    assert y.dtype == np.float32 and y.shape == (2, 3)
    assert a.grad.dtype == np.float32 and a.grad.shape == (1, 3)
    assert b.grad.dtype == np.float32 and b.grad.shape == (2, 1)
    assert op(a, 2.0).dtype == np.float32
