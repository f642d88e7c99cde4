"""keras.utils.split_dataset on NumPy arrays and tuples of them, with Keras's size rules."""

import numpy as np
import pytest

from tinygrad_edu.keras.utils import split_dataset

X = np.arange(20).reshape(10, 2)
Y = np.arange(10)


def test_fractions_and_counts_split_the_samples_in_order() -> None:
    (x_left, y_left), (x_right, y_right) = split_dataset((X, Y), left_size=0.8)
    np.testing.assert_array_equal(y_left, np.arange(8))
    np.testing.assert_array_equal(y_right, [8, 9])
    np.testing.assert_array_equal(x_left, X[:8])
    left, right = split_dataset(Y, right_size=3)
    np.testing.assert_array_equal(left, np.arange(7))
    np.testing.assert_array_equal(right, [7, 8, 9])
    left, right = split_dataset(Y, left_size=2, right_size=0.3)  # as Keras: the last 3
    np.testing.assert_array_equal(left, [0, 1])
    np.testing.assert_array_equal(right, [7, 8, 9])


def test_shuffle_keeps_pairs_together_and_the_seed_repeats() -> None:
    (x_left, y_left), (x_right, y_right) = split_dataset([X, Y], left_size=6, shuffle=True, seed=3)
    np.testing.assert_array_equal(x_left[:, 0], 2 * y_left)  # rows stay paired
    assert sorted([*y_left, *y_right]) == list(range(10))
    assert not np.array_equal(y_left, np.arange(6))
    again = split_dataset([X, Y], left_size=6, shuffle=True, seed=3)
    np.testing.assert_array_equal(again[0][1], y_left)
    parts = split_dataset({"a": X, "b": Y}, left_size=0.5)
    assert set(parts[0]) == {"a", "b"} and len(parts[1]["b"]) == 5


def test_bad_sizes_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="give left_size, right_size or both"):
        split_dataset(Y)
    with pytest.raises(ValueError, match=r"left_size=1.5 as a fraction must lie strictly"):
        split_dataset(Y, left_size=1.5)
    with pytest.raises(ValueError, match="make 6 \\+ 6 samples, more than the 10"):
        split_dataset(Y, left_size=6, right_size=6)
    with pytest.raises(ValueError, match="right part would be empty"):
        split_dataset(Y, left_size=0.99)
    with pytest.raises(ValueError, match="different numbers of samples"):
        split_dataset((X, Y[:5]), left_size=2)
    with pytest.raises(TypeError, match="left_size must be an int, a float or None"):
        split_dataset(Y, left_size="half")
