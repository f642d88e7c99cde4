"""The sequence layers against real Keras 3: same weights in, same outputs and gradients out.

The golden files in tests/fixtures/sequence/ were made by
tests/fixtures/make_sequence_goldens.py with Keras 3 on JAX in float64 (it says
how to rerun it); these tests need no Keras. Each file holds the Keras layer's
weights in `get_weights()` order, its inputs (and masks), its outputs, and the
gradients of sum(output * cotangent) with respect to the inputs and weights.
"""

from __future__ import annotations

import io
import json
import pathlib
import zipfile

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn

GOLDENS = pathlib.Path(__file__).parent.parent / "fixtures" / "sequence"
# files with tests of their own below
OWN_FORMAT = ("huber", "stateful_lstm", "rnn_cells_keras_file")
CASES = sorted(path.stem for path in GOLDENS.glob("*.npz") if path.stem not in OWN_FORMAT)


class RunningSumCell(nn.Layer):
    """The user-written cell of make_sequence_goldens.py, written here with our Layer:
    h = tanh(x W + h U), a running sum of h as a second state, 2 h as the output."""

    def __init__(self, units, name=None, dtype="float32"):
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


USER_CLASSES = {"RunningSumCell": RunningSumCell}


def build(spec: dict) -> nn.Module:
    """Our layer (or Sequential model) for a golden file's spec, in float64."""
    if spec["class"] == "Sequential":
        return nn.Sequential([build(layer) for layer in spec["layers"]])
    kwargs = {**spec.get("kwargs", {}), "dtype": "float64"}
    if "inner" in spec:
        kwargs["layer"] = build(spec["inner"])
    if "cell" in spec:  # RNN(cell), or RNN([cells]) for stacked cells
        cell = spec["cell"]
        kwargs["cell"] = [build(c) for c in cell] if isinstance(cell, list) else build(cell)
    return (USER_CLASSES.get(spec["class"]) or getattr(nn, spec["class"]))(**kwargs)


def load(case: str) -> tuple[dict, dict[str, np.ndarray]]:
    with np.load(GOLDENS / f"{case}.npz") as data:
        arrays = {key: data[key] for key in data.files}
    return json.loads(str(arrays.pop("spec"))), arrays


def run_case(case: str):
    """Our outputs, input gradients and weights' gradients for a case, beside Keras's."""
    spec, arrays = load(case)
    layer = build(spec)
    call = dict(spec.get("call", {}))
    ids = spec["class"] == "Sequential"
    x = Tensor(arrays["in_x"], requires_grad=not ids)
    inputs = [x]
    if "in_value" in arrays:
        value = Tensor(arrays["in_value"], requires_grad=True)
        inputs.append(value)
    if "in_mask" in arrays:
        call["mask"] = arrays["in_mask"]
    if "in_attention_mask" in arrays:
        call["attention_mask"] = arrays["in_attention_mask"]
    weights = [arrays[f"w{i}"] for i in range(sum(key.startswith("w") for key in arrays))]
    if isinstance(layer, nn.Sequential):
        layer.build((None, *x.shape[1:]))
        assert [w.shape for w in layer.get_weights()] == [w.shape for w in weights]
        layer.set_weights(weights)
    else:
        if isinstance(layer, nn.MultiHeadAttention):
            layer(*inputs)  # builds from both sequences
        else:
            layer.build((None, *x.shape[1:]))
        ours = layer.weights
        assert [tuple(w.shape) for w in ours] == [w.shape for w in weights], case
        for tensor, array in zip(ours, weights):
            tensor.data[...] = array
    outputs = layer(*inputs, **call)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    loss = sum((out * arrays[f"cot{i}"]).sum() for i, out in enumerate(outputs))
    loss.backward()
    return layer, arrays, inputs, outputs


