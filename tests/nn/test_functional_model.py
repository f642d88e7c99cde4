"""The functional API: keras.Input, layers called on KerasTensors, keras.Model(inputs, outputs)."""

import numpy as np
import pytest

import tinygrad_edu.keras as keras
from tinygrad_edu import Tensor, manual_seed, nn
from tinygrad_edu.keras import layers, ops
from tinygrad_edu.testing import gradcheck


def ticket_model():
    """The Keras book's chapter 7 multi-input, multi-output model, small."""
    title = keras.Input(shape=(6,), name="title")
    body = keras.Input(shape=(6,), name="text_body")
    tags = keras.Input(shape=(3,), name="tags")
    features = layers.Concatenate()([title, body, tags])
    features = layers.Dense(8, activation="relu")(features)
    priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = layers.Dense(4, activation="softmax", name="department")(features)
    return keras.Model(inputs=[title, body, tags], outputs=[priority, department])


def ticket_data(samples=24, seed=0):
    rng = np.random.default_rng(seed)
    x = [rng.integers(0, 2, (samples, 6)), rng.integers(0, 2, (samples, 6))]
    x.append(rng.integers(0, 2, (samples, 3)))
    y = [rng.random((samples, 1)), np.eye(4)[rng.integers(0, 4, samples)]]
    return x, y


def test_input_is_a_symbolic_tensor_and_layers_record_shapes():
    inputs = keras.Input(shape=(None, 5), name="words", dtype="float64")
    assert inputs.shape == (None, None, 5) and inputs.dtype == "float64"
    assert inputs.name == "words" and ops.shape(inputs) == (None, None, 5)
    hidden = layers.Dense(3)(inputs)  # Dense works on the last axis: the None axis stays
    assert hidden.shape == (None, None, 3) and hidden.dtype == "float32"
    with pytest.raises(TypeError, match="symbolic"):
        np.asarray(inputs)


def test_a_functional_model_computes_what_its_layers_compute():
    manual_seed(0)
    inputs = keras.Input(shape=(4,))
    first, second = layers.Dense(5, activation="tanh"), layers.Dense(2)
    outputs = second(first(inputs))
    model = keras.Model(inputs, outputs, name="two")
    x = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    expected = second(first(Tensor(x)))
    np.testing.assert_allclose(model(x).data, expected.data, rtol=1e-6)
    assert model.name == "two" and [type(layer).__name__ for layer in model.layers] == [
        "InputLayer",
        "Dense",
        "Dense",
    ]
    assert model.input_shape == (None, 4) and model.output_shape == (None, 2)
    assert model.count_params() == 4 * 5 + 5 + 5 * 2 + 2


def test_gradients_through_a_residual_add_come_from_the_engine():
    manual_seed(0)
    inputs = keras.Input(shape=(3,), dtype="float64")  # float64, as gradcheck needs
    hidden = layers.Dense(3, activation="tanh", dtype="float64")(inputs)
    outputs = layers.add([hidden, inputs], dtype="float64")
    model = keras.Model(inputs, outputs)
    gradcheck(lambda x: model(x).sum(), [np.random.default_rng(2).normal(size=(2, 3))])


def test_every_merge_layer_combines_its_inputs():
    a = Tensor(np.array([[1.0, -2.0]], dtype=np.float32))
    b = Tensor(np.array([[3.0, 4.0]], dtype=np.float32))
    cases = {
        layers.Add(): [[4.0, 2.0]],
        layers.Subtract(): [[-2.0, -6.0]],
        layers.Multiply(): [[3.0, -8.0]],
        layers.Average(): [[2.0, 1.0]],
        layers.Maximum(): [[3.0, 4.0]],
        layers.Minimum(): [[1.0, -2.0]],
        layers.Concatenate(): [[1.0, -2.0, 3.0, 4.0]],
        layers.Dot(axes=1): [[-5.0]],
    }
    for layer, expected in cases.items():
        np.testing.assert_allclose(layer([a, b]).data, expected, err_msg=type(layer).__name__)
    assert layers.add([a, b, b]).data.tolist() == [[7.0, 6.0]]
    assert layers.concatenate([a, b], axis=0).shape == (2, 2)
    with pytest.raises(ValueError, match="exactly 2 tensors"):
        layers.Subtract()([a, b, b])
    with pytest.raises(ValueError, match="expects a list of tensors"):
        layers.Add()(a)


def test_dot_of_sequences_and_its_gradient():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    dot = layers.Dot(axes=2, dtype="float64")
    np.testing.assert_allclose(dot([Tensor(a), Tensor(b)]).data, a @ b.transpose(0, 2, 1))
    gradcheck(lambda x, y: layers.Dot(axes=(1, 1), normalize=True, dtype="float64")([x, y]),
              [rng.normal(size=(2, 4)), rng.normal(size=(2, 4))])  # fmt: skip


