"""`keras.datasets`: `mnist.load_data()` and `fashion_mnist.load_data()`.

They return `(x_train, y_train), (x_test, y_test)` with Keras's shapes and
dtypes: uint8 images (60000, 28, 28) and (10000, 28, 28), uint8 labels
(60000,) and (10000,). The files are found as `tinygrad_edu.datasets` finds
them ($TINYGRAD_EDU_DATA, the per-user cache, ...), or downloaded once.
"""

from tinygrad_edu.datasets import fashion_mnist, mnist
from tinygrad_edu.keras import missing

__all__ = ["fashion_mnist", "mnist"]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "datasets")
