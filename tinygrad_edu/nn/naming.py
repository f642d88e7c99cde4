"""Layer names unique within a model, nested models included, as Keras's are.

A weight is named after its layer (`dense_1.kernel`), so two layers with one
name give two weights with one name. Sequential and functional models number
the layers they hold (`dense_1`, `dense_2`); a model inside a model must not
repeat a name from the outside, or `model.weights` would list `dense_1.kernel`
twice. A name the user chose is kept (a clash among top-level layers is the
model's error to raise); a name the library made up is renumbered.
"""

from __future__ import annotations

from tinygrad_edu.nn.input_layer import InputLayer
from tinygrad_edu.nn.module import Module, snake_case


def auto_name(layer: Module, taken: set[str]) -> None:
    """Give `layer` the first free `<class in snake_case>_<n>` (n from 1) not in `taken`.

    The name is remembered as the library's (`_auto_name`), so that a model this one
    goes into may renumber it, while a name the user gives later is kept.
    """
    base, number = snake_case(type(layer).__name__), 1
    while f"{base}_{number}" in taken:
        number += 1
    layer.name = f"{base}_{number}"
    object.__setattr__(layer, "_auto_name", layer.name)


def named_by_library(module: Module) -> bool:
    """True when the user did not choose `module`'s name: the class's default, or one
    `auto_name` gave."""
    return module.name_is_default or module.name == getattr(module, "_auto_name", None)


def names_in(modules: list[Module]) -> set[str]:
    """The names of `modules` and of every module nested in them."""
    return {module.name for top in modules for module in top.modules()}


def rename_nested(layer: Module, taken: set[str]) -> None:
    """Renumber default-named modules nested in `layer` (not `layer` itself) whose name is
    in `taken` or repeats one nested before it; `taken` gains every name seen.

    InputLayers are left alone: they hold no weights, and a functional model
    names its inputs after them.
    """
    taken.add(layer.name)
    for module in layer.modules()[1:]:
        if module.name in taken and named_by_library(module) and not isinstance(module, InputLayer):
            auto_name(module, taken)
        taken.add(module.name)
