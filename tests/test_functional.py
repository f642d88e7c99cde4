"""softmax, log_softmax, logsumexp, the cross-entropies and Linear: derivatives and stability."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import Tensor, enable_grad, grad, no_grad
from tinygrad_edu.functional import (
    cross_entropy_with_logits,
    linear,
    log_softmax,
    logsumexp,
    softmax,
    sparse_cross_entropy_with_logits,
)
from tinygrad_edu.fused.nodes import (
    Linear,
    LinearRelu,
    linear_relu_simple,
    linear_simple,
    sparse_cross_entropy_simple,
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
def test_sparse_cross_entropy_is_one_node_on_the_logits_that_frees_what_it_saved():
    logits = Tensor(np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]], dtype=np.float32), True)
    loss = sparse_cross_entropy_with_logits(logits, np.array([2, 1]))
    assert loss.dtype == np.float32 and loss.shape == ()
    log_p = np.log(np_softmax(logits.data.astype(np.float64), -1))
    np.testing.assert_allclose(loss.item(), -log_p[[0, 1], [2, 1]].mean(), rtol=1e-6)
    node = loss.grad_fn
    assert node.name == "SparseSoftmaxCrossEntropy"
    assert node.inputs == (logits,)
    loss.backward()
    assert node.released and node.saved_tensors == ()  # nothing kept after backward
    expected = (np_softmax(logits.data, -1) - np.eye(3)[[2, 1]]) / 2
    np.testing.assert_allclose(logits.grad.data, expected, rtol=1e-6)
    assert logits.grad.dtype == np.float32


def test_sparse_cross_entropy_names_itself_when_a_label_is_out_of_range():
    with pytest.raises(IndexError, match="SparseSoftmaxCrossEntropy"):
        sparse_cross_entropy_with_logits(Tensor(np.zeros((2, 3)), True), np.array([0, 3]))


@pytest.mark.parametrize("bad_label", [-1, 3])
def test_sparse_cross_entropy_refuses_labels_outside_the_classes(bad_label):
    """-1 would pick the last class through NumPy's indexing: refused, like 3."""
    logits = Tensor(np.zeros((2, 3)), True)
    with pytest.raises(IndexError, match=rf"\[0, 3\).*\[{bad_label}\]"):
        sparse_cross_entropy_with_logits(logits, np.array([0, bad_label]))


@pytest.mark.parametrize(
    "labels", [np.array([[0], [1]]), np.array([0, 1, 2]), np.array([0.0, 1.0])], ids=str
)
def test_sparse_cross_entropy_refuses_labels_of_the_wrong_shape_or_dtype(labels):
    """Labels of shape (2, 1) would broadcast against the rows into a (2, 2) table."""
    with pytest.raises(ValueError, match=r"integer class indices of shape \(2,\)"):
        sparse_cross_entropy_with_logits(Tensor(np.zeros((2, 3)), True), labels)


# ---------------------------------------------------------------- Linear: x @ weight + bias
@st.composite
def linear_inputs(draw):
    """x (batch, features), weight (features, units) and bias (units,) of random sizes."""
    batch, features, units = (draw(st.integers(1, 4)) for _ in range(3))
    return (
        draw(float_arrays((batch, features))),
        draw(float_arrays((features, units))),
        draw(float_arrays((units,))),
    )


def linear_reference(arrays, c, weights):
    # y = x w + b:  first = (c w^T, x^T c, sum_rows c);
    # d/dx sum(u_w * x^T c) = c u_w^T,  d/dw sum(u_x * c w^T) = u_x^T c,  nothing for b
    (x, w, b), (u_x, u_w, _) = arrays, weights
    first = [c @ w.T, x.T @ c, c.sum(axis=0)]
    second = [c @ u_w.T, u_x.T @ c, np.zeros_like(b)]
    return x @ w + b, first, second


