"""The Tensor class: construction, attributes, operators, comparisons and error messages."""

from __future__ import annotations

import operator

import numpy as np
import pytest

from tinygrad_edu import Tensor, concatenate, stack, where


# ---------------------------------------------------------------- construction and dtypes
@pytest.mark.parametrize("data", [2.5, [[1.0, 2.0]], [1, 2.5], (3.0, 4)])
def test_python_floats_become_float32(data):
    t = Tensor(data)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float32))


@pytest.mark.parametrize("data", [1, [1, 2], (3, 4), [[1], [2]]])
def test_python_ints_become_int64_as_in_pytorch(data):
    t = Tensor(data)
    assert t.dtype == np.int64
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.int64))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int64, np.int32, bool])
def test_arrays_keep_their_dtype(dtype):
    assert Tensor(np.zeros(3, dtype=dtype)).dtype == dtype
    assert Tensor(np.array(1, dtype=dtype)).dtype == dtype


def test_a_numpy_scalar_keeps_its_dtype():
    assert Tensor(np.float64(1.5)).dtype == np.float64


@pytest.mark.parametrize("data", [[1, 2], np.array([1, 2]), np.array([1.0, 2.0], np.float32)])
@pytest.mark.parametrize("dtype", [np.float64, "float16", np.int32])
def test_the_dtype_argument_wins(data, dtype):
    assert Tensor(data, dtype=dtype).dtype == np.dtype(dtype)


def test_python_bools_stay_bool():
    assert Tensor(True).dtype == bool and Tensor([True, False]).dtype == bool


def test_a_tensor_from_a_tensor_takes_its_values():
    original = Tensor(np.array([1.0, 2.0]))
    copy = Tensor(original, requires_grad=True)
    assert copy.dtype == np.float64 and copy.requires_grad and copy.is_leaf
    np.testing.assert_array_equal(copy.data, original.data)


def test_objects_that_are_not_numbers_are_refused():
    with pytest.raises(TypeError, match="Tensor"):
        Tensor({"a": 1})


# ---------------------------------------------------------------- attributes
def test_attributes():
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, name="weights")
    assert isinstance(t.data, np.ndarray) and t.data.shape == (2, 3)
    assert t.grad is None and t.requires_grad and t.is_leaf and t.grad_fn is None
    assert (t.shape, t.ndim, t.size, t.dtype, t.name) == ((2, 3), 2, 6, np.float64, "weights")
    assert t.T.shape == (3, 2) and not t.T.is_leaf
    np.testing.assert_array_equal(t.T.data, t.data.T)
    assert t.numpy() is t.data
    assert len(t) == 2
    assert [row.data.tolist() for row in t] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_item_float_int_and_bool():
    t = Tensor(np.array([[2.5]]))
    assert t.item() == 2.5 and isinstance(t.item(), float)
    assert float(t) == 2.5 and int(Tensor(3.0)) == 3
    assert bool(Tensor(1.0)) and not bool(Tensor(0.0))


def test_item_of_several_elements_is_an_error_naming_the_shape():
    with pytest.raises(ValueError, match=r"item.*one element.*\(2, 2\)"):
        Tensor(np.ones((2, 2))).item()


def test_len_of_a_0d_tensor_is_an_error():
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


def test_numpy_can_read_a_tensor():
    t = Tensor(np.array([1.5, 2.5]))
    assert np.asarray(t) is t.data or np.array_equal(np.asarray(t), t.data)
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    copied = np.array(t, copy=True)
    copied[0] = 0
    assert t.data[0] == 1.5
    assert np.sum(np.asarray(t)) == 4.0


def test_requires_grad_can_be_switched():
    t = Tensor([1.0]).requires_grad_()
    assert t.requires_grad
    t.requires_grad = False
    assert not t.requires_grad


# ---------------------------------------------------------------- repr
def test_repr_shows_values_dtype_grad_fn_and_name():
    leaf = Tensor([1.0, 2.0], requires_grad=True, name="x")
    text = repr(leaf)
    assert "1., 2." in text and "float32" in text
    assert "requires_grad=True" in text and "name='x'" in text
    result = repr(leaf * 2)
    assert "2., 4." in result and "grad_fn=<Mul>" in result
    assert "grad_fn" not in repr(Tensor([1.0]))


# ---------------------------------------------------------------- operators
BINARY_OPERATORS = [
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    operator.pow,
]


@pytest.mark.parametrize("op", BINARY_OPERATORS, ids=lambda op: op.__name__)
@pytest.mark.parametrize(
    "other", [2.0, 3, np.array([2.0, 0.5]), np.float64(1.5)], ids=["float", "int", "array", "np"]
)
def test_operators_with_numbers_and_arrays_on_either_side(op, other):
    values = np.array([1.5, 2.5])
    t = Tensor(values, requires_grad=True)
    for result, expected in [
        (op(t, other), op(values, other)),
        (op(other, t), op(other, values)),
        (op(t, Tensor(np.asarray(other, dtype=np.float64))), op(values, other)),
    ]:
        assert isinstance(result, Tensor)
        np.testing.assert_allclose(result.data, expected)
        assert result.requires_grad


