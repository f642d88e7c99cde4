"""softmax, log_softmax, logsumexp and the cross-entropies: derivatives and stability."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import Tensor, grad
from tinygrad_edu.functional import (
    cross_entropy_with_logits,
    log_softmax,
    logsumexp,
    softmax,
    sparse_cross_entropy_with_logits,
)
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import float_arrays, shapes

from .ops import check_reference


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_hessian_product(s, v, axis):
    """J v for the softmax Jacobian J = diag(s) - s s^T (J is symmetric)."""
    return s * v - s * (s * v).sum(axis=axis, keepdims=True)


@st.composite
def array_and_axis(draw, min_dims=1):
    shape = draw(shapes(min_dims=min_dims, max_dims=3, max_side=4))
    axis = draw(st.integers(-len(shape), len(shape) - 1)) if shape else None
    return draw(float_arrays(shape, min_value=-5, max_value=5)), axis


# ---------------------------------------------------------------- softmax and log_softmax
@given(array_and_axis())
def test_softmax_derivatives(drawn):
    x, axis = drawn

    def op(t):
        return softmax(t, axis=axis)

    assert gradcheck(op, [x])
    assert gradgradcheck(op, [x])

    def reference(arrays, c, weights):
        # g = J c;  d/dx (w . J c) = J u with u = w*c - w (s.c) - c (w.s)
        (x,), (w,) = arrays, weights
        s = np_softmax(x, axis)
        first = softmax_hessian_product(s, c, axis)
        u = (
            w * c
            - w * (s * c).sum(axis=axis, keepdims=True)
            - c * (w * s).sum(axis=axis, keepdims=True)
        )
        return s, [first], [softmax_hessian_product(s, u, axis)]

    check_reference(op, [x], reference)
    np.testing.assert_allclose(Tensor(x).softmax(axis).data, np_softmax(x, axis), rtol=1e-12)


@given(array_and_axis())
def test_log_softmax_derivatives(drawn):
    x, axis = drawn

    def op(t):
        return log_softmax(t, axis=axis)

    assert gradcheck(op, [x])
    assert gradgradcheck(op, [x])

    def reference(arrays, c, weights):
        # y = x - logsumexp(x):  g = c - s sum(c);  d/dx (w . g) = -sum(c) J w
        (x,), (w,) = arrays, weights
        s = np_softmax(x, axis)
        total = c.sum(axis=axis, keepdims=True)
        first = c - s * total
        second = -total * softmax_hessian_product(s, w, axis)
        return np.log(s), [first], [second]

    check_reference(op, [x], reference)


@given(array_and_axis(min_dims=0), st.booleans(), st.booleans())
def test_logsumexp_derivatives(drawn, keepdims, over_all_axes):
    x, axis = drawn
    axis = None if over_all_axes else axis

    def op(t):
        return logsumexp(t, axis=axis, keepdims=keepdims)

    assert gradcheck(op, [x])
    assert gradgradcheck(op, [x])

    def reference(arrays, c, weights):
        # d logsumexp / dx = softmax(x);  d/dx (w . c softmax) = c J w
        (x,), (w,) = arrays, weights
        axes = tuple(range(x.ndim)) if axis is None else (axis % x.ndim,)
        biggest = x.max(axis=axes, keepdims=True)
        value = np.log(np.exp(x - biggest).sum(axis=axes, keepdims=True)) + biggest
        s = np.exp(x - value)
        spread = c if keepdims or not axes else np.expand_dims(c, axes)
        first = spread * s
        second = spread * (s * w - s * (s * w).sum(axis=axes, keepdims=True))
        return (value if keepdims else value.squeeze(axes)), [first], [second]

    check_reference(op, [x], reference)


# ---------------------------------------------------------------- cross-entropies
@st.composite
def logits_and_labels(draw):
    batch, classes = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    logits = draw(float_arrays((batch, classes), min_value=-5, max_value=5))
    labels = np.array(draw(st.lists(st.integers(0, classes - 1), min_size=batch, max_size=batch)))
    return logits, labels


@given(logits_and_labels())
def test_sparse_cross_entropy_derivatives(drawn):
    logits, labels = drawn

    def op(z):
        return sparse_cross_entropy_with_logits(z, labels)

    assert gradcheck(op, [logits])
    assert gradgradcheck(op, [logits])

    def reference(arrays, c, weights):
        # loss = -mean log softmax[label]:  g = c (s - onehot) / N;  second = c J w / N
        (z,), (w,) = arrays, weights
        s = np_softmax(z, -1)
        onehot = np.eye(z.shape[1])[labels]
        n = z.shape[0]
        value = -np.mean(np.log(s[np.arange(n), labels]))
        return value, [c * (s - onehot) / n], [c * softmax_hessian_product(s, w, -1) / n]

    check_reference(op, [logits], reference)


@given(logits_and_labels(), st.data())
def test_cross_entropy_with_probability_targets_derivatives(drawn, data):
    logits, _ = drawn
    raw = data.draw(float_arrays(logits.shape, min_value=0.1, max_value=1.0))
    targets = raw / raw.sum(axis=1, keepdims=True)

    assert gradcheck(cross_entropy_with_logits, [logits, targets])  # both are differentiable
    assert gradgradcheck(cross_entropy_with_logits, [logits, targets])

    def op(z):
        return cross_entropy_with_logits(z, targets)

    def reference(arrays, c, weights):
        # loss = -mean sum t log softmax:  g = c (s sum(t) - t) / N;  second = c sum(t) J w / N
        (z,), (w,) = arrays, weights
        s = np_softmax(z, -1)
        total = targets.sum(axis=1, keepdims=True)
        n = z.shape[0]
        value = -np.mean((targets * np.log(s)).sum(axis=1))
        first = c * (s * total - targets) / n
        second = c * total * softmax_hessian_product(s, w, -1) / n
        return value, [first], [second]

    check_reference(op, [logits], reference)


def test_sparse_and_dense_cross_entropy_agree_on_one_hot_targets():
    logits = Tensor(np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]]))
    labels = np.array([2, 1])
    sparse = sparse_cross_entropy_with_logits(logits, labels).item()
    dense = cross_entropy_with_logits(logits, np.eye(3)[labels]).item()
    assert sparse == pytest.approx(dense, rel=1e-6)


# ---------------------------------------------------------------- large logits
EXTREME = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0], [5.0, -3.0, 1.0]])


def _silently(compute):
    """Run with NumPy errors and all warnings raised. Underflow to 0 is the right
    answer for exp(-2000), so only underflow is let through."""
    with np.errstate(all="raise", under="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        return compute()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "name, op",
    [
        ("softmax", lambda z: softmax(z, axis=-1)),
        ("log_softmax", lambda z: log_softmax(z, axis=-1)),
        ("logsumexp", lambda z: logsumexp(z, axis=-1)),
        (
            "sparse_cross_entropy",
            lambda z: sparse_cross_entropy_with_logits(z, np.array([0, 1, 2])),
        ),
        ("cross_entropy", lambda z: cross_entropy_with_logits(z, np.eye(3, dtype=z.dtype))),
    ],
)
def test_finite_values_and_gradients_at_plus_minus_1000(name, op, dtype):
    z = Tensor(EXTREME.astype(dtype), requires_grad=True)

    def compute():
        y = op(z)
        cotangent = np.linspace(0.5, 1.5, y.size).reshape(y.shape).astype(dtype)
        (g,) = grad((y * cotangent).sum(), z, create_graph=True)
        (g2,) = grad((g * g).sum(), z)
        return y, g, g2

    y, g, g2 = _silently(compute)
    for t in (y, g, g2):
        assert t.dtype == dtype, name
        assert np.all(np.isfinite(t.data)), (name, t)


def test_softmax_and_log_softmax_values_at_plus_minus_1000():
    z = Tensor(EXTREME[:2])
    np.testing.assert_allclose(softmax(z).data, [[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]], atol=1e-12)
    np.testing.assert_allclose(
        log_softmax(z).data, [[-2000.0, -1000.0, 0.0], [-np.log(2), -np.log(2), -2000 - np.log(2)]]
    )
    np.testing.assert_allclose(logsumexp(z, axis=-1).data, [1000.0, 1000.0 + np.log(2)])
    assert sparse_cross_entropy_with_logits(z, np.array([2, 0])).item() == pytest.approx(
        np.log(2) / 2
    )


# ---------------------------------------------------------------- the fused last step
def test_sparse_cross_entropy_is_log_softmax_then_one_node_that_frees_its_derivative():
    logits = Tensor(np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]], dtype=np.float32), True)
    loss = sparse_cross_entropy_with_logits(logits, np.array([2, 1]))
    assert loss.dtype == np.float32 and loss.shape == ()
    node = loss.grad_fn
    assert node.name == "NegativeLogLikelihood"
    assert node.inputs[0].grad_fn.name == "LogSoftmax"
    loss.backward()
    assert node.released and node.derivative is None  # nothing kept after backward
    expected = (np_softmax(logits.data, -1) - np.eye(3)[[2, 1]]) / 2
    np.testing.assert_allclose(logits.grad.data, expected, rtol=1e-6)
    assert logits.grad.dtype == np.float32


def test_sparse_cross_entropy_names_itself_when_a_label_is_out_of_range():
    with pytest.raises(IndexError, match="NegativeLogLikelihood"):
        sparse_cross_entropy_with_logits(Tensor(np.zeros((2, 3)), True), np.array([0, 3]))
