"""`keras.optimizers`: SGD, RMSprop and Adam with Keras 3's update rules, and schedules."""

from tinygrad_edu.nn import schedules
from tinygrad_edu.nn.optimizers import SGD, Adam, Optimizer, RMSprop, get

__all__ = ["Adam", "Optimizer", "RMSprop", "SGD", "get", "schedules"]
