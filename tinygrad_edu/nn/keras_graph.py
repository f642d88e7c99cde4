"""Functional models in Keras 3's `.keras` files: the order Keras lists a graph's layers in,
and the config it writes for the graph (which layer is called on which tensors).

Keras names a layer's weights in the HDF5 file by its place in `model.layers`
(`layers/dense_2/vars/0` is the third Dense listed), so a file is only read right
when both sides list the layers alike. Keras's order (`keras/src/ops/function.py`,
`map_graph`) is not the order the layers were called in:

1. Walk back from each output in turn (a dict of outputs by sorted key, as Keras's
   `tree.flatten`), depth first, each node's inputs in order, and
   number every layer when the walk first reaches it (its "traversal index").
2. A node's depth is its distance from the outputs: 0 for a node nothing takes from,
   else one more than the deepest node that takes from it. A layer called several
   times (shared) takes the depth of its deepest call, and later calls met on the way
   back take that depth too.
3. List the layers deepest first (the Inputs come first), ties by traversal index.

In config.json a functional model lists, for each layer, its calls ("inbound_nodes"):
the arguments with each tensor written as `{"class_name": "__keras_tensor__",
"config": {"shape", "dtype", "keras_history": [layer name, call, output]}}`; "call"
counts that layer's calls inside this model (from 1 for a nested functional model:
Keras counts the call that made it). `input_layers` and `output_layers` give the
model's tensors the same way, as `[layer name, call, output]` lists. A call of a
keras.ops function on KerasTensors (`x + y`, `ops.concatenate`) is an operation of its
own, each call one entry (`add`, `add_1`, ...), listed and ordered like a layer but not
among `model.layers`, so it takes no HDF5 group.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from tinygrad_edu.nn.input_layer import InputLayer
from tinygrad_edu.nn.models import Model
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.symbolic import KerasTensor, symbolic_leaves

DOCS_PAGE = "docs/coming-from-keras.md"


def is_functional(model: Any) -> bool:
    """Whether `model` is a functional model (`keras.Model(inputs, outputs)`)."""
    return bool(getattr(model, "is_functional", False)) and hasattr(model, "_nodes")


# keras.ops functions that Keras writes as operations of their own (module
# keras.src.ops.numpy): our function -> (Keras's class, the arguments that go to its
# config rather than to its call)
KERAS_OPS = {
    "add": ("Add", ()),
    "subtract": ("Subtract", ()),
    "multiply": ("Multiply", ()),
    "divide": ("Divide", ()),
    "matmul": ("Matmul", ()),
    "concatenate": ("Concatenate", ("axis",)),
}
OPS_MODULE = "keras.src.ops.numpy"


def _key(node: Any) -> int:
    """A layer is one operation however often it is called; each call of an op is one."""
    return id(node.operation) if isinstance(node.operation, Module) else id(node)


def keras_operations(model: Any) -> list[Any]:
    """The model's operations in Keras 3's order: its layers (InputLayers and nested
    models included) and, as their Node, the calls of `keras.ops` functions.

    Raises:
        NotImplementedError: the graph calls a `keras.ops` function that tinygrad_edu
            does not write to Keras files yet (those in KERAS_OPS it does).
    """
    for node in model._nodes:
        if not isinstance(node.operation, Module) and node.operation.__name__ not in KERAS_OPS:
            raise NotImplementedError(
                f"save: the functional model {model.name!r} calls the keras.ops function "
                f"{node.operation.__name__!r}, which tinygrad_edu does not write to Keras "
                f"files yet (it writes {', '.join(KERAS_OPS)}); use the matching layer "
                f"or save to '.zip' ({DOCS_PAGE})"
            )
    # 1. the walk back from the outputs: nodes finished inputs-first, layers numbered
    #    when first reached (a stack instead of recursion, in the same order)
    finished: list[Any] = []
    done: set[int] = set()
    first_seen: dict[int, int] = {}
    for output in _flatten(model._output_structure):
        stack: list[tuple[Any, bool]] = [(output.node, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                if id(node) not in done:
                    done.add(id(node))
                    finished.append(node)
                continue
            if id(node) in done:
                continue
            first_seen.setdefault(_key(node), len(first_seen))
            stack.append((node, True))
            stack.extend((tensor.node, False) for tensor in reversed(node.inputs))
    # 2. depths, from the outputs back
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    layers: dict[int, Any] = {}
    for node in reversed(finished):
        depth = max(node_depth.get(id(node), 0), layer_depth.get(_key(node), 0))
        layer_depth[_key(node)] = node_depth[id(node)] = depth
        layers[_key(node)] = node.operation if isinstance(node.operation, Module) else node
        for tensor in node.inputs:
            parent = id(tensor.node)
            node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for tensor in _flatten(model._input_structure):  # an Input no output needs belongs too
        if id(tensor.node.operation) not in layer_depth:
            layer_depth[id(tensor.node.operation)] = 0
            first_seen[id(tensor.node.operation)] = -1
            layers[id(tensor.node.operation)] = tensor.node.operation
    # 3. deepest first, ties by traversal index
    order = sorted(layers, key=lambda key: (-layer_depth[key], first_seen[key]))
    return [layers[key] for key in order]


def _flatten(structure: Any) -> list[KerasTensor]:
    """The KerasTensors of a structure in Keras's order: a dict's by sorted key."""
    if isinstance(structure, KerasTensor):
        return [structure]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    return [leaf for item in structure for leaf in _flatten(item)]


def _own_nodes(model: Any, operation: Any) -> list[Any]:
    """The calls of `operation` inside `model`, in the order they were made."""
    own = {id(node) for node in model._nodes}
    return [node for node in getattr(operation, "_inbound_nodes", []) if id(node) in own]


def _call_index(model: Any, node: Any) -> int:
    """Keras's number for `node` among its layer's calls in `model` (keras_history[1])."""
    if isinstance(node.operation, InputLayer):
        return 0
    index = next(i for i, n in enumerate(_own_nodes(model, node.operation)) if n is node)
    return index + 1 if is_functional(node.operation) else index


def _history(model: Any, tensor: KerasTensor) -> list[Any]:
    if not isinstance(tensor.node.operation, Module):  # an op: each call its own, named
        return [model.operation_name(tensor.node), 0, tensor.index]
    return [tensor.node.operation.name, _call_index(model, tensor.node), tensor.index]


def _op_entry(model: Any, node: Any) -> dict[str, Any]:
    """A call of a keras.ops function as Keras writes it: an operation of its own."""
    class_name, config_names = KERAS_OPS[node.operation.__name__]
    bound = inspect.signature(node.operation).bind(*node.args, **node.kwargs)
    bound.apply_defaults()
    config = {key: bound.arguments[key] for key in config_names}
    args = [value for key, value in bound.arguments.items() if key not in config_names]
    name = model.operation_name(node)
    return {
        "module": OPS_MODULE,
        "class_name": class_name,
        "config": {"name": name, **config},
        "registered_name": class_name,
        "name": name,
        "inbound_nodes": [{"args": _write_arguments(model, args), "kwargs": {}}],
    }


def _write_arguments(model: Any, value: Any) -> Any:
    """A call's arguments as Keras writes them: tensors as `__keras_tensor__` entries."""
    if isinstance(value, KerasTensor):
        return {
            "class_name": "__keras_tensor__",
            "config": {
                "shape": list(value.shape),
                "dtype": value.dtype,
                "keras_history": _history(model, value),
            },
        }
    if isinstance(value, (list, tuple)):
        return [_write_arguments(model, item) for item in value]
    if isinstance(value, dict):
        return {key: _write_arguments(model, item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise NotImplementedError(
        f"save: a layer of {model.name!r} is called with {value!r}, which tinygrad_edu does "
        f"not write to Keras files; save to '.zip' instead ({DOCS_PAGE})"
    )


def _tensor_references(model: Any, structure: Any) -> Any:
    """inputs/outputs as Keras's `[layer name, call, output]` lists, in their structure."""
    if isinstance(structure, KerasTensor):
        return _history(model, structure)
    if isinstance(structure, dict):
        return {key: _tensor_references(model, item) for key, item in structure.items()}
    return [_tensor_references(model, item) for item in structure]


def input_layer_entry(layer: InputLayer) -> dict[str, Any]:
    """An InputLayer as Keras writes it."""
    return {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {
            "batch_shape": list(layer.output.shape),
            "dtype": layer.output.dtype,
            "sparse": False,
            "ragged": False,
            "name": layer.name,
            "optional": False,
        },
        "registered_name": None,
    }


def functional_config(model: Any, layer_entry: Callable[[Any, Any], dict]) -> dict[str, Any]:
    """A functional model as Keras 3's config.json entry (without compile_config).

    `layer_entry(layer, input_shape)` gives one layer's entry (keras_format's).
    """
    entries = []
    for operation in keras_operations(model):
        if not isinstance(operation, Module):
            entries.append(_op_entry(model, operation))
            continue
        nodes = _own_nodes(model, operation)
        if isinstance(operation, InputLayer):
            entry = input_layer_entry(operation)
        else:
            shapes = [list(tensor.shape) for tensor in nodes[0].inputs]
            entry = layer_entry(operation, shapes[0] if len(shapes) == 1 else shapes)
        entry["name"] = operation.name
        # Keras passes a nested model mask=None and writes it down
        extra = {"mask": None} if isinstance(operation, Model) else {}
        entry["inbound_nodes"] = [
            {
                "args": _write_arguments(model, list(node.args)),
                "kwargs": _write_arguments(model, {**extra, **node.kwargs}),
            }
            for node in nodes
        ]
        entries.append(entry)
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": model.name,
            "trainable": bool(model.trainable),
            "layers": entries,
            "input_layers": _tensor_references(model, model._input_structure),
            "output_layers": _tensor_references(model, model._output_structure),
        },
        "registered_name": "Functional",
        "build_config": {"input_shape": None},
    }