def test_ndarray_plus_tensor_is_a_tensor_with_a_graph():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    result = np.array([10.0, 20.0]) + t
    assert isinstance(result, Tensor) and result.grad_fn is not None
    result.sum().backward()
    np.testing.assert_array_equal(t.grad.data, [1.0, 1.0])


def test_negation_and_matmul_operators():
    t = Tensor(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal((-t).data, [[-1.0, -2.0]])
    np.testing.assert_array_equal((t @ t.T).data, [[5.0]])
    np.testing.assert_array_equal((np.ones((1, 1)) @ t).data, [[1.0, 2.0]])


def test_python_numbers_do_not_upcast_float32():
    t = Tensor([1.0, 2.0])
    for result in (t + 1.5, 2 * t, t / 3, 1 - t, t**2, 2.0**t):
        assert result.dtype == np.float32


# ---------------------------------------------------------------- comparisons
@pytest.mark.parametrize(
    "op", [operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge]
)
def test_comparisons_give_bool_tensors_without_a_graph(op):
    t = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    for other in (2.0, np.array([3.0, 2.0, 1.0]), Tensor(np.array([3.0, 2.0, 1.0]))):
        result = op(t, other)
        assert isinstance(result, Tensor) and result.dtype == bool
        assert not result.requires_grad and result.grad_fn is None
        np.testing.assert_array_equal(result.data, op(t.data, np.asarray(other)))


def test_tensors_hash_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b}) == 2


# ---------------------------------------------------------------- where, concatenate, stack
def test_where_concatenate_and_stack():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([10.0, 20.0]))
    np.testing.assert_array_equal(where(np.array([True, False]), a, b).data, [1.0, 20.0])
    np.testing.assert_array_equal(where(a > 1.5, a, b).data, [10.0, 2.0])
    np.testing.assert_array_equal(concatenate([a, b]).data, [1.0, 2.0, 10.0, 20.0])
    assert stack([a, b]).shape == (2, 2) and stack([a, b], axis=1).shape == (2, 2)
    assert concatenate([a, [3.0]]).shape == (3,)  # plain lists are made into tensors


def test_where_with_a_non_bool_condition_is_an_error():
    with pytest.raises(TypeError, match=r"where.*boolean.*int64"):
        where(np.array([1, 0]), Tensor([1.0, 2.0]), 0.0)


# ---------------------------------------------------------------- error messages
@pytest.mark.parametrize("op", BINARY_OPERATORS + [lambda a, b: a.maximum(b)])
def test_broadcast_failures_name_the_op_and_the_shapes(op):
    with pytest.raises(ValueError, match=r"[A-Z][a-z]+: .*\(2, 3\).*\(4,\)"):
        op(Tensor(np.ones((2, 3))), Tensor(np.ones(4)))


def test_matmul_of_a_0d_tensor_is_an_error():
    with pytest.raises(ValueError, match=r"matmul.*at least one dimension"):
        Tensor(2.0) @ Tensor(np.ones(2))


def test_transpose_with_bad_axes_is_an_error():
    with pytest.raises(ValueError, match=r"transpose.*not a permutation"):
        Tensor(np.ones((2, 3))).transpose(0, 0)


def test_squeezing_an_axis_that_is_not_1_leaves_it():
    assert Tensor(np.ones((1, 3))).squeeze(1).shape == (1, 3)
    assert Tensor(np.ones((1, 3))).squeeze((0, 1)).shape == (3,)


# ---------------------------------------------------------------- what a new user passes (issue 15)
@pytest.mark.parametrize(
    "data",
    [["a", "b"], np.array(["x", "y"]), [1.0, None], [b"bytes"], np.array(["2024-01-01"], "M8[D]")],
)
def test_non_numeric_data_is_a_type_error_when_the_tensor_is_made(data):
    with pytest.raises(TypeError, match=r"Tensor: the data must be numbers .* got dtype"):
        Tensor(data)


@pytest.mark.parametrize(
    "data, found",
    [
        ([[1, 2], [3]], "(2,), (1,)"),
        ([[1.0, 2.0, 3.0], [4.0, 5.0]], "(3,), (2,)"),
        ([[[1, 2], [3, 4]], [[1, 2], [3]]], "(2,), (1,)"),
        ([1, [2, 3]], "(), (2,)"),
    ],
)
def test_a_ragged_list_is_a_value_error_naming_tensor_and_the_shapes(data, found):
    with pytest.raises(ValueError, match=r"^Tensor: the nested lists are ragged") as error:
        Tensor(data)
    assert found in str(error.value)


def test_numbers_and_booleans_are_still_accepted():
    assert Tensor([[1, 2], [3, 4]]).dtype == np.int64
    assert Tensor([[1.0, 2], [3, 4]]).dtype == np.float32
    assert Tensor([True, False]).dtype == np.bool_
    assert Tensor(np.arange(3)).dtype == np.arange(3).dtype
