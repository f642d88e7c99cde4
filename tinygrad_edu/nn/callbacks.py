"""Callbacks: code that `fit` runs at the start and end of training, epochs and batches.

Subclass `Callback` and override the hooks you need:

    class PrintLoss(Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(epoch, logs["loss"])

    model.fit(x, y, callbacks=[PrintLoss(), EarlyStopping(patience=2)])

`logs` is a dict of the current values: at a batch's end the epoch's running
means (`loss`, each metric), at an epoch's end the epoch's means plus the
validation values (`val_loss`, ...). A callback stops training by setting
`self.model.stop_training = True`.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tinygrad_edu.files import create_parent_folder
from tinygrad_edu.nn import saving, serialization
from tinygrad_edu.nn.progress import Progbar
from tinygrad_edu.nn.serialization import write_text_atomically

Logs = dict[str, Any]


class Callback:
    """The base class: every hook does nothing until a subclass overrides it."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        """`fit` gives the model being trained; hooks reach it as `self.model`."""
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        """`fit` passes {"verbose", "epochs", "steps"} (steps per epoch)."""
        self.params = params

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Called once when `fit` starts, before the first epoch."""

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Called once when `fit` ends; `logs` are the last epoch's."""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Called before each epoch; `epoch` counts from 0 (from `initial_epoch`)."""

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Called after each epoch with its means ("loss", metrics, "val_..." values)."""

    # Older Keras names for the training-batch hooks: overriding either works.
    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Keras's older name of `on_train_batch_begin`."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Keras's older name of `on_train_batch_end`."""

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before each training step; `batch` counts from 0 in each epoch."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each training step with the epoch's running means so far."""
        self.on_batch_end(batch, logs)

    @property
    def uses_batch_hooks(self) -> bool:
        """True if a subclass overrides a batch hook (fit skips them all otherwise)."""
        names = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end")
        return any(getattr(type(self), name) is not getattr(Callback, name) for name in names)


class CallbackList:
    """Calls each hook on every callback in order; what `fit` talks to.

    Raises:
        TypeError: an entry of `callbacks` that is not a Callback.
    """

    def __init__(self, callbacks: Iterable[Callback], model: Any, params: dict[str, Any]):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"fit: callbacks must be Callback instances, got {type(callback).__name__}"
                )
            callback.set_model(model)
            callback.set_params(params)
        self.batch_callbacks = [c for c in self.callbacks if c.uses_batch_hooks]
        # fit checks this before building a batch's logs, to keep the training step lean.
        self.uses_batch_hooks = bool(self.batch_callbacks)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """`on_train_begin` of every callback, in order."""
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        """`on_train_end` of every callback, in order."""
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """`on_epoch_begin` of every callback, in order."""
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """`on_epoch_end` of every callback, in order."""
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """`on_train_batch_begin` of every callback, in order."""
        for callback in self.batch_callbacks:
            callback.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """`on_train_batch_end` of every callback, in order."""
        for callback in self.batch_callbacks:
            callback.on_train_batch_end(batch, logs)


class History(Callback):
    """Records each epoch's logs: `history.history["loss"]` is a list, one value per epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Start a new list of epochs (the values of an earlier fit are kept)."""
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Append the epoch number and each value of `logs` to its list."""
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

    def __repr__(self) -> str:
        return f"History(epochs={self.epoch}, keys={list(self.history)})"


class ProgbarLogger(Callback):
    """Prints `Epoch 1/5` and a progress bar per epoch (what `fit(verbose=1 or 2)` adds)."""

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose = verbose
        self.progbar: Progbar | None = None
        self.seen = 0  # steps done this epoch: the final count when "steps" is None

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Print "Epoch n/N" and start a new progress bar."""
        print(f"Epoch {epoch + 1}/{self.params['epochs']}", flush=True)
        self.progbar = Progbar(self.params["steps"], verbose=self.verbose)
        self.seen = 0

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Move the bar on, showing the running means."""
        self.seen = batch + 1
        if self.progbar is not None:
            self.progbar.update(batch + 1, (logs or {}).items(), finalize=False)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Finish the bar with the epoch's means and validation values."""
        if self.progbar is not None:
            # fit sets "steps" once it knows them, after a first pass over a generator
            steps = self.params["steps"] or self.seen
            self.progbar.update(steps, (logs or {}).items(), finalize=True)

    @property
    def uses_batch_hooks(self) -> bool:
        """Only with verbose=1: verbose=2 prints one line per epoch."""
        return self.verbose == 1  # verbose=2 prints only at the end of each epoch


