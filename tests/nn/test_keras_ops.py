"""keras.ops: NumPy's answers on Tensors, gradients from the engine, symbolic inside models."""

import numpy as np
import pytest
from hypothesis import given, settings

import tinygrad_edu.keras as keras
from tinygrad_edu import Tensor, manual_seed
from tinygrad_edu.keras import layers, ops
from tinygrad_edu.testing import gradcheck
from tinygrad_edu.testing.strategies import float_arrays, shapes

X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])

# (op, arguments after x, what NumPy gives)
AGREE_WITH_NUMPY = [
    (ops.mean, (1,), np.mean(X, axis=1)),
    (ops.sum, (), np.sum(X)),
    (ops.max, (0,), np.max(X, axis=0)),
    (ops.min, (), np.min(X)),
    (ops.var, (1,), np.var(X, axis=1)),
    (ops.std, (), np.std(X)),
    (ops.square, (), X**2),
    (ops.abs, (), np.abs(X)),
    (ops.exp, (), np.exp(X)),
    (ops.negative, (), -X),
    (ops.relu, (), np.maximum(X, 0)),
    (ops.sigmoid, (), 1 / (1 + np.exp(-X))),
    (ops.tanh, (), np.tanh(X)),
    (ops.clip, (0.0, 2.0), np.clip(X, 0, 2)),
    (ops.maximum, (1.0,), np.maximum(X, 1.0)),
    (ops.minimum, (1.0,), np.minimum(X, 1.0)),
    (ops.reshape, ((3, 2),), X.reshape(3, 2)),
    (ops.transpose, (), X.T),
    (ops.expand_dims, (0,), X[None]),
    (ops.argmax, (1,), np.argmax(X, axis=1)),
    (ops.matmul, (X.T,), X @ X.T),
    (ops.add, (2.0,), X + 2),
    (ops.subtract, (2.0,), X - 2),
    (ops.multiply, (X,), X * X),
    (ops.divide, (2.0,), X / 2),
    (ops.power, (2.0,), X**2),
    (ops.logsumexp, (1,), np.log(np.exp(X).sum(axis=1))),
    (ops.round, (), np.round(X)),
    (ops.greater, (0.0,), X > 0),
]


@pytest.mark.parametrize("op, arguments, expected", AGREE_WITH_NUMPY)
def test_ops_agree_with_numpy(op, arguments, expected):
    for x in (X, Tensor(X)):  # arrays and Tensors alike
        result = op(x, *arguments)
        assert isinstance(result, Tensor)
        np.testing.assert_allclose(result.data, expected, rtol=1e-6)


def test_ops_of_several_tensors_and_of_labels():
    a, b = Tensor(X), Tensor(-X)
    assert ops.concatenate([a, b], axis=0).shape == (4, 3)
    assert ops.stack([a, b], axis=1).shape == (2, 2, 3)
    np.testing.assert_array_equal(ops.where(X > 0, a, b).data, np.abs(X))
    np.testing.assert_array_equal(ops.one_hot(np.array([2, 0]), 3).data, [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_allclose(ops.softmax(a).data.sum(axis=-1), 1.0, rtol=1e-6)
    assert ops.cast(a, "float32").dtype == np.float32 and ops.shape(a) == (2, 3)
    assert ops.convert_to_tensor([1.0, 2.0]).dtype == np.float32
    assert ops.squeeze(ops.zeros((2, 1))).shape == (2,) and ops.ones((2,)).data.tolist() == [1, 1]


@settings(max_examples=15, deadline=None)
@given(float_arrays(shapes(min_dims=1, max_dims=3, max_side=4)))
def test_a_loss_written_with_ops_is_differentiated_by_the_engine(values):
    def loss(y_pred):
        y_true = np.zeros_like(y_pred.data)
        squared = ops.square(ops.subtract(y_true, y_pred))
        return ops.sqrt(ops.mean(squared) + 1.0) + ops.sum(ops.log_softmax(y_pred, axis=-1))

    gradcheck(loss, [values.astype(np.float64)])


def test_a_custom_loss_and_metric_with_ops_train_a_model():
    """The TF quickstart's pattern: a loss written with keras.ops, passed to compile."""

    def rmse(y_true, y_pred):
        return ops.sqrt(ops.mean(ops.square(y_true - y_pred)))

    def mean_prediction(y_true, y_pred):
        return ops.mean(y_pred)

    manual_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=rmse, metrics=[mean_prediction])
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert "mean_prediction" in history.history


def test_ops_on_keras_tensors_record_nodes_and_shape_gives_none_for_the_batch():
    inputs = keras.Input(shape=(4, 2))
    assert ops.shape(inputs) == (None, 4, 2)
    pooled = ops.max(inputs, axis=1)
    assert pooled.shape == (None, 2) and pooled.node.operation is ops.max
    flat = ops.reshape(inputs, (-1, 8))
    assert flat.shape == (None, 8)
    model = keras.Model(inputs, [pooled, flat])
    x = np.arange(16, dtype=np.float32).reshape(2, 4, 2)
    first, second = model.predict(x, verbose=0)
    np.testing.assert_array_equal(first, x.max(axis=1))
    np.testing.assert_array_equal(second, x.reshape(2, 8))
