"""Models: `Sequential` and the subclassable `Model`, with Keras's training API.

    model = nn.Sequential([nn.Dense(512, activation="relu"), nn.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=5, batch_size=128)
    test_loss, test_accuracy = model.evaluate(x_test, y_test)

Or subclass `Model` and write the forward pass yourself, Keras style (`call`)
or PyTorch style (`forward`); layers assigned as attributes are registered:

    class TwoLayers(nn.Model):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Dense(64, activation="relu")
            self.out = nn.Dense(10)

        def call(self, x):
            return self.out(self.hidden(x))

One training step is: `optimizer.zero_grad()`, forward, loss, `loss.backward()`,
`optimizer.step()`. `fit` does that for each batch and little else, so it runs
about as fast as the same loop written by hand.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.autograd import no_grad
from tinygrad_edu.nn import losses as losses_module
from tinygrad_edu.nn import metrics as metrics_module
from tinygrad_edu.nn import optimizers as optimizers_module
from tinygrad_edu.nn import serialization
from tinygrad_edu.nn.callbacks import Callback, CallbackList, History, ProgbarLogger
from tinygrad_edu.nn.module import Module, snake_case
from tinygrad_edu.nn.module import training_mode as _training_mode
from tinygrad_edu.nn.progress import Progbar
from tinygrad_edu.random import generator
from tinygrad_edu.tensor import Tensor

Shape = tuple[int | None, ...]


# ---------------------------------------------------------------- input checks
def _as_array(value: Any, method: str, what: str) -> np.ndarray:
    """Accept an ndarray, a Tensor or a (nested) list of numbers."""
    if isinstance(value, Tensor):
        value = value.data
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{method}: {what} must hold numbers, got dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{method}: {what} must have a samples axis, got a scalar")
    return array


def _check_finite(array: np.ndarray, method: str, what: str) -> None:
    """Refuse NaN or infinity in the data, in one quick pass over it.

    The sum of squares (a BLAS dot product) is finite exactly when every value
    is, unless it overflows; only then is each value looked at.
    """
    if array.dtype.kind != "f":
        return
    if np.isfinite(np.vdot(array, array)):
        return
    bad = np.argwhere(~np.isfinite(array))
    if len(bad) == 0:  # the sum of squares overflowed but every value is finite
        return
    position = tuple(int(i) for i in bad[0])
    raise ValueError(
        f"{method}: {what} (shape {array.shape}) contains NaN or infinity "
        f"({len(bad)} values, the first at index {position}: {array[position]}); "
        "clean the data first"
    )


def _check_batch_size(batch_size: Any, method: str) -> int:
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"{method}: batch_size must be an int, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"{method}: batch_size must be at least 1, got {batch_size}")
    return int(batch_size)


def _check_verbose(verbose: Any, method: str) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"{method}: verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)


def _check_data(
    method: str, x: Any, y: Any = None, needs_y: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Turn x (and y) into arrays and check they are non-empty, finite and the same length."""
    if x is None:
        raise ValueError(f"{method}: x is required (a NumPy array of inputs)")
    x = _as_array(x, method, "x")
    if needs_y and y is None:
        raise ValueError(f"{method}: y is required (targets or labels for x of shape {x.shape})")
    if y is not None:
        y = _as_array(y, method, "y")
        if len(x) != len(y):
            raise ValueError(
                f"{method}: x and y must have the same number of samples, got x with shape "
                f"{x.shape} ({len(x)} samples) and y with shape {y.shape} ({len(y)} samples)"
            )
    if len(x) == 0:
        raise ValueError(f"{method}: x is empty (shape {x.shape}); there is no sample to use")
    _check_finite(x, method, "x")
    if y is not None:
        _check_finite(y, method, "y")
    return x, y


