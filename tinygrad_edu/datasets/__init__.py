"""Data sets for learning: MNIST, Fashion-MNIST and the small built-in 8x8 digits.

Every loader returns ``(x_train, y_train), (x_test, y_test)`` as NumPy arrays,
the same shape convention as Keras, so tutorials written for Keras carry over::

    from tinygrad_edu.datasets import digits, mnist, batches, to_categorical

    (x_train, y_train), (x_test, y_test) = digits.load_data()   # no download needed
    for xb, yb in batches(x_train / 16.0, to_categorical(y_train), batch_size=32, seed=0):
        ...

MNIST and Fashion-MNIST are found on disk or downloaded once; see
``tinygrad_edu.datasets.download`` for where they are looked for (the
``TINYGRAD_EDU_DATA`` environment variable, a per-user cache, ...).
"""

from . import digits, fashion_mnist, mnist, text
from .download import ChecksumError, DatasetNotFoundError, DownloadError, cache_dir
from .idx import IDXError, load_idx, load_idx_pair
from .utils import batches, to_categorical

__all__ = [
    "ChecksumError",
    "DatasetNotFoundError",
    "DownloadError",
    "IDXError",
    "batches",
    "cache_dir",
    "digits",
    "fashion_mnist",
    "load_idx",
    "load_idx_pair",
    "mnist",
    "text",
    "to_categorical",
]
