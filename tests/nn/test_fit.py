"""Model.fit: training reaches low loss, History, validation, determinism, output, errors."""

import io
import re

import numpy as np
import pytest

from tinygrad_edu import manual_seed, nn


def linear_data(samples=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 3)).astype(np.float32)
    y = x @ np.array([[2.0], [-1.0], [0.5]], dtype=np.float32) + 0.3
    return x, y


def blobs(samples=60, seed=0):
    """Two well separated classes in 2-D."""
    rng = np.random.default_rng(seed)
    y = np.arange(samples) % 2
    x = rng.normal(scale=0.5, size=(samples, 2)) + np.where(y[:, None] == 1, 3.0, -3.0)
    return x.astype(np.float32), y


def regression_model(learning_rate=0.1):
    model = nn.Sequential([nn.Dense(1, input_shape=(3,))])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=learning_rate), loss="mse")
    return model


# ---------------------------------------------------------------- learning
def test_linear_regression_reaches_near_zero_loss():
    manual_seed(0)
    x, y = linear_data()
    model = regression_model()
    history = model.fit(x, y, batch_size=16, epochs=60, verbose=0)
    assert history.history["loss"][-1] < 1e-6
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel[:, 0], [2.0, -1.0, 0.5], atol=1e-3)
    np.testing.assert_allclose(bias, [0.3], atol=1e-3)


