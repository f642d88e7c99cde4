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

How objects become JSON (get_config / from_config, and finding your own classes
again): nn/config.py.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from typing import Any

import numpy as np

from tinygrad_edu.nn.config import (  # noqa: F401 (the names users reach through saving)
    BUILTIN_PACKAGE,
    arguments_from_config,
    constructor_arguments,
    custom_object_scope,
    deserialize_object,
    deserialize_value,
    record_arguments,
    recorded_config,
    register_serializable,
    serialize_object,
    serialize_value,
)
from tinygrad_edu.nn.serialization import check_and_assign, write_atomically

FORMAT = "tinygrad_edu model"
VERSION = 1
METADATA_FILE = "metadata.json"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.npz"
OPTIMIZER_FILE = "optimizer.npz"


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
    for attribute in optimizer.scalar_state:  # Nadam's running product, ...
        arrays[attribute] = np.array(getattr(optimizer, attribute))
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
    for attribute in optimizer.scalar_state:
        if attribute in arrays:
            setattr(optimizer, attribute, float(arrays[attribute]))


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
