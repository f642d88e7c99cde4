"""`keras.regularizers`: L1, L2 and L1L2 penalties on weights and layer outputs."""

from tinygrad_edu.keras import missing
from tinygrad_edu.nn.regularizers import L1, L1L2, L2, Regularizer, get, l1, l1_l2, l2

__all__ = ["L1", "L1L2", "L2", "Regularizer", "get", "l1", "l1_l2", "l2"]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "regularizers")
