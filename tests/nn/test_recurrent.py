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
        layer = layer[int(owner)] if isinstance(layer, list) else getattr(layer, owner)
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


# ------------------------------------------------------------------ cells and RNN(cell)
@pytest.mark.parametrize(
    "layer, cell",
    [
        (lambda: nn.SimpleRNN(3, return_sequences=True), lambda: nn.SimpleRNNCell(3)),
        (lambda: nn.LSTM(3, return_state=True), lambda: nn.LSTMCell(3)),
        (lambda: nn.GRU(3, reset_after=False), lambda: nn.GRUCell(3, reset_after=False)),
    ],
    ids=["simple_rnn", "lstm", "gru"],
)
def test_rnn_of_a_cell_is_the_layer_with_the_same_weights(layer, cell):
    layer = layer()
    kind = dict(return_sequences=layer.return_sequences, return_state=layer.return_state)
    generic = nn.RNN(cell(), **kind, go_backwards=True)
    layer.go_backwards = True
    x = RNG.normal(size=(2, 4, 2)).astype(np.float32)
    layer.build((None, 4, 2))
    generic.build((None, 4, 2))
    assert [w.shape for w in generic.get_weights()] == [w.shape for w in layer.get_weights()]
    generic.set_weights(layer.get_weights())
    ours, theirs = layer(x, mask=MASK[:, [0, 1, 2, 2]]), generic(x, mask=MASK[:, [0, 1, 2, 2]])
    for a, b in zip(
        ours if isinstance(ours, list) else [ours], theirs if kind["return_state"] else [theirs]
    ):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert [name for name, _ in generic.named_weights()][0] == "cell.kernel"


class RunningSumCell(nn.Layer):
    """A cell of a user's own: h = tanh(x W + h U), a running sum of h as a second state,
    and 2 h as the output (so the output is not the first state)."""

    def __init__(self, units, name=None, dtype="float64"):
        super().__init__(name=name, dtype=dtype)
        self.units = units
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        self.add_weight("kernel", (input_shape[-1], self.units), "glorot_uniform")
        self.add_weight("recurrent_kernel", (self.units, self.units), "orthogonal")
        super().build(input_shape)

    def call(self, inputs, states):
        h_prev, total = states
        h = (inputs @ self.kernel + h_prev @ self.recurrent_kernel).tanh()
        return 2.0 * h, [h, total + h]


def test_a_users_cell_runs_with_gradients_through_time():
    layer = nn.RNN(RunningSumCell(2), return_state=True, dtype="float64")
    check_layer_gradients(layer, RNG.normal(size=(2, 3, 2)), mask=MASK)
    out, h, total = layer(RNG.normal(size=(2, 3, 2)))
    np.testing.assert_allclose(out.numpy(), 2 * h.numpy())
    assert total.shape == (2, 2)


def test_a_users_cell_saves_with_custom_objects(tmp_path):
    model = nn.Sequential([nn.RNN(RunningSumCell(2), input_shape=(3, 2), dtype="float64")])
    model.save(tmp_path / "m.zip")
    loaded = nn.load_model(tmp_path / "m.zip", custom_objects={"RunningSumCell": RunningSumCell})
    x = RNG.normal(size=(2, 3, 2))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_stacked_cells_feed_each_other_and_gradients_flow():
    cells = [nn.SimpleRNNCell(3, dtype="float64"), nn.LSTMCell(2, dtype="float64")]
    layer = nn.RNN(cells, return_sequences=True, return_state=True, dtype="float64")
    assert isinstance(layer.cell, nn.StackedRNNCells) and layer.cell.state_size == [3, 2, 2]
    check_layer_gradients(layer, RNG.normal(size=(2, 3, 2)), mask=MASK)
    # The same as the two layers one after the other.
    x = RNG.normal(size=(2, 3, 2))
    first = nn.SimpleRNN(3, return_sequences=True, dtype="float64")
    second = nn.LSTM(2, return_sequences=True, dtype="float64")
    first.build((None, 3, 2))
    second.build((None, 3, 3))
    first.set_weights(layer.get_weights()[:3])
    second.set_weights(layer.get_weights()[3:])
    np.testing.assert_allclose(layer(x)[0].numpy(), second(first(x)).numpy(), rtol=1e-12)


