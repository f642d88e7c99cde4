"""train_step / test_step / predict_step: what fit, evaluate and predict call, and overrides."""

import numpy as np
import pytest

from tinygrad_edu import Tensor, manual_seed, nn
from tinygrad_edu.nn.data_adapters import batches


def blobs(samples=12, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(samples) % 2
    x = rng.normal(scale=0.5, size=(samples, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    return x.astype(np.float32), y


def classifier(model_class=nn.Sequential):
    manual_seed(0)
    model = model_class([nn.Dense(2, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_train_step_takes_one_optimizer_step_and_returns_the_batch_loss_before_it():
    x, y = blobs()
    model = classifier()
    model.optimizer.set_parameters(model.parameters())  # what fit does before its first step
    before = model.test_step(Tensor(x), y)
    weights = model.get_weights()
    logs = model.train_step(Tensor(x), y)
    assert list(logs) == ["loss", "accuracy"]
    assert logs["loss"] == pytest.approx(before["loss"], rel=1e-6)
    assert logs["accuracy"] == before["accuracy"]
    assert model.optimizer.iterations == 1
    assert all(not np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))
    assert model.test_step(Tensor(x), y)["loss"] < before["loss"]


def test_train_step_works_right_after_compile_as_in_keras():
    """No fit first: the first step builds the model and hands the optimizer its parameters."""
    x, y = blobs()
    manual_seed(0)
    model = nn.Sequential([nn.Dense(4, activation="relu"), nn.Dense(2)])  # no input shape
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    losses = [model.train_step(Tensor(x), y)["loss"] for _ in range(5)]
    assert model.built and model.optimizer.iterations == 5
    assert model.optimizer.params == model.parameters() and len(model.parameters()) == 4
    assert losses[-1] < losses[0]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")  # a new optimizer
    model.train_step(Tensor(x), y)
    assert model.optimizer.iterations == 1 and model.optimizer.params == model.parameters()


def test_train_step_before_compile_says_to_compile():
    model = nn.Sequential([nn.Dense(2, input_shape=(2,))])
    with pytest.raises(RuntimeError, match="train_step: the model must be compiled"):
        model.train_step(Tensor(np.zeros((3, 2), np.float32)), np.zeros(3, int))


class CountingSteps(nn.Sequential):
    """Counts its steps and logs an extra value, as an override of the steps would."""

    def __init__(self, layers):
        super().__init__(layers)
        self.train_calls, self.test_calls, self.predict_calls = [], [], []

    def train_step(self, x, y):
        self.train_calls.append(len(y))
        logs = super().train_step(x, y)
        return {**logs, "batch_size": float(len(y))}

    def test_step(self, x, y):
        self.test_calls.append(len(y))
        return {**super().test_step(x, y), "batch_size": float(len(y))}

    def predict_step(self, x):
        self.predict_calls.append(len(x))
        return super().predict_step(x) * 0.0


def test_fit_calls_an_overridden_train_step_once_per_batch_and_logs_its_values():
    x, y = blobs(12)
    model = classifier(CountingSteps)
    history = model.fit(x, y, batch_size=5, epochs=2, verbose=0)
    assert model.train_calls == [5, 5, 2, 5, 5, 2]
    # The new value is averaged like the loss, weighted by batch size: (5*5 + 5*5 + 2*2) / 12.
    assert history.history["batch_size"] == pytest.approx([54 / 12, 54 / 12])
    assert set(history.history) == {"loss", "accuracy", "batch_size"}


def test_evaluate_and_validation_call_an_overridden_test_step():
    x, y = blobs(12)
    model = classifier(CountingSteps)
    results = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    assert model.test_calls == [8, 4]
    assert results["batch_size"] == pytest.approx((8 * 8 + 4 * 4) / 12)
    model.test_calls.clear()
    history = model.fit(x, y, batch_size=4, epochs=1, validation_split=0.25, verbose=0)
    assert model.test_calls == [3]  # the last quarter, in one batch
    assert history.history["val_batch_size"] == [3.0]


def test_predict_calls_an_overridden_predict_step():
    x, _ = blobs(12)
    model = classifier(CountingSteps)
    output = model.predict(x, batch_size=5, verbose=0)
    assert model.predict_calls == [5, 5, 2]
    assert output.shape == (12, 2) and not output.any()


def test_a_subclassed_model_can_change_how_it_trains():
    """A train_step that clips each gradient to [-1e-3, 1e-3] before the optimizer step."""

    class Clipped(nn.Sequential):
        def train_step(self, x, y):
            self.optimizer.zero_grad()
            loss = self.loss(y, self(x))
            loss.backward()
            for parameter in self.parameters():
                parameter.grad.data[...] = np.clip(parameter.grad.data, -1e-3, 1e-3)
            self.optimizer.step()
            return {"loss": loss.item()}

    x, y = blobs(12)
    model = classifier(Clipped)
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=1.0), loss="mse")
    weights = model.get_weights()
    history = model.fit(x, np.eye(2)[y], batch_size=12, epochs=1, verbose=0)
    assert list(history.history) == ["loss"]
    for before, after in zip(weights, model.get_weights()):
        assert np.abs(after - before).max() <= 1e-3 + 1e-7


def test_a_step_that_returns_no_dict_is_refused_with_a_clear_error():
    class NoLogs(nn.Sequential):
        def train_step(self, x, y):
            super().train_step(x, y)

    x, y = blobs()
    model = classifier(NoLogs)
    with pytest.raises(TypeError, match=r"train_step must return a dict of floats.*NoneType"):
        model.fit(x, y, verbose=0)


def test_batches_cover_every_sample_once_in_the_given_order_and_convert_dtypes():
    x = np.arange(10, dtype=np.uint8).reshape(5, 2)
    labels = np.arange(5)
    order = np.array([4, 2, 0, 1, 3])
    got = list(batches(x, labels, 2, np.dtype(np.float32), order))
    assert [y_batch.tolist() for _, y_batch in got] == [[4, 2], [0, 1], [3]]
    assert all(x_batch.dtype == np.float32 for x_batch, _ in got)
    assert all(y_batch.dtype == labels.dtype for _, y_batch in got)  # labels stay integers
    targets = np.ones((5, 1), dtype=np.float64)
    assert all(t.dtype == np.float32 for _, t in batches(x, targets, 3, np.dtype(np.float32)))
    assert [b for _, b in batches(x, None, 3, np.dtype(np.float32))] == [None, None]
