"""Whole-model files: the architecture and compile settings as JSON, the weights as .npz.

`model.save("model.zip")` writes one zip archive holding

    metadata.json        what the file is: {"format": "tinygrad_edu model", "version": 1, ...}
    config.json          the model's class and constructor arguments, its layers' (each
                         {"module", "class_name", "config"}), the input shape it was built
                         for and the optimizer, loss and metrics it was compiled with
    model.weights.npz    every weight by name (`dense_1.kernel`), as `save_weights` writes
    optimizer.npz        the optimizer's state, if it has any: its step count and, per
                         parameter, its running averages (`dense_1.kernel/m`), so that
                         training goes on exactly where it stopped

and `load_model("model.zip")` rebuilds the model from the JSON, puts the weights
back and compiles it again. This is what Keras 3's `.keras` files hold (there
the weights are HDF5); nothing is pickled, so loading a file runs no code from it.

How objects become JSON: every layer, optimizer, loss, metric, initializer and
schedule has `get_config()`, a dict of the arguments that rebuild it, and the
class method `from_config(config)`. A layer's config is the arguments its
constructor was called with (recorded as the layer is made, as Keras 3 does),
turned into JSON in one place, `recorded_config`: no layer writes its own, so
none can leave out its dtype or initializers. The others read theirs back from
attributes of the same name. A function (an
activation, a loss or metric function) is saved by its name.

Classes and functions of tinygrad_edu are found again by module and name. Your
own are looked up in `custom_objects={"MyLayer": MyLayer}` given to
`load_model`, or registered once with `@register_serializable()`; without either
the error names the class it could not find.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from tinygrad_edu.nn.serialization import check_and_assign, write_atomically

FORMAT = "tinygrad_edu model"
VERSION = 1
METADATA_FILE = "metadata.json"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.npz"
OPTIMIZER_FILE = "optimizer.npz"
#: Where tinygrad_edu's own classes and functions live; other modules are never imported.
BUILTIN_PACKAGE = "tinygrad_edu.nn."

_registered: dict[str, Any] = {}  # "package>Name" -> class or function
_custom_scopes: list[dict[str, Any]] = []  # custom_objects of the loads in progress


# ---------------------------------------------------------------- naming your own objects
def register_serializable(package: str = "Custom", name: str | None = None) -> Any:
    """Decorator: let `load_model` find your class or function without `custom_objects`.

    It is saved as "package>name" (name defaults to its `__name__`), as Keras's
    `register_keras_serializable` does:

        @register_serializable(package="course")
        class Scale(nn.Layer): ...
    """

    def register(target: Any) -> Any:
        key = f"{package}>{name or target.__name__}"
        if key in _registered and _registered[key] is not target:
            raise ValueError(f"register_serializable: {key!r} is already registered")
        _registered[key] = target
        target._registered_name = key
        return target

    return register


@contextlib.contextmanager
def custom_object_scope(custom_objects: dict[str, Any] | None) -> Iterator[None]:
    """Inside the block, `from_config` finds the classes and functions in `custom_objects`."""
    _custom_scopes.append(dict(custom_objects or {}))
    try:
        yield
    finally:
        _custom_scopes.pop()


def _custom_lookup(name: str) -> Any:
    """Your class or function saved as `name`: from custom_objects (by its full name, or
    the part after "package>"), else from the registered ones; None if neither has it."""
    for scope in reversed(_custom_scopes):
        for key in (name, name.split(">")[-1]):
            if key in scope:
                return scope[key]
    return _registered.get(name)


# ---------------------------------------------------------------- objects to JSON
def constructor_arguments(obj: Any) -> dict[str, Any]:
    """The arguments of `type(obj).__init__`, read back from attributes of the same name.

    Used by optimizer schedules, losses and initializers, which keep each
    argument under its own name. Raises ValueError naming an argument that is
    not kept that way: such a class must write its own `get_config`.
    """
    config = {}
    starred = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    for name, parameter in inspect.signature(type(obj).__init__).parameters.items():
        if name == "self" or parameter.kind in starred:
            continue
        if not hasattr(obj, name):
            raise ValueError(
                f"{type(obj).__name__}.get_config: the constructor argument {name!r} is not "
                "kept as an attribute of that name; override get_config() to return it"
            )
        config[name] = serialize_value(getattr(obj, name), f"{type(obj).__name__}.{name}")
    return config


def record_arguments(obj: Any, cls: type, args: tuple, kwargs: dict) -> None:
    """Keep the arguments `cls(*args, **kwargs)` was called with, for `get_config`.

    Called from `__new__` of Layer and Model, before `__init__` runs (Keras 3
    does the same), so a layer or model class needs no `get_config` of its own
    when its arguments are plain values, layers or other saveable objects.
    """
    signature = inspect.signature(cls.__init__)
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return  # __init__ will raise the real error
    arguments: dict[str, Any] = {}
    for name, value in list(bound.arguments.items())[1:]:
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            arguments.update(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            if value:
                arguments = {"*args": None}  # positional extras cannot be passed back by name
                break
        else:
            arguments[name] = value
    object.__setattr__(obj, "_init_arguments", arguments)


def recorded_config(obj: Any) -> dict[str, Any]:
    """`get_config` for Layer and Model: the recorded constructor arguments, as JSON values.

    Raises:
        ValueError: the arguments were not recorded (the object was made with *args).
        TypeError: an argument that cannot be written as JSON (an array, a lambda).
    """
    owner = type(obj).__name__
    arguments = getattr(obj, "_init_arguments", None)
    if arguments is None or "*args" in arguments:
        raise ValueError(
            f"{owner}.get_config: the arguments it was made with are unknown (made with "
            "*args, or through __new__ alone); override get_config() to return them"
        )
    config = {
        name: serialize_value(value, f"{owner}({name}=...)") for name, value in arguments.items()
    }
    parameters = inspect.signature(type(obj).__init__).parameters
    takes_name = "name" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )
    if takes_name and isinstance(getattr(obj, "name", None), str):
        config["name"] = obj.name  # the name it has now: a Sequential may have renamed it
    if getattr(obj, "trainable", True) is False:
        config["trainable"] = False  # frozen (set after construction); from_config freezes
    return config


def serialize_value(value: Any, where: str = "value") -> Any:
    """A constructor argument as JSON: numbers, strings, lists, or an object's config.

    Objects with `get_config` become {"module", "class_name", "config"}; named
    functions become {"module", "class_name": "function", "config": name}.
    Raises TypeError for anything else (an array, a lambda), naming `where`.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.dtype):
        return value.name
    if isinstance(value, type) and issubclass(value, np.generic):  # dtype=np.float64
        return np.dtype(value).name
    if isinstance(value, (list, tuple)):
        return [serialize_value(item, where) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: serialize_value(item, where) for key, item in value.items()}
    if not isinstance(value, type) and callable(getattr(value, "get_config", None)):
        return serialize_object(value)
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        if value.__name__ == "<lambda>":
            raise TypeError(
                f"cannot save {where}: it is a lambda, which has no name to be found by when "
                "loading; write it with def and pass it in custom_objects"
            )
        name = getattr(value, "_registered_name", value.__name__)
        return {"module": value.__module__, "class_name": "function", "config": name}
    raise TypeError(
        f"cannot save {where}: a {type(value).__name__} cannot be written as JSON (numbers, "
        "strings, lists, named functions and objects with get_config can)"
    )


