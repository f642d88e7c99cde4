"""`trainable`: freezing layers and models as in Keras 3 (the transfer-learning lesson).

What Keras 3 does, checked against keras 3 on the JAX backend: `layer.trainable = False`
turns its variables' `trainable` off (ours: requires_grad), the weights move to
`non_trainable_weights`, `summary` counts them there, `fit` leaves them alone (freezing
after compile, before or after a fit, takes effect), unfreezing after the optimizer took
its weights needs `compile` again, and a frozen BatchNormalization runs in inference mode.
"""

import io
from contextlib import redirect_stdout

import numpy as np
import pytest

from tinygrad_edu import Tensor, manual_seed, nn
from tinygrad_edu.nn import optimizers

X = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
Y = np.random.default_rng(1).normal(size=(16, 2)).astype(np.float32)


def two_dense(optimizer="sgd"):
    manual_seed(0)
    model = nn.Sequential([nn.Dense(3, input_shape=(4,), name="a"), nn.Dense(2, name="b")])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def snapshot(layer):
    return [weight.data.copy() for weight in layer.weights]


def changed(before, layer):
    return [not np.array_equal(old, new) for old, new in zip(before, snapshot(layer))]


def names(weights):
    return [weight.name for weight in weights]


def test_a_frozen_layer_moves_its_weights_to_non_trainable_weights():
    model = two_dense()
    a, b = model.layers
    assert a.trainable and model.trainable
    a.trainable = False
    assert names(a.trainable_weights) == [] and names(a.non_trainable_weights) == [
        "a.kernel",
        "a.bias",
    ]
    assert names(model.trainable_weights) == ["b.kernel", "b.bias"]
    assert names(model.non_trainable_weights) == ["a.kernel", "a.bias"]
    assert not a.kernel.requires_grad and b.kernel.requires_grad
    a.trainable = True
    assert names(model.trainable_weights) == ["a.kernel", "a.bias", "b.kernel", "b.bias"]


def test_summary_counts_frozen_weights_as_non_trainable():
    model = two_dense()
    model.layers[0].trainable = False
    out = io.StringIO()
    with redirect_stdout(out):
        model.summary()
    text = out.getvalue()
    assert "Total params: 23 " in text
    assert "Trainable params: 8 " in text
    assert "Non-trainable params: 15 " in text


@pytest.mark.parametrize("when", ["before compile", "after compile", "after a fit"])
def test_fit_leaves_a_frozen_layer_alone(when):
    model = two_dense("adam")
    a, b = model.layers
    if when == "before compile":
        a.trainable = False
        model.compile(optimizer="adam", loss="mse")
    elif when == "after compile":
        a.trainable = False
    else:
        model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
        a.trainable = False
    before_a, before_b = snapshot(a), snapshot(b)
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    assert changed(before_a, a) == [False, False]
    assert changed(before_b, b) == [True, True]


def test_unfreezing_after_the_optimizer_took_its_weights_needs_compile_again():
    model = two_dense()
    a = model.layers[0]
    a.trainable = False
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    a.trainable = True
    with pytest.raises(ValueError, match=r"a.kernel, a.bias became trainable.*compile"):
        model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    model.compile(optimizer="sgd", loss="mse")
    before = snapshot(a)
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    assert changed(before, a) == [True, True]


def test_a_frozen_model_freezes_every_layer_and_a_layer_cannot_escape_it():
    model = two_dense()
    model.trainable = False
    assert [layer.trainable for layer in model.layers] == [False, False]
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4
    model.layers[1].trainable = True  # Keras: the frozen model still trains nothing
    assert model.trainable_weights == []
    model.trainable = True
    assert len(model.trainable_weights) == 4


def test_a_frozen_batch_normalization_runs_in_inference_mode_inside_fit():
    manual_seed(0)
    norm = nn.BatchNormalization(input_shape=(4,))
    model = nn.Sequential([norm, nn.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    norm.trainable = False
    moving = [norm.moving_mean.data.copy(), norm.moving_variance.data.copy()]
    x = X * 5 + 3
    inference = norm(x).data
    np.testing.assert_array_equal(norm(x, training=True).data, inference)
    model.fit(x, Y, epochs=1, batch_size=8, verbose=0)
    np.testing.assert_array_equal(norm.moving_mean.data, moving[0])
    np.testing.assert_array_equal(norm.moving_variance.data, moving[1])
    norm.trainable = True  # unfrozen, its training mode uses the batch's statistics again
    assert not np.array_equal(norm(x, training=True).data, inference)
    assert not norm.moving_mean.requires_grad  # non-trainable weights stay non-trainable


def test_a_layer_frozen_before_it_is_built_makes_frozen_weights():
    layer = nn.Dense(3)
    layer.trainable = False
    layer.build((None, 4))
    assert layer.trainable_weights == [] and names(layer.non_trainable_weights) == [
        "dense.kernel",
        "dense.bias",
    ]
    assert layer.parameters() == [layer.kernel, layer.bias]  # still the layer's parameters


def test_requires_grad_turned_off_by_hand_does_not_crash_the_optimizer():
    model = two_dense("adam")
    a, b = model.layers
    a.kernel.requires_grad = False
    before = snapshot(a)
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    assert changed(before, a) == [False, True]  # the kernel is left alone, the bias trains
    # by hand, PyTorch style: the frozen tensor is accepted and skipped
    optimizer = optimizers.SGD(model.parameters(), learning_rate=0.1)
    before = snapshot(a)
    optimizer.zero_grad()
    model.loss(Y, model(X, training=True)).backward()
    optimizer.step()
    assert changed(before, a) == [False, True]
    assert optimizers.SGD([Tensor(np.ones(2))]).params[0].requires_grad is False


def test_trainable_must_be_a_bool():
    with pytest.raises(TypeError, match=r"Dense 'dense': trainable must be True or False"):
        nn.Dense(3).trainable = "no"


def test_a_frozen_layer_stays_frozen_through_a_model_file(tmp_path):
    model = two_dense("adam")
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    model.layers[0].trainable = False
    assert model.layers[0].get_config()["trainable"] is False
    assert "trainable" not in model.layers[1].get_config()
    model.save(tmp_path / "model.zip")
    loaded = nn.load_model(tmp_path / "model.zip")
    assert [layer.trainable for layer in loaded.layers] == [False, True]
    assert names(loaded.non_trainable_weights) == ["a.kernel", "a.bias"]
    before = snapshot(loaded.layers[0])
    loaded.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    assert changed(before, loaded.layers[0]) == [False, False]


def test_a_frozen_model_stays_frozen_through_a_model_file(tmp_path):
    model = two_dense()
    model.trainable = False
    model.save(tmp_path / "model.zip")
    loaded = nn.load_model(tmp_path / "model.zip")
    assert loaded.trainable is False and loaded.trainable_weights == []
