"""`keras.metrics`: the metric functions (and `Metric`, a function with the name it is logged
under). Keras's stateful metric classes (`SparseCategoricalAccuracy()`, ...) are not here
yet: pass their names as strings to `compile` instead."""

from tinygrad_edu.keras import missing
from tinygrad_edu.nn.metrics import (
    Metric,
    binary_accuracy,
    categorical_accuracy,
    get,
    mae,
    mean_absolute_error,
    mean_squared_error,
    mse,
    sparse_categorical_accuracy,
)

__all__ = [
    "Metric",
    "binary_accuracy",
    "categorical_accuracy",
    "get",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "sparse_categorical_accuracy",
]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "metrics")
