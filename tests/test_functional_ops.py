"""PyTorch's functional ops: the activations (also by Keras's names), nll_loss, one_hot.

Values against the published formulas (and, checked once by hand, Keras 3's own numbers
to float32 precision), gradients of first and second order, and PyTorch's gradient rules
at the kinks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, grad
from tinygrad_edu.keras import activations as keras_activations
from tinygrad_edu.nn import activations
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import float_arrays, shapes


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(x))


ALPHA, SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
# functional name -> (Keras name, NumPy formula)
FORMULAS = {
    "silu": ("silu", lambda x: x * _sigmoid(x)),
    "swish": ("swish", lambda x: x * _sigmoid(x)),
    "selu": ("selu", lambda x: SCALE * np.where(x > 0, x, ALPHA * (np.exp(x) - 1))),
    "relu6": ("relu6", lambda x: np.clip(x, 0, 6)),
    "hardsigmoid": ("hard_sigmoid", lambda x: np.clip(x + 3, 0, 6) / 6),
    "hardswish": ("hard_swish", lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "mish": ("mish", lambda x: x * np.tanh(_softplus(x))),
    "softsign": ("softsign", lambda x: x / (1 + np.abs(x))),
    "logsigmoid": ("log_sigmoid", lambda x: np.log(_sigmoid(x))),
}
# Kinks to keep central differences away from
KINKS = (-3.0, 0.0, 3.0, 6.0)


@pytest.mark.parametrize("name", FORMULAS)
def test_activation_matches_its_formula_and_differentiates_twice(name):
    keras_name, formula = FORMULAS[name]
    function = getattr(F, name)

    @settings(max_examples=4)
    @given(float_arrays(shapes(max_dims=2, max_side=3), min_value=-8, max_value=8, avoid=KINKS))
    def check(x):
        np.testing.assert_allclose(function(Tensor(x)).data, formula(x), rtol=1e-9, atol=1e-12)
        keras_function = activations.get(keras_name)
        assert keras_function is getattr(keras_activations, keras_name)
        np.testing.assert_allclose(keras_function(x).data, formula(x), rtol=1e-9, atol=1e-12)
        assert gradcheck(function, [x])
        assert gradgradcheck(function, [x])

    check()


def test_kinks_follow_pytorchs_gradient_rules():
    def slopes(function, points):
        x = Tensor(np.array(points), requires_grad=True)
        (g,) = grad(function(x).sum(), x)
        return g.data.tolist()

    # relu6 and hardsigmoid (hardtanh's rule): 0 at the ends of the sloped part
    assert slopes(F.relu6, [0.0, 3.0, 6.0]) == [0.0, 1.0, 0.0]
    assert slopes(F.hardsigmoid, [-3.0, 0.0, 3.0]) == [0.0, 1 / 6, 0.0]
    # hardswish: x / 3 + 1/2 on [-3, 3], both ends included; 0 below, 1 above
    assert slopes(F.hardswish, [-3.5, -3.0, 3.0, 3.5]) == [0.0, -0.5, 1.5, 1.0]


def test_activations_stay_finite_far_out():
    x = Tensor(np.array([-1000.0, 1000.0]), requires_grad=True)
    for name in FORMULAS:
        y = getattr(F, name)(x)
        assert np.isfinite(y.data).all(), name
        (g,) = grad(y.sum(), x)
        assert np.isfinite(g.data).all(), name
    assert F.logsigmoid(Tensor(-1000.0)).item() == -1000.0


# ---------------------------------------------------------------- nll_loss
def _nll_reference(log_probs, target, weight, ignore_index, reduction):
    """PyTorch's documented formula, written out entry by entry."""
    classes = log_probs.shape[1]
    moved = np.moveaxis(log_probs, 1, -1).reshape(-1, classes)
    targets = target.reshape(-1)
    weight = np.ones(classes) if weight is None else weight
    losses, weights = [], []
    for row, t in zip(moved, targets):
        w = 0.0 if t == ignore_index else weight[t]
        losses.append(-w * (row[t] if t != ignore_index else 0.0))
        weights.append(w)
    losses = np.array(losses)
    if reduction == "none":
        return losses.reshape(target.shape)
    return losses.sum() if reduction == "sum" else losses.sum() / sum(weights)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("spatial", [False, True])
def test_nll_loss_matches_pytorchs_formula_with_weights_and_ignore_index(reduction, spatial):
    rng = np.random.default_rng(0)
    shape = (3, 4, 2) if spatial else (5, 4)
    logits = rng.standard_normal(shape)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    target = rng.integers(0, 4, (3, 2) if spatial else (5,))
    target.flat[1] = -100  # ignored
    weight = np.array([1.0, 2.0, 0.5, 3.0])
    expected = _nll_reference(log_probs, target, weight, -100, reduction)
    got = F.nll_loss(Tensor(log_probs), target, weight=weight, reduction=reduction)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    assert gradgradcheck(
        lambda t: F.nll_loss(t.log_softmax(1), target, weight, reduction=reduction), [logits]
    )


def test_nll_loss_of_log_softmax_is_cross_entropy():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    labels = np.array([0, 1])
    nll = F.nll_loss(Tensor(logits).log_softmax(axis=1), labels)
    cross_entropy = F.sparse_cross_entropy_with_logits(Tensor(logits), labels)
    assert math.isclose(nll.item(), cross_entropy.item(), rel_tol=1e-12)
    single = F.nll_loss(Tensor(logits[0]).log_softmax(), np.array(0))
    assert math.isclose(single.item(), -np.log(np.exp(2) / np.exp(logits[0]).sum()), rel_tol=1e-12)


def test_nll_loss_errors_name_the_problem():
    log_probs = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="targets must be in 0 to 2"):
        F.nll_loss(log_probs, np.array([0, 3]))
    with pytest.raises(ValueError, match="needs target of shape \\(2,\\)"):
        F.nll_loss(log_probs, np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="class indices"):
        F.nll_loss(log_probs, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.nll_loss(log_probs, np.array([0, 1]), reduction="average")


def test_one_hot_gives_int64_rows():
    encoded = F.one_hot(Tensor(np.array([[0, 2], [1, 1]])), num_classes=4)
    assert encoded.dtype == np.int64 and encoded.shape == (2, 2, 4)
    assert encoded.data[0].tolist() == [[1, 0, 0, 0], [0, 0, 1, 0]]
    assert F.one_hot(np.array([3, 0])).shape == (2, 4)
    with pytest.raises(ValueError, match="labels must be in 0 to 2"):
        F.one_hot(np.array([3]), num_classes=3)
