"""`keras.saving`: load_model, and registering your own classes for it."""

from tinygrad_edu.nn.models import load_model
from tinygrad_edu.nn.saving import custom_object_scope
from tinygrad_edu.nn.saving import register_serializable as register_keras_serializable

__all__ = ["custom_object_scope", "load_model", "register_keras_serializable"]