def _monitor_comparison(monitor: str, mode: str, caller: str) -> Callable[[float, float], bool]:
    """`np.less` for losses, `np.greater` for accuracies: is a new value better?"""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{caller}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        higher_is_better = any(word in monitor for word in ("acc", "auc", "precision", "recall"))
        mode = "max" if higher_is_better else "min"
    return np.greater if mode == "max" else np.less


class EarlyStopping(Callback):
    """Stop training when `monitor` has stopped improving for `patience` epochs.

    An improvement must beat the best value so far by more than `min_delta`.
    Training never stops on an epoch that improves. With `baseline`, an
    improvement that still misses the baseline does not reset the waiting count,
    so training stops after `patience` epochs once the value stops improving
    without having beaten the baseline (Keras 3's rule: it keeps going while the
    value improves). Epochs before `start_from_epoch` are not watched at all (a
    warm-up). With `restore_best_weights`, the model gets back the weights of its best
    epoch when training ends, whether it stopped early or ran all its epochs
    (as in Keras 3), provided a best epoch was seen (the monitored value was
    in the logs at least once).

    Args:
        monitor: the logged value to watch, "val_loss" by default.
        min_delta: how much better than the best so far counts as better (>= 0, in
            the monitored value's units).
        patience: epochs without improvement before stopping (>= 0).
        verbose: 1 prints when it stops and when it restores weights.
        mode: "min", "max", or "auto" (max for accuracies, min otherwise).
        baseline: a value the monitored one must beat, or None.
        restore_best_weights: give the model its best epoch's weights at the end.
        start_from_epoch: how many epochs (counting from 0) to train before watching.

    Raises:
        ValueError: a negative patience or start_from_epoch, or an unknown mode.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        if start_from_epoch < 0:
            raise ValueError(
                f"EarlyStopping: start_from_epoch must be >= 0, got {start_from_epoch}"
            )
        self.start_from_epoch = start_from_epoch
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.monitor_op = _monitor_comparison(monitor, mode, "EarlyStopping")
        # A better value is one that still beats the reference after giving up min_delta.
        self.min_delta = abs(min_delta) if self.monitor_op is np.greater else -abs(min_delta)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_epoch = 0
        self.best_weights: list[np.ndarray] | None = None

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        return reference is None or bool(self.monitor_op(value - self.min_delta, reference))

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Forget the best value and the waiting count of an earlier fit."""
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Compare the monitored value with the best; stop when patience has run out.

        Warns (and does nothing) when the logs lack the monitored value.
        """
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(
                f"EarlyStopping: the logs have no '{self.monitor}' to monitor (they have: "
                f"{', '.join(logs or {})}); pass validation data for 'val_' values",
                stacklevel=2,
            )
            return
        if epoch < self.start_from_epoch:
            return  # still warming up
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0  # a real improvement: wait afresh
            return  # never stop on an epoch that improved, baseline beaten or not
        # No improvement: has patience run out?
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Restore the best epoch's weights if asked (and say so when verbose)."""
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of epoch {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss becomes NaN or infinite.

    Args:
        raise_error: raise a RuntimeError there instead of stopping quietly (Keras 3).
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Set `model.stop_training` if the running loss is NaN or infinite.

        Raises:
            RuntimeError: with `raise_error=True`, naming the batch and the loss.
        """
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"TerminateOnNaN: the loss became {loss} at batch {batch}; training stopped"
                )
            print(f"Batch {batch}: invalid loss ({loss}), terminating training")
            self.model.stop_training = True


class LearningRateScheduler(Callback):
    """At each epoch's start set the optimizer's learning rate to `schedule(epoch, lr)`.

    `schedule` may also take only the epoch: `schedule(epoch)`. `epoch` counts from 0;
    the rate is a float in the optimizer's units (step size per unit of gradient).
    Each epoch's logs also get "learning_rate".
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _current_learning_rate(self) -> float:
        optimizer = self.model.optimizer
        learning_rate = optimizer.learning_rate
        if isinstance(learning_rate, (int, float, np.floating)):
            return float(learning_rate)
        return float(optimizer.current_learning_rate)  # a schedule object or a callable

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Set the optimizer's learning rate to the schedule's value for `epoch`.

        Raises:
            RuntimeError: the model is not compiled (it has no optimizer).
            ValueError: the schedule returned something other than a finite number.
        """
        if getattr(self.model, "optimizer", None) is None:
            raise RuntimeError("LearningRateScheduler: the model has no optimizer; compile it")
        current = self._current_learning_rate()
        try:
            new = self.schedule(epoch, current)
        except TypeError:  # a schedule of the epoch only
            new = self.schedule(epoch)
        if isinstance(new, np.ndarray) and new.size == 1:
            new = new.item()
        if not isinstance(new, (int, float, np.floating)) or not math.isfinite(new):
            raise ValueError(
                f"LearningRateScheduler: schedule({epoch}, {current}) must return a finite "
                f"number, got {new!r}"
            )
        self.model.optimizer.learning_rate = float(new)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Add the learning rate in use to the epoch's logs."""
        if logs is not None:
            logs["learning_rate"] = self._current_learning_rate()


class ModelCheckpoint(Callback):
    """Save the model (or its weights) after every epoch, or only when `monitor` improves.

    What is saved follows Keras 3: the whole model (`model.save`: `.keras`, Keras 3's
    format, or `.zip`, ours; `load_model` reads both back), or with
    `save_weights_only=True` the weights (`.weights.h5` or `.npz`). Left out (None),
    the file name decides: `.keras`/`.zip` whole model, `.weights.h5`/`.npz` weights.

    `filepath` may use the epoch number (counting from 1), with `save_freq` a number
    the batch number too (from 1), and the logs, e.g.
    `"checkpoints/weights-{epoch:02d}-{val_loss:.2f}.npz"`. Missing folders are
    created when saving, as Keras's ModelCheckpoint does (`model.save` and
    `save_weights` themselves need an existing folder).

    Args:
        filepath: where to save: ".keras" or ".zip" for whole models, ".weights.h5" or
            ".npz" for weights.
        monitor: the logged value `save_best_only` watches ("val_loss").
        verbose: 1 prints each save, and each epoch that did not improve.
        save_best_only: save only when `monitor` beats the best so far; when the
            logs lack it, warn and save anyway (as Keras 3 does).
        save_weights_only: weights only (True), the whole model (False), or None:
            by the file name.
        mode: "min", "max" or "auto" (max for accuracies).
        save_freq: "epoch" (at each epoch's end) or a number of batches, counted
            across epochs, after which to save (then the logs are the epoch's so far).
        initial_value_threshold: with save_best_only, a value the first save must
            beat (None: the first value is saved).

    Raises:
        ValueError: a file name that does not fit what is saved, an unknown mode, or
            a save_freq that is neither "epoch" nor a positive integer.
        OSError: (when saving) the file or its folder cannot be written, naming the path.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool | None = None,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        if save_weights_only is None:  # by the file name; Keras's weights suffix too
            save_weights_only = self.filepath.endswith((".npz", ".weights.h5"))
        if save_weights_only:
            serialization.check_weights_file_name(self.filepath, caller="ModelCheckpoint")
        else:
            saving.check_model_file_name(self.filepath, "ModelCheckpoint")
        if save_freq != "epoch" and (
            isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1
        ):
            raise ValueError(
                "ModelCheckpoint: save_freq must be 'epoch' or a whole number of batches >= 1, "
                f"got {save_freq!r}"
            )
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.monitor_op = _monitor_comparison(monitor, mode, "ModelCheckpoint")
        self.best: float | None = initial_value_threshold
        self._epoch = 0
        self._batches_since_save = 0

    @property
    def uses_batch_hooks(self) -> bool:
        """Only when saving every `save_freq` batches."""
        return self.save_freq != "epoch"

    def _path_for(self, epoch: int, batch: int | None, logs: Logs) -> str:
        fields = {"epoch": epoch + 1, **({} if batch is None else {"batch": batch + 1})}
        try:
            return self.filepath.format(**fields, **logs)
        except KeyError as error:
            raise KeyError(
                f"ModelCheckpoint: filepath '{self.filepath}' uses {{{error.args[0]}}} but the "
                f"logs at epoch {epoch + 1} have only: {', '.join([*fields, *logs])}"
            ) from None

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Remember the epoch, for saves every `save_freq` batches."""
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """With a number as `save_freq`, save after every `save_freq` batches."""
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Save to `filepath` (filled in with the epoch and logs), if it is time to.

        Warns when `save_best_only` finds no monitored value in the logs (and saves);
        a `filepath` field the logs do not have is a KeyError that names the fields
        they do have.
        """
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _save(self, epoch: int, batch: int | None, logs: Logs) -> None:
        path = self._path_for(epoch, batch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(
                    f"ModelCheckpoint: cannot tell the best model: the logs have no "
                    f"'{self.monitor}' (they have: {', '.join(logs)}); saving anyway",
                    stacklevel=2,
                )
            elif self.best is not None and not self.monitor_op(current, self.best):
                if self.verbose:
                    print(f"Epoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            else:
                if self.verbose:
                    print(f"Epoch {epoch + 1}: {self.monitor} improved to {current:.5f}, saving")
                self.best = current
        elif self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        # Keras's ModelCheckpoint creates its folder; model.save does not.
        create_parent_folder(path, "ModelCheckpoint")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)  # the whole model, in one .keras or .zip file


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file: `epoch,accuracy,loss,...`.

    The whole file is rewritten atomically after each epoch (it is small), so an
    interrupted run leaves a complete, readable file. With `append=True` the rows
    go after those already in the file.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self._earlier_text = ""
        self._keys: list[str] | None = None
        self._rows: list[str] = []

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Start the rows afresh (reading the file's earlier rows with append=True)."""
        self._earlier_text = ""
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as file:
                self._earlier_text = file.read()
            if self._earlier_text and not self._earlier_text.endswith("\n"):
                self._earlier_text += "\n"
        self._keys = None
        self._rows = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Add the epoch's row and rewrite the file (atomically)."""
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
        values = [str(epoch)] + [self._format(logs.get(key, "")) for key in self._keys]
        self._rows.append(self.separator.join(values))
        header = "" if self._earlier_text else self.separator.join(["epoch", *self._keys]) + "\n"
        text = self._earlier_text + header + "".join(row + "\n" for row in self._rows)
        write_text_atomically(self.filename, text)

    @staticmethod
    def _format(value: Any) -> str:
        if isinstance(value, (float, np.floating)):
            return repr(float(value))
        return str(value)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` when `monitor` stops improving.

    Keras 3's rule: after `patience` epochs without an improvement (a value better
    than the best by more than `min_delta`), lr becomes max(lr * factor, min_lr),
    then `cooldown` epochs pass before the waiting count starts again. Each epoch's
    logs get "learning_rate".

    Args:
        monitor: the logged value to watch ("val_loss").
        factor: in (0, 1), the multiplier (0.1).
        patience: epochs without improvement before reducing (10).
        verbose: 1 prints each reduction.
        mode: "min", "max", or "auto" (max when the name has "acc" in it).
        min_delta: how much better counts as better (1e-4).
        cooldown: epochs to wait after a reduction before counting again (0).
        min_lr: the learning rate never goes below this (0).

    Raises:
        ValueError: a factor outside (0, 1) or an unknown mode.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__()
        if not 0.0 < factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(
                f"ReduceLROnPlateau: mode must be 'auto', 'min' or 'max', got {mode!r}"
            )
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.mode, self.min_delta, self.cooldown, self.min_lr = mode, min_delta, cooldown, min_lr
        self._reset()

    def _reset(self) -> None:
        # Keras's "auto": max only for names with "acc" in them.
        self.higher_is_better = self.mode == "max" or (
            self.mode == "auto" and "acc" in self.monitor
        )
        self.best = -math.inf if self.higher_is_better else math.inf
        self.wait = 0
        self.cooldown_counter = 0

    def _improved(self, current: float) -> bool:
        if self.higher_is_better:
            return current > self.best + self.min_delta
        return current < self.best - self.min_delta

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Forget the best value and the counts of an earlier fit."""
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Compare with the best; reduce the learning rate when patience has run out.

        Warns (and does nothing else) when the logs lack the monitored value.

        Raises:
            TypeError: the optimizer's learning rate is a schedule (it cannot be
                multiplied; Keras refuses this too).
        """
        optimizer = self.model.optimizer
        if logs is not None:
            logs["learning_rate"] = float(optimizer.current_learning_rate)
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(
                f"ReduceLROnPlateau: the logs have no '{self.monitor}' to monitor (they have: "
                f"{', '.join(logs or {})})",
                stacklevel=2,
            )
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best = current
            self.wait = 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        if callable(optimizer.learning_rate):
            raise TypeError(
                "ReduceLROnPlateau: the optimizer's learning rate is a schedule, which it "
                "cannot multiply; give the optimizer a number as learning_rate"
            )
        old = float(optimizer.learning_rate)
        if old > float(np.float32(self.min_lr)):
            new = max(old * self.factor, self.min_lr)
            optimizer.learning_rate = new
            if self.verbose:
                print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
            self.cooldown_counter = self.cooldown
            self.wait = 0


class LambdaCallback(Callback):
    """A callback made of functions, for one-off hooks without writing a class:

        LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))

    Each argument replaces the hook of the same name (with that hook's arguments);
    any other hook name of `Callback` may be given as a keyword too (Keras's
    `on_batch_end`, ...).

    Args:
        on_epoch_begin, on_epoch_end: functions of (epoch, logs).
        on_train_begin, on_train_end: functions of (logs).
        on_train_batch_begin, on_train_batch_end: functions of (batch, logs).
        **other_hooks: any other hook of `Callback` by its name.

    Raises:
        TypeError: a keyword that is not a hook of `Callback`, or a hook that is not callable.
    """

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
        on_train_batch_begin: Callable[..., Any] | None = None,
        on_train_batch_end: Callable[..., Any] | None = None,
        **other_hooks: Callable[..., Any],
    ) -> None:
        super().__init__()
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
            **other_hooks,
        }
        self._batch_hooks = False
        for name, hook in hooks.items():
            if hook is None:
                continue
            if not name.startswith("on_") or not callable(getattr(Callback, name, None)):
                raise TypeError(f"LambdaCallback: {name!r} is not a hook of Callback")
            if not callable(hook):
                raise TypeError(f"LambdaCallback: {name} must be a function, got {hook!r}")
            setattr(self, name, hook)
            self._batch_hooks = self._batch_hooks or "batch" in name

    @property
    def uses_batch_hooks(self) -> bool:
        """True if a batch hook was given (fit skips the batch hooks otherwise)."""
        return self._batch_hooks
