"""Callbacks: the hooks fit calls, History, EarlyStopping, TerminateOnNaN,
LearningRateScheduler, ModelCheckpoint and CSVLogger."""

import os

import numpy as np
import pytest

from tinygrad_edu import manual_seed, nn
from tinygrad_edu.nn.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    TerminateOnNaN,
)


def data(samples=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 3)).astype(np.float32)
    return x, x.sum(axis=1, keepdims=True)


def model_with(learning_rate=0.05, seed=0):
    manual_seed(seed)
    model = nn.Sequential([nn.Dense(1, input_shape=(3,))])
    model.compile(
        optimizer=nn.optimizers.SGD(learning_rate=learning_rate), loss="mse", metrics=["mae"]
    )
    return model


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin",))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end", sorted(logs)))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, dict(logs)))

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("batch_begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, dict(logs)))


# ---------------------------------------------------------------- the hooks
def test_hooks_are_called_in_order_with_model_and_params():
    x, y = data(8)
    model = model_with()
    recorder = Recorder()
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[recorder], validation_data=(x, y))
    assert recorder.model is model
    assert recorder.params == {"verbose": 0, "epochs": 2, "steps": 2}
    kinds = [call[:2] if call[0] != "train_begin" else call for call in recorder.calls]
    assert kinds == [
        ("train_begin",),
        ("epoch_begin", 0),
        ("batch_begin", 0),
        ("batch_end", 0),
        ("batch_begin", 1),
        ("batch_end", 1),
        ("epoch_end", 0),
        ("epoch_begin", 1),
        ("batch_begin", 0),
        ("batch_end", 0),
        ("batch_begin", 1),
        ("batch_end", 1),
        ("epoch_end", 1),
        ("train_end", ["loss", "mae", "val_loss", "val_mae"]),
    ]
    batch_logs = [call[2] for call in recorder.calls if call[0] == "batch_end"]
    assert all(set(logs) == {"loss", "mae"} for logs in batch_logs)
    epoch_logs = [call[2] for call in recorder.calls if call[0] == "epoch_end"]
    assert set(epoch_logs[0]) == {"loss", "mae", "val_loss", "val_mae"}
    # The last batch's running mean is the epoch's mean.
    assert batch_logs[1]["loss"] == pytest.approx(epoch_logs[0]["loss"])


def test_old_style_on_batch_hooks_are_called_too():
    class OldStyle(Callback):
        def __init__(self):
            super().__init__()
            self.batches = []

        def on_batch_end(self, batch, logs=None):
            self.batches.append(batch)

    callback = OldStyle()
    x, y = data(6)
    model_with().fit(x, y, batch_size=2, epochs=1, verbose=0, callbacks=[callback])
    assert callback.batches == [0, 1, 2]


