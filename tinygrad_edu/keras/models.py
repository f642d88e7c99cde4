"""`keras.models`: Sequential, Model, `load_model` for files written by `model.save`, and
`model_from_json` for `model.to_json()`."""

from tinygrad_edu.nn.models import Model, Sequential, load_model, model_from_json

__all__ = ["Model", "Sequential", "load_model", "model_from_json"]
