"""The random image layers against real Keras 3 (stored golden outputs), and in training.

tests/fixtures/augmentation_golden.npz was made by tests/fixtures/make_augmentation_golden.py
with Keras 3 on JAX; each case pins the random draw (a factor (a, a), or the choice
handed to `transform_images`), so the outputs must agree exactly up to rounding.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

from tinygrad_edu import Tensor, keras, manual_seed, nn
from tinygrad_edu.nn import augmentation
from tinygrad_edu.resampling import affine_transform
from tinygrad_edu.testing import gradcheck

GOLDEN = np.load(pathlib.Path(__file__).parents[1] / "fixtures" / "augmentation_golden.npz")
CASES = sorted({key.split("/")[0] for key in GOLDEN.files})


def golden_layer(case):
    arguments = json.loads(str(GOLDEN[f"{case}/arguments"]))
    return getattr(nn, str(GOLDEN[f"{case}/layer"]))(**arguments, dtype="float64")


def run(layer, case, x):
    if f"{case}/transformation" in GOLDEN.files:  # the choice Keras was given
        return layer.transform_images(x, GOLDEN[f"{case}/transformation"])
    return layer(x, training=True)


@pytest.mark.parametrize("case", CASES)
def test_outputs_and_gradients_match_keras(case):
    layer = golden_layer(case)
    x = Tensor(GOLDEN[f"{case}/x"], requires_grad=True)
    y = run(layer, case, x)
    # Keras builds the sampling coordinates in float32: agreement to ~1e-4 of 255
    np.testing.assert_allclose(y.data, GOLDEN[f"{case}/y"], rtol=0, atol=2e-4)
    if f"{case}/grad_x" in GOLDEN.files:
        (y * GOLDEN[f"{case}/cotangent"]).sum().backward()
        np.testing.assert_allclose(x.grad.data, GOLDEN[f"{case}/grad_x"], rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    "layer",
    [
        nn.RandomFlip(),
        nn.RandomRotation(0.2),
        nn.RandomZoom(0.3),
        nn.RandomTranslation(0.2, 0.2),
        nn.RandomContrast(0.5),
        nn.RandomBrightness(0.3),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_identity_outside_training_and_random_inside(layer):
    x = np.random.default_rng(0).uniform(0, 255, size=(4, 6, 5, 3)).astype(np.float32)
    assert np.array_equal(layer(x).data, x)  # a direct call is inference
    assert np.array_equal(layer(x, training=False).data, x)
    manual_seed(3)
    changed = layer(x, training=True).data
    assert changed.shape == x.shape and changed.dtype == np.float32
    assert not np.array_equal(changed, x)
    one = layer(x[0], training=True)  # a single image (height, width, channels)
    assert one.shape == x[0].shape


def test_a_seed_repeats_the_draws_and_none_follows_manual_seed():
    x = np.random.default_rng(1).normal(size=(3, 5, 5, 1))
    first = nn.RandomRotation(0.3, seed=7)(x, training=True).data
    again = nn.RandomRotation(0.3, seed=7)(x, training=True).data
    assert np.array_equal(first, again)
    manual_seed(5)
    a = nn.RandomZoom(0.3)(x, training=True).data
    manual_seed(5)
    b = nn.RandomZoom(0.3)(x, training=True).data
    assert np.array_equal(a, b)


def test_factors_read_as_keras_reads_them():
    assert nn.RandomRotation(0.1).factor_range == (-0.1, 0.1)
    assert nn.RandomRotation((0.3, -0.2)).factor_range == (-0.2, 0.3)
    assert nn.RandomContrast(0.2).factor_range == (0.0, 0.2)  # Keras 3: contrast in [1, 1.2]
    assert nn.RandomBrightness(0.2).factor_range == (-0.2, 0.2)
    assert nn.RandomZoom(0.5).width_range is None
    with pytest.raises(ValueError, match=r"RandomZoom: height_factor .*\(-1.0, 1.0\]"):
        nn.RandomZoom(-1.0)
    with pytest.raises(ValueError, match="RandomContrast: factor"):
        nn.RandomContrast(-0.1)
    with pytest.raises(ValueError, match="RandomFlip: mode must be one of"):
        nn.RandomFlip("diagonal")
    with pytest.raises(ValueError, match="RandomRotation: fill_mode must be one of"):
        nn.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="RandomBrightness: value_range"):
        nn.RandomBrightness(0.1, value_range=255)
    with pytest.raises(ValueError, match=r"RandomFlip 'random_flip.*': expects images"):
        nn.RandomFlip(name="random_flip_2d")(np.zeros((2, 3)), training=True)


def test_the_affine_warp_is_differentiable_twice():
    rng = np.random.default_rng(2)
    transforms = augmentation.rotation_transforms(np.array([0.4, -1.1]), 4, 3)
    for fill_mode in ("reflect", "constant"):
        x = Tensor(rng.normal(size=(2, 4, 3, 2)), requires_grad=True)
        assert gradcheck(
            lambda t, m=fill_mode: affine_transform(t, transforms, fill_mode=m) ** 2, x
        )


def test_augmentation_in_front_of_a_convnet_trains_and_predict_is_deterministic(tmp_path):
    manual_seed(0)
    data_augmentation = keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomRotation(0.1),
            keras.layers.RandomZoom(0.2),
        ]
    )
    inputs = keras.Input(shape=(8, 8, 1))
    x = data_augmentation(inputs)
    x = keras.layers.Rescaling(1.0 / 255)(x)
    x = keras.layers.Conv2D(4, 3, activation="relu")(x)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    images = np.random.default_rng(0).uniform(0, 255, size=(16, 8, 8, 1)).astype(np.float32)
    labels = (images[:, :, :4].mean(axis=(1, 2, 3)) > images.mean(axis=(1, 2, 3))).astype("f4")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(images, labels, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    first = model.predict(images, verbose=0)
    assert np.array_equal(first, model.predict(images, verbose=0))  # no augmentation
    model.save(tmp_path / "augmented.zip")
    loaded = keras.models.load_model(tmp_path / "augmented.zip")
    assert np.array_equal(loaded.predict(images, verbose=0), first)


def test_the_keras_namespace_has_them():
    for name in (
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomContrast",
        "RandomBrightness",
    ):
        assert getattr(keras.layers, name) is getattr(nn, name)


def test_a_keras_file_with_the_augmentation_layers_loads_and_predicts_alike(tmp_path):
    folder = pathlib.Path(__file__).parents[1] / "fixtures" / "keras"
    model = keras.models.load_model(folder / "augmented_convnet.keras")
    expected = np.load(folder / "augmented_convnet.npz")
    assert [type(layer).__name__ for layer in model.layers[:6]] == [
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomContrast",
        "RandomBrightness",
    ]
    assert model.layers[4].factor_range == (0.0, 0.2)  # Keras wrote its own reading
    np.testing.assert_allclose(model.predict(expected["x"], verbose=0), expected["y"], rtol=1e-5)
    model.save(tmp_path / "again.keras")  # and back to Keras's format
    again = keras.models.load_model(tmp_path / "again.keras")
    assert again.layers[1].get_config()["factor"] == [-0.1, 0.1]
    assert again.layers[2].get_config()["fill_mode"] == "reflect"
    np.testing.assert_array_equal(
        again.predict(expected["x"], verbose=0), model.predict(expected["x"], verbose=0)
    )
