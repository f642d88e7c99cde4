"""Module: the base of every layer and model, which keeps track of parameters by name.

Assigning an attribute registers it, as in PyTorch:

    self.kernel = Tensor(..., requires_grad=True)   # a parameter
    self.hidden = Dense(64)                          # a sub-module
    self.blocks = [Dense(64), Dense(64)]             # a list of sub-modules

so `parameters()` can find every trainable tensor without the user listing them.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from tinygrad_edu.autograd import name_scope
from tinygrad_edu.nn import symbolic
from tinygrad_edu.nn.config import arguments_from_config, record_arguments, recorded_config
from tinygrad_edu.tensor import Tensor


def snake_case(class_name: str) -> str:
    """'Dense' -> 'dense', 'MyModel' -> 'my_model', 'MLP' -> 'mlp', 'Conv2D' -> 'conv2d'.

    Keras's rule for default layer names: a capital starts a new word when lower-case
    letters or digits follow it, or when it comes right after a lower-case letter.
    """
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()


class Module:
    """Holds parameters and sub-modules; calling it runs `forward` inside a name scope.

    Parameters are the tensors with `requires_grad=True` assigned as attributes.
    In a Model, an unnamed layer assigned as an attribute takes the attribute's
    name ("encoder", "blocks_0" for a list), as PyTorch's `named_parameters` paths.
    `training` tells layers such as Dropout and BatchNormalization which mode they
    are in. It is False after construction, as in Keras: a direct call `model(x)`
    runs in inference mode. `fit` switches to training mode for its steps and puts
    the previous mode back after; `train()` and `eval()` set it everywhere below
    (PyTorch's names), and `model(x, training=True)` sets it for one call.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Module:
        # Keep the constructor's arguments for get_config (saving), as Keras 3 does.
        module = super().__new__(cls)
        record_arguments(module, cls, args, kwargs)
        return module

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this module, as JSON values (for saving).

        They are the arguments it was made with (and its current name). Raises
        TypeError when one cannot be written as JSON (an array, a lambda):
        override this and `from_config` then.
        """
        return recorded_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Module:
        """A new, unbuilt module from `get_config()`'s result (frozen if it says so)."""
        config = dict(config)
        trainable = config.pop("trainable", True)
        module = cls(**arguments_from_config(config))
        if trainable is not True:  # setting True would unfreeze the layers inside too
            module.trainable = trainable
        return module

    # True when the class's forward, or its Keras-style call, has a `training` parameter:
    # calling a layer or model then passes it the mode in effect, as Keras does.
    takes_training = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        methods = (cls.forward, getattr(cls, "call", None))
        cls.takes_training = any(
            "training" in inspect.signature(method).parameters
            for method in methods
            if method is not None
        )
        if "__call__" in cls.__dict__:  # a class with its own __call__ (Layer, Model, ...)
            cls.__call__ = _symbolic_first(cls.__dict__["__call__"])

    def __init__(self, name: str | None = None) -> None:
        # Written with object.__setattr__: our own __setattr__ needs these to exist.
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        # Weights that are saved and counted but not trained, such as BatchNormalization's
        # moving statistics (Keras's non-trainable weights, PyTorch's buffers).
        object.__setattr__(self, "_non_trainable", {})
        object.__setattr__(self, "_name", None)
        # Keras's `trainable`: False freezes the module's parameters (see the property).
        object.__setattr__(self, "_trainable", True)
        # Inference mode until asked otherwise (Keras's default for a direct call).
        self.training = False
        #: True while the name is the class's default, so a Sequential may rename it.
        self.name_is_default = name is None
        self.name = snake_case(type(self).__name__) if name is None else name

    # ------------------------------------------------------------ registration
    def __setattr__(self, key: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: cannot set attribute {key!r} before Module.__init__ "
                "ran; call super().__init__() first in your __init__"
            )
        if isinstance(getattr(type(self), key, None), property):
            # `name`, `trainable`, ...: the property checks the value; nothing is registered
            # (a layer given where a name goes must not be renamed on the way to the error)
            object.__setattr__(self, key, value)
            return
        self._parameters.pop(key, None)
        self._modules.pop(key, None)
        self._non_trainable.pop(key, None)
        if isinstance(value, Tensor) and value.requires_grad:
            self._parameters[key] = value
            value.is_parameter = True  # still one when frozen: graph pictures draw it so
        elif isinstance(value, Module):
            self._modules[key] = value
            self._name_child(value, key)
        elif isinstance(value, (list, tuple)) and all(isinstance(v, Module) for v in value):
            # Keep the list itself: modules appended to it later are found too.
            self._modules[key] = value
            for position, module in enumerate(value):
                self._name_child(module, f"{key}_{position}")
        object.__setattr__(self, key, value)

    # True in Model: an unnamed layer assigned to a model attribute is named after it
    # (`self.encoder = Dense(8)` is "encoder", its weights "encoder.kernel"), so two
    # Dense attributes do not both show as "dense" in summary and graph pictures.
    names_children_after_attributes = False

    def _name_child(self, child: Module, name: str) -> None:
        if self.names_children_after_attributes and child.name_is_default:
            if not name.startswith("_"):  # private attributes keep the class's name
                child.name = name

    def __delattr__(self, key: str) -> None:
        self._parameters.pop(key, None)
        self._modules.pop(key, None)
        self._non_trainable.pop(key, None)
        object.__delattr__(self, key)

    @property
    def name(self) -> str:
        """The module's name; renaming also renames the weights named after it.

        Raises:
            TypeError: on assigning something that is not a non-empty string.
        """
        return self._name

    @name.setter
    def name(self, new_name: str) -> None:
        if not isinstance(new_name, str) or not new_name:
            raise TypeError(
                f"{type(self).__name__}: name must be a non-empty string, got {new_name!r}"
            )
        old_name = self._name
        # Parameters named after the module ("dense.kernel") follow a rename.
        for attribute, parameter in (*self._parameters.items(), *self._non_trainable.items()):
            if old_name is not None and parameter.name == f"{old_name}.{attribute}":
                parameter.name = f"{new_name}.{attribute}"
        object.__setattr__(self, "_name", new_name)
        if old_name is not None:
            object.__setattr__(self, "name_is_default", False)

    # ------------------------------------------------------------ walking the tree
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their names: attribute names, 'blocks.0' for lists.

        Containers that name their layers differently (Sequential uses the layer
        names) override this; everything else here is built on it.
        """
        for attribute, value in self._modules.items():
            if isinstance(value, Module):
                yield attribute, value
            else:
                for position, module in enumerate(value):
                    if isinstance(module, Module):
                        yield f"{attribute}.{position}", module

    def children(self) -> list[Module]:
        """The direct sub-modules, in the order `named_children` gives them."""
        return [module for _, module in self.named_children()]

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every module below it (each once), parents before children."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield path, module
            below = [
                (f"{path}.{name}" if path else name, child)
                for name, child in module.named_children()
            ]
            stack.extend(reversed(below))  # reversed, so the first child comes out first

    def modules(self) -> list[Module]:
        """This module and every module below it, each once, parents first."""
        return [module for _, module in self.named_modules()]

    def named_parameters(self) -> list[tuple[str, Tensor]]:
        """(path, parameter) pairs such as ('hidden.kernel', ...), each parameter once."""
        result: list[tuple[str, Tensor]] = []
        seen: set[int] = set()
        for path, module in self.named_modules():
            for attribute, parameter in module._parameters.items():
                if id(parameter) not in seen:
                    seen.add(id(parameter))
                    result.append((f"{path}.{attribute}" if path else attribute, parameter))
        return result

    def parameters(self) -> list[Tensor]:
        """Every parameter once, in registration order: what an optimizer updates.

        Frozen ones (`trainable = False`, requires_grad False) are listed too, as in
        PyTorch; they get no gradient, so optimizers leave them alone.
        """
        return [parameter for _, parameter in self.named_parameters()]

    def register_non_trainable(self, attribute: str, tensor: Tensor) -> None:
        """Keep `tensor` as `self.<attribute>`: saved and counted as a weight, never trained."""
        setattr(self, attribute, tensor)
        self._non_trainable[attribute] = tensor

    def named_weights(self) -> list[tuple[str, Tensor]]:
        """Every weight once, trainable or not, module by module ('batch_norm.moving_mean').

        What `get_weights`, `save_weights` and `summary` use; an optimizer gets only
        `parameters()`.
        """
        result: list[tuple[str, Tensor]] = []
        seen: set[int] = set()
        for path, module in self.named_modules():
            for attribute, weight in (*module._parameters.items(), *module._non_trainable.items()):
                if id(weight) not in seen:
                    seen.add(id(weight))
                    result.append((f"{path}.{attribute}" if path else attribute, weight))
        return result

    # Keras's weight attributes: properties giving new lists of the Tensors themselves
    # (not copies: `get_weights()` gives NumPy copies), in `named_weights` order.
    @property
    def weights(self) -> list[Tensor]:
        """Every weight Tensor once, trainable or not, in `get_weights` order (Keras's)."""
        return [weight for _, weight in self.named_weights()]

    @property
    def trainable(self) -> bool:
        """Whether training may change this module's parameters (Keras's `trainable`).

        Setting it sets it on every module below too, as in Keras, and turns
        `requires_grad` of their parameters off (False) or on (True), so a frozen
        layer gets no gradients: `fit` and optimizers leave it as it is, its weights
        count as non-trainable in `summary`, and a frozen BatchNormalization runs in
        inference mode. Non-trainable weights (moving statistics) stay non-trainable.
        `fit` trains the weights that were trainable when it first ran after `compile`;
        to train a layer unfrozen later, compile again (as Keras requires).

        Raises:
            TypeError: on assigning something that is not a bool.
        """
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"{type(self).__name__} {self.name!r}: trainable must be True or False, got "
                f"{value!r}"
            )
        for module in self.modules():
            object.__setattr__(module, "_trainable", bool(value))
            for parameter in module._parameters.values():
                parameter.requires_grad = bool(value)

    def _trainable_ids(self) -> set[int]:
        """ids of the trainable weights: parameters with requires_grad whose module and
        every module above it (up to self) are trainable, as Keras decides."""
        trainable: set[int] = set()
        stack: list[tuple[Module, bool]] = [(self, True)]
        seen: set[int] = set()
        while stack:
            module, above_trainable = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            free = above_trainable and module._trainable
            if free:
                trainable.update(id(p) for p in module._parameters.values() if p.requires_grad)
            stack.extend((child, free) for child in module.children())
        return trainable

    @property
    def trainable_weights(self) -> list[Tensor]:
        """The weights training changes, in `weights` order: parameters with requires_grad
        of modules that are not frozen (`trainable = False` here or above)."""
        ids = self._trainable_ids()
        return [weight for weight in self.weights if id(weight) in ids]

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        """The other weights: non-trainable ones (moving statistics) and frozen parameters."""
        ids = self._trainable_ids()
        return [weight for weight in self.weights if id(weight) not in ids]

    def zero_grad(self) -> None:
        """Forget the gradients of the last backward (they would add up otherwise)."""
        for parameter in self.parameters():
            parameter.grad = None

    def train(self, mode: bool = True) -> Module:
        """Training mode for this module and all below it (Dropout drops); returns self."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Inference mode (Dropout passes everything through); returns self."""
        return self.train(False)

    @property
    def losses(self) -> list[Tensor]:
        """The penalties to add to the loss (Keras's `model.losses`): every regularizer of
        this module and the modules inside it, each a 0-d Tensor computed now from the
        current weights (activity penalties from the last call), so backward reaches
        the weights through them. `compile`'s loss has their sum added in each step.
        """
        found: list[Tensor] = []
        for module in self.modules():
            own = getattr(module, "own_losses", None)
            if own is not None:
                found.extend(own())
        return found

    # ------------------------------------------------------------ running
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """What calling the module computes; every subclass writes its own.

        Raises:
            NotImplementedError: in a subclass that did not define it.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must define forward(self, ...) to say what calling it computes"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """`forward(*args, **kwargs)`, with every op it records tagged with this module's name.

        Called on `keras.Input`s (KerasTensors) it records a node of a functional model
        instead (`nn.symbolic`), as every subclass's own `__call__` does too.
        """
        if symbolic.any_symbolic(*args, *kwargs.values()):
            return symbolic.call_symbolically(self, args, kwargs)
        # The scope tags every op recorded inside with this module's name (for graph pictures).
        with name_scope(self._name):
            return self.forward(*args, **kwargs)

    def extra_repr(self) -> str:
        """Settings shown in repr (layers override this)."""
        return ""

    def __repr__(self) -> str:
        settings = ", ".join(part for part in (f"name={self.name!r}", self.extra_repr()) if part)
        lines = [f"{type(self).__name__}({settings})"]
        for name, child in self.named_children():
            lines.extend(
                f"  ({name}): {line}" if i == 0 else f"  {line}"
                for i, line in enumerate(repr(child).splitlines())
            )
        return "\n".join(lines)


def _symbolic_first(call: Any) -> Any:
    """`call` (a subclass's `__call__`) that first sends KerasTensor arguments to
    `symbolic.call_symbolically`, so every layer works in a functional model whatever
    its `__call__` does with arrays (Embedding's keeps integers, for one)."""

    @functools.wraps(call)
    def __call__(self: Module, *args: Any, **kwargs: Any) -> Any:  # noqa: N807
        if symbolic.any_symbolic(*args, *kwargs.values()):
            return symbolic.call_symbolically(self, args, kwargs)
        return call(self, *args, **kwargs)

    return __call__


@contextmanager
def training_mode(model: Module, training: bool) -> Iterator[None]:
    """Put every sub-module in training (or eval) mode, and restore each one's mode after.

    What `fit` (training) and `evaluate`/`predict` (not) run inside, and what
    `layer(x, training=...)` does for that one call, as in Keras.
    """
    saved = [(module, module.training) for module in model.modules()]
    model.train(training)
    try:
        yield
    finally:
        for module, was_training in saved:
            module.training = was_training
