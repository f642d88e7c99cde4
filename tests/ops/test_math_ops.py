"""Trigonometric, logarithmic, rounding and remainder ops: values against NumPy, gradients
against central differences (first and second order), and PyTorch's rules at the edges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import broadcastable_shapes, float_arrays, shapes

SMALL = shapes(max_dims=2, max_side=3)

# name -> (NumPy's function, inputs where it is smooth)
SMOOTH = {
    "sin": (np.sin, float_arrays(SMALL)),
    "cos": (np.cos, float_arrays(SMALL)),
    "tan": (np.tan, float_arrays(SMALL, min_value=-1.2, max_value=1.2)),
    "asin": (np.arcsin, float_arrays(SMALL, min_value=-0.9, max_value=0.9)),
    "acos": (np.arccos, float_arrays(SMALL, min_value=-0.9, max_value=0.9)),
    "atan": (np.arctan, float_arrays(SMALL)),
    "sinh": (np.sinh, float_arrays(SMALL)),
    "cosh": (np.cosh, float_arrays(SMALL)),
    "log2": (np.log2, float_arrays(SMALL, min_value=0.2)),
    "log10": (np.log10, float_arrays(SMALL, min_value=0.2)),
    "exp2": (np.exp2, float_arrays(SMALL)),
    "rsqrt": (lambda x: 1 / np.sqrt(x), float_arrays(SMALL, min_value=0.2)),
}


@pytest.mark.parametrize("name", SMOOTH)
def test_smooth_functions_match_numpy_and_differentiate_twice(name):
    reference, inputs = SMOOTH[name]
    method = lambda t: getattr(t, name)()  # noqa: E731

    @settings(max_examples=4)
    @given(inputs)
    def check(x):
        np.testing.assert_allclose(method(Tensor(x)).data, reference(x), rtol=1e-12)
        np.testing.assert_allclose(getattr(tg, name)(x).data, reference(x), rtol=1e-12)
        assert gradcheck(method, [x])
        assert gradgradcheck(method, [x])

    check()


def test_logs_and_powers_of_their_base_are_exact():
    assert Tensor(np.array([8.0, 1024.0])).log2().data.tolist() == [3.0, 10.0]
    assert Tensor(np.array([1000.0, 1e-3])).log10().data.tolist() == [3.0, -3.0]
    assert Tensor(np.array([3.0, -2.0])).exp2().data.tolist() == [8.0, 0.25]
    assert Tensor(np.array(1e-10)).sinh().item() == 1e-10  # no cancellation near 0


def test_float32_stays_float32():
    x = Tensor(np.array([0.5, 0.25], np.float32), requires_grad=True)
    for name in SMOOTH:
        y = getattr(x, name)()
        (g,) = tg.grad(y.sum(), x)
        assert y.dtype == np.float32 and g.dtype == np.float32, name


# ---------------------------------------------------------------- rounding
ROUNDING = {
    "floor": np.floor,
    "ceil": np.ceil,
    "round": np.round,
    "trunc": np.trunc,
    "sign": np.sign,
}


@pytest.mark.parametrize("name", ROUNDING)
def test_rounding_matches_numpy_and_its_gradient_is_zero_even_at_the_jumps(name):
    # Whole numbers and halves are where floor, ceil, round and sign jump.
    x = np.array([-2.5, -1.5, -1.0, -0.5, 0.0, 0.3, 0.5, 1.0, 1.5, 2.5, 2.7])
    t = Tensor(x, requires_grad=True)
    y = getattr(t, name)()
    np.testing.assert_array_equal(y.data, ROUNDING[name](x))
    (y * 3).sum().backward()
    np.testing.assert_array_equal(t.grad.data, np.zeros_like(x))  # PyTorch's rule
    assert gradgradcheck(lambda a: getattr(a, name)() * a, [x + 0.1])


def test_round_goes_half_to_even_as_pytorch():
    halves = Tensor([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5])
    assert halves.round().data.tolist() == [0.0, 2.0, 2.0, 4.0, -0.0, -2.0, -2.0]
    assert Tensor(np.array([1.234, -0.125])).round(decimals=2).data.tolist() == [1.23, -0.12]


def test_rounding_an_integer_tensor_keeps_it_integer_with_no_graph():
    x = Tensor(np.array([-3, 0, 4]))
    for name in ROUNDING:
        y = getattr(x, name)()
        assert y.dtype == x.dtype and not y.requires_grad
        np.testing.assert_array_equal(y.data, ROUNDING[name](x.data))


# ---------------------------------------------------------------- division that rounds
DIVISIONS = broadcastable_shapes(max_dims=2, max_side=3).flatmap(
    lambda s: float_arrays(s[0], min_value=-5, max_value=5).flatmap(
        lambda a: float_arrays(s[1], min_value=0.5, max_value=3).map(lambda b: (a, b))
    )
)


@settings(max_examples=10)
@given(DIVISIONS)
def test_remainder_fmod_floor_divide_match_numpy(pair):
    a, b = pair
    for divisor in (b, -b):
        assert np.array_equal((Tensor(a) % divisor).data, np.mod(a, divisor))
        assert np.array_equal(tg.remainder(a, divisor).data, np.mod(a, divisor))
        assert np.array_equal(Tensor(a).fmod(divisor).data, np.fmod(a, divisor))
        assert np.array_equal((Tensor(a) // divisor).data, np.floor_divide(a, divisor))
        assert np.array_equal((5.0 % Tensor(divisor)).data, np.mod(5.0, divisor))
        assert np.array_equal((5.0 // Tensor(divisor)).data, np.floor_divide(5.0, divisor))


def test_remainders_differentiate_twice_between_their_jumps():
    a = np.array([[3.3, -2.2, 0.4], [5.1, -4.7, 1.9]])
    b = np.array([1.3, -0.7, 2.1])
    for op in (lambda x, y: x % y, lambda x, y: x.fmod(y), lambda x, y: (x // y) * x):
        assert gradcheck(op, [a, b])
        assert gradgradcheck(op, [a, b])


def test_remainder_gradients_follow_pytorch():
    # d(a % b)/da = 1, d(a % b)/db = -floor(a / b); fmod's: 1 and -trunc(a / b)
    a = Tensor(np.array([7.0, -7.0]), requires_grad=True)
    b = Tensor(np.array([2.0, 2.0]), requires_grad=True)
    ga, gb = tg.grad((a % b).sum(), [a, b])
    assert ga.data.tolist() == [1.0, 1.0] and gb.data.tolist() == [-3.0, 4.0]
    ga, gb = tg.grad(a.fmod(b).sum(), [a, b])
    assert ga.data.tolist() == [1.0, 1.0] and gb.data.tolist() == [-3.0, 3.0]
    ga, gb = tg.grad((a // b * a).sum(), [a, b])
    assert ga.data.tolist() == [3.0, -4.0] and gb.data.tolist() == [0.0, 0.0]


def test_floor_divide_rounds_as_python():
    assert (1 // Tensor(np.array(0.1))).item() == 1 // 0.1 == 9.0
    assert (Tensor(np.array([7, -7])) // 2).data.tolist() == [3, -4]
    assert (Tensor(np.array([7, -7])) % 3).data.tolist() == [1, 2]


# ---------------------------------------------------------------- tests of values
def test_isnan_isinf_isfinite_give_bool_tensors_with_no_graph():
    x = Tensor(np.array([1.0, np.nan, np.inf, -np.inf]), requires_grad=True)
    for name, expected in (
        ("isnan", [False, True, False, False]),
        ("isinf", [False, False, True, True]),
        ("isfinite", [True, False, False, False]),
    ):
        y = getattr(x, name)()
        assert y.dtype == bool and not y.requires_grad and y.grad_fn is None
        assert y.data.tolist() == expected
        assert getattr(tg, name)(x.data).data.tolist() == expected


# ---------------------------------------------------------------- logaddexp, lerp
@settings(max_examples=10)
@given(
    broadcastable_shapes(max_dims=2, max_side=3).flatmap(
        lambda s: float_arrays(s[0]).flatmap(lambda a: float_arrays(s[1]).map(lambda b: (a, b)))
    )
)
def test_logaddexp_matches_numpy_and_differentiates_twice(pair):
    a, b = pair
    np.testing.assert_allclose(Tensor(a).logaddexp(b).data, np.logaddexp(a, b), rtol=1e-12)
    assert gradcheck(lambda x, y: x.logaddexp(y), [a, b])
    assert gradgradcheck(lambda x, y: tg.logaddexp(x, y), [a, b])


def test_logaddexp_does_not_overflow_and_handles_infinities():
    a = np.array([1000.0, -1000.0, -np.inf, np.inf, -np.inf])
    b = np.array([1000.0, -1000.0, 0.0, 1.0, -np.inf])
    np.testing.assert_allclose(Tensor(a).logaddexp(b).data, np.logaddexp(a, b))
    finite = Tensor(a[:3], requires_grad=True)
    finite.logaddexp(b[:3]).sum().backward()
    np.testing.assert_allclose(finite.grad.data, [0.5, 0.5, 0.0])  # sigmoid(a - b)


def test_lerp_is_start_plus_weight_times_the_difference():
    start, end, weight = np.array([1.0, 2.0]), np.array([3.0, -2.0]), np.array([0.25, 0.5])
    np.testing.assert_allclose(Tensor(start).lerp(end, weight).data, [1.5, 0.0])
    np.testing.assert_allclose(tg.lerp(start, end, 0.5).data, [2.0, 0.0])
    assert gradgradcheck(lambda s, e, w: s.lerp(e, w) ** 2, [start, end, weight])


def test_trig_identities_hold_through_the_graph():
    x = Tensor(np.linspace(-1, 1, 7), requires_grad=True)
    one = x.sin() ** 2 + x.cos() ** 2
    np.testing.assert_allclose(one.data, 1.0)
    (g,) = tg.grad(one.sum(), x)
    np.testing.assert_allclose(g.data, 0.0, atol=1e-6)
    np.testing.assert_allclose((x.cosh() ** 2 - x.sinh() ** 2).data, 1.0, rtol=1e-6)
    np.testing.assert_allclose(x.atan().tan().data, x.data, atol=1e-6)
    assert math.isclose(
        Tensor(1.0).acos().item() + Tensor(1.0).asin().item(), math.pi / 2, rel_tol=1e-6
    )
