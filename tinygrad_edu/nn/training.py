"""The loops behind `fit`, `evaluate` and `predict`: batches in, one step each, means out.

    Model.fit       -> fit_epochs -> train_epoch -> model.train_step(x, y) per batch
    Model.evaluate  -> evaluate_batches          -> model.test_step(x, y) per batch
    Model.predict   -> predict_batches           -> model.predict_step(x) per batch

The step itself (zero_grad, forward, loss, backward, step) is `Model.train_step`;
this file only feeds it batches, averages what it returns and calls the
callbacks. Every loop takes its batches from an `EpochIterator`
(`nn.data_adapters`), which makes them from arrays (`data_adapters.batches`,
the one place that slices the data), a generator or a PyDataset alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.autograd import no_grad
from tinygrad_edu.nn import input_checks
from tinygrad_edu.nn.callbacks import Callback, CallbackList, History, ProgbarLogger
from tinygrad_edu.nn.data_adapters import EpochIterator
from tinygrad_edu.nn.metric_base import MetricResult
from tinygrad_edu.nn.module import training_mode
from tinygrad_edu.nn.progress import Progbar
from tinygrad_edu.nn.structures import batch_length, is_structure, leaves, map_structure, to_tensors
from tinygrad_edu.tensor import Tensor

Logs = dict[str, float]


def bind_optimizer(model: Any) -> None:
    """Give the model's optimizer the weights to train, at the first fit after `compile`.

    As in Keras, the set is the model's `trainable_weights` at that moment, and it
    is kept: a layer frozen later gets no gradient, so it is left alone, but a layer
    unfrozen later is an error until `compile` runs again. The set is taken again
    only when the model's parameters themselves change (a layer added).

    Raises:
        ValueError: a weight is trainable now that was not when the set was taken.
    """
    key = tuple(id(parameter) for parameter in model.parameters())
    trainable = model.trainable_weights
    if key != model._optimizer_params:
        model.optimizer.set_parameters(trainable)
        model._optimizer_params = key
        return
    bound = {id(parameter) for parameter in model.optimizer.params}
    unfrozen = [weight.name or "?" for weight in trainable if id(weight) not in bound]
    if unfrozen:
        raise ValueError(
            f"fit: {', '.join(unfrozen)} became trainable after the optimizer took the weights "
            "to train (at the first fit after compile); call model.compile(...) again to train "
            "them too, as Keras requires"
        )


def fit_epochs(
    model: Any,
    train: EpochIterator,
    validation: EpochIterator | None,
    epochs: range,
    verbose: int,
    callbacks: Sequence[Callback],
) -> History:
    """`fit`'s outer loop: each epoch trains, then validates, then tells the callbacks.

    The batches come from `train` and `validation` (see `nn.data_adapters`),
    whatever they were made from: arrays, a generator or a PyDataset. The model
    is in training mode throughout (validation switches to eval mode for its
    own pass); a callback that sets `model.stop_training` ends it early, and so
    does a pipeline that runs out of data (`train.ran_out`).
    Returns the `History`, which is also left in `model.history`.
    """
    history = History()
    # "steps" is None while a generator's length is unknown, and set once it is
    params = {"verbose": verbose, "epochs": epochs.stop, "steps": train.steps_per_epoch}
    callback_list = CallbackList(
        [*([ProgbarLogger(verbose)] if verbose else []), *callbacks, history],
        model=model,
        params=params,
    )
    model.history = history
    model.stop_training = False
    logs: Logs = {}
    with training_mode(model, True):
        callback_list.on_train_begin()
        resume_at = getattr(model, "_initial_epoch", None)  # set by BackupAndRestore
        if resume_at:
            model._initial_epoch = None
            epochs = range(max(epochs.start, resume_at), epochs.stop)
        for epoch in epochs:
            params["steps"] = train.steps_per_epoch
            callback_list.on_epoch_begin(epoch)
            epoch_logs = train_epoch(model, train, callback_list)
            if train.steps_done == 0:  # the data ran out before this epoch began
                break
            params["steps"] = params["steps"] or train.steps_done
            logs = epoch_logs
            if validation is not None:
                results = evaluate_batches(model, validation)
                logs.update({f"val_{name}": value for name, value in results.items()})
            callback_list.on_epoch_end(epoch, logs)
            if model.stop_training or train.ran_out:
                break
        callback_list.on_train_end(logs)
    return history


def train_epoch(model: Any, train: EpochIterator, callback_list: CallbackList) -> Logs:
    """One epoch of `train`'s batches, one `train_step` per batch.

    Returns the mean of each value `train_step` returned ("loss", metrics), weighted
    by batch size, so it is the mean over samples even when the last batch is short.
    """
    dtype = model._input_dtype()
    use_batch_hooks = callback_list.uses_batch_hooks  # skip building logs nobody reads
    _reset_metrics(model)  # each epoch's metrics count its own batches only
    means = WeightedMeans("train_step")
    for step, (x_batch, y_batch, *weights) in enumerate(train.epoch(dtype)):
        if use_batch_hooks:
            callback_list.on_train_batch_begin(step)
        # sample weights, when fit got them, go to train_step by name (keeps train_step(x, y))
        extra = {"sample_weight": weights[0]} if weights else {}
        means.add(model.train_step(to_tensors(x_batch), y_batch, **extra), batch_length(x_batch))
        if use_batch_hooks:
            callback_list.on_train_batch_end(step, means.result())
        if model.stop_training:
            break
    return means.result()


def evaluate_batches(model: Any, batches: EpochIterator, progbar: Progbar | None = None) -> Logs:
    """Mean of each value `test_step` returns over one epoch of `batches`, weighted by
    batch size. Runs in eval mode (dropout off) and records no graph.
    """
    dtype = model._input_dtype()
    means = WeightedMeans("test_step")
    _reset_metrics(model)
    with no_grad(), training_mode(model, False):
        for step, (x_batch, y_batch, *weights) in enumerate(batches.epoch(dtype), start=1):
            if step == 1:  # the first batch's shape, checked as it comes (no look-ahead)
                input_checks.check_input_shape(x_batch, model._known_input_shape(), batches.method)
            extra = {"sample_weight": weights[0]} if weights else {}
            logs = model.test_step(to_tensors(x_batch), y_batch, **extra)
            means.add(logs, batch_length(x_batch))
            if progbar is not None:
                progbar.update(step, means.result().items(), finalize=False)
    return means.result()


def predict_batches(model: Any, batches: EpochIterator, progbar: Progbar | None = None) -> Any:
    """`predict_step`'s outputs for each batch, joined along the samples axis.

    Runs in eval mode and records no graph.

    Raises:
        TypeError: `predict_step` did not return one Tensor.
    """
    dtype = model._input_dtype()
    outputs = []
    with no_grad(), training_mode(model, False):
        for step, (x_batch, *_) in enumerate(batches.epoch(dtype), start=1):
            if step == 1:
                input_checks.check_input_shape(x_batch, model._known_input_shape(), batches.method)
            y_pred = model.predict_step(to_tensors(x_batch))
            if not all(isinstance(leaf, Tensor) for leaf in leaves(y_pred)):
                raise TypeError(
                    "predict: the model must return a Tensor (or a list or dict of them), got "
                    f"{type(y_pred).__name__}"
                )
            outputs.append(map_structure(lambda tensor: tensor.data, y_pred))
            if progbar is not None:
                progbar.update(step, finalize=False)
    if not is_structure(outputs[0]):
        return np.concatenate(outputs, axis=0)
    # Several outputs: join each one's batches, in the structure the model returns
    # (a list for a list or tuple, as Keras's predict gives).
    first = outputs[0]
    if isinstance(first, dict):
        return {key: np.concatenate([out[key] for out in outputs]) for key in first}
    return [np.concatenate([out[i] for out in outputs]) for i in range(len(first))]


def _reset_metrics(model: Any) -> None:
    """Clear the model's stateful metrics (a model without `reset_metrics` has none)."""
    reset = getattr(model, "reset_metrics", None)
    if reset is not None:
        reset()


