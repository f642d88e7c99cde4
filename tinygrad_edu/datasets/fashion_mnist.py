"""Fashion-MNIST: 70,000 pictures of clothes, a harder drop-in replacement for MNIST.

Same file names, shapes and split sizes as MNIST (60,000 training and 10,000
test images of 28x28 uint8 pixels) with labels 0..9 naming a kind of clothing
(see ``CLASS_NAMES``); exactly 6,000 training and 1,000 test images per class.
Created by Zalando Research (Han Xiao, Kashif Rasul, Roland Vollgraf, 2017);
MIT licence.
"""

from __future__ import annotations

import os

from .download import FASHION_MNIST
from .mnist import Split, load_mnist_format

# CLASS_NAMES[label] is the human-readable name of a label.
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
class_names = CLASS_NAMES  # the lower-case spelling used in many tutorials


def load_data(path: str | os.PathLike | None = None, download: bool = True) -> tuple[Split, Split]:
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``, like Keras does.

    Shapes and dtypes are those of ``mnist.load_data``: uint8 images
    (N, 28, 28) with N = 60000 / 10000 and uint8 labels (N,).
    ``CLASS_NAMES[y_train[0]]`` tells what the first training image shows.

    ``path`` is a directory holding the four files (or a ``fashion-mnist/``
    sub-folder of them); without it they are found or downloaded as described
    in ``tinygrad_edu.datasets.download``. ``download=False`` never uses the network.
    """
    return load_mnist_format(FASHION_MNIST, path, download)
