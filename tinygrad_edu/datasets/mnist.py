"""MNIST: 70,000 handwritten digits, the classic first data set for image classification.

60,000 training and 10,000 test images of 28x28 grey pixels (0 = background,
255 = ink), labelled 0..9. Created by Yann LeCun, Corinna Cortes and
Christopher J.C. Burges from NIST data; commonly stated licence CC BY-SA 3.0.
See ``tinygrad_edu.datasets.download`` for where the files are looked for.
"""

from __future__ import annotations

import os

import numpy as np

from .download import MNIST, Dataset, fetch_files
from .idx import IDXError, load_idx_pair

IMAGE_SHAPE = (28, 28)

Split = tuple[np.ndarray, np.ndarray]


def load_mnist_format(
    dataset: Dataset, path: str | os.PathLike | None = None, download: bool = True
) -> tuple[Split, Split]:
    """Load any data set published as MNIST's four IDX files (MNIST, Fashion-MNIST).

    Shared so that Fashion-MNIST, a drop-in replacement for MNIST, uses exactly
    the same code path.
    """
    files = fetch_files(dataset, path, download=download)
    splits = []
    for prefix in ("train", "t10k"):
        images_path = files[f"{prefix}-images-idx3-ubyte.gz"]
        labels_path = files[f"{prefix}-labels-idx1-ubyte.gz"]
        try:
            splits.append(load_idx_pair(images_path, labels_path, image_shape=IMAGE_SHAPE))
        except IDXError as err:
            raise IDXError(f"{err}\n(Delete or replace the damaged file and try again.)") from err
    train, test = splits
    return train, test


def load_data(path: str | os.PathLike | None = None, download: bool = True) -> tuple[Split, Split]:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like Keras does.

    ``x_train``: uint8, shape (60000, 28, 28); ``y_train``: uint8, shape (60000,);
    ``x_test`` / ``y_test``: the same with 10000. The pixels are left as 0..255
    so you can see the raw data; divide by 255.0 to get floats in [0, 1].

    ``path`` is a directory holding the four files (or a ``mnist/`` sub-folder of
    them); without it they are found or downloaded as described in
    ``tinygrad_edu.datasets.download``. ``download=False`` never uses the network.
    """
    return load_mnist_format(MNIST, path, download)