@given(linear_inputs())
def test_linear_derivatives(arrays):
    assert gradcheck(Linear.apply, arrays)
    assert gradgradcheck(Linear.apply, arrays)
    check_reference(Linear.apply, arrays, linear_reference)
    x, w, b = arrays
    y = Linear.apply(Tensor(x), Tensor(w), Tensor(b))
    np.testing.assert_allclose(y.data, x @ w + b, rtol=1e-12, atol=1e-15)


@given(linear_inputs(), st.data())
def test_linear_relu_equals_its_twin_in_value_gradient_and_second_order(arrays, data):
    # gradcheck needs no kink nearby: keep every pre-activation away from 0
    x, w, b = arrays
    pre = x @ w + b
    b = b + np.where(np.abs(pre) < 0.1, 0.5, 0.0).max(axis=0)  # same shift for a column
    if np.any(np.abs(x @ w + b) < 0.05):
        return
    arrays = (x, w, b)
    assert gradcheck(LinearRelu.apply, arrays)
    assert gradgradcheck(LinearRelu.apply, arrays)
    cotangent = data.draw(float_arrays((x.shape[0], w.shape[1])))
    results = []
    for op in (LinearRelu.apply, linear_relu_simple):
        inputs = [Tensor(a, requires_grad=True) for a in arrays]
        y = op(*inputs)
        first = grad((y * cotangent).sum(), inputs, create_graph=True)
        second = grad(sum((g * g).sum() for g in first[:2]), inputs[:2], allow_unused=True)
        results.append([y, *first, *second])
    for fused, twin in zip(*results):
        np.testing.assert_allclose(fused.data, twin.data, rtol=1e-12, atol=1e-14)


def test_linear_relu_passes_no_gradient_where_the_output_is_zero():
    x = Tensor(np.array([[1.0, -1.0]]), requires_grad=True)
    w = Tensor(np.eye(2), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    y = LinearRelu.apply(x, w, b)
    np.testing.assert_array_equal(y.data, [[1.0, 0.0]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1.0, 0.0]])
    np.testing.assert_array_equal(b.grad.data, [1.0, 0.0])  # relu'(0) = 0, as Relu's


