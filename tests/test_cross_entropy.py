"""F.cross_entropy: PyTorch's torch.nn.functional.cross_entropy, a composite of log_softmax
and nll_loss, with class indices or probabilities, weight, ignore_index, label_smoothing."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor
from tinygrad_edu.testing import gradcheck, gradgradcheck


def _reference(logits, target, weight, ignore_index, reduction, smoothing):
    """PyTorch's formula, written out example by example (classes on axis 1)."""
    classes = logits.shape[1]
    rows = np.moveaxis(logits, 1, -1).reshape(-1, classes)
    log_p = rows - np.log(np.exp(rows).sum(axis=1, keepdims=True))
    weight = np.ones(classes) if weight is None else weight
    losses, denominators = [], []
    if target.dtype.kind == "f":  # probabilities, smoothed toward uniform
        probs = np.moveaxis(target, 1, -1).reshape(-1, classes)
        for row, y in zip(log_p, probs):
            y = y * (1 - smoothing) + smoothing / classes
            losses.append(-(weight * y * row).sum())
            denominators.append(1.0)
        shape = target.shape[:1] + target.shape[2:]
    else:
        for row, t in zip(log_p, target.reshape(-1)):
            if t == ignore_index:
                losses.append(0.0)
                denominators.append(0.0)
                continue
            picked = -weight[t] * row[t]
            spread = -(weight * row).sum() / classes
            losses.append((1 - smoothing) * picked + smoothing * spread)
            denominators.append(weight[t])
        shape = target.shape
    losses = np.array(losses)
    if reduction == "none":
        return losses.reshape(shape)
    return losses.sum() if reduction == "sum" else losses.sum() / sum(denominators)


def test_known_values():
    logits = Tensor(np.array([[1.0, 2.0, 3.0]]))
    # -log(e^1 / (e^1 + e^2 + e^3)) = 2.40760596...
    assert math.isclose(F.cross_entropy(logits, np.array([0])).item(), 2.4076059644, rel_tol=1e-9)
    # 0.9 * 2.4076 + 0.1 / 3 * (2.4076 + 1.4076 + 0.4076)
    smoothed = F.cross_entropy(logits, np.array([0]), label_smoothing=0.1).item()
    assert math.isclose(smoothed, 2.3076059644, rel_tol=1e-9)
    single = F.cross_entropy(Tensor(np.array([1.0, 2.0, 3.0])), 2)  # (C,) and one target
    assert single.shape == () and math.isclose(single.item(), 0.4076059644, rel_tol=1e-9)


@settings(max_examples=12, deadline=None)
@given(
    reduction=st.sampled_from(["mean", "sum", "none"]),
    spatial=st.booleans(),
    probabilities=st.booleans(),
    weighted=st.booleans(),
    smoothing=st.sampled_from([0.0, 0.2]),
    seed=st.integers(0, 2**16),
)
def test_matches_pytorchs_formula_and_gradcheck(
    reduction, spatial, probabilities, weighted, smoothing, seed
):
    rng = np.random.default_rng(seed)
    shape = (2, 3, 2) if spatial else (4, 3)
    logits = rng.standard_normal(shape)
    weight = np.array([1.0, 2.0, 0.5]) if weighted else None
    if probabilities:
        target = rng.random(shape)
        target /= target.sum(axis=1, keepdims=True)
    else:
        target = rng.integers(0, 3, shape[:1] + shape[2:])
        target.flat[0] = -100  # ignored
    expected = _reference(logits, target, weight, -100, reduction, smoothing)
    args = {"weight": weight, "reduction": reduction, "label_smoothing": smoothing}
    got = F.cross_entropy(Tensor(logits), target, **args)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-15)
    assert gradcheck(lambda t: F.cross_entropy(t, target, **args), [logits])


def test_probability_targets_get_a_gradient_and_second_derivatives():
    rng = np.random.default_rng(1)
    logits, probs = rng.standard_normal((3, 4)), rng.random((3, 4))
    assert gradgradcheck(lambda x, y: F.cross_entropy(x, y, label_smoothing=0.1), [logits, probs])
    target = np.array([0, 3, 1])
    assert gradgradcheck(lambda x: F.cross_entropy(x, target, label_smoothing=0.1), [logits])


def test_one_hot_probabilities_equal_class_indices():
    logits = np.random.default_rng(2).standard_normal((5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    for smoothing in (0.0, 0.3):
        by_index = F.cross_entropy(Tensor(logits), labels, label_smoothing=smoothing)
        by_probs = F.cross_entropy(Tensor(logits), np.eye(3)[labels], label_smoothing=smoothing)
        assert math.isclose(by_index.item(), by_probs.item(), rel_tol=1e-12)


def test_float32_stays_float32():
    logits = Tensor(np.zeros((2, 3), np.float32))
    assert F.cross_entropy(logits, np.array([0, 1]), label_smoothing=0.1).dtype == np.float32
    assert F.cross_entropy(logits, np.full((2, 3), 1 / 3)).dtype == np.float32


def test_errors_name_the_problem():
    logits = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="cross_entropy: reduction must be one of"):
        F.cross_entropy(logits, np.array([0, 1]), reduction="avg")
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        F.cross_entropy(logits, np.array([0, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\).*got \(2,\)"):
        F.cross_entropy(logits, np.array([0, 1]), weight=np.ones(2))
    with pytest.raises(ValueError, match=r"probabilities must have input's shape \(2, 3\)"):
        F.cross_entropy(logits, np.ones((2, 4)) / 4)
    with pytest.raises(ValueError, match="nll_loss: targets must be in 0 to 2"):
        F.cross_entropy(logits, np.array([0, 3]))


def test_float_class_indices_are_told_to_become_integers():
    import re

    logits = Tensor(np.zeros((4, 5), np.float32))
    with pytest.raises(ValueError, match=re.escape("class indices must be integers")):
        F.cross_entropy(logits, np.array([0.0, 1.0, 2.0, 4.0]))
