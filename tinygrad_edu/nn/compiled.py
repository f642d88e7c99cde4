"""What `compile` keeps for a model with several outputs: a loss and metrics per output.

    model.compile(
        optimizer="rmsprop",
        loss={"priority": "mean_squared_error", "department": "categorical_crossentropy"},
        metrics={"priority": ["mean_absolute_error"], "department": ["accuracy"]},
        loss_weights={"priority": 1.0, "department": 0.5},
    )

As in Keras, losses, metrics, weights and targets may each be given as a list
(in the order of the outputs) or a dict (by output name); one loss alone is
used for every output. The model minimizes the weighted sum of the outputs'
losses, and logs each one as `<output>_loss` beside the total `loss`, and each
metric as `<output>_<metric>` (`department_accuracy`). A model with one output
never comes here: its loss and metrics work as they always did.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.nn import losses as losses_module
from tinygrad_edu.nn import metrics as metrics_module
from tinygrad_edu.nn import structures
from tinygrad_edu.tensor import Tensor


def is_per_output(value: Any) -> bool:
    """True for a list or dict given to compile (a loss or weight per output)."""
    return isinstance(value, (list, tuple, dict))


def one_output(value: Any, names: list[str] | None, what: str, nested_only: bool = False) -> Any:
    """`value` for a model with one output: a one-entry list or dict becomes its entry.

    Keras accepts `loss=["mse"]`, `loss={"dense": "mse"}` and `metrics=[["mae"]]` for a
    model with one output. With `nested_only` (metrics) a plain list is kept: `["mae", "mse"]`
    is two metrics, `[["mae", "mse"]]` one list per output.

    Raises:
        ValueError: several entries, or a dict key that is not the output's name.
    """
    if isinstance(value, dict):
        if len(value) != 1 or (names and next(iter(value)) not in names):
            expected = f"the key {names[0]!r}" if names else "one key"
            raise ValueError(
                f"{what}: the model has one output; give one entry ({expected}), got keys "
                f"{list(value)}"
            )
        return next(iter(value.values()))
    if isinstance(value, (list, tuple)):
        if nested_only and not any(isinstance(v, (list, tuple, dict)) or v is None for v in value):
            return value
        if len(value) != 1:
            raise ValueError(f"{what}: the model has one output, got {len(value)} entries")
        return value[0]
    return value


def resolve_losses(loss: Any) -> Any:
    """compile's `loss` with every name made a loss object; lists and dicts kept as such.

    Raises:
        ValueError: a name or object `losses.get` cannot use.
    """
    try:
        if isinstance(loss, dict):
            return {key: None if v is None else losses_module.get(v) for key, v in loss.items()}
        if isinstance(loss, (list, tuple)):
            return [None if v is None else losses_module.get(v) for v in loss]
        return losses_module.get(loss)
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"compile: cannot use loss={loss!r}: {error}") from None


def named_outputs(model: Any, y_pred: Any) -> tuple[list[str], list[Tensor]]:
    """The model's outputs as (names, Tensors): dict keys, a functional model's output
    layer names, or output_1, output_2, ... for a subclassed model's tuple."""
    if isinstance(y_pred, dict):
        return list(y_pred), list(y_pred.values())
    outputs = list(y_pred)
    names = list(getattr(model, "output_names", None) or [])
    if len(names) != len(outputs):
        names = [f"output_{position + 1}" for position in range(len(outputs))]
    return names, outputs