def test_two_inputs_two_outputs_train_with_lists_and_dicts():
    manual_seed(0)
    model = ticket_model()
    x, y = ticket_data()
    model.compile(
        optimizer="rmsprop",
        loss=["mean_squared_error", "categorical_crossentropy"],
        metrics=[["mean_absolute_error"], ["accuracy"]],
    )
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert list(history.history) == [
        "loss",
        "priority_loss",
        "department_loss",
        "priority_mean_absolute_error",
        "department_accuracy",
    ]
    logs = history.history
    assert logs["loss"][-1] < logs["loss"][0]
    np.testing.assert_allclose(
        logs["loss"][0], logs["priority_loss"][0] + logs["department_loss"][0], rtol=1e-5
    )
    results = model.evaluate(x, y, verbose=0)
    assert len(results) == 5 and model.metrics_names[1] == "priority_loss"
    priority, department = model.predict(x, verbose=0)
    assert priority.shape == (24, 1) and department.shape == (24, 4)

    names = ["title", "text_body", "tags"]
    model.compile(
        optimizer="rmsprop",
        loss={"priority": "mse", "department": "categorical_crossentropy"},
        metrics={"priority": ["mae"], "department": ["accuracy"]},
        loss_weights={"priority": 1.0, "department": 0.5},
    )
    x_dict, y_dict = dict(zip(names, x)), {"priority": y[0], "department": y[1]}
    result = model.evaluate(x_dict, y_dict, verbose=0, return_dict=True)
    expected = result["priority_loss"] + 0.5 * result["department_loss"]
    np.testing.assert_allclose(result["loss"], expected, rtol=1e-5)
    model.fit(x_dict, y_dict, epochs=1, validation_split=0.25, verbose=0)
    assert "val_department_accuracy" in model.history.history
    with pytest.raises(ValueError, match="lacks"):
        model.predict({"title": x[0]}, verbose=0)


def test_a_shared_layer_has_one_set_of_weights_and_several_calls():
    left, right = keras.Input(shape=(4,), name="left"), keras.Input(shape=(4,), name="right")
    shared = layers.Dense(2, name="shared")
    model = keras.Model([left, right], layers.subtract([shared(left), shared(right)]))
    assert [name for name, _ in model.named_parameters()] == ["shared.kernel", "shared.bias"]
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(model([x, x]).data, 0.0)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Connected to" in text and "left[0][0]" in text and "right[0][0]" in text
    assert "shared[0][0]" in text and "shared[1][0]" in text


def test_models_nest_and_unnamed_layers_get_unique_names():
    inner_input = keras.Input(shape=(3,))
    inner = keras.Model(inner_input, layers.Dense(2)(inner_input), name="inner")
    stack = keras.Sequential([layers.Dense(2)], name="stack")
    inputs = keras.Input(shape=(3,))
    outputs = layers.Dense(1)(layers.concatenate([inner(inputs), stack(inputs)]))
    model = keras.Model(inputs, outputs)
    assert model.predict(np.ones((4, 3)), verbose=0).shape == (4, 1)
    assert model.get_layer("inner") is inner and model.get_layer("stack") is stack
    names = [layer.name for layer in model.layers]
    assert len(set(names)) == len(names) and "inner.dense.kernel" in dict(model.named_parameters())
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        model.get_layer("nope")


def test_layer_input_and_output_let_you_build_a_second_model():
    model = ticket_model()
    assert model.layers[3].input[0] is model.inputs[0]
    features = model.layers[4].output
    difficulty = layers.Dense(3, activation="softmax", name="difficulty")(features)
    bigger = keras.Model(model.inputs, [*model.outputs, difficulty])
    outputs = bigger.predict(ticket_data()[0], verbose=0)
    assert [o.shape for o in outputs] == [(24, 1), (24, 4), (24, 3)]
    assert bigger.get_layer("priority") is model.get_layer("priority")


def test_ops_inside_a_model_are_recorded_and_saved(tmp_path):
    manual_seed(0)
    inputs = keras.Input(shape=(4,))
    hidden = layers.Dense(4)(inputs)
    centred = hidden - ops.mean(hidden, axis=-1, keepdims=True)
    outputs = ops.softmax(centred * 2.0)[:, :3]
    model = keras.Model(inputs, outputs)
    assert outputs.shape == (None, 3) and len(model.layers) == 2  # ops are not layers
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    model.save(tmp_path / "model.zip")
    loaded = keras.models.load_model(tmp_path / "model.zip")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_functional_model_saves_and_loads_with_compile_per_output(tmp_path):
    manual_seed(0)
    model = ticket_model()
    model.compile(
        optimizer="adam",
        loss={"priority": "mse", "department": "categorical_crossentropy"},
        metrics={"department": ["accuracy"]},
        loss_weights=[1.0, 0.2],
    )
    x, y = ticket_data()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "tickets.zip")
    loaded = keras.models.load_model(tmp_path / "tickets.zip")
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    assert loaded.metrics_names == model.metrics_names


