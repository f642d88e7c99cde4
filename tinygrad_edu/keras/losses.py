"""`keras.losses`: loss functions and loss classes, by Keras's names."""

from tinygrad_edu.keras import missing
from tinygrad_edu.nn.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    get,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mae,
    mean_absolute_error,
    mean_squared_error,
    mse,
    sparse_categorical_crossentropy,
)

__all__ = [
    "CategoricalFocalCrossentropy",
    "Hinge",
    "KLDivergence",
    "LogCosh",
    "categorical_focal_crossentropy",
    "hinge",
    "kl_divergence",
    "log_cosh",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Huber",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "get",
    "huber",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "sparse_categorical_crossentropy",
]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "losses")
