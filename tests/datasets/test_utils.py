"""to_categorical (one-hot labels) and batches (shuffled mini-batches)."""

import numpy as np
import pytest

from tinygrad_edu.datasets import batches, to_categorical

# --- to_categorical ---------------------------------------------------------------------------


def test_one_hot_basic():
    result = to_categorical([0, 2, 1])
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])


def test_num_classes_and_dtype():
    result = to_categorical(np.array([1, 3], dtype=np.uint8), num_classes=5, dtype="int64")
    assert result.dtype == np.int64
    np.testing.assert_array_equal(result, [[0, 1, 0, 0, 0], [0, 0, 0, 1, 0]])


def test_shapes_follow_keras():
    assert to_categorical(np.zeros((4, 1), dtype=int), 3).shape == (4, 3)  # (N, 1) -> (N, C)
    assert to_categorical(np.zeros((2, 5), dtype=int), 3).shape == (2, 5, 3)
    np.testing.assert_array_equal(to_categorical(2, 4), [0, 0, 1, 0])  # one label -> one row


def test_whole_number_floats_are_accepted():
    np.testing.assert_array_equal(to_categorical([1.0, 0.0]), [[0, 1], [1, 0]])


def test_empty_labels_need_num_classes():
    assert to_categorical([], num_classes=3).shape == (0, 3)
    with pytest.raises(ValueError, match="pass num_classes"):
        to_categorical([])


@pytest.mark.parametrize(
    ("labels", "num_classes", "error", "message"),
    [
        ([0, -1, 2], None, ValueError, "must not be negative, found -1"),
        (
            [0, 3],
            3,
            ValueError,
            r"label 3 is out of range for num_classes=3 \(labels must be 0..2\)",
        ),
        ([0.5, 1.0], None, TypeError, "integer class labels"),
        ([np.nan], None, TypeError, "integer class labels"),
        (["cat", "dog"], None, TypeError, "integer class labels"),
        ([0, 1], 0, ValueError, "num_classes must be at least 1"),
        ([0, 1], 2.5, TypeError, None),
    ],
)
def test_bad_labels_give_clear_errors(labels, num_classes, error, message):
    with pytest.raises(error, match=message):
        to_categorical(labels, num_classes)


# --- batches ----------------------------------------------------------------------------------


def make_data(n=10):
    """x[i] = 10 * y[i], so a batch whose rows got mixed up is easy to spot."""
    y = np.arange(n)
    x = np.stack([10 * y, 10 * y], axis=1)
    return x, y


def test_every_example_exactly_once_and_last_batch_smaller():
    x, y = make_data(10)
    result = list(batches(x, y, batch_size=4, seed=0))
    assert [len(yb) for _, yb in result] == [4, 4, 2]
    assert sorted(np.concatenate([yb for _, yb in result])) == list(range(10))
    for xb, yb in result:
        np.testing.assert_array_equal(xb[:, 0], 10 * yb)  # x and y stay paired


def test_shuffled_and_reproducible_with_a_seed():
    x, y = make_data(100)
    first = np.concatenate([yb for _, yb in batches(x, y, 32, seed=1)])
    again = np.concatenate([yb for _, yb in batches(x, y, 32, seed=1)])
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, y)


def test_generator_gives_a_new_order_each_epoch():
    x, y = make_data(100)
    rng = np.random.default_rng(0)
    epoch1 = np.concatenate([yb for _, yb in batches(x, y, 32, seed=rng)])
    epoch2 = np.concatenate([yb for _, yb in batches(x, y, 32, seed=rng)])
    assert not np.array_equal(epoch1, epoch2)


def test_no_shuffle_keeps_order():
    x, y = make_data(5)
    result = list(batches(x, y, batch_size=2, shuffle=False))
    assert [yb.tolist() for _, yb in result] == [[0, 1], [2, 3], [4]]


def test_drop_last():
    x, y = make_data(10)
    assert [len(yb) for _, yb in batches(x, y, 4, drop_last=True)] == [4, 4]


def test_accepts_lists():
    xb, yb = next(batches([[1], [2]], [3, 4], batch_size=2, shuffle=False))
    assert isinstance(xb, np.ndarray) and xb.shape == (2, 1)
    assert yb.tolist() == [3, 4]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"y": np.arange(9)}, ValueError, "same length, got 10 and 9"),
        ({"batch_size": 0}, ValueError, "at least 1, got 0"),
        ({"batch_size": -3}, ValueError, "at least 1, got -3"),
        ({"batch_size": 2.5}, TypeError, None),
        ({"batch_size": True}, TypeError, "bool"),
        ({"x": 3.0}, ValueError, "one example per row"),
    ],
)
def test_bad_arguments_fail_at_the_call_not_later(kwargs, error, message):
    x, y = make_data(10)
    arguments = {"x": x, "y": y, "batch_size": 4} | kwargs
    with pytest.raises(error, match=message):
        batches(**arguments)  # not even iterated: the check happens right away
