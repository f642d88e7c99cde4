"""The order of a pipeline's hooks and fetches in fit, evaluate and predict: Keras 3's.

Checked against keras 3 (JAX backend) with a PyDataset that records every call:
fit builds the model from one batch fetched inside its own on_epoch_begin/on_epoch_end,
then each epoch runs on_epoch_begin before its first fetch; fit's shuffle=True shuffles
a PyDataset's batch order; validation data is used every epoch.
"""

import warnings

import numpy as np
import pytest

from tinygrad_edu import manual_seed, nn
from tinygrad_edu.nn.callbacks import Callback
from tinygrad_edu.nn.data_adapters import PyDataset

LOG = []


class Recorded(PyDataset):
    """Two (or `count`) batches of 4 samples; every hook and fetch goes into LOG."""

    def __init__(self, tag, count=2, shift=0.0):
        super().__init__()
        self.tag, self.count, self.shift = tag, count, shift

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        LOG.append(f"{self.tag}[{index}]")
        rng = np.random.default_rng(index)
        return rng.normal(size=(4, 3)) + self.shift, rng.normal(size=(4, 1))

    def on_epoch_begin(self):
        LOG.append(f"{self.tag}.begin")

    def on_epoch_end(self):
        LOG.append(f"{self.tag}.end")


class Hooks(Callback):
    def on_train_begin(self, logs=None):
        LOG.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        LOG.append(f"epoch_begin {epoch}")

    def on_epoch_end(self, epoch, logs=None):
        LOG.append(f"epoch_end {epoch}")


def model(built=True):
    manual_seed(0)
    layers = [nn.Dense(1, input_shape=(3,))] if built else [nn.Dense(1)]
    result = nn.Sequential(layers)
    result.compile(optimizer="sgd", loss="mse")
    return result


@pytest.fixture(autouse=True)
def clear_log():
    LOG.clear()


def test_fit_runs_each_epoch_hook_before_the_epochs_first_fetch():
    model().fit(
        Recorded("t"),
        validation_data=Recorded("v"),
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[Hooks()],
    )
    epoch = ["t.begin", "t[0]", "t[1]", "t.end", "v.begin", "v[0]", "v[1]", "v.end"]
    assert LOG == [
        *["t.begin", "t[0]", "t.end"],  # one batch to build and check, inside its own hooks
        "train_begin",
        "epoch_begin 0",
        *epoch,
        "epoch_end 0",
        "epoch_begin 1",
        *epoch,
        "epoch_end 1",
    ]


@pytest.mark.parametrize("method", ["evaluate", "predict"])
def test_evaluate_and_predict_fetch_nothing_before_on_epoch_begin(method):
    built = model()
    getattr(built, method)(Recorded("e"), verbose=0)
    assert LOG == ["e.begin", "e[0]", "e[1]", "e.end"]
    LOG.clear()  # an unbuilt model is built from one batch first, inside its own hooks
    getattr(model(built=False), method)(Recorded("e"), verbose=0)
    assert LOG == ["e.begin", "e[0]", "e.end", "e.begin", "e[0]", "e[1]", "e.end"]


def test_a_wrong_shape_from_a_pydataset_is_still_named_in_evaluate():
    class Wide(Recorded):
        def __getitem__(self, index):
            return np.ones((4, 5)), np.ones((4, 1))

    with pytest.raises(
        ValueError, match=r"evaluate: the model expects inputs of shape \(None, 3\)"
    ):
        model().evaluate(Wide("w"), verbose=0)


def test_fit_shuffles_a_pydatasets_batch_order_each_epoch_as_keras_does():
    manual_seed(0)
    trained = model()
    manual_seed(1)
    trained.fit(Recorded("t", count=8), epochs=3, verbose=0)
    fetched = [int(entry[2:-1]) for entry in LOG if entry.startswith("t[")]
    build, epochs = fetched[0], [fetched[1 + 8 * i : 9 + 8 * i] for i in range(3)]
    assert build == 0
    assert all(sorted(order) == list(range(8)) for order in epochs)
    assert any(order != list(range(8)) for order in epochs)
    assert len({tuple(order) for order in epochs}) > 1  # a new order each epoch


def test_a_one_pass_generator_validates_every_epoch():
    rng = np.random.default_rng(0)
    x_val, y_val = rng.normal(size=(12, 3)), rng.normal(size=(12, 1))
    fetched, compared = [], []

    def validation():
        for start in range(0, 12, 4):  # three batches: Keras 3 would keep only two
            fetched.append(start)
            yield x_val[start : start + 4], y_val[start : start + 4]

    class TrueValidation(Callback):
        def on_epoch_end(self, epoch, logs=None):
            compared.append((logs["val_loss"], self.model.evaluate(x_val, y_val, verbose=0)))

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "ran out of data"
        history = model().fit(
            Recorded("t"),
            validation_data=validation(),
            epochs=3,
            verbose=0,
            callbacks=[TrueValidation()],
        )
    assert fetched == [0, 4, 8]  # the generator is walked once
    assert len(history.history["val_loss"]) == 3
    assert len(compared) == 3
    for logged, true in compared:
        assert logged == pytest.approx(true, rel=1e-6)
