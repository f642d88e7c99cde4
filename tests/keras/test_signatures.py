"""Keras's signatures that course code relies on: positional learning rates, custom loops,
layer weights, one-batch calls, sample and class weights, JSON, variable-length inputs."""

import numpy as np
import pytest

import tinygrad_edu.keras as keras
from tinygrad_edu import Tensor, manual_seed
from tinygrad_edu.keras import layers


def small_classifier():
    manual_seed(0)
    model = keras.Sequential(
        [layers.Dense(8, activation="relu", input_dim=4), layers.Dense(3, activation="softmax")]
    )
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", ["accuracy"])
    return model


def data(samples=60, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((samples, 4)).astype(np.float32), rng.integers(0, 3, samples)


def test_the_learning_rate_comes_first_as_a_number_or_a_schedule():
    assert keras.optimizers.RMSprop(1e-3).learning_rate == 1e-3
    assert keras.optimizers.SGD(0.5, momentum=0.9).momentum == 0.9
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    adam = keras.optimizers.Adam(schedule)
    assert adam.learning_rate is schedule and float(adam.learning_rate) == pytest.approx(0.1)
    adam.iterations = 10
    assert float(adam.learning_rate) == pytest.approx(0.05)  # the rate of the next step
    assert float(keras.optimizers.Adam(0.25).learning_rate) == 0.25


def test_apply_gradients_and_apply_update_the_weights_given():
    weight = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    optimizer = keras.optimizers.SGD(0.5)
    optimizer.apply_gradients(zip([np.array([1.0, -1.0])], [weight]))
    np.testing.assert_allclose(weight.data, [0.5, 2.5])
    optimizer.apply([Tensor(np.array([1.0, 1.0]))], [weight])
    np.testing.assert_allclose(weight.data, [0.0, 2.0])
    assert optimizer.iterations == 2 and weight.grad is None  # .grad is not used
    with pytest.raises(ValueError, match="2 gradients for 1 weights"):
        optimizer.apply([np.ones(2), np.ones(2)], [weight])
    with pytest.raises(ValueError, match=r"shape \(3,\), the weight \(2,\)"):
        optimizer.apply([np.ones(3)], [weight])


def test_a_custom_training_loop_with_backward_and_apply_gradients():
    model, (x, y) = small_classifier(), data()
    optimizer = keras.optimizers.Adam(0.05)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    first = None
    for _ in range(30):
        loss = loss_fn(y, model(x, training=True))
        model.zero_grad()
        loss.backward()
        grads = [weight.grad for weight in model.trainable_weights]
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        first = loss.item() if first is None else first
    assert loss.item() < first


def test_layer_weights_in_keras_order():
    dense = layers.Dense(3, input_dim=4)
    kernel, bias = dense.get_weights()
    assert kernel.shape == (4, 3) and bias.shape == (3,)
    dense.set_weights([np.ones((4, 3)), np.arange(3.0)])
    np.testing.assert_allclose(dense(np.ones((1, 4))).data, [[4.0, 5.0, 6.0]])
    norm = layers.BatchNormalization()
    norm.build((None, 2))
    assert [w.shape for w in norm.get_weights()] == [(2,)] * 4
    with pytest.raises(ValueError, match="not built yet"):
        layers.Dense(2).get_weights()
    with pytest.raises(ValueError):
        dense.set_weights([np.ones((4, 3))])
    with pytest.raises(ValueError, match="not both"):
        layers.Dense(2, input_dim=3, input_shape=(3,))


def test_train_test_and_predict_on_batch():
    model, (x, y) = small_classifier(), data()
    before = model.test_on_batch(x, y)
    for _ in range(20):
        logs = model.train_on_batch(x, y, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    assert model.test_on_batch(x, y)[0] < before[0]
    predictions = model.predict_on_batch(x[:5])
    assert predictions.shape == (5, 3) and isinstance(predictions, np.ndarray)


def test_sample_weight_and_class_weight_weight_the_loss_as_keras_does():
    model, (x, y) = small_classifier(), data(12)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    probabilities = model.predict(x, verbose=0)
    per_sample = [loss_fn(y[i : i + 1], Tensor(probabilities[i : i + 1])).item() for i in range(12)]
    weights = np.linspace(0.0, 2.0, 12)
    expected = float(np.sum(weights * per_sample) / 12)  # Keras: sum(w * loss) / batch size
    result = model.evaluate(x, y, sample_weight=weights, batch_size=12, verbose=0)
    assert result[0] == pytest.approx(expected, rel=1e-5)
    assert result[1] == model.evaluate(x, y, verbose=0)[1]  # metrics are not weighted
    class_weight = {0: 1.0, 1: 3.0, 2: 0.0}
    by_class = np.array([class_weight[label] for label in y])
    logs = model.train_on_batch(x, y, class_weight=class_weight, return_dict=True)
    assert logs["loss"] == pytest.approx(float(np.sum(by_class * per_sample) / 12), rel=1e-5)
    history = model.fit(x, y, epochs=2, sample_weight=weights, class_weight=class_weight,
                        validation_split=0.25, verbose=0)  # fmt: skip
    assert len(history.history["loss"]) == 2
    with pytest.raises(ValueError, match="no weight for class 2"):
        model.fit(x, y, class_weight={0: 1.0, 1: 1.0}, verbose=0)


def test_to_json_and_model_from_json_rebuild_the_architecture():
    model = small_classifier()
    text = model.to_json()
    again = keras.models.model_from_json(text)
    assert again.count_params() == model.count_params()
    assert [type(layer) for layer in again.layers] == [type(layer) for layer in model.layers]
    inputs = keras.Input(shape=(3,), name="features")
    functional = keras.Model(inputs, layers.Dense(2, name="head")(inputs))
    rebuilt = keras.models.model_from_json(functional.to_json(indent=2))
    assert rebuilt.get_layer("head").get_weights()[0].shape == (3, 2)
    with pytest.raises(ValueError, match="not a JSON string"):
        keras.models.model_from_json("{nope")


def test_none_axes_in_input_shapes_where_the_layer_allows_it():
    model = keras.Sequential([keras.Input(shape=(None, 3)), layers.Dense(2)])
    assert model.output_shape == (None, None, 2)
    assert model.predict(np.ones((2, 7, 3)), verbose=0).shape == (2, 7, 2)
    assert layers.Dense(2, input_shape=(None, 3)).input_shape == (None, None, 3)
    with pytest.raises(ValueError, match=r"Dense 'dense_1' cannot take .*variable-size axis"):
        keras.Sequential([keras.Input(shape=(None, 3)), layers.Flatten(), layers.Dense(2)])
