"""Activations: values against NumPy formulas, gradients against central differences."""

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.nn import activations
from tinygrad_edu.testing import gradcheck

# Points away from 0, where relu-like functions have a kink.
X = np.array([[-3.0, -1.2, -0.4, 0.3, 0.9, 2.5], [-0.7, 1.6, -2.2, 0.05, -0.05, 4.0]])
ERF = np.vectorize(math.erf)

REFERENCES = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True),
    "linear": lambda x: x,
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "gelu": lambda x: 0.5 * x * (1 + ERF(x / np.sqrt(2))),
    "softplus": lambda x: np.log1p(np.exp(x)),
    # Keras 3's other activations (formulas from composite/activations.py's sources)
    "silu": lambda x: x / (1 + np.exp(-x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "relu6": lambda x: np.clip(x, 0, 6),
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "hard_swish": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "log_sigmoid": lambda x: -np.log1p(np.exp(-x)),
}
# X holds -3.0, a kink of these: their gradients are checked a little beside it.
KINKED_AT_MINUS_3 = {"hard_sigmoid", "hard_silu", "hard_swish"}


def test_every_name_has_a_reference() -> None:
    assert sorted(REFERENCES) == activations.names()


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_values_match_numpy(name: str) -> None:
    got = activations.get(name)(Tensor(X)).data
    # gelu's erf is accurate to 1.5e-7 absolute, so gelu to |x| / 2 * 1.5e-7.
    atol = 0.75e-7 * np.abs(X).max() if name == "gelu" else 1e-12
    np.testing.assert_allclose(got, REFERENCES[name](X), rtol=1e-6, atol=atol)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_values_in_float32_stay_float32(name: str) -> None:
    got = activations.get(name)(Tensor(X.astype(np.float32)))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.data, REFERENCES[name](X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_gradients_match_central_differences(name: str) -> None:
    points = X + 0.01 if name in KINKED_AT_MINUS_3 else X
    assert gradcheck(activations.get(name), [points], atol=1e-7, rtol=1e-6)


def test_gelu_gradient_is_close_to_the_exact_derivative() -> None:
    x = Tensor(np.linspace(-5, 5, 101), requires_grad=True)
    activations.gelu(x).sum().backward()
    pdf = np.exp(-(x.data**2) / 2) / np.sqrt(2 * np.pi)
    exact = 0.5 * (1 + ERF(x.data / np.sqrt(2))) + x.data * pdf
    np.testing.assert_allclose(x.grad.data, exact, atol=1e-5)


def test_erf_is_accurate_to_the_published_bound() -> None:
    x = np.linspace(-6, 6, 2001)
    np.testing.assert_allclose(activations.erf(Tensor(x)).data, ERF(x), atol=1.5e-7)


def test_gelu_approximate_is_the_tanh_formula() -> None:
    expected = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X**3)))
    np.testing.assert_allclose(activations.gelu(Tensor(X), approximate=True).data, expected)
    assert gradcheck(lambda x: activations.gelu(x, approximate=True), [X], atol=1e-7)


def test_leaky_relu_and_elu_options() -> None:
    x = Tensor(np.array([-2.0, 3.0]))
    np.testing.assert_allclose(activations.leaky_relu(x, negative_slope=0.5).data, [-1.0, 3.0])
    np.testing.assert_allclose(activations.elu(x, alpha=2.0).data, [2 * np.expm1(-2.0), 3.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softplus_and_elu_are_finite_at_plus_minus_1000(dtype: type) -> None:
    for function, expected_value, expected_grad in [
        (activations.softplus, [0.0, 1000.0], [0.0, 1.0]),
        (activations.elu, [-1.0, 1000.0], [0.0, 1.0]),
        (activations.sigmoid, [0.0, 1.0], [0.0, 0.0]),
        (activations.gelu, [0.0, 1000.0], [0.0, 1.0]),
    ]:
        x = Tensor(np.array([-1000.0, 1000.0], dtype=dtype), requires_grad=True)
        y = function(x)
        y.sum().backward()
        np.testing.assert_allclose(y.data, expected_value, atol=1e-6)
        np.testing.assert_allclose(x.grad.data, expected_grad, atol=1e-6)


def test_kinks_have_the_usual_one_sided_gradients() -> None:
    zero = Tensor(np.zeros(1), requires_grad=True)
    activations.softplus(zero).sum().backward()
    np.testing.assert_allclose(zero.grad.data, [0.5])  # sigmoid(0)
    zero.grad = None
    activations.elu(zero).sum().backward()
    np.testing.assert_allclose(zero.grad.data, [1.0])  # continuous derivative at 0


def test_softmax_axis_and_the_node_losses_look_for() -> None:
    from tinygrad_edu.functional import Softmax

    x = Tensor(X, requires_grad=True)
    y = activations.softmax(x)
    assert isinstance(y.grad_fn, Softmax) and y.grad_fn.inputs[0] is x
    np.testing.assert_allclose(activations.softmax(Tensor(X), axis=0).data.sum(axis=0), 1.0)


def test_get_accepts_none_callables_and_names() -> None:
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu

    def double(t: Tensor) -> Tensor:
        return t * 2

    assert activations.get(double) is double
    assert activations.name_of(activations.get("tanh")) == "tanh"


def test_get_rejects_unknown_names_and_other_things() -> None:
    with pytest.raises(ValueError, match=r"Unknown activation 'Relu'; valid names: elu, gelu"):
        activations.get("Relu")
    with pytest.raises(TypeError, match="expected a name, a callable or None, got int"):
        activations.get(3)


def test_activations_accept_plain_arrays() -> None:
    np.testing.assert_array_equal(activations.relu(np.array([-1.0, 1.0])).data, [0.0, 1.0])
