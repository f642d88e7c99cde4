"""The fused LSTM step (tinygrad_edu/fused/recurrent.py) gives what its twin gives.

Value, gradient and gradient of gradient, in float64 over hypothesis-drawn
shapes and values; and the LSTM layer, which uses the fused cell with Keras's
default activations, against the same layer run through the twin (masking,
go_backwards, return_state, dropout and recurrent dropout, no bias).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, concatenate, grad, manual_seed, nn
from tinygrad_edu.fused import recurrent
from tinygrad_edu.fused.recurrent import (
    LSTMGates,
    LSTMStep,
    lstm_state_step,
    lstm_state_step_simple,
    lstm_step,
    lstm_step_simple,
    recurrent_linear,
    recurrent_linear_simple,
    transposed_copy,
)
from tinygrad_edu.testing import gradcheck, gradgradcheck


def draw(seed, batch, features, units, use_bias, scale=1.5):
    """x, kernel, h_prev, recurrent_kernel, bias (or None), c_prev, at random."""
    rng = np.random.default_rng(seed)
    shapes = [(batch, features), (features, 4 * units), (batch, units), (units, 4 * units)]
    arrays = [scale * rng.standard_normal(shape) for shape in shapes]
    bias = rng.standard_normal(4 * units) if use_bias else None
    return [*arrays, bias, rng.standard_normal((batch, units))]


def hc_of(step, use_bias):
    """The step as a function of its differentiable inputs, giving [h, c] side by side."""

    def run(x, kernel, h_prev, recurrent_kernel, *rest):
        bias, c_prev = rest if use_bias else (None, *rest)
        return concatenate(list(step(x, kernel, h_prev, recurrent_kernel, bias, c_prev)), axis=1)

    return run


SHAPES = dict(
    batch=st.integers(1, 3),
    features=st.integers(1, 3),
    units=st.integers(1, 3),
    use_bias=st.booleans(),
    seed=st.integers(0, 2**16),
)


@settings(max_examples=20, deadline=None)
@given(**SHAPES)
def test_fused_step_equals_its_twin_in_value_gradient_and_second_order(
    batch, features, units, use_bias, seed
):
    arrays = [a for a in draw(seed, batch, features, units, use_bias) if a is not None]
    results = []
    for step in (lstm_step, lstm_step_simple):
        tensors = [Tensor(a, requires_grad=True) for a in arrays]
        hc = hc_of(step, use_bias)(*tensors)
        upstream = np.random.default_rng(seed + 1).standard_normal(hc.shape)
        firsts = grad((hc * upstream).sum(), tensors, create_graph=True)
        # a second-order quantity: the gradient of a weighted sum of the first gradients
        seconds = grad(sum((g * g).sum() for g in firsts), tensors)
        results.append([hc.data, *(g.data for g in firsts), *(g.data for g in seconds)])
    for fused, twin in zip(*results):
        np.testing.assert_allclose(fused, twin, rtol=1e-10, atol=1e-12)


@settings(max_examples=5, deadline=None)
@given(**SHAPES)
def test_fused_step_gradients_match_central_differences(batch, features, units, use_bias, seed):
    arrays = [a for a in draw(seed, batch, features, units, use_bias) if a is not None]
    assert gradcheck(hc_of(lstm_step, use_bias), arrays)
    assert gradgradcheck(hc_of(lstm_step, use_bias), arrays)


def test_fused_step_keeps_sigmoid_and_tanh_finite_at_extremes():
    x = np.array([[1.0], [-1.0]])
    kernel = np.array([[-1000.0, 1000.0, -1000.0, 1000.0]])
    h_prev, recurrent_kernel, c_prev = np.zeros((2, 1)), np.zeros((1, 4)), np.array([[2.0], [3.0]])
    inputs = [Tensor(a) for a in (x, kernel, h_prev, recurrent_kernel)]
    h, c = lstm_step(*inputs, None, Tensor(c_prev))
    h_twin, c_twin = lstm_step_simple(*inputs, None, Tensor(c_prev))
    np.testing.assert_array_equal(c.data, c_twin.data)  # [[0 * 2 + 1 * -1], [1 * 3 + 0 * 1]]
    np.testing.assert_allclose(h.data, h_twin.data, rtol=1e-15)


def test_only_the_gradients_asked_for_are_made():
    kernel = Tensor(np.ones((3, 8)), requires_grad=True)
    inputs = [np.ones((2, 3)), kernel, np.ones((2, 2)), Tensor(np.ones((2, 8))), None]
    h, c = lstm_step(*inputs, np.ones((2, 2)))  # arrays and tensors that need no gradient
    (g_kernel,) = grad((h + c).sum(), [kernel])
    assert g_kernel.shape == (3, 8)


@pytest.mark.parametrize(("state_shape"), [(2, 3), (2, 5), (4,)])
def test_the_step_refuses_a_state_that_is_not_h_and_c_side_by_side(state_shape):
    inputs = [Tensor(np.ones(s)) for s in [(2, 3), (3, 8), state_shape, (2, 8)]]
    with pytest.raises(
        ValueError, match=r"LSTMStep: expects the state \[h, c\] \(batch, 2 units\)"
    ):
        LSTMStep.apply(*inputs)


@settings(max_examples=10, deadline=None)
@given(**SHAPES)
def test_the_state_step_equals_its_twin_and_central_differences(
    batch, features, units, use_bias, seed
):
    x, kernel, h_prev, recurrent_kernel, bias, c_prev = draw(seed, batch, features, units, use_bias)
    arrays = [x, kernel, np.concatenate([h_prev, c_prev], axis=1), recurrent_kernel]
    arrays += [bias] if use_bias else []

    def of(step, with_transposed=False):
        def run(x, kernel, state, recurrent_kernel, *bias):
            # the transposed copy is made from the recurrent kernel's tensor, as the layer does
            extra = [transposed_copy(recurrent_kernel)] if with_transposed else []
            return step(x, kernel, state, recurrent_kernel, *(bias or [None]), *extra)

        return run

    results = []
    variants = [of(lstm_state_step), of(lstm_state_step, True), of(lstm_state_step_simple)]
    for run in variants:
        tensors = [Tensor(a, requires_grad=True) for a in arrays]
        state = run(*tensors)
        upstream = np.random.default_rng(seed + 1).standard_normal(state.shape)
        firsts = grad((state * upstream).sum(), tensors, create_graph=True)
        seconds = grad(sum((g * g).sum() for g in firsts), tensors)
        results.append([state.data, *(g.data for g in firsts), *(g.data for g in seconds)])
    for fused, with_transposed, twin in zip(*results):
        np.testing.assert_allclose(fused, twin, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(with_transposed, twin, rtol=1e-10, atol=1e-12)
    for run in variants[:2]:
        assert gradcheck(run, arrays)
        assert gradgradcheck(run, arrays)


def test_a_transposed_copy_of_the_wrong_shape_is_refused():
    x, kernel, h, recurrent_kernel = (Tensor(np.ones(s)) for s in [(2, 3), (3, 8), (2, 2), (2, 8)])
    with pytest.raises(
        ValueError, match=r"expects transposed = recurrent_kernel.T of shape \(8, 2\)"
    ):
        recurrent.RecurrentLinear.apply(x, kernel, h, recurrent_kernel, transposed=recurrent_kernel)


def test_gates_refuse_a_width_that_is_not_four_blocks():
    inputs = [Tensor(np.ones(s)) for s in [(2, 3), (3, 6), (2, 1), (1, 6)]]
    with pytest.raises(ValueError, match=r"LSTMGates: expects 4 gates of units columns each"):
        LSTMGates.apply(*inputs)


# ---------------------------------------------------------------- the LSTM layer
def layer_outputs_and_gradients(use_fused, monkeypatch, x, mask=None, training=False, **kwargs):
    if not use_fused:
        monkeypatch.setattr("tinygrad_edu.nn.recurrent.lstm_step", lstm_step_simple)
        monkeypatch.setattr("tinygrad_edu.nn.recurrent.lstm_state_step", lstm_state_step_simple)
    manual_seed(3)
    layer = nn.LSTM(3, return_sequences=True, return_state=True, dtype="float64", **kwargs)
    layer.build((None, *x.shape[1:]))
    rng = np.random.default_rng(7)
    layer.set_weights([rng.standard_normal(w.shape) for w in layer.get_weights()])
    inputs = Tensor(x, requires_grad=True)
    outputs = layer(inputs, mask=mask, training=training)
    loss = sum((o * o).sum() for o in outputs)
    weights = [w for _, w in layer.named_weights()]
    grads = grad(loss, [inputs, *weights])
    monkeypatch.undo()
    return [o.data for o in outputs] + [g.data for g in grads]


@pytest.mark.parametrize(
    ("kwargs", "masked", "training"),
    [
        ({}, False, False),
        ({"go_backwards": True}, False, False),
        ({"go_backwards": True}, True, False),
        ({"zero_output_for_mask": True}, True, False),
        ({"recurrent_dropout": 0.5, "dropout": 0.3}, False, True),
        ({"use_bias": False}, False, False),
    ],
)
def test_lstm_layer_with_the_fused_cell_equals_the_twin(monkeypatch, kwargs, masked, training):
    x = np.random.default_rng(1).standard_normal((2, 4, 2))
    mask = np.array([[True, False, True, True], [True, True, True, False]]) if masked else None
    fused = layer_outputs_and_gradients(True, monkeypatch, x, mask, training, **kwargs)
    twin = layer_outputs_and_gradients(False, monkeypatch, x, mask, training, **kwargs)
    for a, b in zip(fused, twin):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)


def test_lstm_layer_uses_the_fused_cell_only_with_default_activations(monkeypatch):
    calls = []
    monkeypatch.setattr(
        recurrent.LSTMGates, "apply", classmethod(lambda cls, *a, **k: calls.append(1) or 1 / 0)
    )
    x = Tensor(np.ones((1, 2, 3)))
    nn.LSTM(2, activation="relu")(x)  # the twin: the fused node is never called
    assert calls == []
    with pytest.raises(ZeroDivisionError):
        nn.LSTM(2)(x)
    assert calls == [1]


# ---------------------------------------------------------------- RecurrentLinear
@settings(max_examples=15, deadline=None)
@given(
    batch=st.integers(1, 3),
    features=st.integers(1, 3),
    units=st.integers(1, 3),
    n=st.integers(1, 4),
    use_bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_recurrent_linear_equals_its_twin_and_central_differences(
    batch, features, units, n, use_bias, seed
):
    rng = np.random.default_rng(seed)
    arrays = [
        rng.standard_normal(shape)
        for shape in [(batch, features), (features, n), (batch, units), (units, n), (n,)]
    ][: 5 if use_bias else 4]
    results = []
    for fn in (recurrent_linear, recurrent_linear_simple):
        tensors = [Tensor(a, requires_grad=True) for a in arrays]
        out = fn(*tensors)
        firsts = grad((out * out).sum(), tensors, create_graph=True)
        seconds = grad(sum((g * g).sum() for g in firsts), tensors)
        results.append([out.data, *(g.data for g in firsts), *(g.data for g in seconds)])
    for fused, twin in zip(*results):
        np.testing.assert_allclose(fused, twin, rtol=1e-12, atol=1e-13)
    assert gradcheck(recurrent_linear, arrays)
    assert gradgradcheck(recurrent_linear, arrays)


def test_recurrent_linear_refuses_shapes_that_do_not_chain():
    x, kernel, h, recurrent_kernel = (np.ones(s) for s in [(2, 3), (3, 4), (2, 5), (5, 4)])
    with pytest.raises(ValueError, match=r"RecurrentLinear: expects x \(batch, features\)"):
        recurrent_linear(*(Tensor(a) for a in (x, kernel, h, np.ones((5, 3)))))
    with pytest.raises(ValueError, match=r"got shapes \[\(2, 3\), \(3, 4\), \(2, 5\), \(5, 4\)"):
        recurrent_linear(*(Tensor(a) for a in (x, kernel, h, recurrent_kernel)), Tensor(np.ones(3)))


@pytest.mark.parametrize(
    ("kwargs", "training"),
    [
        ({}, False),
        ({"return_sequences": True, "go_backwards": True}, False),
        ({"recurrent_dropout": 0.5, "dropout": 0.3}, True),
        ({"use_bias": False}, False),
    ],
)
def test_the_layer_carrying_one_state_equals_the_step_by_step_loop(kwargs, training):
    # Without a mask the layer carries [h, c] as one tensor and folds the bias into the
    # kernel; a mask that keeps every step runs the plain loop of `step`: the same numbers.
    x = np.random.default_rng(2).standard_normal((3, 5, 2))
    results = []
    for mask in (None, np.ones((3, 5), dtype=bool)):
        manual_seed(4)
        layer = nn.LSTM(3, return_state=True, dtype="float64", **kwargs)
        layer.build((None, 5, 2))
        rng = np.random.default_rng(8)
        layer.set_weights([rng.standard_normal(w.shape) for w in layer.get_weights()])
        inputs = Tensor(x, requires_grad=True)
        outputs = layer(inputs, mask=mask, training=training)
        loss = sum((o * o).sum() for o in outputs)
        grads = grad(loss, [inputs, *(w for _, w in layer.named_weights())])
        results.append([o.data for o in outputs] + [g.data for g in grads])
    for joined, step_by_step in zip(*results):
        np.testing.assert_allclose(joined, step_by_step, rtol=1e-11, atol=1e-13)


def test_the_layer_makes_the_transposed_copy_only_when_a_backward_can_read_it(monkeypatch):
    # transposed_copy serves backward alone: predict (under no_grad) and a frozen layer
    # on constant inputs make none; a training call makes one per sequence, and its
    # gradients are those of the transposed view.
    from tinygrad_edu.nn import recurrent as layer_module

    made = []

    def counting_copy(matrix):
        made.append(matrix.shape)
        return transposed_copy(matrix)

    monkeypatch.setattr(layer_module, "transposed_copy", counting_copy)
    x = np.random.default_rng(3).standard_normal((4, 5, 2))
    manual_seed(5)
    model = nn.Sequential([nn.LSTM(3, input_shape=(5, 2), dtype="float64")])
    predicted = model.predict(x, verbose=0)
    assert made == []
    layer = model.layers[0]
    layer.trainable = False
    frozen = layer(Tensor(x))
    assert made == [] and not frozen.requires_grad
    layer.trainable = True

    results = []
    for copy in (counting_copy, lambda matrix: None):  # None: backward uses the view
        monkeypatch.setattr(layer_module, "transposed_copy", copy)
        inputs = Tensor(x, requires_grad=True)
        out = layer(inputs, training=True)
        grads = grad((out * out).sum(), [inputs, *(w for _, w in layer.named_weights())])
        results.append([out.data] + [g.data for g in grads])
    assert made == [(3, 12)]  # recurrent_kernel, once for the sequence
    np.testing.assert_allclose(results[0][0], predicted, rtol=1e-12)
    np.testing.assert_allclose(frozen.data, predicted, rtol=1e-12)
    for with_copy, with_view in zip(*results):
        np.testing.assert_allclose(with_copy, with_view, rtol=1e-12, atol=1e-14)