def serialize_object(obj: Any) -> dict[str, Any]:
    """{"module", "class_name", "config"} for an object with `get_config`."""
    cls = type(obj)
    name = cls.__dict__.get("_registered_name", cls.__name__)
    return {"module": cls.__module__, "class_name": name, "config": obj.get_config()}


# ---------------------------------------------------------------- JSON to objects
def _find(class_name: str, module: str | None, kind: str) -> Any:
    """The class or function saved as `class_name` of `module`, or an error naming it."""
    found = _custom_lookup(class_name)
    if found is not None:
        return found
    if isinstance(module, str) and module.startswith(BUILTIN_PACKAGE):
        try:
            found = getattr(importlib.import_module(module), class_name, None)
        except ImportError:
            found = None
        if found is not None:
            return found
    raise ValueError(
        f"load_model: the file uses the {kind} {class_name!r} (from module {module!r}), which is "
        f"neither one of tinygrad_edu's nor given: pass custom_objects={{{class_name!r}: "
        f"{class_name.split('>')[-1]}}} to load_model, or decorate it with "
        "@register_serializable()"
    )


def deserialize_value(value: Any) -> Any:
    """The inverse of `serialize_value`: JSON back to objects (configs become objects)."""
    if isinstance(value, list):
        return [deserialize_value(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {"module", "class_name", "config"}:
            return deserialize_object(value)
        return {key: deserialize_value(item) for key, item in value.items()}
    return value


def deserialize_object(entry: dict[str, Any]) -> Any:
    """An object (or function) from its {"module", "class_name", "config"} entry.

    Raises:
        ValueError: a malformed entry, a name that is not a function or a class with
            `from_config`, or a config its constructor does not take (the message
            names the class and, for unknown classes, `custom_objects`).
    """
    if not isinstance(entry, dict) or not {"class_name", "config"} <= set(entry):
        raise ValueError(
            f"load_model: expected an object's entry with class_name and config, got {entry!r}"
        )
    module, class_name, config = entry.get("module"), entry["class_name"], entry["config"]
    if class_name == "function":
        function = _find(config, module, "function")
        if not callable(function):
            raise ValueError(f"load_model: {config!r} in {module!r} is not a function")
        return function
    cls = _find(class_name, module, "class")
    if not isinstance(cls, type) or not callable(getattr(cls, "from_config", None)):
        raise ValueError(f"load_model: {class_name!r} is not a class with from_config")
    if not isinstance(config, dict):
        raise ValueError(f"load_model: the config of {class_name!r} must be a dict, got {config!r}")
    trainable = True
    if "trainable" in config and hasattr(cls, "trainable"):  # a layer or model that was frozen
        config = dict(config)
        trainable = config.pop("trainable")
    try:
        obj = cls.from_config(config)
        if trainable is not True:
            obj.trainable = trainable
        return obj
    except TypeError as error:
        raise ValueError(
            f"load_model: could not rebuild {class_name} from its config {config}: {error}. "
            "Its get_config() must return the arguments its constructor takes"
        ) from error


def arguments_from_config(config: dict[str, Any]) -> dict[str, Any]:
    """A config's values with every saved object rebuilt: what `from_config` passes on."""
    return {name: deserialize_value(value) for name, value in config.items()}


# ---------------------------------------------------------------- the file
def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _optimizer_arrays(model: Any) -> dict[str, np.ndarray]:
    """The optimizer's step count and per-parameter state, keyed 'iterations' and
    '<parameter name>/<state name>'; empty before the optimizer has parameters."""
    optimizer = model.optimizer
    if optimizer is None or not optimizer.params:
        return {}
    names = {id(parameter): name for name, parameter in model.named_parameters()}
    arrays = {"iterations": np.array(optimizer.iterations)}
    for parameter, state in zip(optimizer.params, optimizer.state):
        for key, value in state.items():
            if key != "scratch" and id(parameter) in names:  # scratch is working space only
                arrays[f"{names[id(parameter)]}/{key}"] = value
    return arrays


def _restore_optimizer(model: Any, arrays: dict[str, np.ndarray], path: str) -> None:
    """Give the compiled model's optimizer its saved step count and state."""
    optimizer = model.optimizer
    model._bind_optimizer()
    names = {id(parameter): name for name, parameter in model.named_parameters()}
    for parameter, state in zip(optimizer.params, optimizer.state):
        for key in state:
            saved = arrays.get(f"{names.get(id(parameter))}/{key}")
            if key == "scratch" or saved is None:
                continue
            if saved.shape != state[key].shape:
                raise ValueError(
                    f"load_model: the optimizer state {names[id(parameter)]}/{key} in '{path}' "
                    f"has shape {saved.shape}, the model's parameter {parameter.shape}"
                )
            state[key][...] = saved
    optimizer.iterations = int(arrays.get("iterations", 0))


#: File name endings of whole-model files: ours (a zip of JSON and .npz) and Keras 3's.
MODEL_SUFFIXES = (".zip", ".keras")


def check_model_file_name(path: str, caller: str) -> None:
    """Refuse a whole-model file name that ends neither in `.zip` nor in `.keras`.

    The one place that says how whole models are saved (`model.save`,
    `ModelCheckpoint` and any other caller use it).

    Raises:
        ValueError: any other name; for Keras 2's `.h5` it says what to write instead.
    """
    if path.endswith(MODEL_SUFFIXES):
        return
    stem, suffix = os.path.splitext(path)
    hint = ""
    if path.endswith(".h5"):
        hint = (
            f" (a whole-model '.h5' file is Keras 2's legacy format: name it '{stem}.keras' "
            "for Keras 3's format, or end it in '.weights.h5' for the weights alone)"
        )
    raise ValueError(
        f"{caller}: whole models (architecture, weights, compile settings) go to a file name "
        f"ending in .keras (Keras 3's format, which real Keras opens) or .zip (tinygrad_edu's "
        f"own); got '{path}'{hint}; for the weights alone use a name ending in .weights.h5 or "
        ".npz (save_weights, or ModelCheckpoint with save_weights_only=True)"
    )


def model_to_json(model: Any, **kwargs: Any) -> str:
    """`model.to_json()`: the model's {"module", "class_name", "config"} entry (and the input
    shape it was built for) as a JSON string; `kwargs` go to `json.dumps`."""
    entry = serialize_object(model)
    shape = getattr(model, "_build_input_shape", None)
    entry["build_config"] = {"input_shape": list(shape)} if isinstance(shape, tuple) else None
    return json.dumps(entry, **kwargs)


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """Keras's `keras.models.model_from_json`: a new model (fresh weights) from `to_json()`.

    Raises:
        ValueError: not JSON, or an entry that does not rebuild (as `load_model` explains).
    """
    try:
        entry = json.loads(json_string)
    except (json.JSONDecodeError, TypeError) as error:
        raise ValueError(f"model_from_json: not a JSON string from to_json() ({error})") from None
    with custom_object_scope(custom_objects):
        model = deserialize_object(
            {key: entry.get(key) for key in ("module", "class_name", "config")}
        )
    build = entry.get("build_config")
    if build and not model.built:
        model.build(tuple(build["input_shape"]))
    return model


def save_model(model: Any, path: str | os.PathLike) -> None:
    """Write `model` (architecture, compile settings, weights) to one `.zip` file, atomically.

    Raises ValueError for a path not ending in `.zip`, TypeError (from
    `get_config`) for a setting that cannot be written as JSON, OSError naming
    the path when the file cannot be written there (the folder must exist).
    """
    from tinygrad_edu import __version__

    path = os.fspath(path)
    check_model_file_name(path, "save")
    model._ensure_built("save")
    if path.endswith(".keras"):
        from tinygrad_edu.nn import keras_format

        keras_format.save_keras(model, path)
        return
    entry = serialize_object(model)
    shape = model._build_input_shape
    # None for a functional model (built from its Inputs) or one of several inputs
    entry["build_config"] = {"input_shape": list(shape)} if isinstance(shape, tuple) else None
    entry["compile_config"] = None
    if model.optimizer is not None:
        entry["compile_config"] = {
            "optimizer": serialize_object(model.optimizer),
            "loss": None if model.loss is None else serialize_value(model.loss, "the loss"),
            "metrics": [serialize_object(metric) for metric in model.compiled_metrics],
        }
        spec = model._output_metrics.spec
        if not model.compiled_metrics and spec:  # metrics per output: saved as given
            entry["compile_config"]["metrics"] = serialize_value(spec, "the metrics")
        if model.loss_weights is not None:
            entry["compile_config"]["loss_weights"] = model.loss_weights
    metadata = {"format": FORMAT, "version": VERSION, "tinygrad_edu_version": __version__}
    members = {
        METADATA_FILE: json.dumps(metadata, indent=2).encode("utf-8"),
        CONFIG_FILE: json.dumps(entry, indent=2).encode("utf-8"),
        WEIGHTS_FILE: _npz_bytes(
            {name: parameter.data for name, parameter in model.named_weights()}
        ),
    }
    optimizer_arrays = _optimizer_arrays(model)
    if optimizer_arrays:
        members[OPTIMIZER_FILE] = _npz_bytes(optimizer_arrays)

    def write(file: Any) -> None:
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)

    write_atomically(path, write, "save")


def _read_npz(data: bytes, what: str) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as contents:
            return {name: contents[name] for name in contents.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{what}: its arrays are damaged ({error})") from None


def _read_members(path: str) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, Any]]:
    """config, weights and optimizer state of a model file, or a ValueError saying what is
    wrong."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_model: no such file: '{path}'")
    what = f"load_model: '{path}' is not a model file written by Model.save"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if not {METADATA_FILE, CONFIG_FILE, WEIGHTS_FILE} <= names:
                if names and all(name.endswith(".npy") for name in names):
                    raise ValueError(
                        f"{what}: it holds only arrays, like a weights file from save_weights; "
                        "build the model in code and call model.load_weights(path)"
                    )
                missing = sorted({METADATA_FILE, CONFIG_FILE, WEIGHTS_FILE} - names)
                raise ValueError(f"{what}: the zip archive lacks {', '.join(missing)}")
            metadata = json.loads(archive.read(METADATA_FILE).decode("utf-8"))
            config = json.loads(archive.read(CONFIG_FILE).decode("utf-8"))
            weights_data = archive.read(WEIGHTS_FILE)
            optimizer_data = archive.read(OPTIMIZER_FILE) if OPTIMIZER_FILE in names else None
    except zipfile.BadZipFile as error:
        raise ValueError(
            f"{what}: not a readable zip archive, maybe truncated or corrupt ({error})"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{what}: its JSON is damaged ({error})") from None
    except (zlib.error, EOFError, OSError) as error:
        raise ValueError(f"{what}: it is damaged or truncated ({error})") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ValueError(f"{what}: metadata.json does not say format {FORMAT!r}")
    if metadata.get("version") != VERSION:
        raise ValueError(
            f"load_model: '{path}' is format version {metadata.get('version')!r}; this "
            f"tinygrad_edu reads version {VERSION}"
        )
    if not isinstance(config, dict):
        raise ValueError(f"{what}: config.json must hold an object")
    weights = _read_npz(weights_data, what)
    optimizer_state = {} if optimizer_data is None else _read_npz(optimizer_data, what)
    return config, weights, optimizer_state


def _is_keras_file(path: str) -> bool:
    """True for a zip archive whose metadata.json is Keras's (it names a keras_version)."""
    try:
        with zipfile.ZipFile(path) as archive:
            if METADATA_FILE not in archive.namelist():
                return False
            metadata = json.loads(archive.read(METADATA_FILE).decode("utf-8"))
    except (OSError, zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, zlib.error):
        return False
    return isinstance(metadata, dict) and "keras_version" in metadata


