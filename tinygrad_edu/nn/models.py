"""Model: a network with Keras's training API (compile, fit, evaluate, predict).

Subclass it, assign layers as attributes and write `call` (Keras) or `forward`:

    class TwoLayers(nn.Model):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Dense(64, activation="relu")
            self.out = nn.Dense(10)

        def call(self, x):
            return self.out(self.hidden(x))

One training step is `Model.train_step`, which `fit` runs for each batch (the
loop: training.py). Also: input_checks.py, summary.py, sequential.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.autograd import no_grad
from tinygrad_edu.nn import (
    compiled,
    data_adapters,
    input_checks,
    saving,
    serialization,
    structures,
    symbolic,
    training,
)
from tinygrad_edu.nn import metrics as metrics_module
from tinygrad_edu.nn import optimizers as optimizers_module
from tinygrad_edu.nn.callbacks import Callback, History
from tinygrad_edu.nn.module import Module, training_mode
from tinygrad_edu.nn.progress import Progbar
from tinygrad_edu.nn.saving import load_model as load_model  # Keras's keras.models.load_model
from tinygrad_edu.nn.saving import model_from_json as model_from_json
from tinygrad_edu.nn.summary import print_summary
from tinygrad_edu.tensor import Tensor


class Model(Module):
    """A network you can compile, fit, evaluate, predict with, summarize and save.

    Subclass it and override `call(x)` (or `forward(x)`), assigning layers as
    attributes in `__init__`. `Sequential` is the subclass for a plain stack.
    `Model(inputs, outputs)` (Keras's functional API) makes a `Functional` model
    from layers called on `keras.Input`s (functional_model.py).
    An unnamed layer assigned to an attribute is named after it ("head", "head.kernel").
    """

    names_children_after_attributes = True

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and (len(args) > 1 or {"inputs", "outputs"} & kwargs.keys()):
            from tinygrad_edu.nn.functional_model import Functional  # it subclasses Model

            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(
        self, *args: Any, name: str | None = None, inputs: Any = None, outputs: Any = None
    ) -> None:
        """Args: the name (also first positionally); inputs and outputs, for Keras's
        functional subclassing: `super().__init__(inputs=inputs, outputs=outputs)` (or
        positionally) at the end of a subclass's __init__ makes it a functional model.

        Raises:
            TypeError: more than three positional arguments.
        """
        positional = list(args)
        if positional and (positional[0] is None or isinstance(positional[0], str)):
            name = positional.pop(0)
        if positional:
            inputs = positional.pop(0)
        if positional:
            outputs = positional.pop(0)
        if positional:
            raise TypeError(f"{type(self).__name__}: too many positional arguments: {args!r}")
        if inputs is not None or outputs is not None:  # Keras's functional subclassing
            from tinygrad_edu.nn.functional_model import become_functional

            become_functional(self, inputs, outputs, name)
            return
        super().__init__(name=name)
        self.optimizer: Any = None
        self.loss: Any = None  # a loss callable, or a list or dict of them (one per output)
        self.loss_weights: Any = None
        self.compiled_metrics: list[Any] = []
        self._output_metrics = compiled.OutputMetrics(None)  # for several outputs
        self.stop_training = False
        self.history: History | None = None
        self._build_input_shape: input_checks.Shape | None = None  # (None, features...) once built
        self._optimizer_params: tuple[int, ...] | None = None

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Model:
        """A new model from `get_config()`'s result; a graph's config (a functional
        subclass without its own __init__) is rebuilt by Functional for this class."""
        if "layers" in config and "input_layers" in config:
            from tinygrad_edu.nn.functional_model import Functional

            return Functional.from_config.__func__(cls, config)
        return super().from_config(config)

    def call(self, inputs: Any) -> Any:
        """The forward pass; a subclass overrides this (or `forward`).

        Raises:
            NotImplementedError: when neither `call` nor `forward` is overridden.
        """
        raise NotImplementedError(
            f"{type(self).__name__}: a Model subclass must override call(x) (Keras style) or "
            "forward(x) (PyTorch style) to say how inputs become outputs"
        )

    def forward(self, inputs: Any) -> Any:
        """The forward pass, PyTorch's name for it; by default it runs `call`.

        A Keras-style `call(self, x, training=None)` receives the mode in effect.
        """
        if self.takes_training:
            return self.call(inputs, training=self.training)
        return self.call(inputs)

    def __call__(self, *inputs: Any, training: bool | None = None) -> Any:
        """Run the model on `inputs`; `training=True/False` sets the mode of this call only,
        as in Keras (left out, each layer's own mode applies: inference after construction,
        training inside `fit`'s steps or after `train()`)."""
        if training is not None:
            with training_mode(self, bool(training)):
                return self(*inputs)
        inputs = tuple([self._as_input_tensors(value) for value in inputs])
        output = super().__call__(*inputs)
        if self._build_input_shape is None and inputs and isinstance(inputs[0], Tensor):
            self._build_input_shape = (None, *inputs[0].shape[1:])
        return output

    def _as_input_tensors(self, value: Any) -> Any:
        """Arrays (one, or a list or dict of them) as Tensors of the model's float dtype,
        with a missing last axis of 1 added when the input shape asks for it (Keras does:
        (N,) data for a (None, 1) input)."""
        if structures.is_structure(value):
            convert = lambda leaf: input_checks.as_tensor(leaf, self._input_dtype)  # noqa: E731
            return structures.map_structure(convert, value)
        tensor = input_checks.as_tensor(value, self._input_dtype)
        expected = self._known_input_shape()
        if (
            isinstance(tensor, Tensor)
            and isinstance(expected, tuple)
            and tensor.ndim == len(expected) - 1
            and expected[-1] == 1
        ):
            tensor = tensor.reshape(*tensor.shape, 1)
        return tensor

    def _input_dtype(self) -> np.dtype:
        return next((weight.dtype for weight in self.parameters()), np.dtype(np.float32))

    @property
    def built(self) -> bool:
        """True once the model knows its input shape (its weights exist)."""
        return self._build_input_shape is not None

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create the weights for inputs of `input_shape` (batch axis first, e.g. (None, 784)).

        It runs one float32 sample of zeros through the model, in eval mode and
        without a graph, so every layer builds itself.

        Raises:
            ValueError: `input_shape` lacks the batch axis or leaves another size None.
        """
        input_shape = tuple(input_shape)
        if getattr(self, "takes_text", False):  # strings in, (None,): built on one word
            with no_grad(), training_mode(self, False):
                self._run_build(np.array(["a"]))
            self._build_input_shape = input_shape
            return
        if len(input_shape) < 2:
            raise ValueError(
                f"build: input_shape must start with the batch axis, e.g. (None, 784) for 784 "
                f"features; got {input_shape}"
            )
        if any(size is None for size in input_shape[1:]):  # a size that may vary
            self._build_symbolically(symbolic.KerasTensor(input_shape))
            self._build_input_shape = (None, *input_shape[1:])
            return
        sample = np.zeros((1, *input_shape[1:]), dtype=np.float32)
        with no_grad(), training_mode(self, False), symbolic.sampling_shapes():
            self._run_build(Tensor(sample))
        self._build_input_shape = (None, *input_shape[1:])

    def _run_build(self, sample: Tensor) -> None:
        self(sample)

    def _build_symbolically(self, inputs: Any) -> None:
        """Build for an input shape with None besides the batch axis (a sequence of any
        length): the model is called on a KerasTensor, which runs it on small samples
        (see nn.symbolic); a layer that cannot take the variable axis says so."""
        self(inputs)

    def _known_input_shape(self) -> input_checks.Shape | None:
        """The input shape the model was built for, or can be built from; None if unknown."""
        return self._build_input_shape

    def _ensure_built(self, method: str) -> None:
        """Build from a known input shape if needed, else explain how to build."""
        if self.built:
            return
        shape = self._known_input_shape()
        unbuilt = any(getattr(m, "built", True) is False for m in self.modules() if m is not self)
        if shape is None and (self.parameters() or self.children()) and not unbuilt:
            return  # every weight already exists (made in __init__, PyTorch style), or none
        if shape is None:
            raise ValueError(
                f"{method}: the model '{self.name}' has no weights yet because it does not know "
                "its input shape. Build it first: model.build((None, n_features)), give the "
                "first layer input_shape=(n_features,), or call fit/predict on data"
            )
        self.build(shape)

    def _look_ahead(self, batches: data_adapters.EpochIterator, method: str) -> None:
        """Check (and build for) a first batch before the loop, unless that would run a
        PyDataset's code for a built model (Keras fetches nothing ahead then; the loop
        checks the first batch as it comes)."""
        if not self.built or not batches.adapter.sample_runs_user_code:
            self._prepare_inputs(batches.peek()[0], method)

    def _prepare_inputs(self, x: np.ndarray, method: str) -> None:
        """Check x's shape against the model's, then build the model for it if needed.

        x may be a list or dict of arrays (several inputs): the model is then built by
        running it once on the first sample of each.
        """
        if input_checks.is_text(x):
            if not getattr(self, "takes_text", False):
                raise TypeError(
                    f"{method}: x must hold numbers, got dtype {x.dtype} (strings: put a "
                    "TextVectorization layer first in the model to give it text)"
                )
            if not self.built:
                self.build((None, *x.shape[1:]))
            return
        if structures.is_structure(x):
            if not self.built:
                sample = structures.to_tensors(structures.map_structure(lambda a: a[:1], x))
                with no_grad(), training_mode(self, False):
                    self(sample)
                self._build_input_shape = structures.map_structure(
                    lambda a: (None, *a.shape[1:]), x
                )
            return
        input_checks.check_input_shape(x, self._known_input_shape(), method)
        if not self.built:
            self.build((None, *x.shape[1:]))

    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Sequence[Any] | None = None,
        loss_weights: Any = None,
    ) -> None:
        """Choose the optimizer, the loss to minimize and the metrics to report.

        Args:
            optimizer: a name ("rmsprop", "adam", "sgd", ...), an `Optimizer`, or its class.
            loss: a name ("sparse_categorical_crossentropy", "mse", ...), a loss object or
                a function `(y_true, y_pred: Tensor) -> scalar Tensor`. None: predict only.
                For a model with several outputs: one for all, a list (in output order)
                or a dict by output name (see `nn.compiled`).
            metrics: names ("accuracy", "mae", ...), `Metric`s or functions
                `(y_true, y_pred: ndarray) -> float`; one alone needs no list. Per output:
                a list of lists or a dict by output name.
            loss_weights: for several outputs, the factor of each one's loss in the total
                (a list or a dict); 1 by default.

        Raises:
            ValueError: an unknown or unusable name, or two metrics logged under one name.
        """
        try:
            self.optimizer = optimizers_module.get(optimizer)
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"compile: cannot use optimizer={optimizer!r}: {error}") from None
        self._optimizer_params = None
        single = self._single_output_names()
        if single is not None:  # loss=["mse"], metrics=[["mae"]]: Keras's per-output forms
            loss = compiled.one_output(loss, single, "compile(loss=...)")
            metrics = compiled.one_output(metrics, single, "compile(metrics=...)", True)
            loss_weights = compiled.one_output(loss_weights, single, "compile(loss_weights=...)")
        self.loss = None if loss is None else compiled.resolve_losses(loss)
        self.loss_weights = loss_weights
        self._output_metrics = compiled.OutputMetrics(metrics)
        per_output = compiled.is_per_output(loss) or isinstance(metrics, dict)
        if isinstance(metrics, (list, tuple)):  # a list of lists: one list per output
            per_output = per_output or any(isinstance(m, (list, tuple, dict)) for m in metrics)
        outputs = getattr(self, "output_names", None)
        if per_output or (outputs is not None and len(outputs) > 1):
            self.compiled_metrics = []  # made per output, once the outputs are known
            return
        self.compiled_metrics = metrics_module.get_all(metrics, loss, "compile")

    def _single_output_names(self) -> list[str] | None:
        """[the output's name] ([] when not known yet) for a model known to have one output;
        None when it has several or cannot be told before it runs (a subclassed model)."""
        names = getattr(self, "output_names", None)
        if names is not None:
            return list(names) if len(names) == 1 else None
        return None  # Sequential says [its last layer's name]

    @property
    def metrics_names(self) -> list[str]:
        """The names `evaluate` returns values for, in order: ["loss", "accuracy", ...];
        with several outputs also "<output>_loss" and "<output>_<metric>"."""
        by_output = self._output_metrics.by_output
        if by_output is None or self.compiled_metrics:
            return ["loss"] + [metric.name for metric in self.compiled_metrics]
        names = [f"{name}_loss" for name in by_output]
        names += [f"{name}_{metric.name}" for name, group in by_output.items() for metric in group]
        return ["loss", *names]

    def compute_loss(
        self, x: Any, y: Any, y_pred: Any, sample_weight: np.ndarray | None = None
    ) -> Tensor:
        """The loss to minimize for one batch: compile's loss of (y, y_pred), or for several
        outputs the weighted sum of each output's loss (Keras's name).

        Args:
            x: the batch's inputs (unused, as in Keras's default).
            y: the targets; y_pred: the model's output (a Tensor, or a list or dict).
            sample_weight: one weight per sample: the loss is then
                sum(weight * loss) / batch size.

        Returns:
            A scalar Tensor to call backward() on.
        """
        return self._loss_and_logs(y, y_pred, sample_weight)[0]

    def _loss_and_logs(
        self, y: Any, y_pred: Any, sample_weight: np.ndarray | None = None
    ) -> tuple[Tensor, dict[str, float]]:
        loss, logs = self._compiled_loss_and_logs(y, y_pred, sample_weight)
        penalties = self.losses  # regularizers: added to the loss, as Keras does
        if penalties:
            for penalty in penalties:
                loss = loss + penalty
            logs["loss"] = loss.item()
        return loss, logs

    def _compiled_loss_and_logs(
        self, y: Any, y_pred: Any, sample_weight: np.ndarray | None = None
    ) -> tuple[Tensor, dict[str, float]]:
        if structures.is_structure(y_pred):
            total, logs = compiled.multi_output_loss(self, y, y_pred, sample_weight)
            return total, {"loss": total.item(), **logs}
        class_weight = getattr(self, "_class_weight", None)
        if class_weight is not None:  # fit(class_weight=...): a weight per sample from y
            weights = compiled.class_sample_weights(y, class_weight)
            sample_weight = weights if sample_weight is None else weights * sample_weight
        # one output (a subclassed model's) with compile(loss=["mse"]): the one entry
        loss_function = compiled.one_output(self.loss, None, "compile(loss=...)")
        if sample_weight is None:
            loss = loss_function(y, y_pred)
        else:
            loss = compiled.weighted_loss(loss_function, y, y_pred, sample_weight)
        return loss, {"loss": loss.item()}

    def _require_compiled(self, method: str) -> None:
        if self.optimizer is None or (self.loss is None and method != "predict"):
            raise RuntimeError(
                f"{method}: the model must be compiled with a loss first, e.g. model.compile("
                "optimizer='rmsprop', loss='sparse_categorical_crossentropy', metrics=['accuracy'])"
            )

    def _bind_optimizer(self) -> None:
        """Hand the trainable weights to the optimizer (`training.bind_optimizer`)."""
        training.bind_optimizer(self)

    def train_step(
        self, x: Tensor, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> dict[str, float]:
        """One optimization step on one batch: the five lines every training loop runs.

        `fit` calls it for each batch, in training mode; it may be called right after
        `compile` too, as in Keras (the first step builds the model if need be and
        hands its parameters to the optimizer). Override it to train differently
        (clip gradients, add a penalty) and keep `fit`'s loop and callbacks.

        Args:
            x: a batch of inputs, shape (batch, features...), the model's float dtype.
            y: the batch's targets as a NumPy array (integer labels stay integers).
            sample_weight: one weight per sample for the loss (fit's sample_weight).

        Returns:
            This batch's values by name, {"loss": float, "accuracy": float, ...};
            `fit` logs their means over each epoch, weighted by batch size.
        """
        if self._optimizer_params is None:  # called after compile, before any fit
            self._require_compiled("train_step")
            self._prepare_inputs(x, "train_step")  # build from x's shape if need be
            self._bind_optimizer()
        self.optimizer.zero_grad()  # first: the last step's gradients go before new arrays come
        # In training mode even when called by hand, as Keras's (fit is in it already).
        y_pred = self(x) if self.training else self(x, training=True)
        loss, logs = self._loss_and_logs(y, y_pred, sample_weight)
        if loss.requires_grad:  # False when every weight is frozen: nothing to train, as Keras
            loss.backward()
            self.optimizer.step()
        return {**logs, **self.compute_metrics(x, y, y_pred)}

    def test_step(
        self, x: Tensor, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> dict[str, float]:
        """The loss and metrics on one batch, without changing any weight.

        `evaluate` (and `fit`'s validation) call it for each batch, in eval mode
        and without recording a graph. Takes and returns what `train_step` does.
        """
        y_pred = self(x)
        logs = self._loss_and_logs(y, y_pred, sample_weight)[1]
        return {**logs, **self.compute_metrics(x, y, y_pred)}

    def predict_step(self, x: Tensor) -> Tensor:
        """The model's output for one batch x; `predict` calls it in eval mode, no graph."""
        return self(x)

    def compute_metrics(self, x: Tensor, y: np.ndarray, y_pred: Tensor) -> dict[str, float]:
        """Update each compiled metric with one batch and return its result so far by name,
        e.g. {"accuracy": 0.94} (x is unused); with several outputs by "<output>_<metric>",
        e.g. {"department_accuracy": 0.9}."""
        if structures.is_structure(y_pred):
            return compiled.multi_output_metrics(self, y, y_pred)
        return metrics_module.update_all(self.compiled_metrics, y, y_pred)

    def reset_metrics(self) -> None:
        """Clear the compiled metrics' state: fit does at each epoch, evaluate at its start."""
        for group in [self.compiled_metrics, *(self._output_metrics.by_output or {}).values()]:
            for metric in group:
                metric.reset_state()

    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        sample_weight: Any = None,
        class_weight: dict[int, float] | None = None,
    ) -> History:
        """Train for `epochs` passes over the data, one `train_step` per batch.

        Args:
            x: inputs, an array (or Tensor, or nested list) of shape (samples, features...);
                integers (uint8 images) are converted to the model's float dtype. Or a
                pipeline of (x, y) batches (no y, no batch_size): see `nn.data_adapters`.
            y: targets with one row per sample: integer labels for the sparse
                losses, one-hot rows or values for the others.
            batch_size: samples per step (None: 32); the last batch may be smaller.
            epochs: index of the epoch to stop before (so `epochs - initial_epoch` passes).
            verbose: 0 silent, 1 a progress bar, 2 one line per epoch, "auto" = 1.
            callbacks: `Callback`s whose hooks run at each epoch (and batch).
            validation_split: the fraction in [0, 1) of samples held out, taken from
                the END before shuffling; logs `val_loss` and `val_<metric>` per epoch.
            validation_data: (x_val, y_val), or a pipeline, to validate on instead.
            shuffle: a new random batch order each epoch (seeded by `manual_seed`).
            initial_epoch: the epoch to start at, to resume an earlier run.
            steps_per_epoch, validation_steps: batches per epoch (per validation), for a
                pipeline that never ends; one that runs dry first warns and stops.
            sample_weight: one weight per sample of x (arrays only): the loss is
                sum(weight * loss) / batch size, as Keras's; metrics are not weighted.
                With several outputs: one array for all, or a list or dict of arrays,
                one per output (None leaves an output unweighted).
            class_weight: {class: weight}, a weight for each sample from its label.

        Returns:
            The `History`: `history.history["loss"]` has one mean per epoch.

        Raises:
            RuntimeError: the model is not compiled with a loss.
            ValueError, TypeError: bad data or arguments, explained in the message.
        """
        self._require_compiled("fit")
        verbose = input_checks.check_verbose(verbose, "fit")
        epochs = input_checks.check_epochs(epochs)
        train, validation = data_adapters.fit_data(
            x, y, batch_size, shuffle, steps_per_epoch,
            validation_split, validation_data, validation_steps,
        )  # fmt: skip
        self._prepare_inputs(train.peek()[0], "fit")
        if validation is not None and not validation.adapter.sample_runs_user_code:
            shape = self._known_input_shape()
            input_checks.check_input_shape(validation.peek()[0], shape, "fit (validation data)")
        self._bind_optimizer()
        _attach_sample_weight(train.adapter, sample_weight, "fit")
        epoch_range = range(initial_epoch, epochs)
        self._class_weight = class_weight
        try:
            return training.fit_epochs(
                self, train, validation, epoch_range, verbose, callbacks or []
            )
        finally:
            self._class_weight = None

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        return_dict: bool = False,
        steps: int | None = None,
        sample_weight: Any = None,
    ) -> float | list[float] | dict[str, float]:
        """The mean loss (and metrics) on (x, y), one `test_step` per batch.

        Args: x, y, batch_size and verbose as for `fit`; steps: batches to use (for an
            endless pipeline); return_dict: return {"loss": ..., "accuracy": ...} instead;
            sample_weight: one weight per sample for the loss, as for `fit`.

        Returns:
            The loss as a float when no metric is compiled, else [loss, *metrics]
            in `metrics_names` order; means over samples, in eval mode.

        Raises:
            RuntimeError: the model is not compiled with a loss.
            ValueError, TypeError: bad data or arguments, explained in the message.
        """
        self._require_compiled("evaluate")
        verbose = input_checks.check_verbose(verbose, "evaluate")
        batches = data_adapters.epochs("evaluate", x, y, batch_size, steps)
        _attach_sample_weight(batches.adapter, sample_weight, "evaluate")
        self._look_ahead(batches, "evaluate")
        progbar = Progbar(batches.steps_per_epoch, verbose=verbose) if verbose else None
        results = training.evaluate_batches(self, batches, progbar)
        if progbar is not None:
            progbar.update(batches.steps_done, results.items(), finalize=True)
        return _results(results, return_dict)

    # Keras's one-batch calls, for loops of your own: no batching, shuffling or callbacks.
    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: dict[int, float] | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """One `train_step` on (x, y) as one batch; returns its loss (and metrics) as
        `evaluate` does (before the update, as Keras reports them).

        Args:
            x, y: one batch of inputs and targets (arrays, or lists or dicts of them).
            sample_weight, class_weight: as for `fit`.
            return_dict: return {"loss": ..., ...} instead of a list.

        Raises:
            RuntimeError: the model is not compiled; ValueError, TypeError: bad data.
        """
        self._require_compiled("train_on_batch")
        x, y, weights = self._one_batch("train_on_batch", x, y, sample_weight)
        self._prepare_inputs(x, "train_on_batch")
        self._bind_optimizer()
        self._class_weight = class_weight
        self.reset_metrics()  # the metrics of this batch alone, as Keras's
        try:
            with training_mode(self, True):
                logs = self.train_step(structures.to_tensors(x), y, **weights)
        finally:
            self._class_weight = None
        return _results(logs, return_dict)

    def test_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False
    ) -> float | list[float] | dict[str, float]:
        """One `test_step` on (x, y) as one batch, in eval mode, without a graph.

        Args:
            x, y: one batch of inputs and targets; sample_weight: as for `evaluate`.
            return_dict: return {"loss": ..., ...} instead of a list.

        Raises:
            RuntimeError: the model is not compiled; ValueError, TypeError: bad data.
        """
        self._require_compiled("test_on_batch")
        x, y, weights = self._one_batch("test_on_batch", x, y, sample_weight)
        self._prepare_inputs(x, "test_on_batch")
        self.reset_metrics()
        with no_grad(), training_mode(self, False):
            logs = self.test_step(structures.to_tensors(x), y, **weights)
        return _results(logs, return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        """The model's output for x as one batch (arrays), in eval mode, without a graph."""
        x, _, _ = self._one_batch("predict_on_batch", x, None, None, needs_y=False)
        self._prepare_inputs(x, "predict_on_batch")
        with no_grad(), training_mode(self, False):
            y_pred = self.predict_step(structures.to_tensors(x))
        return structures.map_structure(lambda tensor: tensor.data, y_pred)

    def _one_batch(
        self, method: str, x: Any, y: Any, sample_weight: Any, needs_y: bool = True
    ) -> tuple[Any, Any, dict[str, Any]]:
        x, y = input_checks.check_data(method, x, y, needs_y=needs_y)
        x, y, *_ = data_adapters.to_dtype((x, y), self._input_dtype())
        weights = {}
        if sample_weight is not None:  # one array, or a list or dict of them (per output)
            weights = {"sample_weight": structures.map_structure(np.asarray, sample_weight)}
        return x, y, weights

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        steps: int | None = None,
    ) -> np.ndarray:
        """The model's outputs for x, batch by batch, in eval mode and without a graph.

        Args: x, batch_size, verbose and steps as for `evaluate`; no compile is needed.

        Returns:
            An array of shape (samples, outputs...) in the model's float dtype.

        Raises:
            ValueError, TypeError: bad data or arguments, or a model that does not
                return one Tensor.
        """
        verbose = input_checks.check_verbose(verbose, "predict")
        batches = data_adapters.epochs("predict", x, None, batch_size, steps, needs_y=False)
        self._look_ahead(batches, "predict")
        progbar = Progbar(batches.steps_per_epoch, verbose=verbose) if verbose else None
        outputs = training.predict_batches(self, batches, progbar)
        if progbar is not None:
            progbar.update(batches.steps_done, finalize=True)
        return outputs

    def count_params(self) -> int:
        """How many numbers the model holds: its parameters and non-trainable weights.

        Raises:
            ValueError: the input shape is unknown, so there are no weights (also below).
        """
        self._ensure_built("count_params")
        return sum(weight.size for _, weight in self.named_weights())

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weight arrays (non-trainable ones too), in `named_weights()` order,
        in their own dtypes."""
        self._ensure_built("get_weights")
        return [weight.data.copy() for _, weight in self.named_weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Replace the parameter values (same order and shapes as `get_weights()`).

        All or nothing: every shape is checked before a value changes; values are
        copied and cast to each parameter's dtype.

        Raises:
            ValueError: a different number of arrays, or a shape that differs.
            TypeError: an array that is not numeric.
        """
        self._ensure_built("set_weights")
        serialization.check_and_assign(self.named_weights(), list(weights), "set_weights")

    def save_weights(self, path: str | os.PathLike) -> None:
        """Write the weights to `path`: `.npz` keyed by parameter name, or `.weights.h5`
        in Keras 3's layout (which real Keras's `load_weights` reads; needs h5py).

        Written to a temporary file and renamed, so a crash leaves any old file whole.

        Raises:
            ValueError: two parameters share a name.
            OSError: the file cannot be written.
        """
        self._ensure_built("save_weights")
        if os.fspath(path).endswith(".weights.h5"):
            from tinygrad_edu.nn import keras_format

            serialization.check_weights_file_name(path)
            keras_format.save_weights_h5(self, path)
            return
        serialization.save_weights(self.named_weights(), path)

    def load_weights(self, path: str | os.PathLike) -> None:
        """Read weights written by `save_weights` (`.npz`) or by Keras 3 (`.weights.h5`);
        all or nothing, never unpickles.

        Raises:
            FileNotFoundError: no file at `path`.
            ValueError: not a weights file, or names or shapes that differ from the model's.
        """
        self._ensure_built("load_weights")
        if os.fspath(path).endswith(".h5"):
            from tinygrad_edu.nn import keras_format

            keras_format.load_weights_h5(self, path)
            return
        serialization.load_weights(self.named_weights(), path)

    def to_json(self, **kwargs: Any) -> str:
        """The architecture (no weights) as a JSON string, for `model_from_json`, as
        Keras's; `kwargs` go to `json.dumps` (indent=2, ...).

        Raises:
            TypeError: a setting that cannot be written as JSON.
        """
        return saving.model_to_json(self, **kwargs)

    def save(self, path: str | os.PathLike) -> None:
        """Write the whole model for `load_model`: `.keras` (Keras 3's format, which real
        Keras opens) or `.zip` (ours); see `nn.saving.save_model`."""
        saving.save_model(self, path)

    @property
    def layers(self) -> list[Module]:
        """The model's direct sub-layers, in the order they were assigned."""
        return list(self.children())

    def get_layer(self, name: str | None = None, index: int | None = None) -> Module:
        """The layer called `name` (or at position `index` of `layers`), as in Keras.

        Raises:
            ValueError: no layer has that name, or the index is out of range, or
                neither or both were given.
        """
        layers = self.layers
        if (name is None) == (index is None):
            raise ValueError("get_layer: give either name= or index=, not both or neither")
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"get_layer: index {index} is out of range; the model has {len(layers)} layers"
                )
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"get_layer: no layer named {name!r}; the layers are "
            f"{', '.join(layer.name for layer in layers) or 'none'}"
        )

    def _layer_output_shape(self, layer: Module) -> Any:
        return getattr(layer, "output_shape", None)

    def summary(self, line_length: int = 65, print_fn: Callable[[str], Any] | None = None) -> None:
        """Print a table of the layers: name (type), output shape and parameter count.

        Args:
            line_length: the width of the rules, in characters.
            print_fn: receives each line instead of `print`; to get the text:
                `lines = []; model.summary(print_fn=lines.append); text = "\\n".join(lines)`.

        Raises:
            ValueError: the model cannot be built (its input shape is unknown).
        """
        self._ensure_built("summary")
        print_summary(self, line_length, print_fn or print)


def _results(logs: dict[str, float], return_dict: bool) -> Any:
    """What evaluate returns: the dict, the loss alone, or [loss, *metrics]."""
    if return_dict:
        return dict(logs)
    values = [float(value) for value in logs.values()]
    return values[0] if len(values) == 1 else values


def _attach_sample_weight(adapter: Any, sample_weight: Any, method: str) -> None:
    """Give an array adapter its per-sample weights (fit's and evaluate's sample_weight).

    Raises:
        ValueError: weights with a pipeline, or not one weight per sample.
    """
    if sample_weight is None:
        return
    if not isinstance(adapter, data_adapters.ArrayDataAdapter):
        raise ValueError(
            f"{method}: sample_weight works with arrays; a pipeline gives (x, y) batches"
        )

    def checked(values: Any) -> np.ndarray:
        weights = np.asarray(values, dtype=np.float64).reshape(-1)
        if len(weights) < adapter.count:
            raise ValueError(
                f"{method}: sample_weight has {len(weights)} weights for {adapter.count} samples"
            )
        return weights[: adapter.count]  # after validation_split: the first part

    # One array for the model's output(s), or a list or dict of them, one per output.
    adapter.sample_weight = structures.map_structure(checked, sample_weight)
