"""Derivatives at the edges of an op's domain: 0, +-inf, and the points where a formula
read literally gives 0 * inf or 0 * log(0) (issue 15, kind 1).

The engine must give PyTorch's answers there, in first and second order: pow's
derivatives are masked to 0 where the function is locally constant, and every
other elementwise op is checked at its special values against a table.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, grad
from tinygrad_edu.testing import gradcheck, gradgradcheck

inf = np.inf


def derivatives(fn, *values):
    """First and second derivatives of a scalar fn at scalar points: (firsts, seconds).

    seconds[i][j] is d/dx_j (d fn / dx_i), from grad(..., create_graph=True).
    """
    inputs = [Tensor(np.array(v, dtype=np.float64), requires_grad=True) for v in values]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # log(0) and friends, on purpose
        firsts = grad(fn(*inputs), inputs, create_graph=True)
        seconds = [
            [
                0.0 if g is None else g.data.item()
                for g in grad(first, inputs, retain_graph=True, allow_unused=True)
            ]
            if first.requires_grad
            else [0.0] * len(inputs)
            for first in firsts
        ]
    return [first.data.item() for first in firsts], seconds


# ---------------------------------------------------------------- pow, the examples
def test_x_to_the_zero_at_zero_has_gradient_zero_in_first_and_second_order():
    firsts, seconds = derivatives(lambda x: x**0.0, 0.0)
    assert firsts == [0.0] and seconds == [[0.0]]


def test_zero_to_a_tensor_power_has_derivative_zero():
    # A constant base 0: 0 ** t is 0 for every t > 0, so d/dt is 0 (and so is d2/dt2).
    firsts, seconds = derivatives(lambda t: Tensor(np.array(0.0)) ** t, 3.0)
    assert firsts == [0.0] and seconds == [[0.0]]


def test_base_zero_exponent_one_and_a_half_both_tensors():
    firsts, seconds = derivatives(lambda a, b: a**b, 0.0, 1.5)
    assert firsts == [0.0, 0.0]  # 1.5 * 0 ** 0.5 and (masked) 0 ** 1.5 * log(0)
    # d2/da2 = 1.5 * 0.5 * 0 ** -0.5 is a true infinity; the mixed and d2/db2 are 0.
    assert seconds == [[inf, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize(
    "a, b, expected",
    [  # (a, b) -> (d/da, d/db) of a ** b, PyTorch's values
        (0.0, 0.0, (0.0, 0.0)),
        (0.0, 1.0, (1.0, 0.0)),
        (0.0, 2.0, (0.0, 0.0)),
        (0.0, 3.0, (0.0, 0.0)),
        (0.0, 0.5, (inf, 0.0)),
        (2.0, 0.0, (0.0, np.log(2.0))),
        (1.0, 5.0, (5.0, 0.0)),
        (-2.0, 2.0, (-4.0, np.nan)),  # log of a negative base: NaN, as in PyTorch
        (0.0, -1.0, (-inf, -inf)),  # a true pole
    ],
)
def test_pow_derivatives_at_special_points(a, b, expected):
    firsts, _ = derivatives(lambda x, y: x**y, a, b)
    np.testing.assert_array_equal(firsts, expected)


# ---------------------------------------------------------------- pow, as properties
@settings(max_examples=25, deadline=None)
@given(
    exponent=st.integers(0, 3),
    values=st.lists(st.sampled_from([0.0, 0.0, -1.5, 0.5, 2.0]), min_size=1, max_size=4),
)
def test_integer_powers_differentiate_twice_everywhere_including_zero(exponent, values):
    # x ** k for integer k is a polynomial: smooth at 0 and for negative x, so central
    # differences apply there too. Reading the formulas literally gave NaN at x = 0.
    x = np.array(values)
    gradcheck(lambda t: t ** float(exponent), [x])
    gradgradcheck(lambda t: t ** float(exponent), [x])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.1, 4.0), min_size=1, max_size=4))
def test_constant_zero_base_to_tensor_powers_differentiates_twice(exponents):
    # 0 ** t == 0 near every t > 0: every derivative is 0.
    t = np.array(exponents)
    zero = Tensor(np.zeros(()))
    gradcheck(lambda e: zero**e, [t])
    gradgradcheck(lambda e: zero**e, [t])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(1.0, 4.0), min_size=1, max_size=4))
def test_pow_gradients_are_never_nan_at_base_zero(exponents):
    # For exponents below 1 d/da is itself infinite at 0, so its derivatives are not
    # defined; from 1 on every derivative has a finite limit there.
    a = Tensor(np.zeros(len(exponents)), requires_grad=True)
    b = Tensor(np.array(exponents), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        grad_a, grad_b = grad((a**b).sum(), [a, b], create_graph=True)
        second = grad((grad_a + grad_b).sum(), [b])[0]
    assert np.all(grad_b.data == 0)
    assert not np.isnan(grad_a.data).any()
    assert not np.isnan(second.data).any()


def test_pow_keeps_the_forward_and_first_order_path_when_nothing_is_masked():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    grad_a, grad_b = grad((a**b).sum(), [a, b])
    np.testing.assert_allclose(grad_a.data, [2.0, 12.0])
    np.testing.assert_allclose(grad_b.data, [0.0, 8.0 * np.log(2.0)])


# ---------------------------------------------------------------- every other elementwise op
# op -> [(x, f'(x), f''(x))] at its special values (0 and +-inf where defined), PyTorch's answers
UNARY_SPECIAL = {
    "exp": (lambda x: x.exp(), [(-inf, 0.0, 0.0), (0.0, 1.0, 1.0), (inf, inf, inf)]),
    "log": (lambda x: x.log(), [(0.0, inf, -inf), (inf, 0.0, -0.0)]),
    "sqrt": (lambda x: x.sqrt(), [(0.0, inf, -inf), (inf, 0.0, -0.0)]),
    "abs": (lambda x: x.abs(), [(0.0, 0.0, 0.0), (inf, 1.0, 0.0), (-inf, -1.0, 0.0)]),
    "relu": (lambda x: x.relu(), [(0.0, 0.0, 0.0), (inf, 1.0, 0.0), (-inf, 0.0, 0.0)]),
    "sigmoid": (lambda x: x.sigmoid(), [(0.0, 0.25, 0.0), (inf, 0.0, 0.0), (-inf, 0.0, 0.0)]),
    "tanh": (lambda x: x.tanh(), [(0.0, 1.0, 0.0), (inf, 0.0, 0.0), (-inf, 0.0, 0.0)]),
    "neg": (lambda x: -x, [(0.0, -1.0, 0.0), (inf, -1.0, 0.0)]),
    "clip": (lambda x: x.clip(-1.0, 1.0), [(inf, 0.0, 0.0), (-inf, 0.0, 0.0), (0.0, 1.0, 0.0)]),
    "square": (lambda x: x * x, [(0.0, 0.0, 2.0), (inf, inf, 2.0)]),
    "reciprocal": (lambda x: 1.0 / x, [(inf, -0.0, 0.0), (-inf, -0.0, -0.0)]),
}


@pytest.mark.parametrize("name", UNARY_SPECIAL)
def test_unary_ops_at_their_special_values(name):
    fn, table = UNARY_SPECIAL[name]
    for x, first, second in table:
        firsts, seconds = derivatives(fn, x)
        assert firsts[0] == first, f"{name}'({x}) = {firsts[0]}, expected {first}"
        assert seconds[0][0] == second, f"{name}''({x}) = {seconds[0][0]}, expected {second}"


# (a, b) -> (d/da, d/db): binary ops where one side is 0 or infinite
BINARY_SPECIAL = {
    "add": (lambda a, b: a + b, [((inf, 1.0), (1.0, 1.0)), ((-inf, inf), (1.0, 1.0))]),
    "sub": (lambda a, b: a - b, [((inf, inf), (1.0, -1.0))]),
    "mul": (lambda a, b: a * b, [((0.0, 3.0), (3.0, 0.0)), ((inf, 2.0), (2.0, inf))]),
    "div": (lambda a, b: a / b, [((1.0, inf), (0.0, -0.0)), ((0.0, 2.0), (0.5, -0.0))]),
    "maximum": (lambda a, b: a.maximum(b), [((inf, 1.0), (1.0, 0.0)), ((inf, inf), (0.5, 0.5))]),
    "minimum": (lambda a, b: a.minimum(b), [((-inf, 1.0), (1.0, 0.0))]),
}


@pytest.mark.parametrize("name", BINARY_SPECIAL)
def test_binary_ops_at_their_special_values(name):
    fn, table = BINARY_SPECIAL[name]
    for (a, b), expected in table:
        firsts, _ = derivatives(fn, a, b)
        np.testing.assert_array_equal(firsts, expected, err_msg=f"{name} at ({a}, {b})")


# activation -> [(x, f(x), f'(x))] at +-inf (and where a kink of |x| could hide a slope)
ACTIVATIONS_SPECIAL = {
    "softplus": [(inf, inf, 1.0), (-inf, 0.0, 0.0)],
    "elu": [(inf, inf, 1.0), (-inf, -1.0, 0.0)],
    "leaky_relu": [(inf, inf, 1.0), (-inf, -inf, 0.2)],
    "relu": [(inf, inf, 1.0), (-inf, 0.0, 0.0)],
    "sigmoid": [(inf, 1.0, 0.0), (-inf, 0.0, 0.0)],
    "tanh": [(inf, 1.0, 0.0), (-inf, -1.0, 0.0)],
    "gelu": [(inf, inf, 1.0), (-inf, 0.0, 0.0), (50.0, 50.0, 1.0), (-50.0, 0.0, 0.0)],
    "erf": [(inf, 1.0, 0.0), (-inf, -1.0, 0.0), (0.0, 0.0, 2 / np.sqrt(np.pi))],
}


@pytest.mark.parametrize("name", ACTIVATIONS_SPECIAL)
def test_activations_at_plus_minus_infinity(name):
    from tinygrad_edu.nn import activations

    fn = getattr(activations, name)
    for x, value, slope in ACTIVATIONS_SPECIAL[name]:
        t = Tensor(np.array(x), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            y = fn(t)
            (g,) = grad(y, [t])
        np.testing.assert_allclose(y.item(), value, atol=1e-6, err_msg=f"{name}({x})")
        np.testing.assert_allclose(g.item(), slope, atol=1e-5, err_msg=f"{name}'({x})")


@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_is_unchanged_inside_and_relu_far_out(approximate):
    from tinygrad_edu.nn import activations

    x = np.array([-60.0, -39.0, -3.0, -0.5, 0.0, 0.5, 3.0, 39.0, 60.0])
    y = activations.gelu(Tensor(x), approximate=approximate).data
    np.testing.assert_allclose(y[[0, -1]], [0.0, 60.0])
    np.testing.assert_allclose(y[[1, -2]], [0.0, 39.0], atol=1e-12)
    gradcheck(lambda t: activations.gelu(t, approximate=approximate), [x[2:-2]])


# ---------------------------------------------------------------- no warnings for right answers
def test_pow_at_zero_gives_inf_derivatives_without_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        x = Tensor(0.0, requires_grad=True)
        (x**0.5).backward()
        assert x.grad.data == inf  # d/dx sqrt(x) at 0
        assert (Tensor(np.float32(0.0)) ** -1.0).data == inf
        float16 = Tensor(np.full(80_000, 1.0, dtype=np.float16)).sum()  # 80,000 > 65504
        assert float16.data.dtype == np.float16 and float16.data == inf
    with pytest.warns(RuntimeWarning, match="invalid value"):  # other warnings still show
        assert np.isnan((Tensor(-1.0) ** 0.5).data)
