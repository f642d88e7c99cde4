"""Configs: every layer, optimizer, loss, metric, initializer and schedule as JSON, and back.

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
from collections.abc import Iterator
from typing import Any

import numpy as np

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
