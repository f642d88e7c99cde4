"""BackupAndRestore: an interrupted fit resumes with its weights, optimizer state and epoch."""

import numpy as np
import pytest

from tinygrad_edu import keras, manual_seed
from tinygrad_edu.keras import layers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 4)).astype("float32")
Y = RNG.integers(0, 3, 32)


def make_model():
    manual_seed(7)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    return model


class Interrupt(keras.callbacks.Callback):
    """Stops fit with an error at the start of one epoch, as a killed job would."""

    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt


def fit(model, callbacks, epochs=5):
    return model.fit(
        X, Y, epochs=epochs, batch_size=8, shuffle=False, callbacks=callbacks, verbose=0
    )


def test_an_interrupted_fit_resumes_where_it_stopped(tmp_path) -> None:
    straight = make_model()
    fit(straight, [])
    model = make_model()
    backup = keras.callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        fit(model, [backup, Interrupt(at_epoch=3)])
    assert (tmp_path / "backup" / "training_metadata.json").read_text() == '{"epoch": 3}'
    resumed = make_model()  # a new process: fresh weights and optimizer
    history = fit(resumed, [keras.callbacks.BackupAndRestore(tmp_path / "backup")])
    assert history.epoch == [3, 4]  # only the epochs that were left
    # Weights, Adam's moments and its step count all came back: the same as never stopping.
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 20
    for ours, theirs in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert not (tmp_path / "backup").exists()  # a fit that finished deletes its backup


def test_backups_every_few_batches_and_kept_on_request(tmp_path) -> None:
    model = make_model()
    backup = keras.callbacks.BackupAndRestore(tmp_path / "b", save_freq=3, delete_checkpoint=False)
    fit(model, [backup], epochs=1)  # 4 batches: a backup after the third
    assert (tmp_path / "b" / "training_metadata.json").read_text() == '{"epoch": 0}'
    with pytest.raises(ValueError, match="save_freq must be 'epoch' or a number of batches"):
        keras.callbacks.BackupAndRestore(tmp_path, save_freq="batch")
    with pytest.raises(ValueError, match="backup_dir is empty"):
        keras.callbacks.BackupAndRestore("")