def per_output(value: Any, names: list[str], what: str, default: Any = None) -> list[Any]:
    """`value` (one for all, a list by position or a dict by name) as one entry per output.

    Raises:
        ValueError: a list of the wrong length, or a dict key that is no output's name.
    """
    if isinstance(value, dict):
        unknown = [key for key in value if key not in names]
        if unknown:
            raise ValueError(
                f"{what}: {unknown} are not names of the model's outputs ({', '.join(names)})"
            )
        return [value.get(name, default) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(
                f"{what}: the model has {len(names)} outputs ({', '.join(names)}) but "
                f"{len(value)} were given"
            )
        return list(value)
    return [value if value is not None else default] * len(names)


def targets_per_output(y: Any, names: list[str]) -> list[Any]:
    """The targets, one per output, from a list (by position) or a dict (by name).

    Raises:
        ValueError: one array for several outputs, or missing or extra targets.
    """
    if not structures.is_structure(y):
        raise ValueError(
            f"the model has {len(names)} outputs ({', '.join(names)}); give y as a list of "
            f"{len(names)} arrays or a dict by output name"
        )
    if isinstance(y, dict):
        missing = [name for name in names if name not in y]
        if missing:
            raise ValueError(f"y lacks targets for the outputs {missing}; got keys {list(y)}")
        return [y[name] for name in names]
    return per_output(list(y), names, "y")


class OutputMetrics:
    """The metrics of each output, made once the outputs' names are known."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.by_output: dict[str, list[metrics_module.Metric]] | None = None

    def resolve(self, names: list[str], losses: list[Any]) -> dict[str, list[Any]]:
        """{output name: [Metric, ...]}; "accuracy" fits that output's loss."""
        if self.by_output is None or list(self.by_output) != names:
            spec = self.spec
            nested = isinstance(spec, (list, tuple)) and any(
                isinstance(item, (list, tuple)) or item is None for item in spec
            )
            if isinstance(spec, dict) or nested:
                entries = per_output(spec, names, "compile(metrics=...)")
            else:
                entries = [spec] * len(names)
            self.by_output = {
                name: metrics_module.get_all(entry, loss, "compile")
                for name, entry, loss in zip(names, entries, losses)
            }
        return self.by_output


def multi_output_loss(
    model: Any, y: Any, y_pred: Any, sample_weight: Any = None
) -> tuple[Tensor, dict[str, float]]:
    """The weighted sum of the outputs' losses, and each one's value by `<name>_loss`.

    `sample_weight`, as in Keras, is one array for every output, or a list (in output
    order) or dict (by output name) of arrays, None for an output left unweighted;
    each output's loss is weighted as `weighted_loss` does.

    Raises:
        ValueError: targets, losses or sample weights that do not match the outputs.
    """
    names, outputs = named_outputs(model, y_pred)
    targets = targets_per_output(y, names)
    losses = per_output(model.loss, names, "compile(loss=...)")
    weights = per_output(model.loss_weights, names, "compile(loss_weights=...)", default=1.0)
    if structures.is_structure(sample_weight):
        sample_weights = per_output(sample_weight, names, "sample_weight")
    else:
        sample_weights = [sample_weight] * len(names)
    total, logs = None, {}
    for name, target, output, loss, weight, samples in zip(
        names, targets, outputs, losses, weights, sample_weights
    ):
        if loss is None:
            continue
        if samples is None:
            value = loss(target, output)
        else:
            value = weighted_loss(loss, target, output, samples)
        logs[f"{name}_loss"] = value.item()
        weighted = value if weight == 1.0 else value * float(weight)
        total = weighted if total is None else total + weighted
    if total is None:
        raise ValueError("compile: no output has a loss")
    return total, logs


def multi_output_metrics(model: Any, y: Any, y_pred: Any) -> dict[str, float]:
    """Each output's metrics, updated with this batch, as {`<output>_<metric>`: result}."""
    names, outputs = named_outputs(model, y_pred)
    targets = targets_per_output(y, names)
    losses = per_output(model.loss, names, "compile(loss=...)")
    by_output = model._output_metrics.resolve(names, losses)
    logs = {}
    for name, target, output in zip(names, targets, outputs):
        results = metrics_module.update_all(by_output[name], target, output)
        logs.update({f"{name}_{metric}": value for metric, value in results.items()})
    return logs


def weighted_loss(loss: Any, y: Any, y_pred: Tensor, weights: np.ndarray) -> Tensor:
    """Keras's weighted loss, sum(weight_i * loss_i) / batch size, for a loss that is a
    mean over samples.

    Samples that share a weight are taken together: the loss of that group (a mean) times
    the weight and the group's share of the batch. So any such loss, your own included,
    is weighted without a per-sample version of it; class weights make few groups.

    Raises:
        ValueError: not one weight per sample.
    """
    weights = np.asarray(weights, dtype=np.float64).reshape(-1)
    count = len(y_pred)
    if len(weights) != count:
        raise ValueError(
            f"sample_weight: got {len(weights)} weights for a batch of {count} samples"
        )
    targets = np.asarray(y.data if isinstance(y, Tensor) else y)
    total = None
    for value in np.unique(weights):
        if value == 0.0:
            continue
        rows = np.nonzero(weights == value)[0]
        part = loss(targets[rows], y_pred[rows]) * float(value * len(rows) / count)
        total = part if total is None else total + part
    return total if total is not None else (y_pred * 0.0).sum()


def class_sample_weights(y: Any, class_weight: dict[Any, float]) -> np.ndarray:
    """One weight per sample from its class: labels, (N, 1) labels or one-hot rows.

    Raises:
        ValueError: a class that `class_weight` does not list.
    """
    labels = np.asarray(y)
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(axis=-1)  # one-hot rows
    labels = labels.reshape(-1)
    try:
        return np.array([class_weight[int(label)] for label in labels], dtype=np.float64)
    except KeyError as error:
        raise ValueError(
            f"class_weight: no weight for class {error.args[0]}; give one for every class "
            f"(got classes {sorted(class_weight)})"
        ) from None