def load_model(
    path: str | os.PathLike, custom_objects: dict[str, Any] | None = None, compile: bool = True
) -> Any:
    """Rebuild a model saved with `model.save(path)`: layers, weights and compile settings.

    Args:
        path: a `.zip` file written by `Model.save`, or a `.keras` file written by
            `Model.save` or by real Keras 3 (Sequential models; needs h5py).
        custom_objects: your own classes and functions the file uses, by name.
        compile: compile with the saved optimizer, loss and metrics (if it was compiled).

    Raises:
        FileNotFoundError: no file at `path`.
        ValueError: the file is not a model file, is corrupt or truncated, uses a
            class that is neither tinygrad_edu's nor in `custom_objects`, or its
            weights do not fit the rebuilt model.
    """
    path = os.fspath(path)
    if _is_keras_file(path):
        from tinygrad_edu.nn import keras_format

        with custom_object_scope(custom_objects):
            return keras_format.load_keras(path, compile=compile)
    entry, weights, optimizer_state = _read_members(path)
    with custom_object_scope(custom_objects):
        model = deserialize_object(
            {key: entry.get(key) for key in ("module", "class_name", "config")}
        )
        build = entry.get("build_config")
        if build and not model.built:
            model.build(tuple(build["input_shape"]))
        named = model.named_weights()
        expected = [name for name, _ in named]
        if sorted(expected) != sorted(weights):
            raise ValueError(
                f"load_model: the weights in '{path}' ({', '.join(weights) or 'none'}) do not "
                f"fit the rebuilt model ({', '.join(expected) or 'none'})"
            )
        check_and_assign(named, [weights[name] for name in expected], f"load_model('{path}')")
        compile_config = entry.get("compile_config")
        if compile and compile_config:
            model.compile(
                optimizer=deserialize_object(compile_config["optimizer"]),
                loss=deserialize_value(compile_config["loss"]),
                metrics=deserialize_value(compile_config["metrics"]),
                loss_weights=compile_config.get("loss_weights"),
            )
            if optimizer_state:
                _restore_optimizer(model, optimizer_state, path)
    return model
