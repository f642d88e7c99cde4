"""BatchNormalization: batch statistics in training, moving statistics otherwise (Keras's rule)."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, manual_seed, nn
from tinygrad_edu.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
IMAGES = (RNG.standard_normal((4, 3, 3, 2)) * [2.0, 0.5] + [1.0, -3.0]).astype(np.float32)


def normalized(x, mean, variance, epsilon=1e-3):
    return (x - mean) / np.sqrt(variance + epsilon)


def test_training_normalizes_each_channel_with_the_batch_statistics():
    layer = nn.BatchNormalization()
    out = layer(IMAGES, training=True)
    mean, variance = IMAGES.mean(axis=(0, 1, 2)), IMAGES.var(axis=(0, 1, 2))  # biased, as Keras
    np.testing.assert_allclose(out.data, normalized(IMAGES, mean, variance), rtol=1e-4, atol=1e-5)


def test_moving_statistics_follow_the_keras_rule():
    layer = nn.BatchNormalization(momentum=0.9)
    layer(IMAGES, training=True)
    mean, variance = IMAGES.mean(axis=(0, 1, 2)), IMAGES.var(axis=(0, 1, 2))
    # moving = moving * momentum + batch * (1 - momentum), from zeros and ones
    np.testing.assert_allclose(layer.moving_mean.data, 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.data, 0.9 + 0.1 * variance, rtol=1e-5)
    layer(IMAGES, training=True)
    np.testing.assert_allclose(layer.moving_mean.data, 0.9 * 0.1 * mean + 0.1 * mean, rtol=1e-5)


def test_inference_uses_the_moving_statistics_and_leaves_them_alone():
    layer = nn.BatchNormalization(momentum=0.5, center=True, scale=True)
    layer(IMAGES, training=True)
    layer.gamma.data = np.array([2.0, 3.0], dtype=np.float32)
    layer.beta.data = np.array([0.5, -1.0], dtype=np.float32)
    moving = layer.moving_mean.data.copy(), layer.moving_variance.data.copy()
    out = layer(IMAGES[:1], training=False)
    expected = normalized(IMAGES[:1], *moving) * [2.0, 3.0] + [0.5, -1.0]
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.data, moving[0])
    layer.eval()
    np.testing.assert_allclose(layer(IMAGES[:1]).data, expected, rtol=1e-5, atol=1e-5)


def test_gradients_match_central_differences_in_training():
    layer = nn.BatchNormalization(axis=1, input_shape=(3, 2), dtype="float64")
    layer.gamma.data = np.array([1.5, -0.5, 2.0])
    x = RNG.standard_normal((4, 3, 2))

    def fn(x, gamma, beta):
        layer.gamma, layer.beta = gamma, beta
        return layer(x, training=True)

    arrays = [x, layer.gamma.data.copy(), np.array([0.1, 0.2, 0.3])]
    assert gradcheck(fn, arrays)
    assert gradgradcheck(lambda x: layer(x, training=True) ** 2, [x])


def test_fit_uses_batch_statistics_and_predict_the_moving_ones():
    manual_seed(0)
    x = RNG.standard_normal((64, 3)).astype(np.float32) * 4 + 2
    y = (x[:, 0] > 2).astype(np.int64)
    model = nn.Sequential(
        [nn.Dense(4, input_shape=(3,)), nn.BatchNormalization(), nn.Dense(2, activation="softmax")]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    norm = model.layers[1]
    model.train()  # so that putting the mode back is seen
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert not np.allclose(norm.moving_mean.data, 0.0)  # four batches moved it
    moving = norm.moving_mean.data.copy()
    alone = model.predict(x[:1], verbose=0)
    together = model.predict(x, verbose=0)[:1]
    np.testing.assert_allclose(alone, together, rtol=1e-5)  # no other sample matters
    model.evaluate(x, y, verbose=0)
    np.testing.assert_array_equal(norm.moving_mean.data, moving)
    assert norm.training  # fit, predict and evaluate put the mode back


def test_moving_statistics_are_non_trainable_weights():
    model = nn.Sequential([nn.Dense(4, input_shape=(3,)), nn.BatchNormalization()])
    norm = model.layers[1]
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Total params: 32 " in text  # 16 + gamma, beta, moving mean and variance
    assert "Trainable params: 24 " in text and "Non-trainable params: 8 " in text
    assert [name for name, _ in model.named_weights()][-2:] == [
        "batch_normalization_1.moving_mean",
        "batch_normalization_1.moving_variance",
    ]
    assert all(p is not norm.moving_mean for p in model.parameters())  # the optimizer's list
    assert model.count_params() == 32 and len(model.get_weights()) == 6


def test_moving_statistics_are_saved_and_loaded(tmp_path):
    def make():
        return nn.Sequential([nn.BatchNormalization(input_shape=(2,))])

    model = make()
    model.layers[0](np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32), training=True)
    model.save_weights(tmp_path / "bn.npz")
    copy = make()
    copy.load_weights(tmp_path / "bn.npz")
    np.testing.assert_allclose(copy.layers[0].moving_mean.data, [0.02, 0.04], rtol=1e-6)
    np.testing.assert_allclose(copy.layers[0].moving_variance.data, model.get_weights()[3])


def test_bad_arguments_and_inputs_are_named():
    with pytest.raises(ValueError, match="momentum must lie in"):
        nn.BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match=r"axis 0 is not a feature axis.*\(None, 3\)"):
        nn.BatchNormalization(axis=0, input_shape=(3,))
    layer = nn.BatchNormalization(input_shape=(3,))
    with pytest.raises(ValueError, match=r"batch_normalization.*3 features.*\(2, 4\)"):
        layer(np.zeros((2, 4), dtype=np.float32))


# ---------------------------------------------------------------- training= as in Keras
def test_training_argument_overrides_the_mode_for_one_call():
    manual_seed(0)
    dropout = nn.Dropout(0.5)
    dropout.eval()
    x = np.ones((4, 100), dtype=np.float32)
    assert (dropout(x, training=True).data == 0).any()
    assert not dropout.training  # only for that call
    dropout.train()
    np.testing.assert_array_equal(dropout(x, training=False).data, x)


def test_model_called_with_training_uses_batch_statistics():
    model = nn.Sequential([nn.BatchNormalization(input_shape=(2, 2, 2))])
    model.eval()
    x = Tensor(IMAGES[:, :2, :2, :])
    np.testing.assert_allclose(model(x).data, normalized(x.data, 0.0, 1.0), rtol=1e-5)
    out = model(x, training=True)
    np.testing.assert_allclose(out.data.mean(axis=(0, 1, 2)), 0.0, atol=1e-5)
    assert not model.layers[0].training


def test_a_keras_style_call_gets_the_training_flag_from_fit():
    seen = []

    class Noisy(nn.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    model = nn.Sequential([nn.Dense(2, input_shape=(2,)), Noisy()])
    seen.clear()
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((4, 2), dtype=np.float32)
    model.fit(x, x, epochs=1, batch_size=4, verbose=0)
    model.predict(x, verbose=0)
    assert seen == [True, False]


def test_a_subclassed_model_call_gets_the_training_flag_as_in_keras():
    class WithDropout(nn.Model):
        def __init__(self):
            super().__init__()
            self.dense = nn.Dense(50)
            self.dropout = nn.Dropout(0.5)
            self.flags = []

        def call(self, x, training=False):  # Keras style: passes the flag on by hand
            self.flags.append(training)
            return self.dropout(self.dense(x), training=training)

    manual_seed(0)
    model = WithDropout()
    x = np.ones((8, 4), dtype=np.float32)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((8, 50), dtype=np.float32), epochs=1, batch_size=8, verbose=0)
    predicted = model.predict(x, verbose=0)
    assert model.flags[-2:] == [True, False]
    np.testing.assert_allclose(predicted, model(x, training=False).data)
    assert (model(x, training=True).data == 0).mean() > 0.3


# ---------------------------------------------------------------- the default mode, as in Keras
def test_a_direct_call_after_construction_runs_in_inference_mode():
    x = np.ones((50, 4), dtype=np.float32)
    model = nn.Sequential([nn.Dropout(0.5, input_shape=(4,)), nn.BatchNormalization()])
    norm = model.layers[1]
    out = model(x)  # no training=: inference, as Keras's direct call
    np.testing.assert_allclose(out.data, x / np.sqrt(1.0 + 1e-3), rtol=1e-6)  # moving stats
    np.testing.assert_array_equal(norm.moving_mean.data, 0.0)  # nothing updated
    np.testing.assert_array_equal(norm.moving_variance.data, 1.0)
    np.testing.assert_array_equal(model.layers[0](x).data, x)  # the layer alone too
    assert not any(m.training for m in model.modules())


def test_fit_trains_in_training_mode_and_leaves_the_model_in_inference_mode():
    manual_seed(0)
    x = RNG.standard_normal((32, 3)).astype(np.float32) + 2
    y = (x[:, 0] > 2).astype(np.int64)
    model = nn.Sequential(
        [nn.Dense(4, input_shape=(3,)), nn.Dropout(0.5), nn.BatchNormalization(), nn.Dense(2)]
    )
    model.compile(optimizer="sgd", loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    norm = model.layers[2]
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert not np.allclose(norm.moving_mean.data, 0.0)  # fit's steps used batch statistics
    assert not any(m.training for m in model.modules())  # the mode before fit is back
    moving = norm.moving_mean.data.copy()
    first = model(x).data
    np.testing.assert_array_equal(model(x).data, first)  # no dropout after fit
    np.testing.assert_array_equal(norm.moving_mean.data, moving)  # and no update


def test_train_step_called_by_hand_trains_in_training_mode_as_in_keras():
    model = nn.Sequential([nn.BatchNormalization(input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    x = Tensor(np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32))
    model.train_step(x, np.zeros((2, 2), dtype=np.float32))
    np.testing.assert_allclose(model.layers[0].moving_mean.data, [0.02, 0.04], rtol=1e-5)
    assert not model.training and not model.layers[0].training  # only for that step
