"""Keras 3's own files, both ways: `.keras` whole models and `.weights.h5` weights.

A `.keras` file is a zip archive of three members (Keras 3's `saving_lib.py`):

    metadata.json      {"keras_version": ..., "date_saved": ...}
    config.json        the model as {"module", "class_name", "config", "registered_name",
                       "build_config"}, each layer the same way, and the model's
                       "compile_config" (optimizer, loss, metrics)
    model.weights.h5   HDF5: layers/<path>/vars/<i> for each variable of a layer, in the
                       layer's own order; optimizer/vars/<i>: the iteration count, the
                       learning rate, then the optimizer's slot variables

A layer's <path> is not its name: it is its class name in snake case, numbered
when repeated ("dense", "dense_1", ...), in the order of `model.layers`. A
`.weights.h5` file (`save_weights`) holds the same HDF5 tree.

Our layers take Keras's argument names, so a layer's config goes across as it
is, with Keras's wrappers added (module names, a dtype policy) or taken off. A
Keras argument we lack is dropped only when it has Keras's neutral value
(`data_format="channels_last"`, a constraint of None, ...); any other value is an
error naming the layer and the argument, never a silently different model.

HDF5 needs h5py (`pip install "tinygrad-edu[keras]"`); nothing is pickled.
Sequential and functional models are written and read (`keras_graph.py` says
how Keras orders a graph's layers).
"""

from __future__ import annotations

import datetime
import inspect
import io
import json
import os
import zipfile
import zlib
from typing import Any

import numpy as np

from tinygrad_edu.nn import keras_graph
from tinygrad_edu.nn.module import Module, snake_case
from tinygrad_edu.nn.serialization import check_and_assign, write_atomically

#: The Keras version whose format this module writes (and has been checked against).
KERAS_VERSION = "3.15.1"
DOCS_PAGE = "docs/coming-from-keras.md"

# Keras modules of each kind of object, by our module.
_KERAS_MODULES = {
    "initializers": "keras.initializers",
    "optimizers": "keras.optimizers",
    "schedules": "keras.optimizers.schedules",
    "losses": "keras.losses",
    "metrics": "keras.metrics",
    "regularizers": "keras.regularizers",
}

# Keras arguments our classes do not take, with the values that change nothing.
_NEUTRAL = {
    "data_format": ("channels_last",),
    "groups": (1,),
    "sparse": (False,),
    "ragged": (False,),
    "optional": (False,),
    "synchronized": (False,),
    "renorm": (False,),
    "use_ema": (False,),
    "amsgrad": (False,),
    "centered": (False,),
    "reduction": ("sum_over_batch_size",),
    "rms_scaling": (False,),
    "stateful": (False,),
    "unroll": (False,),
    "use_cudnn": ("auto",),
    "use_gate": (False,),
    "attention_axes": ([1],),  # attention over the steps of (batch, steps, features)
}
# Keras arguments that matter only when another argument is on (renorm, use_ema, ...).
_IGNORED = {"renorm_momentum", "renorm_clipping", "ema_momentum", "ema_overwrite_frequency"}

# Layers whose variables Keras keeps in a sub-object's group: layers/<path>/cell/vars.
_VARIABLES_UNDER = {"SimpleRNN": "cell", "LSTM": "cell", "GRU": "cell", "RNN": "cell"}
# The cells an RNN may hold in a Keras file here (a user's cell or stacked cells: not yet).
_KERAS_CELLS = ("SimpleRNNCell", "LSTMCell", "GRUCell")
# Wrappers: each wrapped layer is written whole (its own groups) under these names.
_WRAPPED = {"Bidirectional": ("forward_layer", "backward_layer"), "TimeDistributed": ("layer",)}
# MultiHeadAttention keeps each projection in an EinsumDense sublayer of its own (kernel,
# then bias), and empty groups for its dropout and softmax sublayers.
_ATTENTION_GROUPS = ("query_dense", "key_dense", "value_dense", "output_dense")

# Slot variables of each optimizer in Keras's order: groups of our state names, one
# group after another; within a group they alternate per variable (Adam's m0 v0 m1 v1).
_OPTIMIZER_SLOTS = {
    "SGD": [("momentum",)],
    "RMSprop": [("velocity",), ("momentum",)],
    "Adam": [("m", "v")],
    "AdamW": [("m", "v")],
}


