"""InverseTimeDecay, PolynomialDecay, CosineDecay (values recorded from Keras 3 at steps
0, 3, 7, 12, 25), ReduceLROnPlateau and LambdaCallback."""

import numpy as np
import pytest

from tinygrad_edu import keras, nn
from tinygrad_edu.nn import callbacks, schedules

STEPS = [0, 3, 7, 12, 25]
KERAS_3 = [
    (schedules.InverseTimeDecay(0.1, 10, 0.5), [0.1, 0.086956523, 0.074074075, 0.0625, 0.0444444]),
    (schedules.InverseTimeDecay(0.1, 10, 0.5, staircase=True), [0.1, 0.1, 0.1, 0.06666667, 0.05]),
    (schedules.PolynomialDecay(0.1, 10), [0.1, 0.070030004, 0.030070001, 0.0001, 0.0001]),
    (
        schedules.PolynomialDecay(0.1, 10, 0.01, power=2.0, cycle=True),
        [0.1, 0.0541, 0.0181, 0.0244, 0.0125],
    ),
    (schedules.CosineDecay(0.1, 10, alpha=0.1), [0.1, 0.081450336, 0.028549666, 0.01, 0.01]),
    (
        schedules.CosineDecay(0.0, 10, alpha=0.1, warmup_target=0.2, warmup_steps=5),
        [0.0, 0.12, 0.182811528, 0.057099331, 0.02],
    ),
]


@pytest.mark.parametrize("schedule, expected", KERAS_3)
def test_schedules_match_keras_3(schedule, expected):
    np.testing.assert_allclose([schedule(step) for step in STEPS], expected, rtol=2e-6)
    again = type(schedule).from_config(schedule.get_config())
    assert [again(step) for step in STEPS] == [schedule(step) for step in STEPS]


def test_schedule_errors_and_keras_names():
    with pytest.raises(ValueError, match="decay_steps must be positive"):
        schedules.PolynomialDecay(0.1, 0)
    assert keras.optimizers.schedules.CosineDecay is schedules.CosineDecay
    optimizer = nn.optimizers.SGD(schedules.InverseTimeDecay(1.0, 1, 1.0))
    assert float(optimizer.learning_rate) == 1.0


class FakeOptimizer:
    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    @property
    def current_learning_rate(self):
        return self.learning_rate


class FakeModel:
    def __init__(self, learning_rate=1.0):
        self.optimizer = FakeOptimizer(learning_rate)


def run_plateau(callback, values, learning_rate=1.0):
    callback.set_model(FakeModel(learning_rate))
    callback.on_train_begin()
    rates = []
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {"val_loss": value})
        rates.append(callback.model.optimizer.learning_rate)
    return rates


def test_reduce_lr_on_plateau_follows_keras_rule():
    # patience 2: two epochs without improvement (by more than min_delta) cut the rate
    rates = run_plateau(callbacks.ReduceLROnPlateau(factor=0.5, patience=2), [5, 4, 4, 4, 3, 3, 3])
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    # cooldown 2 (counted down at each epoch's end, the cut's epoch included): one epoch
    # goes by unwatched after a cut; min_lr bounds the rate
    callback = callbacks.ReduceLROnPlateau(factor=0.1, patience=1, cooldown=2, min_lr=0.05)
    assert run_plateau(callback, [1, 1, 1, 1, 1, 1]) == [1.0, 0.1, 0.1, 0.05, 0.05, 0.05]
    with pytest.raises(ValueError, match="factor must be in"):
        callbacks.ReduceLROnPlateau(factor=1.5)


def test_reduce_lr_on_plateau_in_fit_logs_the_rate():
    model = nn.Sequential([nn.Input((2,)), nn.Dense(1)])
    model.compile(nn.optimizers.SGD(0.0), "mse")  # lr 0: the loss never improves
    x, y = np.ones((4, 2)), np.ones((4, 1))
    reduce = callbacks.ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5, min_lr=0.0)
    model.optimizer.learning_rate = 1e-9
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[reduce])
    assert history.history["learning_rate"][0] == pytest.approx(1e-9)
    assert model.optimizer.learning_rate < 1e-9


def test_lambda_callback_calls_the_functions_it_was_given():
    seen = []
    callback = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(("epoch", epoch, "loss" in logs)),
        on_batch_end=lambda batch, logs: seen.append(("batch", batch)),
        on_train_end=lambda logs: seen.append("end"),
    )
    assert callback.uses_batch_hooks
    model = nn.Sequential([nn.Input((2,)), nn.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(
        np.ones((4, 2)), np.ones((4, 1)), batch_size=2, epochs=1, verbose=0, callbacks=[callback]
    )
    assert seen == [("batch", 0), ("batch", 1), ("epoch", 0, True), "end"]
    with pytest.raises(TypeError, match="'on_nothing' is not a hook"):
        callbacks.LambdaCallback(on_nothing=print)
