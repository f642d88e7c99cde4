"""`Sequential`: a model that is a plain stack of layers, each feeding the next.

    model = nn.Sequential([nn.Dense(512, activation="relu"), nn.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=5, batch_size=128)
    test_loss, test_accuracy = model.evaluate(x_test, y_test)

Everything but the forward pass (compile, fit, summary, ...) comes from `Model`
(models.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import Any

from tinygrad_edu.nn import saving
from tinygrad_edu.nn.input_checks import Shape
from tinygrad_edu.nn.input_layer import InputLayer
from tinygrad_edu.nn.models import Model
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.naming import auto_name, names_in, rename_nested
from tinygrad_edu.nn.symbolic import KerasTensor
from tinygrad_edu.tensor import Tensor


class Sequential(Model):
    """A plain stack of layers, each feeding the next.

    Layers without a name of their own get one per model, by type, counting
    from 1: `dense_1`, `dense_2`, `dropout_1`. Parameter names follow:
    `dense_1.kernel`. If the first layer knows its `input_shape`, the model is
    built (its weights created) straight away, as in Keras.

    Raises:
        TypeError: a layer given instead of the list (`Sequential(layer_a, layer_b)`),
            or an entry of the list that is not a layer.
    """

    def __init__(self, layers: Sequence[Module] | None = None, name: str | None = None) -> None:
        if isinstance(layers, Module) or isinstance(name, Module):
            given = ", ".join(
                value.name if isinstance(value, Module) else repr(value) for value in (layers, name)
            )
            raise TypeError(
                f"Sequential: the layers go in one list, Sequential([layer_1, layer_2, ...]); got "
                f"Sequential({given}), which passes a layer where the list (or the name) goes"
            )
        super().__init__(name=name)
        self._layer_list: list[Module] = []
        self._output_shapes: dict[int, Shape] = {}
        self._declared_input_shape: Shape | None = None  # from keras.Input(shape=...)
        # get_config writes the layers as they are then; the list given here may hold a
        # keras.Input (a KerasTensor), which is not saved as such.
        self.__dict__.get("_init_arguments", {}).pop("layers", None)
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Module]:
        """The layers, bottom (input side) first; a new list, so changing it changes nothing."""
        return list(self._layer_list)

    @property
    def input_shape(self) -> Shape:
        """The input's shape with None for the batch axis, e.g. (None, 784), as in Keras.

        Raises:
            AttributeError: no shape is known yet (no `input_shape=`, Input, call or build).
        """
        shape = self._known_input_shape()
        if shape is None:
            raise AttributeError(
                f"{self.name}.input_shape: not known yet; give the first layer input_shape=, "
                "start with keras.Input(shape=...), call the model or build it"
            )
        return shape

    @property
    def output_shape(self) -> Shape:
        """The last layer's output shape with None for the batch axis, e.g. (None, 10).

        Raises:
            AttributeError: the model is not built yet (or has no layers).
        """
        shape = self._layer_output_shape(self._layer_list[-1]) if self._layer_list else None
        if not self.built or shape is None:
            raise AttributeError(
                f"{self.name}.output_shape: the model is not built yet; give the first layer "
                "input_shape=, call the model on a batch or build it"
            )
        return tuple(shape)

    @property
    def takes_text(self) -> bool:
        """True when the first layer takes strings (a TextVectorization): fit, evaluate and
        predict then accept arrays of strings as x."""
        return bool(self._layer_list) and getattr(self._layer_list[0], "takes_text", False)

    def _single_output_names(self) -> list[str]:
        """A Sequential has one output, named after its last layer (for compile)."""
        return [self.layers[-1].name] if self.layers else []

    def add(self, layer: Module) -> None:
        """Put `layer` on top of the stack, naming it (`dense_2`) if it has no name.

        If the model's input shape is known, the new layer is built at once. An
        `Input(shape=...)` (first only) gives the model its input shape instead.

        Raises:
            TypeError: `layer` is not an `nn.Module`.
            ValueError: the layer is already in the model, or another layer has its name;
                an Input after a layer.
            Whatever the layer raises when it cannot take the output of the layer
            below; the model is then left as it was.
        """
        if isinstance(layer, KerasTensor) and isinstance(layer.node.operation, InputLayer):
            layer = layer.node.operation  # keras.Input(shape=...): its InputLayer
        if not isinstance(layer, Module):
            raise TypeError(
                f"Sequential.add: expected a layer (an nn.Module), got {type(layer).__name__}"
            )
        if isinstance(layer, InputLayer):  # keras.Input(shape=...): the shape, not a layer
            if self._layer_list:
                raise ValueError("Sequential.add: an Input can only come first, before any layer")
            self._declared_input_shape = layer.input_shape
            return
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
        """Remove and return the top layer; its weights are kept, so it can be reused.

        Raises:
            IndexError: the model has no layers.
        """
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
        """Give an unnamed layer a per-model name: `dense_1`, `dense_2`, ...; layers nested
        in it (a model in a model) are renumbered where their names clash (nn/naming.py)."""
        taken = names_in(self._layer_list)
        if not layer.name_is_default:
            if layer.name in {existing.name for existing in self._layer_list}:
                raise ValueError(
                    f"Sequential.add: a layer named '{layer.name}' is already in the model; "
                    "layer names must be unique"
                )
        else:
            auto_name(layer, taken)
        rename_nested(layer, taken)

    def forward(self, inputs: Any) -> Any:
        """Run `inputs` through each layer in turn; the last layer's output is returned.

        Raises:
            ValueError: the model has no layers.
        """
        if not self._layer_list:
            raise ValueError(f"{self.name}: the Sequential model has no layers; add some first")
        return self._run_layers(inputs)

    def _run_layers(self, inputs: Any, record_shapes: bool = False) -> Any:
        """Each layer on the output of the one below, with Keras's masks handed along.

        A layer such as Embedding(mask_zero=True) makes a mask (True for real time
        steps); each later layer whose forward takes `mask=` receives it, and the
        layer's `compute_mask` says what mask its own output carries (None ends it).
        """
        output, mask = inputs, None
        for layer in self._layer_list:
            kwargs = {"mask": mask} if mask is not None and _takes_mask(layer) else {}
            result = layer(output, **kwargs)
            compute_mask = getattr(layer, "compute_mask", None)
            mask = compute_mask(output, mask) if compute_mask is not None else None
            output = result
            if record_shapes:
                self._output_shapes[id(layer)] = (None, *output.shape[1:])
        return output

    def _run_build(self, sample: Tensor) -> None:
        if not self._layer_list:
            raise ValueError(f"{self.name}: cannot build a Sequential model with no layers")
        self._run_layers(sample, record_shapes=True)

    def _build_symbolically(self, inputs: Any) -> None:
        """Each layer called on the KerasTensor the one below gave, so every layer is built
        for, and records, the shapes with their None axes."""
        if not self._layer_list:
            raise ValueError(f"{self.name}: cannot build a Sequential model with no layers")
        output = inputs
        for layer in self._layer_list:
            output = layer(output)
            self._output_shapes[id(layer)] = output.shape

    def _first_layer_input_shape(self) -> Shape | None:
        if not self._layer_list:
            return None
        shape = getattr(self._layer_list[0], "input_shape", None)
        return tuple(shape) if shape is not None else None

    def _known_input_shape(self) -> Shape | None:
        return (
            self._build_input_shape or self._declared_input_shape or self._first_layer_input_shape()
        )

    def get_config(self) -> dict[str, Any]:
        """The recorded arguments (`Module.get_config`), with `layers` as the model has them now.

        Each layer is its {"module", "class_name", "config"} entry; the list is read
        now, not at construction, because `add` and `pop` change it after.
        """
        config = super().get_config()
        config["layers"] = [saving.serialize_object(layer) for layer in self._layer_list]
        return config

    def _layer_output_shape(self, layer: Module) -> Any:
        return getattr(layer, "output_shape", None) or self._output_shapes.get(id(layer))


def _takes_mask(layer: Module) -> bool:
    """Whether the layer's forward (or Keras-style call) has a `mask` parameter."""
    methods = (layer.forward, getattr(layer, "call", None))
    return any(m is not None and "mask" in inspect.signature(m).parameters for m in methods)