def test_a_callback_can_stop_training_mid_epoch():
    class StopAfterTwoBatches(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    x, y = data(8)
    model = model_with()
    history = model.fit(x, y, batch_size=2, epochs=5, verbose=0, callbacks=[StopAfterTwoBatches()])
    assert history.epoch == [0]
    assert model.optimizer.iterations == 2


def test_non_callbacks_are_refused():
    x, y = data(4)
    with pytest.raises(TypeError, match="callbacks must be Callback instances, got function"):
        model_with().fit(x, y, verbose=0, callbacks=[lambda: None])


# ---------------------------------------------------------------- EarlyStopping
class FakeModel:
    """Just enough model for driving a callback by hand."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.array([0.0])]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [w.copy() for w in weights]


def drive(callback, values, monitor="val_loss", model=None):
    """Feed one monitored value per epoch; return the epoch training stopped at (or None)."""
    model = model or FakeModel()
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, value in enumerate(values):
        model.weights = [np.array([float(epoch)])]
        callback.on_epoch_end(epoch, {monitor: value})
        if model.stop_training:
            callback.on_train_end()
            return epoch
    callback.on_train_end()
    return None


def test_early_stopping_waits_patience_epochs_without_improvement():
    assert drive(EarlyStopping(patience=0), [1.0, 1.1]) == 1
    assert drive(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.96, 0.5]) == 3
    assert drive(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.8, 0.85]) is None


def test_early_stopping_min_delta_requires_a_big_enough_improvement():
    assert drive(EarlyStopping(patience=1, min_delta=0.1), [1.0, 0.95, 0.92]) == 1
    assert drive(EarlyStopping(patience=1, min_delta=0.01), [1.0, 0.95, 0.92]) is None


def test_early_stopping_mode_auto_maximizes_accuracy():
    assert (
        drive(
            EarlyStopping(monitor="val_accuracy", patience=1),
            [0.5, 0.6, 0.7, 0.65, 0.6],
            monitor="val_accuracy",
        )
        == 3
    )
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max'"):
        EarlyStopping(mode="up")


def test_early_stopping_baseline_must_be_beaten():
    # Improving every epoch, never below the baseline of 0.5: Keras 3 keeps going (issue 20;
    # this stopped at epoch 1 before).
    assert drive(EarlyStopping(patience=2, baseline=0.5), [1.0, 0.9, 0.8, 0.7]) is None
    # Not improving and never below it: two epochs of patience run out.
    assert drive(EarlyStopping(patience=2, baseline=0.5), [1.0, 1.0, 1.0, 1.0]) == 1
    assert drive(EarlyStopping(patience=3, baseline=0.5), [1.0, 0.9, 0.4, 0.45, 0.5]) is None
    assert drive(EarlyStopping(patience=2, baseline=0.5), [0.4, 0.3, 0.2, 0.1]) is None


# What keras 3.x's EarlyStopping does with these values (run there, JAX backend): the epoch
# training stops at (None: it runs to the end) and the best epoch.
KERAS3_EARLY_STOPPING = [
    (dict(patience=2, baseline=0.5), [1.0, 0.9, 0.8, 0.7, 0.6, 0.55], None, 5),
    (dict(patience=2, baseline=0.5), [1.0, 1.0, 1.0, 1.0], 1, 0),
    (dict(patience=1, baseline=0.5), [1.0, 0.9, 0.95, 0.97], 2, 1),
    (dict(patience=3, baseline=0.5), [1.0, 0.9, 0.4, 0.45, 0.5], None, 2),
    (dict(patience=2, baseline=0.5), [0.4, 0.3, 0.2, 0.1], None, 3),
    (dict(patience=0, baseline=0.5), [1.0, 1.2], 1, 0),
    (dict(patience=1, baseline=0.5), [0.4, 0.45, 0.46], 1, 0),
    (dict(patience=1, baseline=0.5), [1.0, 0.9, 0.95, 0.85, 0.9, 0.92], 2, 1),
    (dict(patience=0, start_from_epoch=2), [1.0, 1.1, 1.2, 1.3, 1.4], 3, 2),
    (dict(patience=1, start_from_epoch=2), [1.0, 0.5, 1.2, 1.3, 1.4], 3, 2),
    (
        dict(patience=0, start_from_epoch=3, restore_best_weights=True),
        [1.0, 0.5, 1.2, 1.3, 1.4],
        4,
        3,
    ),
    (dict(patience=1, start_from_epoch=1, baseline=0.5), [0.1, 1.0, 0.9, 0.8], None, 3),
]


@pytest.mark.parametrize("arguments, values, stops_at, best_epoch", KERAS3_EARLY_STOPPING)
def test_early_stopping_matches_keras_3(arguments, values, stops_at, best_epoch):
    model = FakeModel()
    callback = EarlyStopping(**arguments)
    assert drive(callback, values, model=model) == stops_at
    assert callback.best_epoch == best_epoch
    if arguments.get("restore_best_weights"):  # the weights of the best watched epoch
        np.testing.assert_array_equal(model.weights[0], [float(best_epoch)])


def test_early_stopping_start_from_epoch_must_not_be_negative():
    with pytest.raises(ValueError, match="start_from_epoch must be >= 0, got -1"):
        EarlyStopping(start_from_epoch=-1)


def test_early_stopping_restores_the_best_weights():
    model = FakeModel()
    callback = EarlyStopping(patience=1, restore_best_weights=True)
    assert drive(callback, [1.0, 0.5, 0.7, 0.8], model=model) == 2
    assert callback.best == 0.5 and callback.best_epoch == 1
    np.testing.assert_array_equal(model.weights[0], [1.0])  # from the end of epoch 1


def test_early_stopping_restores_the_best_weights_when_training_ends_without_stopping():
    # Keras 3: 6 epochs, patience 10 (never runs out), best value at the third epoch.
    model = FakeModel()
    callback = EarlyStopping(patience=10, restore_best_weights=True)
    assert drive(callback, [1.0, 0.8, 0.5, 0.6, 0.7, 0.9], model=model) is None
    assert callback.best_epoch == 2
    np.testing.assert_array_equal(model.weights[0], [2.0])  # from the end of the third epoch


@pytest.mark.parametrize("patience", [0, 1, 3, 20])
def test_early_stopping_always_ends_on_the_best_epochs_weights(patience):
    rng = np.random.default_rng(patience)
    for _ in range(20):
        values = list(rng.permutation(8).astype(float))
        model = FakeModel()
        callback = EarlyStopping(patience=patience, restore_best_weights=True)
        stopped = drive(callback, values, model=model)
        seen = values[: (len(values) if stopped is None else stopped + 1)]
        np.testing.assert_array_equal(model.weights[0], [float(np.argmin(seen))])


def test_early_stopping_restores_in_fit_after_the_last_epoch():
    # 6 epochs, patience 10, the monitored value best at the third epoch: fit ends
    # with the third epoch's weights (Keras 3), not the sixth's.
    x, y = data(8)
    model = model_with(learning_rate=0.05)  # the weights change every epoch
    scores, snapshots = [1.0, 0.8, 0.5, 0.6, 0.7, 0.9], []

    class Score(Callback):  # runs before EarlyStopping: adds the value it monitors
        def on_epoch_end(self, epoch, logs=None):
            logs["score"] = scores[epoch]
            snapshots.append(self.model.get_weights())

    stopper = EarlyStopping(monitor="score", mode="min", patience=10, restore_best_weights=True)
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[Score(), stopper])
    assert history.epoch == [0, 1, 2, 3, 4, 5]
    assert not np.array_equal(snapshots[2][0], snapshots[5][0])
    for restored, expected in zip(model.get_weights(), snapshots[2]):
        np.testing.assert_array_equal(restored, expected)


def test_early_stopping_warns_when_the_value_is_missing():
    with pytest.warns(UserWarning, match="no 'val_loss' to monitor"):
        assert drive(EarlyStopping(), [1.0, 2.0], monitor="loss") is None


def test_early_stopping_in_fit():
    x, y = data(8)
    model = model_with(learning_rate=0.0)  # nothing improves
    history = model.fit(
        x, y, epochs=10, verbose=0, callbacks=[EarlyStopping(monitor="loss", patience=2)]
    )
    assert history.epoch == [0, 1, 2]


# ---------------------------------------------------------------- TerminateOnNaN
def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys):
    def nan_loss(y_true, y_pred):
        return (y_pred * float("nan")).mean()

    x, y = data(8)
    model = model_with()
    model.compile(optimizer="sgd", loss=nan_loss)
    history = model.fit(x, y, batch_size=2, epochs=3, verbose=0, callbacks=[TerminateOnNaN()])
    assert model.optimizer.iterations == 1
    assert history.epoch == [0] and np.isnan(history.history["loss"][0])
    assert "Batch 0: invalid loss" in capsys.readouterr().out


def test_terminate_on_nan_can_raise_as_in_keras_3():
    def nan_loss(y_true, y_pred):
        return (y_pred * float("nan")).mean()

    x, y = data(8)
    model = model_with()
    model.compile(optimizer="sgd", loss=nan_loss)
    with pytest.raises(RuntimeError, match="TerminateOnNaN: the loss became nan at batch 0"):
        model.fit(x, y, batch_size=2, epochs=3, verbose=0, callbacks=[TerminateOnNaN(True)])


# ---------------------------------------------------------------- LearningRateScheduler
def test_learning_rate_scheduler_sets_the_rate_each_epoch():
    seen = []

    def halve(epoch, learning_rate):
        seen.append((epoch, learning_rate))
        return learning_rate if epoch == 0 else learning_rate / 2

    x, y = data(8)
    model = model_with(learning_rate=0.1)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[LearningRateScheduler(halve)])
    assert seen == [(0, pytest.approx(0.1)), (1, pytest.approx(0.1)), (2, pytest.approx(0.05))]
    assert model.optimizer.learning_rate == pytest.approx(0.025)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])


def test_learning_rate_scheduler_accepts_a_function_of_the_epoch_only(capsys):
    x, y = data(4)
    model = model_with()
    model.fit(
        x,
        y,
        epochs=2,
        verbose=0,
        callbacks=[LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1), verbose=1)],
    )
    assert model.optimizer.learning_rate == pytest.approx(0.02)
    assert "setting learning rate to 0.02" in capsys.readouterr().out


def test_learning_rate_scheduler_rejects_a_bad_schedule():
    x, y = data(4)
    with pytest.raises(ValueError, match="must return a finite number, got 'fast'"):
        model_with().fit(x, y, verbose=0, callbacks=[LearningRateScheduler(lambda e, lr: "fast")])


# ---------------------------------------------------------------- ModelCheckpoint
def test_model_checkpoint_saves_every_epoch_with_a_formatted_name(tmp_path):
    x, y = data(8)
    model = model_with()
    pattern = str(tmp_path / "ckpt" / "weights-{epoch:02d}-{val_loss:.2f}.npz")
    history = model.fit(
        x, y, epochs=2, verbose=0, validation_data=(x, y), callbacks=[ModelCheckpoint(pattern)]
    )
    expected = sorted(
        f"weights-{epoch:02d}-{value:.2f}.npz"
        for epoch, value in zip([1, 2], history.history["val_loss"])
    )
    assert sorted(os.listdir(tmp_path / "ckpt")) == expected
    restored = model_with(seed=5)
    restored.load_weights(tmp_path / "ckpt" / expected[-1])
    for a, b in zip(model.get_weights(), restored.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_save_best_only(tmp_path):
    path = tmp_path / "best.npz"
    model = FakeModel()
    saved = []
    model.save_weights = lambda p: saved.append(p)
    callback = ModelCheckpoint(str(path), monitor="loss", save_best_only=True)
    callback.set_model(model)
    for epoch, loss in enumerate([1.0, 0.5, 0.7, 0.4]):
        callback.on_epoch_end(epoch, {"loss": loss})
    assert len(saved) == 3 and callback.best == 0.4
    maximize = ModelCheckpoint(str(path), monitor="val_accuracy", save_best_only=True)
    maximize.set_model(model)
    saved.clear()
    for epoch, accuracy in enumerate([0.5, 0.4, 0.6]):
        maximize.on_epoch_end(epoch, {"val_accuracy": accuracy})
    assert len(saved) == 2


def test_model_checkpoint_saves_whole_models_by_default_as_keras_3(tmp_path):
    x, y = data(4)
    model = model_with()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "m.zip")])
    loaded = nn.load_model(tmp_path / "m.zip")  # a whole model, not weights
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    model.fit(x, y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "w.npz")])
    assert np.load(tmp_path / "w.npz").files  # a .npz name: the weights, as before


def test_model_checkpoint_names_the_keras_file_to_use_for_a_legacy_h5_name(tmp_path):
    with pytest.raises(ValueError) as error:
        ModelCheckpoint(tmp_path / "best.h5")
    message = str(error.value)
    assert "Keras 2's legacy format" in message and "best.keras" in message
    assert ".zip" in message and ".npz" in message and ".weights.h5" in message
    # model.save gives the same words (one place writes them)
    with pytest.raises(ValueError) as same:
        model_with().save(tmp_path / "best.h5")
    assert str(same.value).replace("save:", "ModelCheckpoint:", 1) == message
    assert os.listdir(tmp_path) == []


def test_model_checkpoint_writes_keras_files_whole_or_weights_only(tmp_path):
    x, y = data(4)
    model = model_with()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "best.keras")])
    loaded = nn.load_model(tmp_path / "best.keras")  # a whole model, Keras 3's format
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    weights_only = ModelCheckpoint(tmp_path / "w.weights.h5", save_weights_only=True)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[weights_only])
    copy = model_with()
    copy.build((None, x.shape[1]))
    copy.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(copy.predict(x, verbose=0), model.predict(x, verbose=0))


def test_model_checkpoint_saves_anyway_when_the_monitored_value_is_missing(tmp_path):
    # Keras 3 warns and saves (as if save_best_only were False); this skipped the save before
    model = FakeModel()
    saved = []
    model.save_weights = saved.append
    callback = ModelCheckpoint(str(tmp_path / "w.npz"), save_best_only=True)
    callback.set_model(model)
    with pytest.warns(UserWarning, match="no 'val_loss'.*saving anyway"):
        callback.on_epoch_end(0, {"loss": 1.0})
    assert len(saved) == 1


def test_model_checkpoint_initial_value_threshold(tmp_path):
    model = FakeModel()
    saved = []
    model.save_weights = saved.append
    callback = ModelCheckpoint(
        str(tmp_path / "w.npz"), monitor="loss", save_best_only=True, initial_value_threshold=0.5
    )
    callback.set_model(model)
    for epoch, loss in enumerate([0.9, 0.6, 0.4, 0.45, 0.3]):
        callback.on_epoch_end(epoch, {"loss": loss})
    assert len(saved) == 2 and callback.best == 0.3


def test_model_checkpoint_save_freq_counts_batches_across_epochs(tmp_path):
    x, y = data(6)  # 3 batches of 2 per epoch, 2 epochs: saves after batches 2, 4 and 6
    model = model_with()
    pattern = str(tmp_path / "w-{epoch}-{batch}.npz")
    model.fit(
        x, y, batch_size=2, epochs=2, verbose=0, shuffle=False,
        callbacks=[ModelCheckpoint(pattern, save_freq=2)],
    )  # fmt: skip
    assert sorted(os.listdir(tmp_path)) == ["w-1-2.npz", "w-2-1.npz", "w-2-3.npz"]
    with pytest.raises(ValueError, match="save_freq must be 'epoch' or a whole number"):
        ModelCheckpoint(pattern, save_freq="batch")


def test_model_checkpoint_errors(tmp_path):
    # Whole models are saved (issue 17) to .keras (issue 25) or .zip files only.
    with pytest.raises(ValueError, match=r"ending in \.keras .* or \.zip .*; got"):
        ModelCheckpoint(tmp_path / "m", save_weights_only=False)
    x, y = data(4)
    with pytest.raises(
        KeyError,
        match=r"uses \{val_loss\} but the logs at epoch 1 have only: "
        r"epoch, loss, mae",
    ):
        model_with().fit(
            x, y, verbose=0, callbacks=[ModelCheckpoint(str(tmp_path / "{val_loss:.2f}.npz"))]
        )


# ---------------------------------------------------------------- CSVLogger
def read_rows(path, separator=","):
    return [line.split(separator) for line in path.read_text().splitlines()]


def test_csv_logger_writes_a_header_and_a_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    x, y = data(8)
    history = model_with().fit(
        x, y, epochs=3, verbose=0, validation_data=(x, y), callbacks=[CSVLogger(path)]
    )
    rows = read_rows(path)
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2"]
    assert [float(row[1]) for row in rows[1:]] == history.history["loss"]
    assert os.listdir(tmp_path) == ["log.csv"]  # no temporary files left


def test_csv_logger_append_and_separator(tmp_path):
    path = tmp_path / "log.tsv"
    x, y = data(8)
    model = model_with()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path, separator="\t")])
    model.fit(
        x,
        y,
        epochs=4,
        initial_epoch=2,
        verbose=0,
        callbacks=[CSVLogger(path, separator="\t", append=True)],
    )
    rows = read_rows(path, "\t")
    assert rows[0] == ["epoch", "loss", "mae"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2", "3"]
    # Without append the file starts over.
    model.fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, separator="\t")])
    assert len(read_rows(path, "\t")) == 2
