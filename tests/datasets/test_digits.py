"""The built-in 8x8 digits data set and its fixed train/test split."""

import hashlib

import numpy as np
import pytest

from tinygrad_edu.datasets import digits


def test_shapes_dtypes_and_values():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and y_train.shape == (1437,)
    assert x_test.shape == (360, 8, 8) and y_test.shape == (360,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    assert x_train.min() == 0 and x_train.max() == 16
    assert x_test.max() <= 16
    assert set(np.unique(np.concatenate([y_train, y_test]))) == set(range(10))


def test_all_1797_images_about_180_per_class():
    images, labels = digits.load_all()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    counts = np.bincount(labels, minlength=10)
    assert counts.sum() == 1797
    assert all(170 <= c <= 190 for c in counts), counts
    assert labels[:10].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]  # the file starts 0..9


def test_split_is_fixed_and_matches_the_documented_recipe():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    (x_train2, y_train2), (x_test2, y_test2) = digits.load_data()
    for a, b in [(x_train, x_train2), (y_train, y_train2), (x_test, x_test2), (y_test, y_test2)]:
        np.testing.assert_array_equal(a, b)

    images, labels = digits.load_all()
    order = np.random.default_rng(0).permutation(1797)
    np.testing.assert_array_equal(x_test, images[order[-360:]])
    np.testing.assert_array_equal(y_train, labels[order[:1437]])


def test_train_and_test_together_are_the_whole_set():
    (x_train, _), (x_test, _) = digits.load_data()
    images, _ = digits.load_all()
    together = np.concatenate([x_train, x_test]).reshape(1797, -1)
    assert sorted(map(bytes, together)) == sorted(map(bytes, images.reshape(1797, -1)))


def test_test_size():
    (x_train, _), (x_test, _) = digits.load_data(test_size=0)
    assert x_train.shape == (1797, 8, 8) and x_test.shape == (0, 8, 8)
    (_, _), (x_test, _) = digits.load_data(test_size=100)
    assert len(x_test) == 100
    with pytest.raises(ValueError, match="between 0 and 1797"):
        digits.load_data(test_size=2000)


def test_data_file_and_licence_ship_with_the_package():
    data = digits.DATA_FILE.read_bytes()
    expected = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
    assert hashlib.sha256(data).hexdigest() == expected
    licence = (digits.DATA_FILE.parent / "LICENSE-digits.txt").read_text()
    assert "CC BY 4.0" in licence and "Alpaydin" in licence
