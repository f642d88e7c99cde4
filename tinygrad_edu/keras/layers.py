"""`keras.layers`: the layers of `tinygrad_edu.nn` under Keras's names.

There is one list of layers: `nn.__all__`. Every name it exports but the models
(NOT_LAYERS) and submodules is re-exported here, so a new layer added to
`nn/__init__.py` appears in `keras.layers` with no second edit. Only the names
Keras has in `keras.layers` and nn does not export are imported by hand.
"""

from types import ModuleType

from tinygrad_edu import nn
from tinygrad_edu.keras import missing

# Keras-only names: the function forms of the merge layers.
from tinygrad_edu.nn.merging import (
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)

# What nn exports that keras.layers does not have: models and the Module base.
# (nn's submodules, such as nn.losses, are left out below by their type.)
NOT_LAYERS = frozenset({"Module", "Model", "Functional", "Sequential", "load_model"})

_FROM_NN = [
    name
    for name in nn.__all__
    if name not in NOT_LAYERS and not isinstance(getattr(nn, name), ModuleType)
]
globals().update({name: getattr(nn, name) for name in _FROM_NN})

__all__ = [
    *_FROM_NN,
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "layers")
