"""`keras.backend`: the few backend functions course code calls.

    keras.backend.clear_session()     # often run before building a new model

tinygrad-edu has one backend, NumPy, and no global graph or name counters to reset
(layers are named per model), so `clear_session` has nothing to clear; it is here so
that the line runs. The other Keras 3 names of this module raise NotInTinygradEdu.
"""

from tinygrad_edu.keras import missing
from tinygrad_edu.nn.losses import EPSILON


def clear_session(free_memory: bool = True) -> None:
    """Keras's `clear_session`: nothing to reset in tinygrad-edu (see the module)."""


def epsilon() -> float:
    """The small number Keras keeps probabilities away from 0 and 1 with: 1e-7."""
    return EPSILON


def floatx() -> str:
    """The default float type, "float32" (as Keras's)."""
    return "float32"


def image_data_format() -> str:
    """ "channels_last": images are (batch, height, width, channels), as in Keras."""
    return "channels_last"


def backend() -> str:
    """The name of the array library underneath: "numpy"."""
    return "numpy"


__all__ = ["backend", "clear_session", "epsilon", "floatx", "image_data_format"]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "backend")
