"""dtype rules: PyTorch's (where NumPy 2 agrees), conversions, and what can be differentiated."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.testing.strategies import shapes

BINARY = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "**": operator.pow,
}
INTEGER_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8]
FLOAT_DTYPES = [np.float16, np.float32, np.float64]


# ---------------------------------------------------------------- Python data
@pytest.mark.parametrize(
    "data, dtype",
    [
        ([0, 1, 2], np.int64),
        (3, np.int64),
        ([[1], [2]], np.int64),
        ([0.5, 1.0], np.float32),
        ([1, 2.5], np.float32),
        (2.0, np.float32),
        ([True, False], np.bool_),
        (True, np.bool_),
    ],
)
def test_python_data_gets_pytorchs_dtype(data, dtype):
    assert Tensor(data).dtype == dtype


def test_arange_of_integers_is_int64_and_indexes():
    assert tg.arange(3).dtype == np.int64
    assert tg.arange(1, 7, 2).dtype == np.int64
    assert tg.arange(0, 1, 0.25).dtype == np.float32  # a float argument: floats
    assert tg.arange(3.0).dtype == np.float32
    assert tg.arange(3, dtype="float64").dtype == np.float64
    x = Tensor(np.array([10.0, 20.0, 30.0, 40.0]), requires_grad=True)
    picked = x[tg.arange(3)]
    picked.sum().backward()
    np.testing.assert_array_equal(picked.data, [10.0, 20.0, 30.0])
    np.testing.assert_array_equal(x.grad.data, [1, 1, 1, 0])
    np.testing.assert_array_equal(x[Tensor([0, 2])].data, [10.0, 30.0])


# ---------------------------------------------------------------- weak Python scalars
@pytest.mark.parametrize("dtype", INTEGER_DTYPES + FLOAT_DTYPES)
@pytest.mark.parametrize("symbol", BINARY)
@pytest.mark.parametrize("reverse", [False, True], ids=["tensor-op-number", "number-op-tensor"])
def test_a_python_number_of_the_same_kind_keeps_the_tensors_dtype(dtype, symbol, reverse):
    t = Tensor(np.array([1, 2, 3], dtype=dtype))
    number = 2.0 if np.dtype(dtype).kind == "f" else 2
    op = BINARY[symbol]
    result = op(number, t) if reverse else op(t, number)
    assert result.dtype == dtype
    expected = op(number, t.data) if reverse else op(t.data, number)
    np.testing.assert_array_equal(result.data, np.asarray(expected).astype(dtype))


@pytest.mark.parametrize("dtype", INTEGER_DTYPES + [np.bool_])
def test_a_float_number_with_an_integer_tensor_gives_float32(dtype):
    t = Tensor(np.array([1, 0, 1], dtype=dtype))
    for result in (t * 0.5, 0.5 * t, t + 1.5, t - 0.5, 2.0 - t):
        assert result.dtype == np.float32
    np.testing.assert_array_equal((t * 0.5).data, np.array([1, 0, 1]) * 0.5)


@pytest.mark.parametrize("dtype", INTEGER_DTYPES + FLOAT_DTYPES)
def test_maximum_minimum_and_where_keep_the_dtype_beside_a_number(dtype):
    t = Tensor(np.array([1, 5, 3], dtype=dtype))
    number = 2.0 if np.dtype(dtype).kind == "f" else 2
    assert t.maximum(number).dtype == dtype and t.minimum(number).dtype == dtype
    assert tg.where(t.data > 2, t, number).dtype == dtype
    np.testing.assert_array_equal(t.maximum(number).data, [2, 5, 3])


def test_an_int_number_with_a_bool_tensor_gives_int64_as_in_pytorch():
    assert (Tensor([True, False]) + 1).dtype == np.int64
    assert (Tensor([True, False]) * True).dtype == np.bool_


def test_numpy_scalars_are_weak_too():
    t = Tensor(np.array([1, 2], dtype=np.int32))
    assert (t + np.int64(3)).dtype == np.int32
    assert (Tensor(np.ones(2, np.float32)) * np.float64(2.0)).dtype == np.float32


def test_a_number_out_of_the_tensors_range_is_a_clear_error():
    with pytest.raises(OverflowError, match="300"):
        Tensor(np.array([1, 2], dtype=np.uint8)) + 300


@settings(max_examples=20, deadline=None)
@given(
    shape=shapes(max_dims=2),
    int_dtype=st.sampled_from(INTEGER_DTYPES),
    float_dtype=st.sampled_from(FLOAT_DTYPES),
)
def test_integers_never_change_a_floats_dtype(shape, int_dtype, float_dtype):
    ints = Tensor(np.ones(shape, dtype=int_dtype))
    floats = Tensor(np.full(shape, 0.5, dtype=float_dtype), requires_grad=True)
    for result in (
        floats + ints,
        ints * floats,
        ints / floats,
        floats - ints,
        floats @ ints.T if len(shape) == 2 else floats.maximum(ints),
    ):
        assert result.dtype == float_dtype
    (floats * ints).sum().backward()
    assert floats.grad.dtype == float_dtype


@pytest.mark.parametrize("dtype", INTEGER_DTYPES + [np.bool_])
def test_results_that_leave_the_integers_are_float32(dtype):
    t = Tensor(np.array([1, 0, 1, 1], dtype=dtype))
    for name in ("exp", "log", "sqrt", "sigmoid", "tanh", "softmax", "log_softmax"):
        with np.errstate(divide="ignore"):
            assert getattr(t, name)().dtype == np.float32, name
    if dtype is not np.bool_:
        assert (t / 2).dtype == np.float32 and (3 / (t + 1)).dtype == np.float32
        np.testing.assert_allclose((t / 2).data, [0.5, 0, 0.5, 0.5])


# ---------------------------------------------------------------- reductions of ints and bools
def test_the_mean_of_a_comparison_is_an_accuracy():
    predictions, labels = Tensor([1, 2, 0, 1, 1]), Tensor([1, 2, 1, 1, 0])
    accuracy = (predictions == labels).mean()
    assert accuracy.dtype == np.float32
    assert accuracy.item() == pytest.approx(0.6)


@pytest.mark.parametrize("dtype", INTEGER_DTYPES + [np.bool_])
@settings(max_examples=10, deadline=None)
@given(shape=shapes(min_dims=1, max_dims=3), seed=st.integers(0, 2**16))
def test_mean_and_var_of_integers_and_bools_are_numpys_floats(dtype, shape, seed):
    values = np.random.default_rng(seed).integers(0, 2 if dtype is np.bool_ else 100, shape)
    values = values.astype(dtype)
    t = Tensor(values)
    for axis in (None, 0, -1):
        mean, var = t.mean(axis=axis), t.var(axis=axis)
        assert mean.dtype == np.float32 and var.dtype == np.float32
        np.testing.assert_allclose(mean.data, values.mean(axis=axis), rtol=1e-6)
        np.testing.assert_allclose(var.data, values.var(axis=axis), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int32, np.int64])
def test_sum_of_bools_and_integers_is_int64_as_in_numpy_and_pytorch(dtype):
    t = Tensor(np.ones(300, dtype=dtype))
    assert t.sum().dtype == np.int64 and t.sum().item() == 300  # no int8 wrap-around
    assert t.sum(axis=0).dtype == np.int64


# ---------------------------------------------------------------- conversions
@pytest.mark.parametrize(
    "name, dtype",
    [
        ("float", np.float32),
        ("double", np.float64),
        ("half", np.float16),
        ("int", np.int32),
        ("long", np.int64),
        ("bool", np.bool_),
    ],
)
def test_pytorch_conversion_methods(name, dtype):
    t = Tensor([-1.5, 0.0, 2.7])
    converted = getattr(t, name)()
    assert converted.dtype == dtype
    expected = np.array([-1.5, 0.0, 2.7], dtype=np.float32).astype(dtype)
    np.testing.assert_array_equal(converted.data, expected)


def test_float_conversions_keep_the_gradient_and_integer_ones_end_it():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.data.tolist() == [3.0, 3.0]
    for name in ("int", "long", "bool"):
        assert not getattr(x, name)().requires_grad


# ---------------------------------------------------------------- what can be differentiated
@pytest.mark.parametrize(
    "make", [lambda: Tensor([1, 2], requires_grad=True), lambda: tg.arange(3, requires_grad=True)]
)
def test_requiring_grad_on_integers_is_a_clear_error(make):
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients"):
        make()


@pytest.mark.parametrize(
    "integer_result",
    [
        lambda x: x > 0,
        lambda x: x.argmax(),
        lambda x: x.long().sum(),
        lambda x: (x * 2).astype("int32"),
    ],
    ids=["comparison", "argmax", "long-sum", "astype"],
)
def test_an_integer_result_is_never_differentiated(integer_result):
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    result = integer_result(x)
    assert result.dtype.kind in "biu" and not result.requires_grad and result.grad_fn is None
    with pytest.raises(RuntimeError, match=r"dtype (bool|int\d+).*only floating-point"):
        result.backward(np.ones(result.shape))
    with pytest.raises(RuntimeError, match=r"input 0 has dtype int64"):
        tg.grad(x.sum(), [Tensor([1, 2])])


def test_where_and_concatenate_never_widen_a_float_for_an_integer_tensor():
    floats = Tensor(np.array([0.5, 1.5], dtype=np.float32), requires_grad=True)
    ints = Tensor([1, 2])
    assert tg.where(np.array([True, False]), floats, ints).dtype == np.float32
    assert tg.where(np.array([True, False]), ints, floats).dtype == np.float32
    joined = tg.concatenate([floats, ints])
    assert joined.dtype == np.float32 and joined.data.tolist() == [0.5, 1.5, 1.0, 2.0]
    joined.sum().backward()
    assert floats.grad.dtype == np.float32
    assert tg.stack([ints, floats]).dtype == np.float32
    assert tg.concatenate([ints, ints]).dtype == np.int64
