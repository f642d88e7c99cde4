"""softmax, log_softmax, logsumexp and the cross-entropies at the edges (issue 15).

- kind 4: infinite entries. -inf is how a class is masked: it gets probability 0 and
  the rest of the row is as if it were not there, with finite gradients. A row of
  -inf only (fully masked) has logsumexp -inf and probabilities 0; a row holding
  +inf has logsumexp +inf and shares probability 1 among its +inf entries.
- kind 3: float16 is worked in float32 and rounded back; float16 stays float16.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, grad, where
from tinygrad_edu.functional import (
    cross_entropy_with_logits,
    log_softmax,
    logsumexp,
    softmax,
    sparse_cross_entropy_with_logits,
)
from tinygrad_edu.nn import activations, losses

inf = np.inf
ROWS = {  # the rows, with what each function must give
    "fully masked": ([-inf, -inf, -inf], -inf, [0.0, 0.0, 0.0], [-inf, -inf, -inf]),
    "one masked": (
        [2.0, -inf, 0.5],
        np.log(np.exp(2.0) + np.exp(0.5)),
        [1 / (1 + np.exp(-1.5)), 0.0, 1 / (1 + np.exp(1.5))],
        [-np.log1p(np.exp(-1.5)), -inf, -np.log1p(np.exp(1.5))],
    ),
    "holding +inf": ([1.0, inf], inf, [0.0, 1.0], [-inf, 0.0]),
    "two +inf": ([inf, 3.0, inf], inf, [0.5, 0.0, 0.5], [-np.log(2), -inf, -np.log(2)]),
}


def gradient_of(fn, row, weights=None):
    x = Tensor(np.array([row]), requires_grad=True)
    weights = np.arange(1.0, len(row) + 1) if weights is None else weights
    out = fn(x)
    # only the finite outputs are weighted: the -inf ones are replaced by 0 before the
    # product, since -inf * 0 is NaN (NumPy's "invalid value in multiply")
    (where(np.isfinite(out.data), out, 0.0) * weights).sum().backward()
    return x.grad.data[0]


@pytest.mark.parametrize("row_name", ROWS)
def test_logsumexp_of_rows_with_infinities(row_name):
    row, expected, _, _ = ROWS[row_name]
    result = logsumexp(Tensor(np.array([row])), axis=1)
    np.testing.assert_allclose(result.data, [expected])


@pytest.mark.parametrize("row_name", ROWS)
def test_softmax_and_log_softmax_of_rows_with_infinities(row_name):
    row, _, probabilities, log_probabilities = ROWS[row_name]
    x = Tensor(np.array([row]))
    np.testing.assert_allclose(softmax(x).data[0], probabilities, atol=1e-15)
    np.testing.assert_allclose(log_softmax(x).data[0], log_probabilities, atol=1e-15)
    for fn in (softmax, log_softmax):
        gradient = gradient_of(fn, row)
        assert np.isfinite(gradient).all(), (fn.__name__, gradient)
        masked = np.array(row) == -inf
        if not masked.all():  # a masked entry's logit moves no output
            assert np.all(gradient[masked] == 0), (fn.__name__, gradient)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-30, 30), min_size=2, max_size=6),
    data=st.data(),
)
def test_masking_with_minus_inf_is_leaving_the_entry_out(values, data):
    # softmax over a row with -inf entries equals softmax over the other entries, with 0
    # at the masked ones; gradients and the loss agree the same way.
    row = np.array(values)
    masked = np.array(data.draw(st.lists(st.booleans(), min_size=len(row), max_size=len(row))))
    masked[data.draw(st.integers(0, len(row) - 1))] = False  # at least one entry is kept
    full = np.where(masked, -inf, row)
    kept = row[~masked]
    np.testing.assert_allclose(
        softmax(Tensor(full[None])).data[0][~masked], softmax(Tensor(kept[None])).data[0]
    )
    assert np.all(softmax(Tensor(full[None])).data[0][masked] == 0)
    np.testing.assert_allclose(
        logsumexp(Tensor(full[None]), axis=1).data, logsumexp(Tensor(kept[None]), axis=1).data
    )
    weights = np.linspace(-1.0, 2.0, len(row))
    for fn in (softmax, log_softmax):
        g_full = gradient_of(fn, full, weights)
        g_kept = gradient_of(fn, kept, weights[~masked])
        np.testing.assert_allclose(g_full[~masked], g_kept, atol=1e-12)
        assert np.all(g_full[masked] == 0)
    label = int(np.flatnonzero(~masked)[0])
    logits = Tensor(full[None], requires_grad=True)
    loss = sparse_cross_entropy_with_logits(logits, np.array([label]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(logits.grad.data).all()
    onehot = np.eye(len(row))[[label]]
    dense = cross_entropy_with_logits(Tensor(full[None]), onehot)
    np.testing.assert_allclose(dense.item(), loss.item())


def test_a_softmax_layer_with_masked_logits_gives_a_finite_loss_in_every_crossentropy():
    logits = Tensor(np.array([[2.0, -inf, 0.5], [-inf, 1.0, 1.0]]), requires_grad=True)
    probabilities = activations.softmax(logits)  # a softmax layer's output: logits remembered
    for loss, targets in (
        (losses.sparse_categorical_crossentropy, np.array([0, 2])),
        (losses.categorical_crossentropy, np.eye(3)[[0, 2]]),
    ):
        logits.grad = None
        value = loss(targets, probabilities)
        (grad_logits,) = grad(value, [logits], retain_graph=True)
        assert np.isfinite(value.item()), loss.__name__
        assert np.isfinite(grad_logits.data).all(), loss.__name__
        assert np.all(grad_logits.data[[0, 1], [1, 0]] == 0), loss.__name__  # masked: no gradient


def test_sparse_crossentropy_of_a_row_holding_plus_inf():
    logits = Tensor(np.array([[1.0, inf], [0.0, 0.0]]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        right = sparse_cross_entropy_with_logits(logits, np.array([1, 0]))
        wrong = sparse_cross_entropy_with_logits(Tensor(logits.data), np.array([0, 0]))
    np.testing.assert_allclose(right.item(), np.log(2) / 2)  # row 0 is certain: loss 0
    assert wrong.item() == inf  # probability 0 given to the true class
    right.backward()
    np.testing.assert_allclose(logits.grad.data, [[0.0, 0.0], [-0.25, 0.25]])


# ---------------------------------------------------------------- kind 3: float16
def test_float16_softmax_over_many_classes_sums_to_one():
    x = Tensor(np.zeros((2, 70_000), dtype=np.float16))
    probabilities = softmax(x)
    assert probabilities.dtype == np.float16
    np.testing.assert_allclose(probabilities.data.astype(np.float64).sum(axis=1), 1.0, rtol=1e-2)
    log_probabilities = log_softmax(x)
    assert log_probabilities.dtype == np.float16
    np.testing.assert_allclose(log_probabilities.data[:, :3], -np.log(70_000), rtol=1e-3)
    np.testing.assert_allclose(logsumexp(x, axis=1).data, np.log(70_000), rtol=1e-3)


@settings(max_examples=15, deadline=None)
@given(classes=st.sampled_from([3, 10, 5_000, 70_000]), scale=st.sampled_from([1.0, 8.0]))
def test_float16_crossentropies_agree_with_float64(classes, scale):
    rng = np.random.default_rng(classes)
    logits16 = (rng.normal(size=(4, classes)) * scale).astype(np.float16)
    labels = rng.integers(0, classes, size=4)
    onehot = np.zeros((4, classes), dtype=np.float16)
    onehot[np.arange(4), labels] = 1.0
    for name, fn in (
        (
            "sparse",
            lambda z: losses.sparse_categorical_crossentropy(labels, activations.softmax(z)),
        ),
        ("categorical", lambda z: losses.categorical_crossentropy(onehot, activations.softmax(z))),
        ("from logits", lambda z: cross_entropy_with_logits(z, onehot)),
    ):
        z16 = Tensor(logits16, requires_grad=True)
        loss16 = fn(z16)
        exact = fn(Tensor(logits16.astype(np.float64)))
        assert loss16.dtype == np.float16, name
        np.testing.assert_allclose(loss16.item(), exact.item(), rtol=2e-3, err_msg=name)
        loss16.backward()
        assert z16.grad.dtype == np.float16 and np.isfinite(z16.grad.data).all(), name


def test_float16_binary_crossentropy_over_many_outputs():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(100_000, 1)).astype(np.float16)
    y = (rng.random((100_000, 1)) < 0.5).astype(np.float16)
    loss16 = losses.binary_crossentropy(y, activations.sigmoid(Tensor(z)))
    exact = losses.binary_crossentropy(y, activations.sigmoid(Tensor(z.astype(np.float64))))
    assert loss16.dtype == np.float16
    np.testing.assert_allclose(loss16.item(), exact.item(), rtol=2e-3)


@pytest.mark.parametrize("row_name", ROWS)
@pytest.mark.parametrize("fn", [softmax, log_softmax])
def test_second_derivatives_of_rows_with_infinities_are_finite(row_name, fn):
    x = Tensor(np.array([ROWS[row_name][0]]), requires_grad=True)
    out = fn(x)
    weights = np.linspace(1.0, 2.0, x.shape[1])
    loss = where(np.isfinite(out.data), out * weights, 0.0).sum()
    (first,) = grad(loss, [x], create_graph=True)
    (second,) = grad((first * first).sum(), [x])
    assert np.isfinite(first.data).all() and np.isfinite(second.data).all()
