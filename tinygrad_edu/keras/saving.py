"""`keras.saving`: load_model, and registering your own classes for it."""

from tinygrad_edu.keras import missing
from tinygrad_edu.nn.models import load_model
from tinygrad_edu.nn.saving import custom_object_scope
from tinygrad_edu.nn.saving import register_serializable as register_keras_serializable

__all__ = ["custom_object_scope", "load_model", "register_keras_serializable"]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "saving")