@given(linear_inputs(), st.data())
def test_linear_backward_gives_the_same_numbers_with_and_without_create_graph(arrays, data):
    # One formula on Tensors: with create_graph its work is recorded, without it not.
    cotangent = data.draw(float_arrays((arrays[0].shape[0], arrays[1].shape[1])))

    def gradients(create_graph):
        inputs = [Tensor(a, requires_grad=True) for a in arrays]
        y = Linear.apply(*inputs)
        return grad((y * cotangent).sum(), inputs, create_graph=create_graph)

    plain, recorded = gradients(False), gradients(True)
    assert not any(g.requires_grad for g in plain)
    # recorded: d/dx depends on the weight and d/dw on x; d/db is a constant
    assert [g.requires_grad for g in recorded] == [True, True, False]
    for p, r in zip(plain, recorded):
        np.testing.assert_allclose(p.data, r.data, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("create_graph", [False, True])
def test_linear_gives_no_gradient_to_an_input_that_does_not_need_one(create_graph):
    rng = np.random.default_rng(4)
    x = Tensor(rng.standard_normal((3, 2)))  # a batch of data: no gradient wanted
    w = Tensor(rng.standard_normal((2, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    y = Linear.apply(x, w, b)
    assert y.grad_fn.needs_input_grad == (False, True, True)
    seed = Tensor(rng.standard_normal((3, 4)))
    with enable_grad() if create_graph else no_grad():  # as backward(create_graph=...) runs it
        grad_x, grad_w, grad_b = y.grad_fn.backward(seed)
    assert grad_x is None
    np.testing.assert_allclose(grad_w.data, x.data.T @ seed.data, rtol=1e-12)
    np.testing.assert_allclose(grad_b.data, seed.data.sum(axis=0), rtol=1e-12)

    (y * seed).sum().backward(create_graph=create_graph)
    assert x.grad is None
    np.testing.assert_allclose(w.grad.data, x.data.T @ seed.data, rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, seed.data.sum(axis=0), rtol=1e-12)


def test_linear_in_float32_stays_float32():
    rng = np.random.default_rng(5)
    x = Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    b = Tensor(rng.standard_normal(2).astype(np.float32), requires_grad=True)
    y = Linear.apply(x, w, b)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, x.data @ w.data + b.data, rtol=1e-6)
    y.sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_linear_with_a_float64_bias_promotes_as_numpy_does():
    rng = np.random.default_rng(6)
    x32 = rng.standard_normal((4, 3)).astype(np.float32)
    w32 = rng.standard_normal((3, 2)).astype(np.float32)
    b64 = rng.standard_normal(2)
    x, w = Tensor(x32, requires_grad=True), Tensor(w32, requires_grad=True)
    b = Tensor(b64, requires_grad=True)
    y = Linear.apply(x, w, b)
    expected = x32 @ w32 + b64
    assert expected.dtype == y.dtype == np.float64
    np.testing.assert_array_equal(y.data, expected)
    y.sum().backward()  # each gradient comes back in its own tensor's dtype
    assert (x.grad.dtype, w.grad.dtype, b.grad.dtype) == (np.float32, np.float32, np.float64)
    np.testing.assert_array_equal(b.grad.data, [4.0, 4.0])


@pytest.mark.parametrize(
    "x_shape, bias_shape",
    [((3,), (2,)), ((5, 4, 3), (2,)), ((4, 3), (1, 2))],
    ids=["1-D x", "3-D x", "bias (1, units)"],
)
def test_linear_refuses_other_shapes_naming_itself_and_the_shapes(x_shape, bias_shape):
    x, w, b = Tensor(np.ones(x_shape)), Tensor(np.ones((3, 2)), True), Tensor(np.ones(bias_shape))
    shapes_text = re.escape(f"{x_shape}, (3, 2) and {bias_shape}")
    with pytest.raises(ValueError, match=rf"^Linear: .*{shapes_text}.*x @ weight \+ bias"):
        Linear.apply(x, w, b)


def test_linear_function_is_one_node_for_a_batch_of_rows():
    x, w, b = Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4)), True), Tensor(np.ones(4), True)
    y = linear(x, w, b)
    assert y.grad_fn.name == "Linear" and y.grad_fn.inputs == (x, w, b)
    np.testing.assert_array_equal(y.data, np.full((2, 4), 4.0))


# ---------------------------------------------------------------- the composite twins
def value_gradient_and_second_order(function, arrays, cotangent):
    """function(*arrays), its gradients for `cotangent`, and the gradients of their squares."""
    inputs = [Tensor(a, requires_grad=True) for a in arrays]
    y = function(*inputs)
    first = grad((y * cotangent).sum(), inputs, create_graph=True)
    recorded = [(g * g).sum() for g in first if g.requires_grad]
    second = grad(recorded, inputs, allow_unused=True) if recorded else []
    return [y, *first, *second]


def assert_same_numbers(fused, composite):
    assert len(fused) == len(composite)
    for f, c in zip(fused, composite):
        assert (f is None) == (c is None)
        if f is not None:
            assert f.shape == c.shape and f.dtype == c.dtype
            np.testing.assert_allclose(f.data, c.data, rtol=1e-10, atol=1e-12)


@given(linear_inputs(), st.data())
def test_linear_and_its_composite_twin_agree_to_the_second_order(arrays, data):
    cotangent = data.draw(float_arrays((arrays[0].shape[0], arrays[1].shape[1])))
    fused = value_gradient_and_second_order(Linear.apply, arrays, cotangent)
    composite = value_gradient_and_second_order(linear_simple, arrays, cotangent)
    assert_same_numbers(fused, composite)
    assert fused[0].grad_fn.name == "Linear" and composite[0].grad_fn.name == "Add"