class WeightedMeans:
    """Running means of a step's logs, each batch weighted by its number of samples.

    A metric's result (a `MetricResult`) already covers every batch since the
    metrics were reset, so the newest one is kept as it is, not averaged.
    """

    def __init__(self, step_name: str) -> None:
        self.step_name = step_name
        self.totals: Logs = {}  # sums of value * batch size
        self.latest: Logs = {}  # metric results, newest first
        self.seen = 0

    def add(self, logs: Any, count: int) -> None:
        """Add one batch's `logs` ({"loss": 0.3, ...}) for `count` samples.

        Raises:
            TypeError: `logs` is not a dict of numbers (an overridden step's mistake).
        """
        if not isinstance(logs, dict):
            raise TypeError(
                f"{self.step_name} must return a dict of floats such as {{'loss': 0.25}}, "
                f"got {type(logs).__name__}"
            )
        self.seen += count
        for name, value in logs.items():
            if isinstance(value, MetricResult):
                self.latest[name] = float(value)
                self.totals.setdefault(name, 0.0)  # keeps the order the names came in
            else:
                self.totals[name] = self.totals.get(name, 0.0) + float(value) * count

    def result(self) -> Logs:
        """The means so far (metric results as they are), in the order the step first
        returned the names."""
        seen = max(self.seen, 1)
        return {
            name: self.latest[name] if name in self.latest else total / seen
            for name, total in self.totals.items()
        }
