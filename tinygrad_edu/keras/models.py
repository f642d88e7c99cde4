"""`keras.models`: Sequential, Model and `load_model` for files written by `model.save`."""

from tinygrad_edu.nn.models import Model, Sequential, load_model

__all__ = ["Model", "Sequential", "load_model"]
