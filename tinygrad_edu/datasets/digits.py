"""The 8x8 "digits" data set: 1,797 tiny handwritten digits that ship with this package.

Small enough to train on in seconds and needs no download, so it is the
data set for first experiments and for tests. Each pixel is a count 0..16:
the number of inked pixels in a 4x4 cell of the original 32x32 bitmap.

Source: the test part of the UCI "Optical Recognition of Handwritten Digits"
data set (E. Alpaydin, C. Kaynak, 1998), as copied by scikit-learn; licence
CC BY 4.0. See ``data/LICENSE-digits.txt``.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np

DATA_FILE = Path(__file__).parent / "data" / "digits.csv.gz"
NUM_IMAGES = 1797
IMAGE_SHAPE = (8, 8)
TEST_SIZE = 360  # about 20% of 1,797
SPLIT_SEED = 0

Split = tuple[np.ndarray, np.ndarray]


def load_all() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 images and labels in file order, as ``(images, labels)``.

    ``images``: uint8, shape (1797, 8, 8), values 0..16; ``labels``: uint8, (1797,).
    The file is gzip text, one image per line: 64 pixels (row by row), then the label.
    """
    text = gzip.decompress(DATA_FILE.read_bytes())
    table = np.loadtxt(io.BytesIO(text), delimiter=",", dtype=np.uint8, ndmin=2)
    if table.shape != (NUM_IMAGES, 65):
        raise ValueError(
            f"{DATA_FILE}: expected {NUM_IMAGES} rows of 65 numbers, found shape {table.shape}"
        )
    images = table[:, :64].reshape(-1, *IMAGE_SHAPE)
    labels = table[:, 64]
    return images, labels


def load_data(test_size: int = TEST_SIZE) -> tuple[Split, Split]:
    """Load digits as ``(x_train, y_train), (x_test, y_test)`` with a fixed split.

    The split is always the same, so results can be compared between runs and
    people: the images are shuffled with ``np.random.default_rng(0).permutation(1797)``;
    the last ``test_size`` of that order (default 360, about 20%) are the test
    set and the first 1,437 the training set.

    Images are uint8 of shape (N, 8, 8) with values 0..16 (not 0..255: divide by
    16.0 to get floats in [0, 1]); labels are uint8 of shape (N,), 0..9.
    """
    if not 0 <= test_size <= NUM_IMAGES:
        raise ValueError(f"test_size must be between 0 and {NUM_IMAGES}, got {test_size}")
    images, labels = load_all()
    order = np.random.default_rng(SPLIT_SEED).permutation(NUM_IMAGES)
    n_train = NUM_IMAGES - test_size
    train, test = order[:n_train], order[n_train:]
    return (images[train], labels[train]), (images[test], labels[test])