def _h5py(caller: str) -> Any:
    try:
        import h5py
    except ImportError:
        raise ImportError(
            f"{caller}: Keras's .keras and .h5 files need the h5py package: "
            'pip install "tinygrad-edu[keras]" (or pip install h5py)'
        ) from None
    return h5py


# ---------------------------------------------------------------- ours -> Keras's JSON
def _dtype_policy(name: str) -> dict[str, Any]:
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": name},
        "registered_name": None,
    }


def _to_keras(value: Any) -> Any:
    """One of our JSON values (from `get_config`) as Keras writes it."""
    if isinstance(value, list):
        return [_to_keras(item) for item in value]
    if isinstance(value, dict) and {"module", "class_name", "config"} <= set(value):
        module, class_name, config = value["module"], value["class_name"], value["config"]
        if class_name == "function":  # an activation, loss or metric function: its name
            return config
        kind = module.rsplit(".", 1)[-1]
        if kind == "initializers" and class_name in ("Zeros", "Ones"):
            config = {}  # Keras's constant initializers take no arguments (ours a seed)
        return {
            "module": _KERAS_MODULES.get(kind, "keras.layers"),
            "class_name": class_name,
            "config": {key: _to_keras(item) for key, item in config.items()},
            "registered_name": None,
        }
    if isinstance(value, dict):
        return {key: _to_keras(item) for key, item in value.items()}
    return value


def _layer_dtype(layer: Any) -> str:
    dtype = getattr(layer, "dtype", None)
    if dtype is None and layer.weights:
        dtype = layer.weights[0].dtype
    return np.dtype(dtype or "float32").name


def _with_defaults(obj: Any, config: dict[str, Any]) -> dict[str, Any]:
    """`config` plus the constructor's defaults it leaves out: Keras's constructors may
    require an argument ours defaults (AveragePooling2D's pool_size)."""
    from tinygrad_edu.nn.saving import serialize_value

    full = {}
    for name, parameter in inspect.signature(type(obj).__init__).parameters.items():
        if name in ("self", "name", "dtype") or parameter.default is inspect.Parameter.empty:
            continue
        try:
            full[name] = serialize_value(parameter.default, name)
        except TypeError:
            continue  # not JSON: leave it to Keras's own default
    full.update(config)
    return full


def _keras_layer_entry(layer: Any, input_shape: Any) -> dict[str, Any]:
    """One layer (or nested model) as Keras writes it in a model's config."""
    if _is_model(layer):
        return {**keras_config(layer), "compile_config": {}}  # as Keras writes a nested model
    config = {
        key: _to_keras(item) for key, item in _with_defaults(layer, layer.get_config()).items()
    }
    config["name"] = layer.name
    config["trainable"] = bool(layer.trainable)
    config["dtype"] = _dtype_policy(_layer_dtype(layer))
    kind = type(layer).__name__
    if kind == "Bidirectional":  # Keras writes the two directions as they are
        config["layer"] = _keras_layer_entry(layer.forward_layer, input_shape)
        config["backward_layer"] = _keras_layer_entry(layer.backward_layer, input_shape)
    elif kind == "TimeDistributed":  # the wrapped layer sees one time step
        step = None if input_shape is None else [input_shape[0], *input_shape[2:]]
        config["layer"] = _keras_layer_entry(layer.layer, step)
    entry = {
        "module": "keras.layers",
        "class_name": kind,
        "config": config,
        "registered_name": None,
    }
    if kind == "MultiHeadAttention" and input_shape and isinstance(input_shape[0], list):
        # Keras builds attention from the query's and value's (and key's) shapes
        names = ("query_shape", "value_shape", "key_shape")
        entry["build_config"] = {"shapes_dict": dict(zip(names, input_shape))}
    elif input_shape is not None:
        entry["build_config"] = {"input_shape": list(input_shape)}
    return entry


def _is_model(layer: Any) -> bool:
    """Whether `layer` is a Sequential or functional model (its layers nest in the file)."""
    from tinygrad_edu.nn.sequential import Sequential

    return isinstance(layer, Sequential) or keras_graph.is_functional(layer)