@pytest.mark.parametrize("case", CASES)
def test_outputs_and_gradients_equal_keras(case):
    layer, arrays, inputs, outputs = run_case(case)
    expected_outputs = sum(key.startswith("out") for key in arrays)
    assert len(outputs) == expected_outputs
    for i, out in enumerate(outputs):
        np.testing.assert_allclose(out.numpy(), arrays[f"out{i}"], rtol=1e-9, atol=1e-12)
    for name, tensor in zip(("x", "value"), inputs):
        if f"grad_{name}" in arrays:
            np.testing.assert_allclose(
                tensor.grad.numpy(), arrays[f"grad_{name}"], rtol=1e-8, atol=1e-11
            )
    weights = layer.weights
    for i, weight in enumerate(weights):
        np.testing.assert_allclose(
            weight.grad.numpy(), arrays[f"grad_w{i}"], rtol=1e-8, atol=1e-11, err_msg=f"weight {i}"
        )


def test_goldens_are_there():
    # A missing fixtures folder must fail, not pass with no cases.
    assert len(CASES) >= 19 and "rnn_user_cell_state_mask" in CASES


def test_a_stateful_lstm_goes_on_from_the_last_batch_as_keras_does():
    with np.load(GOLDENS / "stateful_lstm.npz") as data:
        arrays = {key: data[key] for key in data.files}
    layer = nn.LSTM(3, return_sequences=True, stateful=True, dtype="float64")
    layer.build((None, 5, 2))
    layer.set_weights([arrays[f"w{i}"] for i in range(3)])
    out1 = layer(arrays["x1"])
    np.testing.assert_allclose(out1.numpy(), arrays["out1"], rtol=1e-9, atol=1e-12)
    for i, state in enumerate(layer.states):
        np.testing.assert_allclose(state.numpy(), arrays[f"states1_{i}"], rtol=1e-9, atol=1e-12)
    x2 = Tensor(arrays["x2"], requires_grad=True)
    out2 = layer(x2, mask=arrays["mask"])
    np.testing.assert_allclose(out2.numpy(), arrays["out2"], rtol=1e-9, atol=1e-12)
    for i, state in enumerate(layer.states):
        np.testing.assert_allclose(state.numpy(), arrays[f"states2_{i}"], rtol=1e-9, atol=1e-12)
    # Backward stops at the carried states: the gradients are those of this batch alone.
    (out2 * arrays["cot"]).sum().backward()
    np.testing.assert_allclose(x2.grad.numpy(), arrays["grad_x2"], rtol=1e-8, atol=1e-11)
    for i, weight in enumerate(layer.weights):
        np.testing.assert_allclose(
            weight.grad.numpy(), arrays[f"grad_w{i}"], rtol=1e-8, atol=1e-11, err_msg=f"w{i}"
        )
    layer.reset_states()
    np.testing.assert_allclose(
        layer(arrays["x2"]).numpy(), arrays["out_reset"], rtol=1e-9, atol=1e-12
    )


def test_huber_equals_keras():
    with np.load(GOLDENS / "huber.npz") as data:
        y_pred = Tensor(data["y_pred"], requires_grad=True)
        loss = nn.losses.Huber(delta=float(data["delta"]))(data["y_true"], y_pred)
        loss.backward()
        np.testing.assert_allclose(loss.item(), data["value"], rtol=1e-12)
        np.testing.assert_allclose(y_pred.grad.numpy(), data["grad"], rtol=1e-12)


def test_rnn_of_cells_reads_and_writes_keras_files(tmp_path):
    # rnn_cells.keras was written by Keras 3: RNN over LSTMCell, GRUCell and SimpleRNNCell.
    with np.load(GOLDENS / "rnn_cells_keras_file.npz") as data:
        x, y = data["x"], data["y"]
    model = nn.load_model(GOLDENS / "rnn_cells.keras")
    assert [type(layer.cell).__name__ for layer in model.layers] == [
        "LSTMCell", "GRUCell", "SimpleRNNCell",
    ]  # fmt: skip
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-9, atol=1e-12)
    model.save(tmp_path / "again.keras")  # and back, in Keras's layout: rnn/cell/vars
    import h5py

    with zipfile.ZipFile(tmp_path / "again.keras") as archive:
        weights = io.BytesIO(archive.read("model.weights.h5"))
    with h5py.File(weights, "r") as h5:
        assert list(h5["layers/rnn/cell/vars"]) == ["0", "1", "2"]
    again = nn.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), y, rtol=1e-9, atol=1e-12)