def test_separable_classification_reaches_accuracy_1():
    manual_seed(0)
    x, y = blobs()
    model = nn.Sequential([nn.Dense(8, activation="relu"), nn.Dense(2, activation="softmax")])
    model.compile(
        optimizer=nn.optimizers.Adam(learning_rate=0.05),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(x, y, batch_size=8, epochs=10, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    assert model.evaluate(x, y, verbose=0)[1] == 1.0
    assert np.array_equal(model.predict(x, verbose=0).argmax(axis=1), y)


def test_keras_book_model_trains_on_mnist_shaped_random_data():
    manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((256, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=256).astype(np.uint8)
    model = nn.Sequential([nn.Dense(512, activation="relu"), nn.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = model.fit(x, y, batch_size=128, epochs=1, verbose=0).history["loss"][0]
    assert np.isfinite(before)
    after = model.fit(x, y, batch_size=128, epochs=3, verbose=0).history["loss"]
    assert all(np.isfinite(after)) and after[-1] < before
    assert model.count_params() == 407_050


def test_uint8_inputs_are_converted_for_the_forward():
    manual_seed(0)
    images = np.random.default_rng(0).integers(0, 256, size=(32, 6)).astype(np.uint8)
    labels = (images[:, 0] > 127).astype(np.int64)
    model = nn.Sequential([nn.Dense(2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    history = model.fit(images / 255, labels, epochs=2, verbose=0)  # float64, as users do
    assert np.isfinite(history.history["loss"]).all()
    model.fit(images, labels, epochs=1, verbose=0)  # raw uint8 works too
    assert all(p.dtype == np.float32 for p in model.parameters())


# ---------------------------------------------------------------- History
def test_history_records_every_epoch():
    manual_seed(0)
    x, y = blobs(40)
    model = nn.Sequential([nn.Dense(2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, validation_split=0.25)
    assert isinstance(history, nn.callbacks.History)
    assert model.history is history
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in history.history.values())
    assert all(isinstance(v, float) for values in history.history.values() for v in values)
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 2}  # 30 samples / 16


def test_initial_epoch_continues_the_count():
    x, y = linear_data(20)
    history = regression_model().fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]
    assert len(history.history["loss"]) == 2


def test_epoch_loss_is_the_batch_size_weighted_mean():
    # With a learning rate of 0 the weights never change, so the epoch's mean
    # over uneven batches (3, 3, 3, 1) must equal the loss over all 10 samples.
    manual_seed(0)
    x, y = linear_data(10)
    model = regression_model(learning_rate=0.0)
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.0), loss="mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=3, epochs=1, verbose=0)
    prediction = model.predict(x, verbose=0)
    assert history.history["loss"][0] == pytest.approx(np.mean((prediction - y) ** 2), rel=1e-5)
    assert history.history["mae"][0] == pytest.approx(np.mean(np.abs(prediction - y)), rel=1e-5)


def test_validation_split_holds_out_the_last_samples():
    manual_seed(0)
    x, y = linear_data(40)
    model = regression_model()
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    # val_loss after the last epoch is the loss on the last 10 samples with the final weights.
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[30:], y[30:], verbose=0), rel=1e-5
    )
    assert history.params["steps"] == 1  # 30 training samples, batch 32


def test_validation_data_is_used_as_given():
    manual_seed(0)
    x, y = linear_data(40)
    x_val, y_val = linear_data(12, seed=1)
    model = regression_model()
    history = model.fit(x, y, epochs=1, validation_data=(x_val, y_val), verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x_val, y_val, verbose=0), rel=1e-5
    )


# ---------------------------------------------------------------- determinism and state
def train_once(shuffle=True):
    manual_seed(0)
    x, y = blobs(50)
    model = nn.Sequential(
        [nn.Dense(8, activation="relu"), nn.Dropout(0.3), nn.Dense(2, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=shuffle, verbose=0)
    return model.get_weights()


def test_same_seed_gives_bit_identical_weights():
    first, second = train_once(), train_once()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_shuffling_changes_the_result():
    shuffled, in_order = train_once(shuffle=True), train_once(shuffle=False)
    assert any(not np.array_equal(a, b) for a, b in zip(shuffled, in_order))


def test_fit_twice_keeps_the_optimizer_state():
    x, y = linear_data(32)
    model = regression_model()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    optimizer = model.optimizer
    assert optimizer.iterations == 4
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert model.optimizer is optimizer and optimizer.iterations == 8


def test_fit_trains_in_training_mode_and_restores_the_mode_after():
    seen_modes = []

    class Spy(nn.Layer):
        def forward(self, x):
            seen_modes.append(self.training)
            return x

    x, y = linear_data(8)
    model = nn.Sequential([Spy(), nn.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.build((None, 3))
    model.eval()
    seen_modes.clear()
    model.fit(x, y, epochs=1, batch_size=4, validation_split=0.5, verbose=0)
    assert seen_modes == [True, False]  # one training batch, one validation batch
    assert not any(module.training for module in model.modules())


def test_fit_keeps_no_graph_and_no_gradients_after_training():
    x, y = linear_data(16)
    model = regression_model()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    # zero_grad runs before each backward; the last step's gradients stay, without a graph.
    for parameter in model.parameters():
        assert parameter.grad is not None and parameter.grad.grad_fn is None


# ---------------------------------------------------------------- output
class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def fit_output(verbose, stream=None, monkeypatch=None, capsys=None):
    x, y = blobs(20)
    model = nn.Sequential([nn.Dense(2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    if stream is not None:
        monkeypatch.setattr("sys.stdout", stream)
    model.fit(x, y, batch_size=5, epochs=2, verbose=verbose, validation_split=0.5)
    return stream.getvalue() if stream is not None else capsys.readouterr().out


def test_verbose_1_off_a_terminal_prints_the_final_line_of_each_epoch(capsys):
    out = fit_output(1, capsys=capsys)
    assert "\r" not in out
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    pattern = (
        r"2/2 \[={30}\] - \d+s \d+(us|ms|s)/step - loss: \S+ - accuracy: \S+ "
        r"- val_loss: \S+ - val_accuracy: \S+"
    )
    assert re.fullmatch(pattern, lines[1]) and re.fullmatch(pattern, lines[3])


def test_verbose_1_on_a_terminal_redraws_the_bar(monkeypatch):
    out = fit_output(1, FakeTerminal(), monkeypatch)
    assert out.startswith("Epoch 1/2\n\r1/2 [")
    assert out.count("\r") >= 2
    first_epoch = out.split("\n")[1]
    assert "val_loss" in first_epoch.split("\r")[-1]


@pytest.mark.parametrize("stream_type", [io.StringIO, FakeTerminal])
def test_verbose_2_prints_one_line_per_epoch(stream_type, monkeypatch):
    out = fit_output(2, stream_type(), monkeypatch)
    lines = out.splitlines()
    assert "\r" not in out and len(lines) == 4
    assert re.fullmatch(
        r"2/2 - \d+s - loss: \S+ - accuracy: \S+ - val_loss: \S+ - "
        r"val_accuracy: \S+",
        lines[1],
    )


def test_verbose_0_is_silent(capsys):
    assert fit_output(0, capsys=capsys) == ""


# ---------------------------------------------------------------- errors
def test_fit_before_compile():
    model = nn.Sequential([nn.Dense(1)])
    with pytest.raises(RuntimeError, match=r"fit: the model must be compiled .*model\.compile"):
        model.fit(np.ones((4, 3)), np.ones((4, 1)))


def test_compile_rejects_unknown_names():
    model = nn.Sequential([nn.Dense(1)])
    with pytest.raises(ValueError, match="compile: cannot use optimizer='adamm'"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="compile: cannot use loss='msee'"):
        model.compile(optimizer="sgd", loss="msee")
    with pytest.raises(ValueError, match="compile: cannot use metric 'acuracy'"):
        model.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"x": np.ones((4, 3)), "y": np.ones((5, 1))},
            r"fit: x and y must have the same number of samples, got x with shape \(4, 3\) "
            r"\(4 samples\) and y with shape \(5, 1\) \(5 samples\)",
        ),
        (
            {"x": np.ones((4, 5)), "y": np.ones((4, 1))},
            r"fit: the model expects inputs of shape \(None, 3\).*x has shape \(4, 5\)",
        ),
        (
            {"x": np.array([[0.0, np.inf, 1.0]]), "y": np.ones((1, 1))},
            r"fit: x \(shape \(1, 3\)\) contains NaN or infinity .*index \(0, 1\)",
        ),
        ({"x": np.ones((2, 3)), "y": np.array([[np.nan], [1.0]])}, r"fit: y .* NaN"),
        ({"x": np.ones((0, 3)), "y": np.ones((0, 1))}, r"fit: x is empty \(shape \(0, 3\)\)"),
        (
            {"x": np.ones((4, 3)), "y": np.ones((4, 1)), "batch_size": 0},
            r"fit: batch_size must be at least 1, got 0",
        ),
        (
            {"x": np.ones((4, 3)), "y": np.ones((4, 1)), "batch_size": 2.5},
            r"fit: batch_size must be an int",
        ),
        (
            {"x": np.ones((4, 3)), "y": np.ones((4, 1)), "validation_split": 1.0},
            r"fit: validation_split .* must be in \[0, 1\); got 1.0",
        ),
        (
            {"x": np.ones((4, 3)), "y": np.ones((4, 1)), "validation_split": -0.1},
            r"must be in \[0, 1\); got -0.1",
        ),
        (
            {"x": np.ones((1, 3)), "y": np.ones((1, 1)), "validation_split": 0.5},
            r"validation_split=0.5 of 1 samples leaves 0 for training and 1 for validation",
        ),
        (
            {"x": np.ones((4, 3)), "y": np.ones((4, 1)), "validation_data": (np.ones((2, 3)),)},
            r"validation_data must be a pair",
        ),
        (
            {
                "x": np.ones((4, 3)),
                "y": np.ones((4, 1)),
                "validation_data": (np.ones((2, 4)), np.ones((2, 1))),
            },
            r"fit \(validation data\): the model expects inputs of shape \(None, 3\)",
        ),
        ({"x": np.ones((4, 3)), "y": np.ones((4, 1)), "epochs": -1}, r"fit: epochs must be"),
    ],
)
def test_fit_input_errors(arguments, message):
    model = regression_model()
    with pytest.raises((ValueError, TypeError), match=message):
        model.fit(verbose=0, **arguments)


def test_errors_leave_the_weights_alone():
    model = regression_model()
    before = model.get_weights()
    with pytest.raises(ValueError):
        model.fit(np.ones((4, 3)), np.ones((5, 1)), verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_no_graph_is_kept_alive_between_steps():
    import gc

    from tinygrad_edu.autograd import Function

    def live_functions():
        gc.collect()
        return sum(isinstance(thing, Function) for thing in gc.get_objects())

    counts = []

    class CountGraphNodes(nn.callbacks.Callback):
        def on_train_begin(self, logs=None):
            counts.append(live_functions())

        def on_train_batch_end(self, batch, logs=None):
            counts.append(live_functions())

    x, y = linear_data(16)
    model = regression_model()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[CountGraphNodes()])
    assert len(counts) == 5 and counts == [counts[0]] * 5


# ---------------------------------------------------------------- one loss in every mode (issue 15)
def _saturated_model(activation, units):
    """One Dense unit (or `units` of them) whose logits for an input of ones are 45, 0, ..."""
    model = nn.Sequential([nn.Dense(units, activation=activation, input_shape=(1,))])
    kernel = np.zeros((1, units), dtype=np.float32)
    kernel[0, 0] = 45.0
    model.set_weights([kernel, np.zeros(units, dtype=np.float32)])
    return model


@pytest.mark.parametrize(
    "activation, units, loss, y, expected",
    [  # the class with logit 45 is the wrong one: each loss is 45 from the logits
        ("sigmoid", 1, "binary_crossentropy", np.zeros((4, 1), np.float32), 45.0),
        ("softmax", 2, "sparse_categorical_crossentropy", np.ones(4, np.int64), 45.0),
        ("softmax", 2, "categorical_crossentropy", np.tile([[0.0, 1.0]], (4, 1)), 45.0),
    ],
)
def test_the_loss_is_the_same_in_fit_validation_and_evaluate(activation, units, loss, y, expected):
    # Validation and evaluate record no graph; the loss must still work from the logits
    # (it used to clip the probabilities there: 16.1 instead of 45).
    model = _saturated_model(activation, units)
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.0), loss=loss)
    x = np.ones((4, 1), np.float32)
    history = model.fit(x, y, epochs=1, validation_data=(x, y), verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-5)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