# ---------------------------------------------------------------- Keras's config -> ours
def _is_reference(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(item, int) for item in value[1:])
    )


def _read_arguments(value: Any, tensors: dict[tuple, KerasTensor]) -> Any:
    """Keras's written arguments with the tensors made so far; KeyError for one not made."""
    if isinstance(value, list):
        return [_read_arguments(item, tensors) for item in value]
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            return tensors[tuple(value["config"]["keras_history"])]
        return {key: _read_arguments(item, tensors) for key, item in value.items()}
    return value


def _read_references(value: Any, tensors: dict[tuple, KerasTensor], where: str) -> Any:
    if _is_reference(value):
        try:
            return tensors[tuple(value)]
        except KeyError:
            raise ValueError(f"{where} names the tensor {value}, which no layer makes") from None
    if isinstance(value, dict):
        return {key: _read_references(item, tensors, where) for key, item in value.items()}
    return [_read_references(item, tensors, where) for item in value]


def _op_from_keras(entry: dict[str, Any], where: str) -> Any:
    """A Keras operation entry as a call of our keras.ops function with its config."""
    from tinygrad_edu.nn import keras_ops

    ours = {class_name: name for name, (class_name, _) in KERAS_OPS.items()}
    class_name = entry["class_name"]
    if class_name not in ours:
        raise NotImplementedError(
            f"{where} calls the keras.ops function {class_name!r} ({entry.get('name')!r}), "
            f"which tinygrad_edu does not read from Keras files yet (it reads "
            f"{', '.join(ours)}); in Keras, use the matching layer instead ({DOCS_PAGE})"
        )
    function = getattr(keras_ops, ours[class_name])
    config = {key: value for key, value in entry["config"].items() if key != "name"}
    return lambda *args: function(*args, **config)