def _format_shape(shape: Any) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, tuple):
        return "(" + ", ".join(str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"
    return str(shape)


def _format_bytes(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


# ---------------------------------------------------------------- Model
class Model(Module):
    """A network you can compile, fit, evaluate, predict with, summarize and save.

    Subclass it and override `call(x)` (or `forward(x)`), assigning layers as
    attributes in `__init__`. `Sequential` is the subclass for a plain stack.
    """

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)
        self.optimizer: Any = None
        self.loss: Callable | None = None
        self.compiled_metrics: list[Any] = []
        self.stop_training = False
        self.history: History | None = None
        self._build_input_shape: Shape | None = None  # (None, features...) once built
        self._optimizer_params: tuple[int, ...] | None = None

    # ------------------------------------------------------------ forward
    def call(self, inputs: Any) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__}: a Model subclass must override call(x) (Keras style) or "
            "forward(x) (PyTorch style) to say how inputs become outputs"
        )

    def forward(self, inputs: Any) -> Any:
        return self.call(inputs)

    def __call__(self, *inputs: Any, training: bool | None = None) -> Any:
        if training is not None:  # Keras's model(x, training=True): this call only, in that mode
            with _training_mode(self, bool(training)):
                return self(*inputs)
        converted = []  # a plain loop: this runs every step, and a comprehension is a call
        for value in inputs:
            converted.append(value if isinstance(value, Tensor) else self._to_tensor(value))
        inputs = tuple(converted)
        output = super().__call__(*inputs)
        if self._build_input_shape is None and inputs:
            self._build_input_shape = (None, *inputs[0].shape[1:])
        return output

    def _to_tensor(self, value: Any) -> Any:
        """NumPy inputs become Tensors of the model's float dtype (uint8 images included)."""
        if isinstance(value, Tensor) or not isinstance(value, (np.ndarray, list)):
            return value
        array = np.asarray(value)
        if array.dtype.kind in "biuf" and array.dtype != self._input_dtype():
            array = array.astype(self._input_dtype())
        return Tensor(array)

    def _input_dtype(self) -> np.dtype:
        parameters = self.parameters()
        return parameters[0].dtype if parameters else np.dtype(np.float32)

    # ------------------------------------------------------------ building
    @property
    def built(self) -> bool:
        return self._build_input_shape is not None

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create the weights for inputs of `input_shape` (batch axis first, e.g. (None, 784)).

        It runs one sample of zeros through the model, so every layer builds itself.
        """
        input_shape = tuple(input_shape)
        if len(input_shape) < 2 or any(size is None for size in input_shape[1:]):
            raise ValueError(
                f"build: input_shape must start with the batch axis and give every other size, "
                f"e.g. (None, 784) for 784 features; got {input_shape}"
            )
        sample = np.zeros((1, *input_shape[1:]), dtype=np.float32)
        with no_grad(), _training_mode(self, False):
            self._run_build(Tensor(sample))
        self._build_input_shape = (None, *input_shape[1:])

    def _run_build(self, sample: Tensor) -> None:
        self(sample)

    def _known_input_shape(self) -> Shape | None:
        """The input shape the model was built for, or can be built from; None if unknown."""
        return self._build_input_shape

    def _ensure_built(self, method: str) -> None:
        """Build from a known input shape if needed, else explain how to build."""
        if self.built:
            return
        shape = self._known_input_shape()
        if shape is None and self.parameters() and not self._has_unbuilt_layers():
            return  # every weight already exists (made in __init__, PyTorch style)
        if shape is None:
            raise ValueError(
                f"{method}: the model '{self.name}' has no weights yet because it does not know "
                "its input shape. Build it first: model.build((None, n_features)), give the "
                "first layer input_shape=(n_features,), or call fit/predict on data"
            )
        self.build(shape)

    def _has_unbuilt_layers(self) -> bool:
        return any(
            getattr(module, "built", True) is False
            for module in self.modules()
            if module is not self
        )

    def _check_input_shape(self, x: np.ndarray, method: str) -> None:
        expected = self._known_input_shape()
        if expected is None:
            return
        fits = len(expected) == x.ndim and all(
            want is None or want == size for want, size in zip(expected[1:], x.shape[1:])
        )
        if not fits:
            raise ValueError(
                f"{method}: the model expects inputs of shape {_format_shape(expected)} "
                f"(None = any number of samples), but x has shape {x.shape}"
            )

    # ------------------------------------------------------------ compile
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Sequence[Any] | None = None,
    ) -> None:
        """Choose the optimizer, the loss to minimize and the metrics to report."""
        try:
            self.optimizer = optimizers_module.get(optimizer)
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"compile: cannot use optimizer={optimizer!r}: {error}") from None
        self._optimizer_params = None
        if loss is None:
            self.loss = None
        else:
            try:
                self.loss = losses_module.get(loss)
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"compile: cannot use loss={loss!r}: {error}") from None
        if isinstance(metrics, str) or callable(metrics):  # one metric, not a list
            metrics = [metrics]
        compiled = []
        for metric in metrics or []:
            try:
                compiled.append(metrics_module.get(metric, loss=loss))
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"compile: cannot use metric {metric!r}: {error}") from None
        names = ["loss"] + [metric.name for metric in compiled]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"compile: two metrics would both be logged as {duplicates[0]!r}")
        self.compiled_metrics = compiled

    @property
    def metrics_names(self) -> list[str]:
        """The names `evaluate` returns values for, in order: ["loss", "accuracy", ...]."""
        return ["loss"] + [metric.name for metric in self.compiled_metrics]

    def _require_compiled(self, method: str) -> None:
        if self.optimizer is None or (self.loss is None and method != "predict"):
            raise RuntimeError(
                f"{method}: the model must be compiled with a loss first, e.g. "
                "model.compile(optimizer='rmsprop', loss='sparse_categorical_crossentropy', "
                "metrics=['accuracy'])"
            )

    def _bind_optimizer(self) -> None:
        """Hand the parameters to the optimizer (again only if they changed)."""
        parameters = self.parameters()
        key = tuple(id(parameter) for parameter in parameters)
        if key != self._optimizer_params:
            self.optimizer.set_parameters(parameters)
            self._optimizer_params = key

    # ------------------------------------------------------------ fit
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = 32,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        shuffle: bool = True,
        initial_epoch: int = 0,
    ) -> History:
        """Train for `epochs` passes over (x, y) in shuffled batches; returns the `History`.

        `validation_split` holds out the LAST fraction of the samples (before
        shuffling) and reports `val_loss` and `val_<metric>` after each epoch;
        `validation_data=(x_val, y_val)` gives the held-out data directly.
        """
        self._require_compiled("fit")
        batch_size = _check_batch_size(batch_size, "fit")
        verbose = _check_verbose(verbose, "fit")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"fit: epochs must be a whole number >= 0, got {epochs!r}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(
                f"fit: validation_split is the fraction of samples held out, so it must be in "
                f"[0, 1); got {validation_split}"
            )
        x, y = _check_data("fit", x, y)
        x_val = y_val = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("fit: validation_data must be a pair (x_val, y_val)")
            x_val, y_val = _check_data("fit (validation_data)", *validation_data)
        elif validation_split > 0:
            split_at = int(math.floor(len(x) * (1.0 - validation_split)))
            if split_at == 0 or split_at == len(x):
                raise ValueError(
                    f"fit: validation_split={validation_split} of {len(x)} samples leaves "
                    f"{split_at} for training and {len(x) - split_at} for validation; "
                    "both need at least one"
                )
            x, x_val = x[:split_at], x[split_at:]  # views: no copy of the data
            y, y_val = y[:split_at], y[split_at:]

        self._check_input_shape(x, "fit")
        if not self.built:
            self.build((None, *x.shape[1:]))
        if x_val is not None:
            self._check_input_shape(x_val, "fit (validation data)")
        self._bind_optimizer()

        sample_count = len(x)
        steps = math.ceil(sample_count / batch_size)
        history = History()
        extra = [ProgbarLogger(verbose)] if verbose else []
        callback_list = CallbackList(
            [*extra, *(callbacks or []), history],
            model=self,
            params={"verbose": verbose, "epochs": epochs, "steps": steps},
        )
        self.history = history
        self.stop_training = False
        names = self.metrics_names
        logs: dict[str, float] = {}

        with _training_mode(self, True):
            callback_list.on_train_begin()
            for epoch in range(initial_epoch, epochs):
                callback_list.on_epoch_begin(epoch)
                totals = self._train_epoch(x, y, batch_size, shuffle, callback_list)
                logs = dict(zip(names, totals))
                if x_val is not None:
                    validation = self._evaluate_arrays(x_val, y_val, batch_size)
                    logs.update({f"val_{name}": value for name, value in validation.items()})
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            callback_list.on_train_end(logs)
        return history

    def _train_epoch(
        self,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        shuffle: bool,
        callback_list: CallbackList,
    ) -> list[float]:
        """One pass over the data; returns the batch-size-weighted mean loss and metrics."""
        sample_count = len(x)
        order = generator().permutation(sample_count) if shuffle else None
        input_dtype = self._input_dtype()
        convert_x = x.dtype != input_dtype
        convert_y = y.dtype.kind == "f" and y.dtype != input_dtype
        loss_function, metrics, optimizer = self.loss, self.compiled_metrics, self.optimizer
        totals = [0.0] * (1 + len(metrics))  # sums of value * batch size
        seen = 0
        use_batch_hooks = callback_list.uses_batch_hooks
        for step, start in enumerate(range(0, sample_count, batch_size)):
            # A fancy index copies one batch; a slice copies nothing.
            batch = (
                order[start : start + batch_size] if shuffle else slice(start, start + batch_size)
            )
            x_batch, y_batch = x[batch], y[batch]
            if convert_x:
                x_batch = x_batch.astype(input_dtype)
            if convert_y:
                y_batch = y_batch.astype(input_dtype)
            if use_batch_hooks:
                callback_list.on_train_batch_begin(step)

            optimizer.zero_grad()  # first: the last step's gradients go before new arrays come
            y_pred = self(Tensor(x_batch))
            loss = loss_function(y_batch, y_pred)
            loss.backward()
            optimizer.step()

            count = len(x_batch)
            seen += count
            totals[0] += loss.item() * count
            for index, metric in enumerate(metrics, start=1):
                totals[index] += metric(y_batch, y_pred.data) * count
            del y_pred, loss  # let the graph go now, not at the next step
            if use_batch_hooks:
                logs = dict(zip(self.metrics_names, (total / seen for total in totals)))
                callback_list.on_train_batch_end(step, logs)
            if self.stop_training:
                break
        return [total / max(seen, 1) for total in totals]

    # ------------------------------------------------------------ evaluate / predict
    def _batches(self, x: np.ndarray, batch_size: int) -> Iterator[tuple[slice, Tensor]]:
        """Consecutive batches of x as Tensors of the model's dtype."""
        input_dtype = self._input_dtype()
        for start in range(0, len(x), batch_size):
            batch = slice(start, start + batch_size)
            x_batch = x[batch]
            if x_batch.dtype != input_dtype:
                x_batch = x_batch.astype(input_dtype)
            yield batch, Tensor(x_batch)

    def _evaluate_arrays(
        self, x: np.ndarray, y: np.ndarray, batch_size: int, progbar: Progbar | None = None
    ) -> dict[str, float]:
        """Mean loss and metrics over (x, y), weighted by batch size, in eval mode, no graph."""
        input_dtype = self._input_dtype()
        convert_y = y.dtype.kind == "f" and y.dtype != input_dtype
        totals = [0.0] * (1 + len(self.compiled_metrics))
        seen = 0
        with no_grad(), _training_mode(self, False):
            for step, (batch, x_batch) in enumerate(self._batches(x, batch_size), start=1):
                y_batch = y[batch].astype(input_dtype) if convert_y else y[batch]
                y_pred = self(x_batch)
                count = len(y_batch)
                seen += count
                totals[0] += self.loss(y_batch, y_pred).item() * count
                for index, metric in enumerate(self.compiled_metrics, start=1):
                    totals[index] += metric(y_batch, y_pred.data) * count
                if progbar is not None:
                    means = [total / seen for total in totals]
                    progbar.update(step, zip(self.metrics_names, means), finalize=False)
        return {name: total / seen for name, total in zip(self.metrics_names, totals)}

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = 32,
        verbose: int | str = "auto",
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """The loss (and metrics) on (x, y): a float, or [loss, *metrics] with metrics."""
        self._require_compiled("evaluate")
        batch_size = _check_batch_size(batch_size, "evaluate")
        verbose = _check_verbose(verbose, "evaluate")
        x, y = _check_data("evaluate", x, y)
        self._check_input_shape(x, "evaluate")
        self._ensure_built_for(x)
        progbar = Progbar(math.ceil(len(x) / batch_size), verbose=verbose) if verbose else None
        results = self._evaluate_arrays(x, y, batch_size, progbar)
        if progbar is not None:
            progbar.update(progbar.target, results.items(), finalize=True)
        if return_dict:
            return results
        values = list(results.values())
        return values[0] if len(values) == 1 else values

    def predict(
        self, x: Any, batch_size: int | None = 32, verbose: int | str = "auto"
    ) -> np.ndarray:
        """The model's outputs for x, batch by batch, in eval mode and without a graph."""
        batch_size = _check_batch_size(batch_size, "predict")
        verbose = _check_verbose(verbose, "predict")
        x, _ = _check_data("predict", x, needs_y=False)
        self._check_input_shape(x, "predict")
        self._ensure_built_for(x)
        progbar = Progbar(math.ceil(len(x) / batch_size), verbose=verbose) if verbose else None
        outputs = []
        with no_grad(), _training_mode(self, False):
            for step, (_, x_batch) in enumerate(self._batches(x, batch_size), start=1):
                y_pred = self(x_batch)
                if not isinstance(y_pred, Tensor):
                    raise TypeError(
                        f"predict: the model must return one Tensor, got {type(y_pred).__name__}"
                    )
                outputs.append(y_pred.data)
                if progbar is not None:
                    progbar.update(step, finalize=False)
        if progbar is not None:
            progbar.update(progbar.target, finalize=True)
        return np.concatenate(outputs, axis=0)

    def _ensure_built_for(self, x: np.ndarray) -> None:
        if not self.built:
            self.build((None, *x.shape[1:]))

    # ------------------------------------------------------------ weights
    def count_params(self) -> int:
        """How many numbers the model holds: its parameters and its non-trainable weights."""
        self._ensure_built("count_params")
        return sum(weight.size for _, weight in self.named_weights())

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weight arrays (non-trainable ones too), in `named_weights()` order."""
        self._ensure_built("get_weights")
        return [weight.data.copy() for _, weight in self.named_weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Replace the parameter values (same order and shapes as `get_weights()`)."""
        self._ensure_built("set_weights")
        serialization.check_and_assign(self.named_weights(), list(weights), "set_weights")

    def save_weights(self, path: str | os.PathLike) -> None:
        """Write the weights to an `.npz` file, keyed by parameter name; atomic."""
        self._ensure_built("save_weights")
        serialization.save_weights(self.named_weights(), path)

    def load_weights(self, path: str | os.PathLike) -> None:
        """Read weights written by `save_weights`; names and shapes must match the model."""
        self._ensure_built("load_weights")
        serialization.load_weights(self.named_weights(), path)

    # ------------------------------------------------------------ summary
    @property
    def layers(self) -> list[Module]:
        """The model's direct sub-layers, in the order they were assigned."""
        return list(self.children())

    def _layer_output_shape(self, layer: Module) -> Any:
        return getattr(layer, "output_shape", None)

    def summary(self, line_length: int = 65, print_fn: Callable[[str], Any] | None = None) -> None:
        """Print a table of the layers: name (type), output shape and parameter count.

        `print_fn` receives each line instead of `print`; to get the text:
        `lines = []; model.summary(print_fn=lines.append); text = "\\n".join(lines)`.
        """
        self._ensure_built("summary")
        print_fn = print if print_fn is None else print_fn
        rows = []
        for layer in self.layers:
            label = f"{layer.name} ({type(layer).__name__})"
            shape = _format_shape(self._layer_output_shape(layer))
            count = sum(weight.size for _, weight in layer.named_weights())
            rows.append((label, shape, f"{count:,}"))
        # Keras's widths, widened where a name such as max_pooling2d_1 (MaxPooling2D) needs it
        name_width = max([29] + [len(label) + 3 for label, _, _ in rows])
        shape_width = max([26] + [len(shape) + 2 for _, shape, _ in rows])
        line_length = max(line_length, name_width + shape_width + 10)
        parameters = [weight for _, weight in self.named_weights()]
        trainable = [p for p in parameters if p.requires_grad]
        frozen = [p for p in parameters if not p.requires_grad]

        def row(label: str, shape: str, count: str) -> str:
            first = f" {label:<{name_width - 2}} "
            second = f"{shape:<{shape_width - 1}} "
            return (first + second + count).rstrip()

        def total(title: str, group: list[Tensor]) -> str:
            count = sum(p.size for p in group)
            size = sum(p.data.nbytes for p in group)
            return f"{title}: {count:,} ({_format_bytes(size)})"

        lines = [
            f'Model: "{self.name}"',
            "_" * line_length,
            row("Layer (type)", "Output Shape", "Param #"),
            "=" * line_length,
            *(row(*cells) for cells in rows),
            "=" * line_length,
            total("Total params", parameters),
            total("Trainable params", trainable),
            total("Non-trainable params", frozen),
            "_" * line_length,
        ]
        for line in lines:
            print_fn(line)


