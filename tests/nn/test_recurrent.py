"""SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed: gradients, masks, states, errors.

Keras agreement (values and gradients to float64 precision) is in
test_sequence_goldens.py; here the engine's gradients are checked against central
differences, and the behaviour a learner relies on is spelled out.
"""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, manual_seed, nn
from tinygrad_edu.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)


def set_weight(layer, path, tensor):
    *owners, attribute = path.split(".")
    for owner in owners:
        layer = getattr(layer, owner)
    setattr(layer, attribute, tensor)


def check_layer_gradients(layer, x, second_order=False, **call):
    """gradcheck the layer's outputs against its input and every weight."""
    layer.build((None, *x.shape[1:]))
    paths = [path for path, _ in layer.named_weights()]

    def run(x, *weights):
        for path, weight in zip(paths, weights):
            set_weight(layer, path, weight)
        out = layer(x, **call)
        out = out if isinstance(out, list) else [out]
        return sum((o * o).sum() for o in out)

    arrays = [x, *[w.data.copy() for _, w in layer.named_weights()]]
    assert gradcheck(run, arrays)
    if second_order:
        assert gradgradcheck(run, arrays)


MASK = np.array([[True, False, True], [True, True, False]])


@pytest.mark.parametrize(
    "layer",
    [
        lambda: nn.SimpleRNN(2, return_sequences=True, dtype="float64"),
        lambda: nn.LSTM(2, return_state=True, go_backwards=True, dtype="float64"),
        lambda: nn.GRU(2, return_sequences=True, dtype="float64"),
        lambda: nn.GRU(2, reset_after=False, return_state=True, dtype="float64"),
        lambda: nn.Bidirectional(
            nn.LSTM(2, return_sequences=True, dtype="float64"), dtype="float64"
        ),
    ],
    ids=["simple_rnn", "lstm", "gru", "gru_reset_before", "bidirectional"],
)
def test_gradients_through_time_match_central_differences(layer):
    x = RNG.normal(size=(2, 3, 2))
    check_layer_gradients(layer(), x, mask=MASK)


def test_lstm_second_derivatives():
    check_layer_gradients(
        nn.LSTM(2, dtype="float64"), RNG.normal(size=(1, 2, 2)), second_order=True
    )


def test_time_distributed_and_layer_norm_gradients():
    check_layer_gradients(nn.TimeDistributed(nn.Dense(2, "tanh", dtype="float64"), dtype="float64"),
                          RNG.normal(size=(2, 3, 2)))  # fmt: skip
    check_layer_gradients(nn.LayerNormalization(dtype="float64"), RNG.normal(size=(2, 3, 4)))


def test_a_masked_step_carries_the_state_over():
    layer = nn.LSTM(3, return_sequences=True, return_state=True, dtype="float64")
    x = RNG.normal(size=(1, 4, 2))
    keep = np.array([[True, True, False, False]])
    out, h, c = layer(x, mask=keep)
    short, h_short, c_short = layer(x[:, :2])
    np.testing.assert_allclose(h.numpy(), h_short.numpy())  # padded steps change nothing
    np.testing.assert_allclose(c.numpy(), c_short.numpy())
    np.testing.assert_allclose(out.numpy()[:, 2], short.numpy()[:, 1])  # output repeats


def test_go_backwards_reads_the_sequence_from_its_end():
    layer = nn.GRU(3, return_sequences=True, dtype="float64")
    backwards = nn.GRU(3, return_sequences=True, go_backwards=True, dtype="float64")
    x = RNG.normal(size=(2, 4, 2))
    layer.build((None, 4, 2))
    backwards.build((None, 4, 2))
    for mine, theirs in zip(backwards.weights, layer.weights):
        mine.data[...] = theirs.data
    # The same as reading the reversed sequence forwards; outputs in reading order.
    np.testing.assert_allclose(backwards(x).numpy(), layer(x[:, ::-1]).numpy())


def test_lstm_starts_with_a_forget_bias_of_one_and_keras_shapes():
    layer = nn.LSTM(3, input_shape=(5, 2))
    assert [w.shape for w in layer.weights] == [(2, 12), (3, 12), (12,)]
    np.testing.assert_array_equal(layer.bias.numpy(), [0, 0, 0, 1, 1, 1] + [0] * 6)
    recurrent = layer.recurrent_kernel.numpy().astype(np.float64)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(3), atol=1e-6)  # orthogonal
    assert nn.LSTM(3, unit_forget_bias=False, input_shape=(5, 2)).bias.numpy().sum() == 0
    assert [w.shape for w in nn.GRU(3, input_shape=(5, 2)).weights] == [(2, 9), (3, 9), (2, 9)]
    assert nn.GRU(3, reset_after=False, input_shape=(5, 2)).bias.shape == (9,)


def test_initial_state_is_used_and_gets_gradients():
    layer = nn.SimpleRNN(2, dtype="float64")
    start = Tensor(RNG.normal(size=(1, 2)), requires_grad=True)
    out = layer(RNG.normal(size=(1, 3, 2)), initial_state=[start])
    out.sum().backward()
    assert start.grad is not None and np.abs(start.grad.numpy()).sum() > 0
    with pytest.raises(ValueError, match="initial_state must be 1 tensor"):
        layer(RNG.normal(size=(1, 3, 2)), initial_state=[start, start])


def test_dropout_only_in_training():
    manual_seed(0)
    layer = nn.LSTM(4, dropout=0.5, recurrent_dropout=0.5)
    x = RNG.normal(size=(2, 3, 2)).astype(np.float32)
    first = layer(x).numpy()
    np.testing.assert_array_equal(first, layer(x).numpy())
    assert not np.allclose(first, layer(x, training=True).numpy())


def test_a_masked_sequence_model_learns(tmp_path):
    manual_seed(0)
    model = nn.Sequential([nn.Embedding(6, 4, mask_zero=True), nn.LSTM(8), nn.Dense(2, "softmax")])
    model.compile(
        nn.optimizers.Adam(learning_rate=0.03),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(1)
    ids = rng.integers(1, 6, size=(64, 5))
    ids[rng.random((64, 5)) < 0.3] = 0  # padding anywhere
    labels = (ids == 3).any(axis=1).astype(int)  # does token 3 appear?
    history = model.fit(ids, labels, epochs=25, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="units must be a positive integer"):
        nn.LSTM(0)
    with pytest.raises(ValueError, match="dropout must be a number"):
        nn.GRU(2, dropout=1.0)
    with pytest.raises(ValueError, match=r"sequences of shape \(batch, steps, features\)"):
        nn.SimpleRNN(2)(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="mask must have shape"):
        nn.SimpleRNN(2)(np.zeros((2, 3, 1)), mask=np.ones((2, 4), bool))
    with pytest.raises(TypeError, match="expected a recurrent layer"):
        nn.Bidirectional(nn.Dense(2))
    with pytest.raises(ValueError, match="merge_mode"):
        nn.Bidirectional(nn.LSTM(2), merge_mode="max")
