"""The functional API: `keras.Model(inputs, outputs)`, a model that is a graph of layers.

    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    shortcut = x
    x = layers.Conv2D(32, 3, activation="relu", padding="same")(x)
    x = layers.add([x, shortcut])                          # branches meet
    outputs = layers.Dense(10)(layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs, name="tiny_resnet")

Calling layers on `keras.Input`s recorded a `Node` per call (symbolic.py).
`Functional` walks back from the outputs to the inputs, puts the nodes in an
order where each comes after the nodes it takes from, and on data replays them
in that order: every node calls its layer on the Tensors its inputs became.
So the forward pass is the same Tensor ops a hand-written model runs, and
`backward()` differentiates them as usual. A layer called twice (shared) keeps
one set of weights; a model can be called inside another like a layer.
"""

from __future__ import annotations

import inspect
from typing import Any

from tinygrad_edu.nn import saving, structures
from tinygrad_edu.nn.input_layer import InputLayer
from tinygrad_edu.nn.models import Model
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.naming import auto_name, rename_nested
from tinygrad_edu.nn.symbolic import (
    KerasTensor,
    Node,
    camel_case,
    format_shape,
    replace_symbolic,
    symbolic_leaves,
)
from tinygrad_edu.tensor import Tensor


def _symbolic_structure(value: Any, what: str) -> Any:
    """inputs/outputs as given, with tuples made lists; every leaf must be a KerasTensor."""
    if isinstance(value, tuple):
        value = list(value)
    leaves = symbolic_leaves(value)
    plain = [value] if isinstance(value, KerasTensor) else structures.leaves(value)
    if not leaves or len(leaves) != len(plain):
        raise TypeError(
            f"Model: {what} must be KerasTensors (from keras.Input and layers called on it), "
            f"or a list or dict of them; got {value!r}"
        )
    return value


def _graph_order(outputs: list[KerasTensor]) -> list[Node]:
    """Every node the outputs depend on, each after the nodes it takes from.

    A depth-first walk back from the outputs that records a node once all its
    inputs' nodes are recorded (iterative: deep models do not hit Python's
    recursion limit).
    """
    order: list[Node] = []
    done: set[int] = set()
    stack: list[tuple[Node, bool]] = [(tensor.node, False) for tensor in reversed(outputs)]
    while stack:
        node, inputs_done = stack.pop()
        if id(node) in done:
            continue
        if inputs_done:
            done.add(id(node))
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((tensor.node, False) for tensor in reversed(node.inputs))
    return order