# ---------------------------------------------------------------- Sequential
class Sequential(Model):
    """A plain stack of layers, each feeding the next.

    Layers without a name of their own get one per model, by type, counting
    from 1: `dense_1`, `dense_2`, `dropout_1`. Parameter names follow:
    `dense_1.kernel`. If the first layer knows its `input_shape`, the model is
    built (its weights created) straight away, as in Keras.
    """

    def __init__(self, layers: Sequence[Module] | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        self._layer_list: list[Module] = []
        self._output_shapes: dict[int, Shape] = {}
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Module]:
        return list(self._layer_list)

    def add(self, layer: Module) -> None:
        """Put `layer` on top of the stack."""
        if not isinstance(layer, Module):
            raise TypeError(
                f"Sequential.add: expected a layer (an nn.Module), got {type(layer).__name__}"
            )
        if any(layer is existing for existing in self._layer_list):
            raise ValueError(f"Sequential.add: layer '{layer.name}' is already in this model")
        self._name_layer(layer)
        self._layer_list.append(layer)
        shape = self._known_input_shape()
        if shape is not None:  # build the new layer now; built layers keep their weights
            try:
                self.build(shape)
            except Exception:
                self._layer_list.pop()  # leave the model as it was
                raise

    def pop(self) -> Module:
        """Remove and return the top layer."""
        if not self._layer_list:
            raise IndexError("Sequential.pop: the model has no layers")
        layer = self._layer_list.pop()
        self._output_shapes.pop(id(layer), None)
        return layer

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The layers under their own names, so parameters read `dense_1.kernel`."""
        for layer in self._layer_list:
            yield layer.name, layer

    def _name_layer(self, layer: Module) -> None:
        """Give an unnamed layer a per-model name: `dense_1`, `dense_2`, ..."""
        taken = {existing.name for existing in self._layer_list}
        if not layer.name_is_default:
            if layer.name in taken:
                raise ValueError(
                    f"Sequential.add: a layer named '{layer.name}' is already in the model; "
                    "layer names must be unique"
                )
            return
        base = snake_case(type(layer).__name__)
        number = 1
        while f"{base}_{number}" in taken:
            number += 1
        layer.name = f"{base}_{number}"

    def forward(self, inputs: Any) -> Any:
        if not self._layer_list:
            raise ValueError(f"{self.name}: the Sequential model has no layers; add some first")
        output = inputs
        for layer in self._layer_list:
            output = layer(output)
        return output

    def _run_build(self, sample: Tensor) -> None:
        if not self._layer_list:
            raise ValueError(f"{self.name}: cannot build a Sequential model with no layers")
        output = sample
        for layer in self._layer_list:
            output = layer(output)
            self._output_shapes[id(layer)] = (None, *output.shape[1:])

    def _first_layer_input_shape(self) -> Shape | None:
        if not self._layer_list:
            return None
        shape = getattr(self._layer_list[0], "input_shape", None)
        return tuple(shape) if shape is not None else None

    def _known_input_shape(self) -> Shape | None:
        return self._build_input_shape or self._first_layer_input_shape()

    def _layer_output_shape(self, layer: Module) -> Any:
        return getattr(layer, "output_shape", None) or self._output_shapes.get(id(layer))