@given(logits_and_labels(), st.data())
def test_sparse_cross_entropy_and_its_composite_twin_agree_to_the_second_order(drawn, data):
    logits, labels = drawn
    cotangent = data.draw(st.floats(0.5, 2.0))
    fused = value_gradient_and_second_order(
        lambda z: sparse_cross_entropy_with_logits(z, labels), [logits], cotangent
    )
    composite = value_gradient_and_second_order(
        lambda z: sparse_cross_entropy_simple(z, labels), [logits], cotangent
    )
    assert_same_numbers(fused, composite)
    assert fused[0].grad_fn.name == "SparseSoftmaxCrossEntropy"


def test_the_walk_never_writes_into_a_gradient_someone_else_holds_nor_shares_a_grad():
    """Each .grad gets an array of its own; seeds, captured and retained gradients stay as given."""
    rng = np.random.default_rng(8)
    seed = np.arange(20.0).reshape(4, 5) - 7.0
    for how in ("seed", "passed twice", "passed on as a view", "retain_grad", "captured"):
        x = Tensor(rng.standard_normal((4, 3)))
        w = Tensor(rng.standard_normal((3, 5)), requires_grad=True)
        b = Tensor(rng.standard_normal(5), requires_grad=True)
        shift = Tensor(np.zeros((4, 5)), requires_grad=True)
        y = linear(x, w, b).relu()
        if how == "seed":
            y.backward(seed)
            kept = seed
        elif how == "passed twice":  # Add gives y and shift the same gradient array
            ((y + shift) * Tensor(seed)).sum().backward()
            kept = shift.grad.data
        elif how == "passed on as a view":  # then a reshape hands a view of it to flat
            flat = Tensor(np.zeros(20), requires_grad=True)
            ((y + flat.reshape(4, 5)) * Tensor(seed)).sum().backward()
            kept = flat.grad.data.reshape(4, 5)
        elif how == "retain_grad":
            y.retain_grad()
            (y * Tensor(seed)).sum().backward()
            kept = y.grad.data
        else:
            kept = grad((y * Tensor(seed)).sum(), [y], retain_graph=True)[0].data
            (y * Tensor(seed)).sum().backward()
        np.testing.assert_array_equal(kept, np.arange(20.0).reshape(4, 5) - 7.0, err_msg=how)
        assert not np.shares_memory(w.grad.data, kept) and w.grad.data.flags.writeable
        w.grad.data *= 0.0  # as an optimizer may: nobody else sees it
        np.testing.assert_array_equal(kept, np.arange(20.0).reshape(4, 5) - 7.0, err_msg=how)


@st.composite
def sequence_batch(draw):
    """x (batch, time, features), weight and bias: a Dense layer applied at every time step."""
    batch, time, features, units = (draw(st.integers(1, 3)) for _ in range(4))
    return (
        draw(float_arrays((batch, time, features))),
        draw(float_arrays((features, units))),
        draw(float_arrays((units,))),
    )


@given(sequence_batch())
def test_linear_function_falls_back_to_matmul_and_add_for_other_shapes(arrays):
    x, w, b = arrays
    y = linear(Tensor(x, requires_grad=True), Tensor(w, requires_grad=True), Tensor(b))
    assert y.grad_fn.name == "Add" and y.grad_fn.inputs[0].grad_fn.name == "MatMul"
    np.testing.assert_allclose(y.data, x @ w + b, rtol=1e-12, atol=1e-15)
    assert gradcheck(linear, [x, w, b])
    assert gradgradcheck(linear, [x, w, b])

    rows, _, _ = arrays  # without a bias: only the product, also for a 2-D batch
    for batch in (rows, rows[:, 0, :]):
        no_bias = linear(Tensor(batch, requires_grad=True), Tensor(w, requires_grad=True))
        assert no_bias.grad_fn.name == "MatMul"
        np.testing.assert_allclose(no_bias.data, batch @ w, rtol=1e-12, atol=1e-15)
        assert gradcheck(lambda t, v: linear(t, v), [batch, w])


def test_sparse_cross_entropy_refuses_logits_that_are_not_2d():
    with pytest.raises(ValueError, match="SparseSoftmaxCrossEntropy.*batch, classes"):
        sparse_cross_entropy_with_logits(Tensor(np.zeros((2, 3, 4)), True), np.zeros(2, int))
