"""Matrix multiplication with every NumPy case: 1-D operands, batches, broadcasting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import float_arrays

from . import check_reference, linear_vjp


def matmul_reference(arrays, cotangent, weights):
    """a @ b is linear in a and linear in b, so unit arrays give its exact derivatives.

    first:  d/da sum(c * (a @ b)) and d/db sum(c * (a @ b))
    second: d/da of sum(w_b * d/db[...]) = d/da sum(c * (a @ w_b)), and likewise
            d/db sum(c * (w_a @ b)); the a-a and b-b blocks are zero.
    """
    a, b = arrays
    w_a, w_b = weights
    first = [
        linear_vjp(lambda x: np.matmul(x, b), a, cotangent),
        linear_vjp(lambda x: np.matmul(a, x), b, cotangent),
    ]
    second = [
        linear_vjp(lambda x: np.matmul(x, w_b), a, cotangent),
        linear_vjp(lambda x: np.matmul(w_a, x), b, cotangent),
    ]
    return np.matmul(a, b), first, second


def check_matmul(a: np.ndarray, b: np.ndarray) -> None:
    def op(x, y):
        return x @ y

    assert gradcheck(op, [a, b])
    assert gradgradcheck(op, [a, b])
    check_reference(op, [a, b], matmul_reference)


CASES = {
    "1-D @ 1-D": ((4,), (4,)),
    "1-D @ 2-D": ((3,), (3, 2)),
    "2-D @ 1-D": ((2, 3), (3,)),
    "2-D @ 2-D": ((2, 3), (3, 4)),
    "batched @ batched": ((2, 2, 3), (2, 3, 2)),
    "batched @ 2-D": ((2, 2, 3), (3, 4)),
    "2-D @ batched": ((2, 3), (3, 3, 2)),
    "broadcast batches": ((2, 1, 2, 3), (3, 3, 2)),
    "1-D @ batched": ((3,), (2, 3, 4)),
    "batched @ 1-D": ((2, 4, 3), (3,)),
}


@pytest.mark.parametrize("name", CASES)
def test_matmul_numpy_cases(name):
    shape_a, shape_b = CASES[name]
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    check_matmul(a, b)


@given(
    hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=3, max_side=3),
    st.data(),
)
def test_matmul_random_shapes_with_broadcasting(drawn, data):
    shape_a, shape_b = drawn.input_shapes
    check_matmul(data.draw(float_arrays(shape_a)), data.draw(float_arrays(shape_b)))


def test_matmul_with_ndarrays_on_either_side():
    w = Tensor(np.eye(2) * 2.0, requires_grad=True)
    left = np.array([[1.0, 2.0]]) @ w
    right = w @ np.array([1.0, 1.0])
    assert isinstance(left, Tensor) and isinstance(right, Tensor)
    np.testing.assert_array_equal(left.data, [[2.0, 4.0]])
    np.testing.assert_array_equal(right.data, [2.0, 2.0])
    (left.sum() + right.sum()).backward()
    np.testing.assert_array_equal(w.grad.data, [[2.0, 2.0], [3.0, 3.0]])


def test_matmul_keeps_float32():
    a = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    b = Tensor(np.ones((3,), dtype=np.float32), requires_grad=True)
    y = a @ b
    y.sum().backward()
    assert y.dtype == a.grad.dtype == b.grad.dtype == np.float32


def test_matmul_of_a_0d_tensor_is_an_error():
    with pytest.raises(ValueError, match=r"matmul.*\(\).*\(3,\)"):
        Tensor(2.0) @ Tensor(np.ones(3))


def test_matmul_shape_mismatch_names_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"MatMul.*\(2, 3\), \(2, 3\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((2, 3), (2, 3), r"a's last axis \(3\) must equal b's second-to-last axis \(2\)"),
        ((4,), (3,), r"a's only axis \(4\) must equal b's only axis \(3\)"),
        ((5, 2, 3), (4, 3, 1), r"batch axes \(all but the last two\), \(5,\) and \(4,\), do not"),
    ],
)
def test_matmul_mismatch_says_which_axes_must_agree_in_its_own_words(a, b, expected):
    with pytest.raises(ValueError, match=expected) as caught:
        Tensor(np.ones(a)) @ Tensor(np.ones(b))
    assert "gufunc" not in str(caught.value) and "remapped" not in str(caught.value)
    assert f"a of shape {a} and b of shape {b}" in str(caught.value)