class Functional(Model):
    """A model made of layers called on `keras.Input`s: `keras.Model(inputs, outputs)`.

    Args:
        inputs: a KerasTensor from `keras.Input`, or a list or dict of them.
        outputs: KerasTensors computed from the inputs, one, a list or a dict.
        name: the model's name ("functional" by default).

    Layers keep their names; an unnamed layer whose name another layer has is
    renamed as Keras would (`dense`, `dense_1`, ...), so weights are named
    `dense_1.kernel`. Called on data, the model takes its inputs as they were
    given: one array, a list in order, or a dict by input name (a dict works for
    a list of inputs too); it returns its outputs in the structure of `outputs`.

    Raises:
        TypeError: inputs or outputs that are not KerasTensors.
        ValueError: an input that is not a `keras.Input`, an output that needs an
            Input not among `inputs` (the graph is disconnected), or two layers
            given the same name.
    """

    is_functional = True

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        self._input_structure = _symbolic_structure(inputs, "inputs")
        self._output_structure = _symbolic_structure(outputs, "outputs")
        self._input_tensors = symbolic_leaves(self._input_structure)
        self._output_tensors = symbolic_leaves(self._output_structure)
        for tensor in self._input_tensors:
            if not isinstance(tensor.node.operation, InputLayer):
                raise ValueError(
                    f"Model: every input must come from keras.Input, but {tensor!r} was made by "
                    f"{tensor.node.operation!r}"
                )
        nodes = _graph_order(self._output_tensors)
        given = {id(tensor.node) for tensor in self._input_tensors}
        for node in nodes:
            if isinstance(node.operation, InputLayer) and id(node) not in given:
                raise ValueError(
                    f"Model: the graph is disconnected: the outputs need the Input "
                    f"'{node.operation.name}', which is not among the model's inputs "
                    f"({', '.join(t.name for t in self._input_tensors)})"
                )
        self._nodes = [node for node in nodes if id(node) not in given]
        self._operations: list[Any] = [tensor.node.operation for tensor in self._input_tensors]
        for node in self._nodes:
            if not any(node.operation is seen for seen in self._operations):
                self._operations.append(node.operation)
        self._node_names: dict[int, str] = {}
        self._name_operations()

    # ------------------------------------------------------------ structure
    def _name_operations(self) -> None:
        """Unique names: default-named layers renamed on a clash; ops named after the op."""
        taken: set[str] = set()
        for operation in self._operations:
            if not isinstance(operation, Module):
                continue
            if operation.name in taken:
                if not operation.name_is_default:
                    raise ValueError(
                        f"Model: two layers are named {operation.name!r}; layer names must be "
                        "unique in a model"
                    )
                auto_name(operation, taken)
                if isinstance(operation, InputLayer):
                    operation.output.name = operation.name
            rename_nested(operation, taken)  # a model inside: no name of ours twice
        for node in self._nodes:
            if not isinstance(node.operation, Module):  # a keras.ops function: one per call
                base, name, number = node.operation.__name__, node.operation.__name__, 1
                while name in taken:
                    name, number = f"{base}_{number}", number + 1
                taken.add(name)
                self._node_names[id(node)] = name

    def named_children(self) -> Any:
        """The layers (and nested models) under their own names: `dense_1.kernel`."""
        for operation in self._operations:
            if isinstance(operation, Module):
                yield operation.name, operation

    @property
    def layers(self) -> list[Module]:
        """The layers in graph order, InputLayers first (as Keras lists them); ops are not
        layers and are left out."""
        return [operation for operation in self._operations if isinstance(operation, Module)]

    @property
    def built(self) -> bool:
        """Always True: the inputs' shapes made every weight when the layers were called."""
        return True

    def build(self, input_shape: Any) -> None:
        """Nothing to do: a functional model is built when it is made."""

    def _known_input_shape(self) -> Any:
        return self.input_shape if len(self._input_tensors) == 1 else None

    def _prepare_inputs(self, x: Any, method: str) -> None:
        """Nothing: `forward` checks each input against its keras.Input."""

    @property
    def inputs(self) -> list[KerasTensor]:
        """The model's input KerasTensors, in order."""
        return list(self._input_tensors)

    @property
    def outputs(self) -> list[KerasTensor]:
        """The model's output KerasTensors, in order."""
        return list(self._output_tensors)

    @property
    def input(self) -> Any:
        """The inputs as given to the constructor (one KerasTensor, a list or a dict)."""
        return self._input_structure

    @property
    def output(self) -> Any:
        """The outputs as given to the constructor."""
        return self._output_structure

    @property
    def input_shape(self) -> Any:
        """(None, ...) for one input, a list of shapes for several (Keras's answer)."""
        shapes = [tensor.shape for tensor in self._input_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        """(None, ...) for one output, a list of shapes for several."""
        shapes = [tensor.shape for tensor in self._output_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input_names(self) -> list[str]:
        """The inputs' names (their keras.Input names), in order."""
        if isinstance(self._input_structure, dict):
            return list(self._input_structure)
        return [tensor.name for tensor in self._input_tensors]

    @property
    def output_names(self) -> list[str]:
        """Each output's name: its dict key, else the name of the layer that made it."""
        if isinstance(self._output_structure, dict):
            return list(self._output_structure)
        return [self.operation_name(tensor.node) for tensor in self._output_tensors]

    def operation_name(self, node: Node) -> str:
        """The name of the layer (or op) a node calls, as summary and get_config show it."""
        if isinstance(node.operation, Module):
            return node.operation.name
        return self._node_names[id(node)]

    def _nodes_of(self, operation: Any) -> list[Node]:
        """The nodes of this model that call `operation`, in graph order."""
        own = [tensor.node for tensor in self._input_tensors] + self._nodes
        return [node for node in own if node.operation is operation]

    def _history(self, tensor: KerasTensor) -> list[Any]:
        """[operation name, node index in this model, output index]: Keras's keras_history."""
        node = tensor.node
        index = next(i for i, n in enumerate(self._nodes_of(node.operation)) if n is node)
        return [self.operation_name(node), index, tensor.index]

    # ------------------------------------------------------------ running
    def _input_values(self, inputs: Any) -> list[Any]:
        """The model's inputs as a list in `self.inputs` order, from one value, a list or a
        dict (by input name)."""
        names = [tensor.name for tensor in self._input_tensors]
        if isinstance(self._input_structure, dict):
            names = list(self._input_structure)
        if isinstance(inputs, dict):
            missing = [name for name in names if name not in inputs]
            if missing:
                raise ValueError(
                    f"{self.name}: the inputs dict lacks {missing}; the model's inputs are "
                    f"{names}, got keys {list(inputs)}"
                )
            return [inputs[name] for name in names]
        if len(names) == 1:
            if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
                return list(inputs)
            return [inputs]
        if not isinstance(inputs, (list, tuple)) or len(inputs) != len(names):
            given = len(inputs) if isinstance(inputs, (list, tuple)) else 1
            raise ValueError(
                f"{self.name}: the model has {len(names)} inputs ({', '.join(names)}); give a "
                f"list of {len(names)} arrays or a dict by name, got {given}"
            )
        return list(inputs)

    def _check_input(self, tensor: KerasTensor, value: Any) -> Tensor:
        """`value` fitted to its keras.Input: a Tensor of the input's dtype, a missing last
        axis of 1 added as Keras does ((N,) data for a (None, 1) input), shape checked."""
        if not isinstance(value, Tensor):
            value = Tensor(value)
        expected = tensor.shape
        if value.ndim == len(expected) - 1 and expected[-1] == 1:
            value = value.reshape(*value.shape, 1)
        if value.dtype.name != tensor.dtype and (
            value.dtype.kind != "f" or tensor.dtype.startswith("float")
        ):
            value = value.astype(tensor.dtype)
        fits = value.ndim == len(expected) and all(
            want is None or want == size for want, size in zip(expected[1:], value.shape[1:])
        )
        if not fits:
            raise ValueError(
                f"{self.name}: input '{tensor.name}' expects shape {format_shape(expected)} "
                f"(None = any size), got data of shape {value.shape}"
            )
        return value

    def forward(self, inputs: Any) -> Any:
        """Replay the graph on `inputs`: each node calls its layer on real Tensors.

        Args:
            inputs: one Tensor, a list in the order of `model.inputs`, or a dict by name.

        Returns:
            The outputs, in the structure the model was made with.

        Raises:
            ValueError: missing inputs, or data whose shape does not fit an Input.
        """
        values: dict[int, Any] = {}
        masks: dict[int, Any] = {}  # Keras's masks (Embedding(mask_zero=True)), by tensor
        for tensor, value in zip(self._input_tensors, self._input_values(inputs)):
            values[id(tensor)] = self._check_input(tensor, value)
        for node in self._nodes:
            # one input: its mask; a merge layer's several: the list of their masks
            several = len(node.inputs) > 1
            mask = None
            if not several:
                mask = masks.get(id(node.inputs[0]))
            elif getattr(node.operation, "takes_mask_list", False):
                mask = [masks.get(id(tensor)) for tensor in node.inputs]
                mask = None if all(m is None for m in mask) else mask
            extra = {}
            if mask is not None and "mask" not in node.kwargs and _takes_mask(node.operation):
                extra = {"mask": mask}
            outputs = node.run(values, **extra)
            produced = _leaves_like(node.outputs, outputs)
            for tensor, value in zip(node.output_tensors, produced):
                values[id(tensor)] = value
            compute_mask = getattr(node.operation, "compute_mask", None)
            if compute_mask is not None and len(produced) == 1 and not (several and mask is None):
                given = [values[id(tensor)] for tensor in node.inputs]
                output_mask = compute_mask(given if several else given[0], mask)
                if output_mask is not None and not isinstance(output_mask, (list, tuple)):
                    masks[id(node.output_tensors[0])] = output_mask
        return replace_symbolic(self._output_structure, values)

    def call(self, inputs: Any) -> Any:
        """The graph replayed (what `forward` runs): a functional subclass whose own
        `call` changes the result reaches the graph with `super().call(inputs)`."""
        return Functional.forward(self, inputs)

    # ------------------------------------------------------------ describing
    def summary_rows(self) -> list[tuple[str, str, int, list[str]]]:
        """One row per layer or op: (name (type), output shape, weights, connected to)."""
        rows = []
        for operation in self._operations:
            nodes = self._nodes_of(operation)
            if isinstance(operation, Module):
                label = f"{operation.name} ({type(operation).__name__})"
                count = sum(weight.size for _, weight in operation.named_weights())
                rows.append((label, nodes, count))
            else:  # an op: one row per call, as Keras shows them
                for node in nodes:
                    name = self.operation_name(node)
                    rows.append((f"{name} ({camel_case(operation.__name__)})", [node], 0))
        result = []
        for label, nodes, count in rows:
            shapes = [format_shape(t.shape) for t in nodes[0].output_tensors]
            connected = [
                f"{name}[{index}][{position}]"
                for node in nodes
                for name, index, position in (self._history(t) for t in node.inputs)
            ]
            result.append(
                (label, shapes[0] if len(shapes) == 1 else str(shapes), count, connected or ["-"])
            )
        return result

    def layer_graph(self) -> tuple[list[tuple[str, Any, str, str]], list[tuple[str, str]]]:
        """For plot_model: the boxes (name, layer or op, input shape, output shape) and the
        arrows (from name, to name), one arrow per tensor a node takes."""
        boxes, arrows = [], []
        for operation in self._operations:
            for position, node in enumerate(self._nodes_of(operation)):
                name = self.operation_name(node)
                if position and isinstance(operation, Module):
                    continue  # a shared layer is one box; its other calls add arrows only
                given = [format_shape(t.shape) for t in node.inputs] or [
                    format_shape(t.shape) for t in node.output_tensors
                ]
                made = [format_shape(t.shape) for t in node.output_tensors]
                boxes.append((name, operation, ", ".join(given), ", ".join(made)))
        for node in self._nodes:
            for tensor in node.inputs:
                arrows.append((self.operation_name(tensor.node), self.operation_name(node)))
        return boxes, arrows

    # ------------------------------------------------------------ saving
    def get_config(self) -> dict[str, Any]:
        """Keras's functional config: each layer's entry with the calls ("inbound_nodes")
        that wire it, and which tensors are the inputs and outputs (for saving)."""
        layers = []
        for operation in self._operations:
            if isinstance(operation, Module):
                names = [operation.name]
                entry = saving.serialize_object(operation)
                nodes = [[n] for n in self._nodes_of(operation)]
            else:  # each call of an op is an entry of its own, as in Keras
                nodes = [[n] for n in self._nodes_of(operation)]
                names = [self.operation_name(n[0]) for n in nodes]
                entry = saving.serialize_value(operation, "a keras.ops function")
            for name, own in zip(names, [sum(nodes, [])] if len(names) == 1 else nodes):
                calls = (
                    []
                    if isinstance(operation, InputLayer)
                    else [
                        {"args": self._serialize(n.args), "kwargs": self._serialize(n.kwargs)}
                        for n in own
                    ]
                )
                layers.append({**entry, "name": name, "inbound_nodes": calls})
        return {
            "name": self.name,
            "layers": layers,
            "input_layers": self._serialize(self._input_structure),
            "output_layers": self._serialize(self._output_structure),
        }

    def _serialize(self, value: Any) -> Any:
        if isinstance(value, KerasTensor):
            return {
                "class_name": "__keras_tensor__",
                "config": {"keras_history": self._history(value)},
            }
        if isinstance(value, tuple):
            return {"class_name": "__tuple__", "config": [self._serialize(v) for v in value]}
        if isinstance(value, slice):
            return {"class_name": "__slice__", "config": [value.start, value.stop, value.step]}
        if isinstance(value, list):
            return [self._serialize(item) for item in value]
        if isinstance(value, dict) and not {"module", "class_name"} <= set(value):
            return {key: self._serialize(item) for key, item in value.items()}
        return saving.serialize_value(value, "an argument of a layer call")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Functional:
        """Rebuild the layers, call them on new keras.Inputs as the config says, and make
        the model (a new one, with fresh weights: load_model puts the saved ones back).

        Raises:
            ValueError: a call refers to a tensor that no layer makes (a damaged config).
        """
        tensors: dict[tuple[str, int, int], KerasTensor] = {}
        operations: dict[str, Any] = {}
        pending: list[tuple[str, int, dict[str, Any]]] = []
        for entry in config["layers"]:
            plain = {key: entry[key] for key in ("module", "class_name", "config")}
            operation = saving.deserialize_object(plain)
            operations[entry["name"]] = operation
            if isinstance(operation, InputLayer):
                tensors[(entry["name"], 0, 0)] = operation.output
            for index, call in enumerate(entry.get("inbound_nodes", [])):
                pending.append((entry["name"], index, call))
        while pending:  # a shared layer's later calls may need layers listed after it
            waiting = []
            for name, index, call in pending:
                try:
                    args = _deserialize(call["args"], tensors)
                    kwargs = _deserialize(call["kwargs"], tensors)
                except KeyError:
                    waiting.append((name, index, call))
                    continue
                outputs = operations[name](*args, **kwargs)
                for position, tensor in enumerate(symbolic_leaves(outputs)):
                    tensors[(name, index, position)] = tensor
            if len(waiting) == len(pending):
                raise ValueError(
                    f"load_model: the functional model's config refers to tensors no layer "
                    f"makes (at {waiting[0][0]}); the file is damaged"
                )
            pending = waiting
        inputs = _deserialize(config["input_layers"], tensors)
        outputs = _deserialize(config["output_layers"], tensors)
        return cls(inputs, outputs, name=config.get("name"))


# Keras's functional subclassing: a Model subclass whose __init__ ends with
# super().__init__(inputs=inputs, outputs=outputs). Keras makes such a class a subclass
# of Functional on the spot; so do we, once per class, keeping the user's methods first.
_FUNCTIONAL_VERSIONS: dict[type, type] = {}


def become_functional(model: Model, inputs: Any, outputs: Any, name: str | None) -> None:
    """Turn `model`, an instance of a Model subclass being constructed, into a functional
    model of `inputs` and `outputs`, as Keras 3 does for functional subclassing.

    Its class becomes a subclass of its own class and Functional (same name and module),
    so the subclass's methods come first (its `call`, `train_step`, properties) and the
    graph is Functional's. If the subclass defines `call`, the model runs it (it may
    call `super().call(inputs)` for the graph). A subclass with its own `__init__`
    saves its constructor's arguments (it rebuilds itself from them, as in Keras);
    one without saves the graph.

    Raises:
        TypeError, ValueError: from Functional, for inputs or outputs that do not fit.
    """
    cls = type(model)
    if not isinstance(model, Functional):
        functional = _FUNCTIONAL_VERSIONS.get(cls)
        if functional is None:
            members: dict[str, Any] = {
                "__module__": cls.__module__,
                "__qualname__": cls.__qualname__,
                "__doc__": cls.__doc__,
            }
            if getattr(cls, "call", None) is not Model.call:  # the subclass's call runs
                members["forward"] = Model.forward
            own_init = any(
                "__init__" in vars(c)
                for c in cls.__mro__
                if issubclass(c, Model) and c is not Model
            )
            if own_init:
                members["get_config"] = Module.get_config  # its own arguments rebuild it
                members["from_config"] = classmethod(Module.from_config.__func__)
            functional = type(cls.__name__, (cls, Functional), members)
            _FUNCTIONAL_VERSIONS[cls] = functional
        object.__setattr__(model, "__class__", functional)  # before Module.__init__ runs
    Functional.__init__(model, inputs, outputs, name=name)


def _deserialize(value: Any, tensors: dict[tuple[str, int, int], KerasTensor]) -> Any:
    """`Functional._serialize` undone; a KerasTensor not made yet raises KeyError."""
    if isinstance(value, list):
        return [_deserialize(item, tensors) for item in value]
    if isinstance(value, dict):
        kind = value.get("class_name")
        if kind == "__keras_tensor__":
            return tensors[tuple(value["config"]["keras_history"])]
        if kind == "__tuple__":
            return tuple(_deserialize(item, tensors) for item in value["config"])
        if kind == "__slice__":
            return slice(*value["config"])
        if {"module", "class_name", "config"} == set(value):
            return saving.deserialize_object(value)
        return {key: _deserialize(item, tensors) for key, item in value.items()}
    return value


def _takes_mask(operation: Any) -> bool:
    """Whether a layer's forward (or Keras-style call) has a `mask` parameter."""
    methods = (getattr(operation, "forward", None), getattr(operation, "call", None))
    return any(m is not None and "mask" in inspect.signature(m).parameters for m in methods)


def _leaves_like(template: Any, value: Any) -> list[Any]:
    """The leaves of `value` that stand where `template` (a node's outputs) has
    KerasTensors, walking both structures side by side."""
    if isinstance(template, KerasTensor):
        return [value]
    if isinstance(template, dict):
        return [leaf for key in template for leaf in _leaves_like(template[key], value[key])]
    if isinstance(template, (list, tuple)):
        return [leaf for t, v in zip(template, value) for leaf in _leaves_like(t, v)]
    return []