def functional_from_keras(entry: dict[str, Any], build_layer: Callable[[dict], Any]) -> Any:
    """Our functional model from Keras 3's config.json entry (fresh weights).

    `build_layer(layer_entry)` makes one layer (or nested model) from its entry.

    Raises:
        ValueError: a call names a tensor no layer makes (a damaged file).
    """
    from tinygrad_edu.nn.functional_model import Functional
    from tinygrad_edu.nn.input_layer import Input

    config = entry["config"]
    where = f"load_model: the functional model {config.get('name')!r}"
    tensors: dict[tuple, KerasTensor] = {}
    pending: list[tuple[Any, str, int, dict]] = []
    for layer_entry in config["layers"]:
        name = layer_entry.get("name") or layer_entry["config"].get("name")
        if layer_entry["class_name"] == "InputLayer":
            layer_config = layer_entry["config"]
            shape = layer_config.get("batch_shape") or [None, *layer_config["shape"]]
            dtype = layer_config.get("dtype", "float32")
            tensors[(name, 0, 0)] = Input(shape=tuple(shape[1:]), dtype=dtype, name=name)
            continue
        if str(layer_entry.get("module", "")).startswith("keras.src.ops"):
            layer = _op_from_keras(layer_entry, where)
        else:
            layer = build_layer(layer_entry)
        first = 1 if layer_entry["class_name"] == "Functional" else 0
        for index, call in enumerate(layer_entry.get("inbound_nodes", [])):
            pending.append((layer, name, first + index, call))
    while pending:  # a shared layer's later calls may need layers listed after it
        waiting = []
        for layer, name, index, call in pending:
            try:
                args = _read_arguments(call.get("args", []), tensors)
                kwargs = _read_arguments(call.get("kwargs", {}), tensors)
            except KeyError:
                waiting.append((layer, name, index, call))
                continue
            if kwargs.get("mask", 0) is None:  # Keras writes mask=None for nested models
                del kwargs["mask"]
            outputs = layer(*args, **kwargs)
            for position, tensor in enumerate(symbolic_leaves(outputs)):
                tensors[(name, index, position)] = tensor
        if len(waiting) == len(pending):
            raise ValueError(f"{where} calls {waiting[0][1]!r} on tensors no layer makes")
        pending = waiting
    inputs = _read_references(config["input_layers"], tensors, where)
    outputs = _read_references(config["output_layers"], tensors, where)
    return Functional(inputs, outputs, name=config.get("name"))