def _check_savable(model: Any, caller: str) -> None:
    """Refuse, before writing anything, a model Keras files cannot hold here yet."""
    if not _is_model(model):
        raise NotImplementedError(
            f"{caller}: tinygrad_edu writes Keras's .keras files for Sequential and functional "
            f"models; got a {type(model).__name__}. Save it to a '.zip' file instead "
            f"(load_model reads it back); see {DOCS_PAGE}"
        )
    for layer in _sublayers(model):
        if _is_model(layer):
            _check_savable(layer, caller)
        elif type(layer).__name__ in _WRAPPED:
            for attribute in _WRAPPED[type(layer).__name__]:
                _check_savable_layer(getattr(layer, attribute), caller)
        elif _is_rnn_of_a_keras_cell(layer):
            continue
        elif any(True for _ in layer.children()):
            raise NotImplementedError(
                f"{caller}: the layer {layer.name!r} ({type(layer).__name__}) holds other "
                "layers, whose variables Keras files keep in nested groups that tinygrad_edu "
                f"does not write yet; save the model to a '.zip' file instead ({DOCS_PAGE})"
            )


def _check_savable_layer(layer: Any, caller: str) -> None:
    """A wrapped layer: what `_check_savable` asks of a model's layers."""
    if _is_model(layer):
        _check_savable(layer, caller)
    elif _is_rnn_of_a_keras_cell(layer):
        return
    elif type(layer).__name__ not in _WRAPPED and any(True for _ in layer.children()):
        raise NotImplementedError(
            f"{caller}: the layer {layer.name!r} ({type(layer).__name__}) holds other layers, "
            f"which tinygrad_edu does not write to Keras files yet; save to '.zip' ({DOCS_PAGE})"
        )


def _is_rnn_of_a_keras_cell(layer: Any) -> bool:
    """`RNN(LSTMCell(...))` and the like: Keras keeps the cell's variables under cell/."""
    cell = getattr(layer, "cell", None)
    return type(layer).__name__ == "RNN" and type(cell).__name__ in _KERAS_CELLS


def _sublayers(model: Any) -> list[Any]:
    """The layers Keras lists for a model, in its order (InputLayers too, for functional)."""
    if keras_graph.is_functional(model):  # its layers, not its keras.ops calls
        return [op for op in keras_graph.keras_operations(model) if isinstance(op, Module)]
    return list(model.layers)


def _layer_input_shapes(model: Any) -> list[tuple]:
    """The input shape (batch None) each layer of a built Sequential is called with."""
    from tinygrad_edu.autograd import no_grad
    from tinygrad_edu.nn.symbolic import sampling_shapes
    from tinygrad_edu.tensor import Tensor

    shape = tuple(model._build_input_shape)
    dtype = _layer_dtype(model.layers[0]) if model.layers else "float32"
    x = Tensor(np.zeros((1, *shape[1:]), dtype=dtype))
    shapes = []
    with no_grad(), sampling_shapes():  # a probe: stateful layers keep their states
        for layer in model.layers:
            shapes.append((None, *x.shape[1:]))
            x = layer(x, training=False) if layer.takes_training else layer(x)
    return shapes


def keras_config(model: Any, caller: str = "save") -> dict[str, Any]:
    """A built Sequential or functional model as Keras 3's config.json entry (without
    compile_config)."""
    _check_savable(model, caller)
    if keras_graph.is_functional(model):
        return keras_graph.functional_config(model, _keras_layer_entry)
    model._ensure_built(caller)
    input_shape = list(model._build_input_shape)
    input_layer = {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {
            "batch_shape": input_shape,
            "dtype": _layer_dtype(model.layers[0]) if model.layers else "float32",
            "sparse": False,
            "ragged": False,
            "name": "input_layer",
            "optional": False,
        },
        "registered_name": None,
    }
    shapes = _layer_input_shapes(model)
    layers = [input_layer] + [
        _keras_layer_entry(layer, shape) for layer, shape in zip(model.layers, shapes)
    ]
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": model.name,
            "trainable": bool(model.trainable),
            "dtype": _dtype_policy("float32"),
            "layers": layers,
            "build_input_shape": input_shape,
        },
        "registered_name": None,
        "build_config": {"input_shape": input_shape},
    }


