"""`BackupAndRestore`: a fit that was interrupted resumes where it stopped.

    backup = BackupAndRestore("backup")
    model.fit(x, y, epochs=10, callbacks=[backup])  # killed during epoch 6...
    model.fit(x, y, epochs=10, callbacks=[backup])  # ...trains epochs 6 to 10 only

At the end of each epoch (or every `save_freq` batches) the callback writes
into `backup_dir` the weights, the optimizer's state (its step count and, for
Adam or RMSprop, its moving averages) and the number of epochs done. When fit
starts it reads them back, if they are there, and fit begins at the epoch after
the last one saved, so the model, the optimizer and the epoch count are where
the interrupted run left them. A fit that ends normally deletes the backup, so
the next fit starts afresh (`delete_checkpoint=False` keeps it).

Each file is written to a temporary name and renamed, so a crash while saving
leaves the previous backup whole. The files are `latest.weights.npz`,
`optimizer.npz` and `training_metadata.json` (Keras 3 keeps the same metadata
beside a `.weights.h5` file).
"""

from __future__ import annotations

import io
import json
import os
import shutil

import numpy as np

from tinygrad_edu.files import write_bytes_atomically, write_text_atomically
from tinygrad_edu.nn import saving
from tinygrad_edu.nn.callbacks import Callback

WEIGHTS_FILE = "latest.weights.npz"
OPTIMIZER_FILE = "optimizer.npz"
METADATA_FILE = "training_metadata.json"


class BackupAndRestore(Callback):
    """Back up the training state each epoch; resume an interrupted fit from it.

    Args:
        backup_dir: the folder for the backup (made if missing); one per training run.
        save_freq: "epoch" (at each epoch's end), or a number of batches.
        delete_checkpoint: delete the backup when fit ends without interruption.

    Raises:
        ValueError: an empty backup_dir, or a save_freq that is neither "epoch" nor
            a positive number.
    """

    def __init__(
        self, backup_dir: str | os.PathLike, save_freq: str | int = "epoch",
        delete_checkpoint: bool = True,
    ) -> None:  # fmt: skip
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: backup_dir is empty; give a folder name")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(
                f"BackupAndRestore: save_freq must be 'epoch' or a number of batches above "
                f"0, got {save_freq!r}"
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._epochs_done = 0  # the epochs finished, which a resumed fit skips
        self._batches_since_save = 0

    def _path(self, name: str) -> str:
        return os.path.join(self.backup_dir, name)

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        """Restore the weights, the optimizer state and the epoch from a backup, if any."""
        if not os.path.exists(self._path(METADATA_FILE)):
            return
        metadata = json.loads(open(self._path(METADATA_FILE), encoding="utf-8").read())
        self.model.load_weights(self._path(WEIGHTS_FILE))
        if os.path.exists(self._path(OPTIMIZER_FILE)) and self.model.optimizer is not None:
            with np.load(self._path(OPTIMIZER_FILE), allow_pickle=False) as arrays:
                saving._restore_optimizer(self.model, dict(arrays), self._path(OPTIMIZER_FILE))
        self._epochs_done = int(metadata["epoch"])
        # fit reads this after on_train_begin and starts at that epoch (as Keras 3).
        self.model._initial_epoch = self._epochs_done

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Note the epoch, so that a backup made during it resumes at its start."""
        self._epochs_done = epoch

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Back up after the epoch (with save_freq="epoch")."""
        self._epochs_done = epoch + 1
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Back up every `save_freq` batches (with a number as save_freq)."""
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save()

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        """Delete the backup: training finished, so the next fit starts afresh."""
        # Not called when fit is interrupted (an exception ends it): the backup stays.
        if self.delete_checkpoint:
            shutil.rmtree(self.backup_dir, ignore_errors=True)

    def _save(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        self.model.save_weights(self._path(WEIGHTS_FILE))
        buffer = io.BytesIO()
        np.savez(buffer, **saving._optimizer_arrays(self.model))
        write_bytes_atomically(self._path(OPTIMIZER_FILE), buffer.getvalue())
        # The metadata last: a backup counts only once its weights are written.
        write_text_atomically(self._path(METADATA_FILE), json.dumps({"epoch": self._epochs_done}))
