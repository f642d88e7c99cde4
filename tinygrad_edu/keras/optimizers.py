"""`keras.optimizers`: SGD, RMSprop, Adam, AdamW, Adagrad and Nadam with Keras 3's update
rules, and schedules."""

from tinygrad_edu.keras import missing
from tinygrad_edu.nn import schedules
from tinygrad_edu.nn.optimizers import SGD, Adagrad, Adam, AdamW, Nadam, Optimizer, RMSprop, get

__all__ = ["Adagrad", "Adam", "AdamW", "Nadam", "Optimizer", "RMSprop", "SGD", "get", "schedules"]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "optimizers")