def _compile_config(model: Any) -> dict[str, Any] | None:
    from tinygrad_edu.nn.saving import serialize_object, serialize_value

    if model.optimizer is None:
        return None
    optimizer = _to_keras(serialize_object(model.optimizer))
    optimizer["config"].setdefault("name", snake_case(type(model.optimizer).__name__))
    metrics = [_metric_entry(metric, model.loss) for metric in model.compiled_metrics]
    loss = None if model.loss is None else _to_keras(serialize_value(model.loss, "the loss"))
    return {
        "optimizer": optimizer,
        "loss": loss,
        "loss_weights": model.loss_weights,
        "metrics": metrics or None,
        "weighted_metrics": None,
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def _metric_entry(metric: Any, loss: Any) -> Any:
    """A compiled metric as Keras lists it: its name when `metrics.get` makes the same
    metric from that name ("accuracy", "mae"), else a built-in class's config; a metric
    of your own by its name."""
    from tinygrad_edu.nn import metrics
    from tinygrad_edu.nn.saving import serialize_object

    try:
        again = metrics.get(metric.name, loss=loss)
        if type(again) is type(metric) and again.get_config() == metric.get_config():
            return metric.name
    except (ValueError, TypeError):
        pass
    if not type(metric).__module__.startswith("tinygrad_edu.nn."):
        return metric.name
    entry = _to_keras(serialize_object(metric))
    return {**entry, "module": "keras.metrics"}


# ---------------------------------------------------------------- the HDF5 tree
def _numbered(layers: list[Any]) -> list[tuple[str, Any]]:
    """(group name, layer): Keras's names in a file, the class name in snake case
    numbered when repeated ("dense", "dense_1", ...), in the order of `layers`."""
    used: dict[str, int] = {}
    named = []
    for layer in layers:
        base = snake_case(type(layer).__name__)
        count = used.get(base, 0)
        used[base] = count + 1
        named.append((base if count == 0 else f"{base}_{count}", layer))
    return named


def _leaf_layers(model: Any) -> list[Any]:
    """The layers that own variables, in the order Keras lists them (nested models
    opened, a shared layer once)."""
    leaves = []
    for layer in _sublayers(model):
        if _is_model(layer):
            leaves.extend(_leaf_layers(layer))
        elif type(layer).__name__ in _WRAPPED:
            for attribute in _WRAPPED[type(layer).__name__]:
                wrapped = getattr(layer, attribute)
                leaves.extend(_leaf_layers(wrapped) if _is_model(wrapped) else [wrapped])
        else:
            leaves.append(layer)
    return leaves


def keras_weights(model: Any) -> list[Any]:
    """The weights Keras's `model.weights` has for this model, in its order (the layers
    in Keras's order, each layer's in its own order; a Normalization given its statistics
    keeps them in its config, not as weights)."""
    return [
        weight
        for layer in _leaf_layers(model)
        if any(arrays for _, arrays in _variable_groups(layer))
        for weight in layer.weights
    ]


def keras_arrays(model: Any) -> list[np.ndarray]:
    """The arrays of Keras's `model.weights` for this model, in its order and shapes (a
    Normalization's statistics of the kept axes' shape and its count, ...)."""
    return [
        array
        for layer in _leaf_layers(model)
        for _, arrays in _variable_groups(layer)
        for array in arrays
    ]


def _keras_trainable(model: Any) -> list[Any]:
    """The trainable weights in Keras's order: the order of the optimizer's slots."""
    return [weight for layer in _leaf_layers(model) for weight in layer.trainable_weights]


def _optimizer_arrays(model: Any) -> list[np.ndarray]:
    """The optimizer's variables in Keras's order, or [] before it has state."""
    optimizer = model.optimizer
    if optimizer is None:
        return []
    name = type(optimizer).__name__
    if name not in _OPTIMIZER_SLOTS:
        raise NotImplementedError(
            f"save: the optimizer {name} has no Keras file layout in tinygrad_edu yet "
            f"({', '.join(_OPTIMIZER_SLOTS)} do); see {DOCS_PAGE}"
        )
    states = {id(p): s for p, s in zip(optimizer.params, optimizer.state)}
    # Before the first step: zero slots, as the optimizer Keras builds on loading has.
    trainable = [states.get(id(w)) or optimizer.new_state(w) for w in _keras_trainable(model)]
    learning_rate = optimizer.learning_rate
    if callable(learning_rate):
        learning_rate = learning_rate(optimizer.iterations)
    arrays = [np.array(optimizer.iterations, dtype=np.int64), np.array(learning_rate, "float32")]
    for group in _OPTIMIZER_SLOTS[name]:
        if all(key in state for state in trainable for key in group):
            for state in trainable:
                arrays.extend(state[key] for key in group)
    return arrays


def _variable_groups(layer: Any) -> list[tuple[str, list[np.ndarray]]]:
    """Where Keras keeps a plain layer's variables: (group under the layer's, arrays) in
    order, with our arrays turned to Keras's shapes."""
    arrays = [weight.data for weight in layer.weights]
    name = type(layer).__name__
    if name in _VARIABLES_UNDER:
        return [("vars", []), (f"{_VARIABLES_UNDER[name]}/vars", arrays)]
    if name == "MultiHeadAttention":
        per = 2 if layer.use_bias else 1
        groups = [
            (f"{group}/vars", arrays[i * per : (i + 1) * per])
            for i, group in enumerate(_ATTENTION_GROUPS)
        ]
        return [("vars", []), *groups, ("_dropout_layer/vars", []), ("_softmax/vars", [])]
    if name == "Normalization":
        # Keras has variables only for an adapted layer (given statistics are config):
        # mean and variance of the kept axes' shape, and a count it keeps at 0.
        if layer.get_config().get("mean") is not None:
            return [("vars", [])]
        kept = [size for size in arrays[0].shape if size != 1] if arrays else []
        statistics = [array.reshape(kept) for array in arrays]
        return [("vars", [*statistics, np.array(0, dtype=np.int32)])]
    return [("vars", arrays)]


def _from_keras_arrays(layer: Any, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """The arrays read from a layer's groups in the shapes of our weights."""
    if type(layer).__name__ == "Normalization" and len(arrays) == 3:
        return [array.reshape(weight.shape) for array, weight in zip(arrays, layer.weights)]
    return arrays


def _write_layer(group: Any, layer: Any) -> None:
    """A layer's variables under `group` (`vars/<i>`); a nested model's layers under
    `group/layers`, and a wrapper's layers under their own names, as Keras nests them."""
    if _is_model(layer):
        group.create_group("vars").attrs["name"] = layer.name
        layers = group.create_group("layers")
        for name, sublayer in _numbered(_sublayers(layer)):
            _write_layer(layers.create_group(name), sublayer)
        return
    if type(layer).__name__ in _WRAPPED:
        group.create_group("vars").attrs["name"] = layer.name
        for attribute in _WRAPPED[type(layer).__name__]:
            _write_layer(group.create_group(attribute), getattr(layer, attribute))
        return
    for path, arrays in _variable_groups(layer):
        variables = group.require_group(path)
        variables.attrs["name"] = layer.name
        for index, array in enumerate(arrays):
            variables.create_dataset(str(index), data=array)


def _write_h5(file: Any, model: Any, with_optimizer: bool) -> None:
    h5py = _h5py("save")
    with h5py.File(file, "w") as h5:
        _write_layer(h5, model)
        if with_optimizer and model.optimizer is not None:
            group = h5.create_group("optimizer").create_group("vars")
            group.attrs["name"] = snake_case(type(model.optimizer).__name__)
            for index, array in enumerate(_optimizer_arrays(model)):
                group.create_dataset(str(index), data=array)


def _h5_bytes(model: Any, with_optimizer: bool) -> bytes:
    buffer = io.BytesIO()
    _write_h5(buffer, model, with_optimizer)
    return buffer.getvalue()


def save_keras(model: Any, path: str | os.PathLike) -> None:
    """Write a built Sequential or functional model to Keras 3's `.keras` format, atomically.

    Real Keras 3 opens the file with `keras.models.load_model`: same layers,
    weights, compile settings and optimizer state (so `fit` goes on there).

    Raises:
        NotImplementedError: a model or layer Keras files cannot hold here yet.
        ImportError: h5py is not installed.
        OSError: the file cannot be written at `path`.
    """
    path = os.fspath(path)
    _h5py("save")
    entry = keras_config(model)
    entry["compile_config"] = _compile_config(model)
    metadata = {
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }
    members = {
        "metadata.json": json.dumps(metadata).encode("utf-8"),
        "config.json": json.dumps(entry).encode("utf-8"),
        "model.weights.h5": _h5_bytes(model, with_optimizer=True),
    }

    def write(file: Any) -> None:
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)

    write_atomically(path, write, "save")


def save_weights_h5(model: Any, path: str | os.PathLike) -> None:
    """Write the weights in Keras 3's `.weights.h5` layout (no optimizer), atomically."""
    _check_savable(model, "save_weights")
    model._ensure_built("save_weights")
    _h5py("save_weights")
    write_atomically(
        path, lambda file: _write_h5(file, model, with_optimizer=False), "save_weights"
    )


# ---------------------------------------------------------------- Keras's JSON -> ours
def _from_keras(value: Any, where: str) -> Any:
    """A Keras config value as our constructors take it."""
    if isinstance(value, list):
        return [_from_keras(item, where) for item in value]
    if isinstance(value, dict) and {"class_name", "config"} <= set(value):
        class_name, config = value["class_name"], value["config"]
        if class_name in ("DTypePolicy", "FloatDTypePolicy"):
            return config["name"]
        if class_name == "function" or value.get("module") == "keras.activations":
            return config if isinstance(config, str) else class_name
        return _build(class_name, value.get("module"), config, where)
    return value


def _find_class(class_name: str, module: str | None, where: str) -> type:
    import tinygrad_edu.nn as nn
    from tinygrad_edu.nn import initializers, losses, metrics, optimizers, regularizers, schedules

    kind = (module or "keras.layers").split(".")[-1]
    places = {
        "initializers": initializers,
        "optimizers": optimizers,
        "schedules": schedules,
        "losses": losses,
        "metrics": metrics,
        "regularizers": regularizers,
    }
    found = getattr(places.get(kind, nn), class_name, None)
    if not isinstance(found, type):
        raise ValueError(
            f"load_model: {where} uses Keras's {class_name} ({module}), which tinygrad_edu "
            f"does not have yet; {DOCS_PAGE} lists what it has"
        )
    return found


def _arguments(cls: type, config: dict[str, Any], where: str) -> dict[str, Any]:
    """Keras's config as keyword arguments for `cls`, refusing what would change the model."""
    parameters = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    arguments = {}
    for key, value in config.items():
        if key in parameters or (takes_any and key not in _NEUTRAL and key not in _IGNORED):
            arguments[key] = _from_keras(value, f"{where}.{key}")
        elif value is None or key in _IGNORED or value in _NEUTRAL.get(key, ()):
            continue
        elif key == "dilation_rate" and set(np.atleast_1d(value).tolist()) == {1}:
            continue
        else:
            raise ValueError(
                f"load_model: {where} has {key}={value!r}, which tinygrad_edu's {cls.__name__} "
                f"does not take; see {DOCS_PAGE}"
            )
    return arguments


def _build(class_name: str, module: str | None, config: dict[str, Any], where: str) -> Any:
    cls = _find_class(class_name, module, where)
    config = dict(config)
    trainable = config.pop("trainable", True)
    if class_name in ("Adam", "AdamW", "SGD", "RMSprop"):
        config.pop("name", None)
        if config.get("weight_decay") is None:
            config.pop("weight_decay", None)
        for key in ("clipnorm", "global_clipnorm", "clipvalue", "loss_scale_factor"):
            if config.get(key) is None:
                config.pop(key, None)
        if config.get("gradient_accumulation_steps") is None:
            config.pop("gradient_accumulation_steps", None)
    if module == "keras.losses" or module == "keras.metrics":
        if module == "keras.losses":
            config.pop("name", None)
        if config.get("dtype") is None:
            config.pop("dtype", None)
    try:
        obj = cls(**_arguments(cls, config, f"{where} ({class_name})"))
    except TypeError as error:
        raise ValueError(f"load_model: could not rebuild {where} ({class_name}): {error}") from None
    if trainable is False:
        obj.trainable = False
    return obj


def _layer_from_keras(entry: dict[str, Any]) -> Any:
    """One layer, or a nested Sequential or functional model, from its Keras entry."""
    if entry.get("class_name") in ("Sequential", "Functional"):
        return model_from_keras(entry)
    name = entry["config"].get("name", entry["class_name"])
    return _build(entry["class_name"], "keras.layers", entry["config"], f"layer {name!r}")


def model_from_keras(entry: dict[str, Any]) -> Any:
    """Our Sequential or functional model from Keras 3's config.json entry (fresh weights).

    Raises:
        NotImplementedError: a model class other than Sequential and Functional
            (a subclassed model, whose code the file does not hold).
        ValueError: a layer or argument tinygrad_edu does not have.
    """
    from tinygrad_edu.nn.input_layer import Input
    from tinygrad_edu.nn.sequential import Sequential

    class_name = entry.get("class_name")
    if class_name == "Functional":
        return keras_graph.functional_from_keras(entry, _layer_from_keras)
    if class_name != "Sequential":
        raise NotImplementedError(
            f"load_model: this .keras file holds a {class_name} model; tinygrad_edu reads "
            f"Keras's Sequential and functional models (a subclassed model's code is not in "
            f"the file; see {DOCS_PAGE})"
        )
    config = entry["config"]
    layers: list[Any] = []
    input_shape = config.get("build_input_shape") or (entry.get("build_config") or {}).get(
        "input_shape"
    )
    for layer_entry in config["layers"]:
        if layer_entry["class_name"] == "InputLayer":
            input_shape = layer_entry["config"]["batch_shape"]
            continue
        layers.append(_layer_from_keras(layer_entry))
    if input_shape is not None:
        dtype = config["layers"][0]["config"].get("dtype", "float32")
        layers.insert(0, Input(shape=tuple(input_shape[1:]), dtype=_from_keras(dtype, "input")))
    model = Sequential(layers, name=config.get("name"))
    if config.get("trainable") is False:
        model.trainable = False
    return model


def _read_h5_vars(group: Any) -> list[np.ndarray]:
    if group is None or "vars" not in group:
        return []
    variables = group["vars"]
    return [np.asarray(variables[str(i)]) for i in range(len(variables))]


def _assign_layer(group: Any, layer: Any, path: str, where: str) -> None:
    """Put the arrays under `group` (at `path` in the file) into `layer`, nested models
    and wrapped layers one by one."""
    if _is_model(layer):
        layers = None if group is None else group.get("layers")
        for name, sublayer in _numbered(_sublayers(layer)):
            subgroup = None if layers is None else layers.get(name)
            _assign_layer(subgroup, sublayer, f"{path}/layers/{name}", where)
        return
    if type(layer).__name__ in _WRAPPED:
        for attribute in _WRAPPED[type(layer).__name__]:
            subgroup = None if group is None else group.get(attribute)
            _assign_layer(subgroup, getattr(layer, attribute), f"{path}/{attribute}", where)
        return
    arrays = []
    expected_groups = _variable_groups(layer)
    for subpath, _ in expected_groups:  # "vars" or "<sublayer>/vars"
        parent = subpath[: -len("/vars")] if "/" in subpath else None
        arrays.extend(
            _read_h5_vars(group if group is None or parent is None else group.get(parent))
        )
    count = sum(len(arrays) for _, arrays in expected_groups)
    if len(arrays) != count:
        raise ValueError(
            f"{where}: {path} holds {len(arrays)} arrays, but the layer {layer.name!r} "
            f"({type(layer).__name__}) has {count} in Keras's layout"
        )
    if count:
        check_and_assign(
            layer.named_weights(), _from_keras_arrays(layer, arrays), f"{where} ({path})"
        )


def _assign_layers(model: Any, h5: Any, where: str) -> None:
    layers = h5.get("layers")
    for name, layer in _numbered(_sublayers(model)):
        group = None if layers is None else layers.get(name)
        _assign_layer(group, layer, f"layers/{name}", where)


def _assign_optimizer(model: Any, h5: Any, where: str) -> None:
    optimizer = model.optimizer
    name = type(optimizer).__name__
    arrays = _read_h5_vars(h5.get("optimizer"))
    if not arrays or name not in _OPTIMIZER_SLOTS:
        return
    if len(arrays) == 2:  # compiled in Keras but never trained: no slots made yet
        optimizer.iterations = int(arrays[0])
        return
    model._bind_optimizer()
    states = {id(p): s for p, s in zip(optimizer.params, optimizer.state)}
    trainable = [states[id(w)] for w in _keras_trainable(model) if id(w) in states]
    slots = [
        (state, key)
        for group in _OPTIMIZER_SLOTS[name]
        if all(key in state for state in trainable for key in group)
        for state in trainable
        for key in group
    ]
    if len(arrays) != 2 + len(slots):
        raise ValueError(
            f"{where}: the {name} state holds {len(arrays)} variables; this model's {name} "
            f"needs {2 + len(slots)} (the iteration count, the learning rate and its slots)"
        )
    for (state, key), array in zip(slots, arrays[2:]):
        if array.shape != state[key].shape:
            raise ValueError(
                f"{where}: an optimizer slot has shape {array.shape}, expected {state[key].shape}"
            )
        state[key][...] = array
    optimizer.iterations = int(arrays[0])


def _read_archive(path: str) -> tuple[dict[str, Any], bytes]:
    what = f"load_model: '{path}' is not a Keras .keras file"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            needed = {"metadata.json", "config.json", "model.weights.h5"}
            if not needed <= names:
                raise ValueError(f"{what}: it lacks {', '.join(sorted(needed - names))}")
            config = json.loads(archive.read("config.json").decode("utf-8"))
            weights = archive.read("model.weights.h5")
    except zipfile.BadZipFile as error:
        raise ValueError(f"{what}: not a readable zip archive ({error})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{what}: its config.json is damaged ({error})") from None
    except (zlib.error, EOFError, OSError) as error:
        raise ValueError(f"{what}: it is damaged or truncated ({error})") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{what}: config.json does not describe a model")
    return config, weights


def load_keras(path: str | os.PathLike, compile: bool = True) -> Any:
    """Read a `.keras` file written by Keras 3 (or by `save`): a Sequential or functional
    model, with its weights, compile settings and optimizer state.

    Raises:
        FileNotFoundError: no file at `path`.
        ValueError: not a .keras file, damaged, or a layer argument we do not have.
        NotImplementedError: a subclassed model or a layer we cannot read yet.
        ImportError: h5py is not installed.
    """
    path = os.fspath(path)
    h5py = _h5py("load_model")
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_model: no such file: '{path}'")
    entry, weights = _read_archive(path)
    model = model_from_keras(entry)
    where = f"load_model('{path}')"
    try:
        h5 = h5py.File(io.BytesIO(weights), "r")
    except OSError as error:
        raise ValueError(f"{where}: model.weights.h5 is damaged ({error})") from None
    with h5:
        _assign_layers(model, h5, where)
        compile_config = entry.get("compile_config")
        if compile and compile_config:
            optimizer = compile_config["optimizer"]
            if isinstance(optimizer, str):
                optimizer_object: Any = optimizer
            else:
                optimizer_object = _from_keras(optimizer, "the optimizer")
            loss = compile_config.get("loss")
            model.compile(
                optimizer=optimizer_object,
                loss=_from_keras(loss, "the loss") if isinstance(loss, (dict, list)) else loss,
                metrics=_from_keras(compile_config.get("metrics"), "the metrics"),
                loss_weights=compile_config.get("loss_weights"),
            )
            _assign_optimizer(model, h5, where)
    return model


def load_weights_h5(model: Any, path: str | os.PathLike) -> None:
    """Read a Keras 3 `.weights.h5` file into a built Sequential or functional model;
    all or nothing.

    Raises:
        FileNotFoundError: no file at `path`.
        ValueError: not an HDF5 weights file, or arrays that do not fit the model.
    """
    path = os.fspath(path)
    h5py = _h5py("load_weights")
    _check_savable(model, "load_weights")
    model._ensure_built("load_weights")
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_weights: no such file: '{path}'")
    before = [weight.data.copy() for weight in model.weights]
    try:
        with h5py.File(path, "r") as h5:
            _assign_layers(model, h5, f"load_weights('{path}')")
    except OSError as error:
        raise ValueError(f"load_weights: '{path}' is not an HDF5 weights file ({error})") from None
    except ValueError:
        for weight, data in zip(model.weights, before):
            weight.data[...] = data
        raise
