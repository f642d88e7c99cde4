"""A Python number an integer tensor cannot hold gets an error naming the op, value and dtype
(NumPy's own is a bare "Python integer 300 out of bounds for uint8")."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor

UINT8 = Tensor(np.array([1, 2], np.uint8))


@pytest.mark.parametrize(
    "op, call, value",
    [
        ("Tensor.__add__", lambda: UINT8 + 300, "300"),
        ("Tensor.__radd__", lambda: 300 + UINT8, "300"),
        ("Tensor.__sub__", lambda: UINT8 - (-1), "-1"),
        ("Tensor.__mul__", lambda: UINT8 * np.int64(256), "256"),
        ("Tensor.maximum", lambda: UINT8.maximum(300), "300"),
        ("Tensor.masked_fill", lambda: UINT8.masked_fill(np.array([True, False]), 300), "300"),
        ("where", lambda: tg.where(np.array([True, False]), UINT8, 300), "300"),
        ("Tensor", lambda: Tensor([1, 300], dtype=np.uint8), r"\[1, 300\]"),
        ("full", lambda: tg.full((2,), 256, dtype=np.uint8), "256"),
    ],
)
def test_uint8_overflow_names_the_op_value_and_range(op, call, value):
    with pytest.raises(
        OverflowError, match=rf"^{op}: {value} does not fit in uint8 \(it holds 0 to 255\)"
    ):
        call()


def test_int64_overflow_suggests_float64():
    with pytest.raises(
        OverflowError, match=r"2361183241434822606848 does not fit in int64.*float64"
    ):
        Tensor(np.array([1])) + 2**71


def test_numbers_in_range_still_work():
    assert (UINT8 + 253).data.tolist() == [254, 255] and (UINT8 + 253).dtype == np.uint8
    assert tg.full((1,), 255, dtype=np.uint8).data.tolist() == [255]
