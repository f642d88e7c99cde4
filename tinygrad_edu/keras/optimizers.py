"""`keras.optimizers`: SGD, RMSprop and Adam with Keras 3's update rules, and schedules."""

from tinygrad_edu.keras import missing
from tinygrad_edu.nn import schedules
from tinygrad_edu.nn.optimizers import SGD, Adam, Optimizer, RMSprop, get

__all__ = ["Adam", "Optimizer", "RMSprop", "SGD", "get", "schedules"]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "optimizers")
