"""The round trip through real Keras 3 (marker keras, off by default; `.ci/run` runs it).

It needs a Python with Keras 3, a backend and h5py, named by TINYGRAD_EDU_KERAS_PYTHON
(`.ci/run` makes one: a venv with `pip install keras jax h5py`). Models of every layer
Keras files hold are saved here and opened there; Keras's own files are written
afresh there and opened here; and the book's convnet, trained by
examples/mnist_convnet.py, evaluates to the same accuracy in Keras.
"""

import os
import subprocess

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import keras_format

pytestmark = pytest.mark.keras
FIXTURES = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "keras")


def keras_python():
    python = os.environ.get("TINYGRAD_EDU_KERAS_PYTHON")
    if not python:
        pytest.fail(
            "TINYGRAD_EDU_KERAS_PYTHON is not set: point it at a Python with Keras 3, jax and "
            "h5py (python -m venv kvenv && kvenv/bin/pip install keras jax h5py), as .ci/run does"
        )
    return python


def run_in_keras(script, *arguments):
    environment = {**os.environ, "KERAS_BACKEND": "jax"}
    result = subprocess.run(
        [keras_python(), os.path.join(FIXTURES, script), *map(str, arguments)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert result.returncode == 0, f"{script} failed in Keras:\n{result.stderr[-3000:]}"
    return result.stdout


def every_layer_model():
    """(name, model, x): together they use every layer class Keras files hold here."""
    rng = np.random.default_rng(0)
    image = rng.random((3, 8, 8, 2)).astype("float32")
    series = rng.random((3, 10, 3)).astype("float32")
    yield (
        "dense",
        nn.Sequential([nn.Input((5,)), nn.Dense(4, "relu"), nn.Dense(2)]),
        image[:, 0, :5, 0],
    )
    yield (
        "conv",
        nn.Sequential(
            [
                nn.Input((8, 8, 2)),
                nn.Conv2D(3, 3, strides=2, padding="same"),
                nn.AveragePooling2D(),
                nn.Conv2DTranspose(2, 3, strides=2),
                nn.DepthwiseConv2D(3, depth_multiplier=2),
                nn.SeparableConv2D(2, 3),
                nn.GlobalMaxPooling2D(),
            ]
        ),
        image,
    )
    yield (
        "resize",
        nn.Sequential(
            [
                nn.Input((8, 8, 2)),
                nn.ZeroPadding2D(1),
                nn.Cropping2D(((1, 0), (0, 1))),
                nn.UpSampling2D(2),
                nn.MaxPooling2D(3),
                nn.BatchNormalization(momentum=0.9),
                nn.GlobalAveragePooling2D(),
            ]
        ),
        image,
    )
    yield (
        "series",
        nn.Sequential(
            [
                nn.Input((10, 3)),
                nn.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu"),
                nn.MaxPooling1D(),
                nn.UpSampling1D(2),
                nn.ZeroPadding1D(1),
                nn.Cropping1D(1),
                nn.AveragePooling1D(2),
                nn.LayerNormalization(),
                nn.SimpleRNN(3, return_sequences=True),
                nn.LSTM(3, return_sequences=True),
                nn.GRU(2, return_sequences=True),
                nn.GlobalAveragePooling1D(),
            ]
        ),
        series,
    )
    yield (
        "text",
        nn.Sequential(
            [
                nn.Input((7,), dtype="int64"),
                nn.Embedding(20, 4),
                nn.GlobalMaxPooling1D(),
                nn.Reshape((2, 2)),
                nn.Flatten(),
                nn.Dropout(0.2),
                nn.Activation("tanh"),
                nn.Dense(3),
                nn.Softmax(),
            ]
        ),
        rng.integers(0, 20, (3, 7)),
    )


def nested_layer_models():
    """(name, model, x): Bidirectional, TimeDistributed, a nested Sequential, Normalization."""
    from tests.nn.test_keras_files import nested_models

    for name, (model, x) in zip(("wrappers", "normalization"), nested_models()):
        yield name, model, x


def test_models_saved_here_open_in_keras_with_the_same_predictions(tmp_path):
    tg.manual_seed(0)
    ours = {}
    for name, model, x in [*every_layer_model(), *nested_layer_models()]:
        model.compile(optimizer=nn.optimizers.Adam(0.01), loss="mse")
        y = np.zeros((len(x), *model.output_shape[1:]), "float32")
        model.fit(x, y, epochs=1, batch_size=2, verbose=0)  # so the optimizer has state
        model.save(tmp_path / f"{name}.keras")
        np.save(tmp_path / f"{name}_x.npy", x)
        ours[name] = (model.predict(x, verbose=0), model.optimizer.iterations)
    run_in_keras("predict_in_keras.py", tmp_path)
    for name, (predictions, iterations) in ours.items():
        theirs = np.load(tmp_path / f"{name}_keras.npz")
        np.testing.assert_allclose(theirs["y"], predictions, atol=1e-6, err_msg=name)
        assert int(theirs["iterations"]) == iterations == 2, name


def functional_models():
    """(name, model, inputs): functional models, branchy and plain, saved here for Keras."""
    from tests.nn.test_keras_files import branchy_model

    rng = np.random.default_rng(1)
    yield "branchy", branchy_model(), [rng.random((3, 4)), rng.random((3, 3))]
    inputs = nn.Input((6, 6, 2))
    x = nn.Conv2D(3, 3, padding="same", activation="relu")(inputs)
    shortcut = x
    x = nn.Conv2D(3, 3, padding="same")(x)
    x = nn.Add()([x, shortcut])
    outputs = nn.Dense(2)(nn.GlobalAveragePooling2D()(x))
    yield "residual", nn.Model(inputs, outputs), rng.random((3, 6, 6, 2))
    from tests.nn.test_keras_files import nested_models

    model, x = list(nested_models())[2]
    yield "attention", model, x
    from tinygrad_edu.keras import ops

    inputs = nn.Input((3,))
    hidden = nn.Dense(3, activation="tanh")(inputs)
    joined = ops.concatenate([(hidden + inputs) * 2.0, hidden], axis=-1)
    yield "ops", nn.Model(inputs, nn.Dense(1)(1.0 - joined)), rng.random((3, 3))
    # a file Keras wrote, read here and written again (Keras -> here -> Keras)
    golden = np.load(os.path.join(FIXTURES, "functional_branchy.npz"))
    reloaded = nn.load_model(os.path.join(FIXTURES, "functional_branchy.keras"))
    yield "reloaded", reloaded, [golden["x0"][:3], golden["x1"][:3]]


def test_functional_models_saved_here_open_in_keras_with_the_same_predictions(tmp_path):
    tg.manual_seed(0)
    ours = {}
    for name, model, x in functional_models():
        outputs = model.outputs
        y = [
            np.zeros((len(x[0]) if isinstance(x, list) else len(x), *t.shape[1:])) for t in outputs
        ]
        model.compile(
            optimizer=nn.optimizers.Adam(0.01), loss=["mse"] * len(y) if len(y) > 1 else "mse"
        )
        model.fit(x, y if len(y) > 1 else y[0], epochs=1, batch_size=2, verbose=0)
        model.save(tmp_path / f"{name}.keras")
        for index, value in enumerate(x if isinstance(x, list) else []):
            np.save(tmp_path / f"{name}_x{index}.npy", value.astype("float32"))
        if not isinstance(x, list):
            np.save(tmp_path / f"{name}_x.npy", x.astype("float32"))
        predictions = model.predict(x, verbose=0)
        ours[name] = (predictions if isinstance(predictions, list) else [predictions], 2)
    run_in_keras("predict_in_keras.py", tmp_path)
    for name, (predictions, iterations) in ours.items():
        theirs = np.load(tmp_path / f"{name}_keras.npz")
        keys = ["y"] if "y" in theirs else [f"y{i}" for i in range(len(predictions))]
        for key, mine in zip(keys, predictions):
            np.testing.assert_allclose(theirs[key], mine, atol=1e-6, err_msg=name)
        assert int(theirs["iterations"]) == iterations, name


def test_files_keras_writes_today_open_here(tmp_path):
    # make_keras_files.py writes the golden files; run afresh, into a temporary copy,
    # it checks that the committed files still match what the installed Keras writes.
    import shutil

    script = tmp_path / "make_keras_files.py"
    shutil.copy(os.path.join(FIXTURES, "make_keras_files.py"), script)
    environment = {**os.environ, "KERAS_BACKEND": "jax"}
    subprocess.run([keras_python(), str(script)], check=True, env=environment, timeout=600)
    for npz in sorted(tmp_path.glob("*.npz")):
        name = npz.stem
        if name.startswith("functional_"):
            continue  # checked below
        expected = np.load(npz)
        model = nn.load_model(tmp_path / f"{name}.keras")
        np.testing.assert_allclose(
            model.predict(expected["x"], verbose=0), expected["y"], atol=1e-6, err_msg=name
        )
        model.train_on_batch(expected["xb"], expected["yb"])
        for index, array in enumerate(keras_format.keras_arrays(model)):
            np.testing.assert_allclose(array, expected[f"after_{index}"], atol=1e-6)
    for npz in sorted(tmp_path.glob("functional_*.npz")):
        expected = np.load(npz)
        model = nn.load_model(tmp_path / f"{npz.stem}.keras")
        x = [expected[key] for key in sorted(expected) if key[0] == "x" and key[1:].isdigit()]
        y = [expected[f"y{i}"] for i in range(len(model.outputs))]
        predictions = model.predict(x, verbose=0)
        predictions = predictions if isinstance(predictions, list) else [predictions]
        for mine, theirs in zip(predictions, y, strict=True):
            np.testing.assert_allclose(mine, theirs, atol=1e-6, err_msg=npz.stem)
        batch = [expected[f"yb{i}"] for i in range(len(y))]
        model.train_on_batch([v[:8] for v in x], batch if len(batch) > 1 else batch[0])
        for index, array in enumerate(keras_format.keras_arrays(model)):
            np.testing.assert_allclose(array, expected[f"after_{index}"], atol=1e-6)


def test_the_books_convnet_trained_here_evaluates_the_same_in_keras(tmp_path):
    from tests.examples.test_examples import load_example

    data_dir = os.environ.get("TINYGRAD_EDU_DATA")
    if not data_dir:
        pytest.fail("TINYGRAD_EDU_DATA is not set: this test trains on real MNIST")
    example = load_example("mnist_convnet")
    path = tmp_path / "convnet.keras"
    arguments = ["--epochs", "1", "--train-size", "3000", "--test-size", "1000"]
    result = example.main([*arguments, "--save", str(path)])
    (_, _), (x_test, y_test) = example.load_mnist(None)
    np.save(tmp_path / "convnet_x.npy", x_test[:1000])
    run_in_keras("predict_in_keras.py", tmp_path)
    keras_predictions = np.load(tmp_path / "convnet_keras.npz")["y"]
    keras_accuracy = float(np.mean(keras_predictions.argmax(axis=1) == y_test[:1000]))
    assert keras_accuracy == result["test_accuracy"] > 0.8