def test_a_cells_regularizers_count_in_the_rnns_losses():
    layer = nn.RNN(nn.LSTMCell(2, kernel_regularizer="l2", recurrent_regularizer="l1"))
    layer.build((None, 3, 2))
    kernel, recurrent = layer.cell.kernel.numpy(), layer.cell.recurrent_kernel.numpy()
    expected = 0.01 * (kernel**2).sum() + 0.01 * np.abs(recurrent).sum()
    np.testing.assert_allclose(sum(loss.item() for loss in layer.losses), expected, rtol=1e-5)


def test_a_cell_is_one_step():
    cell = nn.LSTMCell(2, dtype="float64")
    h, c = np.zeros((1, 2)), np.zeros((1, 2))
    output, (h, c) = cell(np.ones((1, 3)), [h, c])
    assert output.shape == (1, 2) and output is h and cell.state_size == [2, 2]
    assert nn.GRUCell(4).state_size == 4 and nn.SimpleRNNCell(4).output_size == 4


def test_bad_cells_are_clear_errors():
    with pytest.raises(TypeError, match="expected a cell"):
        nn.RNN(lambda x, s: (x, s))
    with pytest.raises(ValueError, match="needs a state_size"):
        nn.RNN(nn.Dense(2))
    with pytest.raises(ValueError, match=r"cell\(inputs, states\)"):
        nn.LSTMCell(2)(np.ones((1, 3)))


# ------------------------------------------------------------------ stateful
def test_stateful_carries_the_final_state_to_the_next_batch():
    x = RNG.normal(size=(2, 6, 3))
    whole = nn.GRU(4, return_sequences=True, dtype="float64")
    stateful = nn.GRU(4, return_sequences=True, stateful=True, dtype="float64")
    whole.build((None, 6, 3))
    stateful.build((None, 3, 3))
    stateful.set_weights(whole.get_weights())
    halves = [stateful(x[:, :3]).numpy(), stateful(x[:, 3:]).numpy()]
    np.testing.assert_allclose(np.concatenate(halves, axis=1), whole(x).numpy(), rtol=1e-12)
    assert stateful.states[0].requires_grad is False  # values: no graph across batches
    stateful.reset_states()
    np.testing.assert_allclose(stateful(x[:, 3:]).numpy(), whole(x[:, 3:]).numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="same batch size in every call.*expected 2, got 1"):
        stateful(x[:1, :3])
    with pytest.raises(AttributeError, match="stateful=True"):
        whole.reset_states()


def test_stateful_lstm_in_a_model_fits_predicts_and_saves(tmp_path):
    manual_seed(0)
    model = nn.Sequential([nn.LSTM(3, stateful=True, input_shape=(4, 2)), nn.Dense(1)])
    model.compile("adam", "mse")
    x, y = RNG.normal(size=(8, 4, 2)).astype(np.float32), RNG.normal(size=(8, 1))
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    lstm = model.layers[0]
    assert lstm.states[0].shape == (4, 3) and np.abs(lstm.states[0].numpy()).sum() > 0
    first = model.predict(x[:4], verbose=0)
    assert not np.allclose(first, model.predict(x[:4], verbose=0))  # the state moved on
    with pytest.raises(ValueError, match="batch_size that divides"):
        model.predict(x[:3], verbose=0)
    carried = lstm.states[0].numpy().copy()
    model.save(tmp_path / "m.keras")  # Keras's format runs a probe of batch 1 to find shapes
    np.testing.assert_array_equal(lstm.states[0].numpy(), carried)  # ...which changes nothing
    assert nn.load_model(tmp_path / "m.keras").layers[0].stateful
    model.save(tmp_path / "m.zip")
    loaded = nn.load_model(tmp_path / "m.zip")
    assert loaded.layers[0].stateful and loaded.layers[0].states is None
    lstm.reset_states()
    np.testing.assert_allclose(loaded.predict(x[:4], verbose=0), model.predict(x[:4], verbose=0))