def test_plot_model_draws_branches_and_merges(requires_dot, tmp_path):
    graph = keras.utils.plot_model(ticket_model(), to_file=str(tmp_path / "m.svg"))
    source = graph.source
    assert source.count("->") == 6  # 3 inputs into concatenate, dense, and two heads
    assert "lightyellow" in source and (tmp_path / "m.svg").is_file()


def test_clear_errors_for_wrong_graphs_and_variable_axes():
    a, b = keras.Input(shape=(2,), name="a"), keras.Input(shape=(2,), name="b")
    with pytest.raises(ValueError, match="disconnected.*'b'"):
        keras.Model(a, layers.add([a, b]))
    with pytest.raises(ValueError, match="two layers are named 'x'"):
        keras.Model(a, layers.Dense(1, name="x")(layers.Dense(2, name="x")(a)))
    with pytest.raises(TypeError, match="KerasTensors"):
        keras.Model(a, np.ones(2))
    sequence = keras.Input(shape=(None, 1))
    with pytest.raises(ValueError, match=r"Dense 'dense'.*\(None, None\).*variable-size axis"):
        layers.Dense(4)(layers.Flatten()(sequence))
    model = keras.Model(a, layers.Dense(1)(a))
    with pytest.raises(ValueError, match=r"input 'a' expects shape \(None, 2\)"):
        model(np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"predict: the model expects inputs of shape \(None, 2\)"):
        model.predict(np.ones((3, 5)), verbose=0)


def test_1d_data_is_expanded_for_a_one_feature_input():
    """Udacity's Celsius lesson fits a (None, 1) model on 1-D arrays, as Keras allows."""
    manual_seed(0)
    celsius = np.array([-40, -10, 0, 8, 15, 22, 38], dtype=float)
    fahrenheit = celsius * 1.8 + 32
    for model in (
        keras.Sequential([layers.Dense(units=1, input_shape=[1])]),
        keras.Model(inputs := keras.Input(shape=(1,)), layers.Dense(1)(inputs)),
    ):
        model.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam(0.1))
        history = model.fit(celsius, fahrenheit, epochs=20, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]
        assert model.predict(np.array([100.0]), verbose=0).shape == (1, 1)


def test_a_subclassed_model_takes_a_dict_and_returns_two_outputs():
    """The Keras book's CustomerTicketModel: dict inputs, a tuple of outputs."""

    class CustomerTicketModel(keras.Model):
        def __init__(self, num_departments):
            super().__init__()
            self.concat_layer = layers.Concatenate()
            self.mixing_layer = layers.Dense(8, activation="relu")
            self.priority_scorer = layers.Dense(1, activation="sigmoid")
            self.department_classifier = layers.Dense(num_departments, activation="softmax")

        def call(self, inputs):
            features = self.concat_layer([inputs["title"], inputs["text_body"], inputs["tags"]])
            features = self.mixing_layer(features)
            return self.priority_scorer(features), self.department_classifier(features)

    manual_seed(0)
    model = CustomerTicketModel(num_departments=4)
    x, y = ticket_data()
    x = dict(zip(["title", "text_body", "tags"], x))
    priority, department = model(x)
    assert priority.shape == (24, 1) and department.shape == (24, 4)
    model.compile(
        optimizer="rmsprop",
        loss=["mean_squared_error", "categorical_crossentropy"],
        metrics=[["mean_absolute_error"], ["accuracy"]],
    )
    history = model.fit(x, y, epochs=2, verbose=0)
    assert "output_2_accuracy" in history.history
    priority, department = model.predict(x, verbose=0)
    assert department.shape == (24, 4)


def test_functional_model_is_nn_functional_and_keras_model():
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs=inputs, outputs=layers.Dense(1)(inputs))
    assert isinstance(model, nn.Functional) and isinstance(model, keras.Model)
    assert model.input is inputs and model.inputs == [inputs]


def test_sequence_inputs_of_any_length_and_masks_flow_through_the_graph():
    """The functional guide's pattern: integer sequences of any length, Embedding, LSTM.
    A layer with its own __call__ (Embedding keeps integers) works on KerasTensors too."""
    manual_seed(0)
    words = keras.Input(shape=(None,), dtype="int32", name="words")
    embedded = layers.Embedding(20, 4, mask_zero=True)(words)
    assert embedded.shape == (None, None, 4)
    model = keras.Model(words, layers.LSTM(3)(embedded))
    assert model.count_params() == 20 * 4 + 4 * 3 * (4 + 3 + 1)
    padded = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    # the padding (0s, masked) changes nothing: as if the sequences had no padding
    np.testing.assert_allclose(model(padded).data[1], model(padded[:, :2]).data[1], rtol=1e-6)
