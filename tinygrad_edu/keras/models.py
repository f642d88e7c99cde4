"""`keras.models`: Sequential, Model, `load_model` for files written by `model.save`, and
`model_from_json` for `model.to_json()`."""

from tinygrad_edu.keras import missing
from tinygrad_edu.nn.models import Model, load_model, model_from_json
from tinygrad_edu.nn.sequential import Sequential

__all__ = ["Model", "Sequential", "load_model", "model_from_json"]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "models")
