"""Whole-model files: Model.save / load_model round trips, get_config / from_config, errors."""

import inspect
import json
import os
import zipfile

import numpy as np
import pytest

from tinygrad_edu import manual_seed, nn
from tinygrad_edu.nn import (
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    saving,
    schedules,
)
from tinygrad_edu.nn.callbacks import ModelCheckpoint
from tinygrad_edu.nn.input_layer import Input, InputLayer
from tinygrad_edu.nn.models import load_model

# One small model per layer type: (layers, input shape without the batch axis).
# Every Layer class in nn must have an entry (see the test below), so a new layer
# type is round-tripped as soon as it is added.
LAYER_EXAMPLES = {
    "Dense": (
        lambda: [
            nn.Dense(
                5,
                activation="tanh",
                use_bias=False,
                kernel_initializer=initializers.RandomNormal(stddev=0.3, seed=1),
            ),
            nn.Dense(3, activation="softmax", bias_initializer="ones"),
        ],
        (4,),
    ),
    "Flatten": (lambda: [nn.Flatten(), nn.Dense(3, activation="softmax")], (2, 3)),
    "Softmax": (lambda: [nn.Dense(3), nn.Softmax()], (4,)),
    "ReLU": (lambda: [nn.Dense(3), nn.ReLU(max_value=1.0, negative_slope=0.1)], (4,)),
    "LeakyReLU": (lambda: [nn.Dense(3), nn.LeakyReLU(0.2)], (4,)),
    "ELU": (lambda: [nn.Dense(3), nn.ELU(0.5)], (4,)),
    "PReLU": (lambda: [nn.Dense(3), nn.PReLU(alpha_initializer="ones")], (4,)),
    "Identity": (lambda: [nn.Identity(), nn.Dense(3)], (4,)),
    "Rescaling": (lambda: [nn.Rescaling(0.5, offset=1.0), nn.Dense(3)], (4,)),
    "Lambda": (lambda: [nn.Dense(3), nn.Lambda(nn.activations.tanh)], (4,)),
    "Normalization": (lambda: [nn.Normalization(mean=0.5, variance=2.0), nn.Dense(3)], (4,)),
    "ActivityRegularization": (
        lambda: [nn.Dense(4), nn.ActivityRegularization(l1=0.01, l2=0.1), nn.Dense(3)],
        (4,),
    ),
    # The random image layers act in fit only; after loading, predict passes images through.
    "RandomFlip": (
        lambda: [nn.RandomFlip("horizontal", seed=1), nn.Flatten(), nn.Dense(3)],
        (4, 4, 1),
    ),
    "RandomRotation": (
        lambda: [nn.RandomRotation(0.2, fill_mode="constant"), nn.Flatten(), nn.Dense(3)],
        (4, 4, 1),
    ),
    "RandomZoom": (lambda: [nn.RandomZoom(0.2, 0.1), nn.Flatten(), nn.Dense(3)], (4, 4, 1)),
    "RandomTranslation": (
        lambda: [nn.RandomTranslation(0.2, 0.1, fill_mode="wrap"), nn.Flatten(), nn.Dense(3)],
        (4, 4, 1),
    ),
    "RandomContrast": (
        lambda: [nn.RandomContrast(0.3, value_range=(-5, 5)), nn.Flatten(), nn.Dense(3)],
        (4, 4, 1),
    ),
    "RandomBrightness": (
        lambda: [nn.RandomBrightness(0.3, value_range=(-5, 5)), nn.Flatten(), nn.Dense(3)],
        (4, 4, 1),
    ),
    "Dropout": (
        lambda: [
            nn.Dense(6, activation="relu"),
            nn.Dropout(0.5),
            nn.Dense(3, activation="softmax"),
        ],
        (4,),
    ),
    "Activation": (lambda: [nn.Dense(3), nn.Activation("sigmoid")], (4,)),
    "InputLayer": (lambda: [Input(shape=(4,)), nn.Dense(3, activation="elu")], (4,)),
    "Conv2D": (
        lambda: [
            nn.Conv2D(2, 3, strides=2, padding="same", activation="relu"),
            nn.Flatten(),
            nn.Dense(3, activation="softmax"),
        ],
        (5, 5, 1),
    ),
    "MaxPooling2D": (
        lambda: [nn.MaxPooling2D(2, padding="same"), nn.Flatten(), nn.Dense(3, "softmax")],
        (5, 5, 2),
    ),
    "AveragePooling2D": (
        lambda: [nn.AveragePooling2D((2, 1), strides=1), nn.Flatten(), nn.Dense(3, "softmax")],
        (4, 4, 2),
    ),
    "GlobalAveragePooling2D": (
        lambda: [nn.GlobalAveragePooling2D(), nn.Dense(3, "softmax")],
        (4, 4, 2),
    ),
    "Conv1D": (
        lambda: [
            nn.Conv1D(4, 3, padding="causal", dilation_rate=2, groups=2, activation="relu"),
            nn.GlobalMaxPooling1D(),
            nn.Dense(3, "softmax"),
        ],
        (6, 2),
    ),
    "Conv2DTranspose": (
        lambda: [
            nn.Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=1),
            nn.Flatten(),
            nn.Dense(3, "softmax"),
        ],
        (2, 3, 2),
    ),
    "DepthwiseConv2D": (
        lambda: [nn.DepthwiseConv2D(2, depth_multiplier=2), nn.Flatten(), nn.Dense(3, "softmax")],
        (3, 3, 2),
    ),
    "SeparableConv2D": (
        lambda: [
            nn.SeparableConv2D(3, 2, padding="same", depth_multiplier=2),
            nn.GlobalMaxPooling2D(),
            nn.Dense(3, "softmax"),
        ],
        (3, 3, 2),
    ),
    "MaxPooling1D": (
        lambda: [
            nn.MaxPooling1D(3, strides=2, padding="same"),
            nn.Flatten(),
            nn.Dense(3, "softmax"),
        ],
        (5, 2),
    ),
    "AveragePooling1D": (
        lambda: [nn.AveragePooling1D(2), nn.GlobalAveragePooling1D(), nn.Dense(3, "softmax")],
        (5, 2),
    ),
    "GlobalAveragePooling1D": (
        lambda: [nn.GlobalAveragePooling1D(keepdims=True), nn.Flatten(), nn.Dense(3, "softmax")],
        (4, 2),
    ),
    "GlobalMaxPooling1D": (lambda: [nn.GlobalMaxPooling1D(), nn.Dense(3, "softmax")], (4, 2)),
    "GlobalMaxPooling2D": (lambda: [nn.GlobalMaxPooling2D(), nn.Dense(3, "softmax")], (3, 3, 2)),
    "ZeroPadding2D": (
        lambda: [nn.ZeroPadding2D(((1, 0), (2, 1))), nn.Flatten(), nn.Dense(3, "softmax")],
        (2, 2, 1),
    ),
    "ZeroPadding1D": (
        lambda: [nn.ZeroPadding1D((2, 1)), nn.Flatten(), nn.Dense(3, "softmax")],
        (3, 2),
    ),
    "Cropping2D": (
        lambda: [nn.Cropping2D(((1, 0), (0, 1))), nn.Flatten(), nn.Dense(3, "softmax")],
        (3, 3, 1),
    ),
    "Cropping1D": (lambda: [nn.Cropping1D(1), nn.Flatten(), nn.Dense(3, "softmax")], (4, 2)),
    "UpSampling2D": (
        lambda: [
            nn.UpSampling2D((2, 1), interpolation="bilinear"),
            nn.Flatten(),
            nn.Dense(3, "softmax"),
        ],
        (2, 2, 1),
    ),
    "UpSampling1D": (lambda: [nn.UpSampling1D(3), nn.Flatten(), nn.Dense(3, "softmax")], (2, 2)),
    "Reshape": (lambda: [nn.Reshape((2, -1)), nn.Flatten(), nn.Dense(3, "softmax")], (6,)),
    "BatchNormalization": (
        # trained, so the moving statistics (non-trainable weights) are no longer 0 and 1
        lambda: [nn.Dense(4), nn.BatchNormalization(momentum=0.5), nn.Dense(3, "softmax")],
        (4,),
    ),
    # Sequence layers (issue 22): token ids in, so these carry a third entry making x.
    "Embedding": (
        lambda: [nn.Embedding(10, 4, mask_zero=True), nn.LSTM(3), nn.Dense(3, "softmax")],
        (5,),
        lambda shape: token_ids(shape),
    ),
    "SimpleRNN": (lambda: [nn.SimpleRNN(4, go_backwards=True), nn.Dense(3, "softmax")], (5, 2)),
    "LSTM": (
        lambda: [
            nn.LSTM(4, return_sequences=True, unit_forget_bias=False),
            nn.Flatten(),
            nn.Dense(3, "softmax"),
        ],
        (5, 2),
    ),  # fmt: skip
    "GRU": (lambda: [nn.GRU(4, reset_after=False), nn.Dense(3, "softmax")], (5, 2)),
    "Bidirectional": (
        lambda: [nn.Bidirectional(nn.GRU(3), merge_mode="ave"), nn.Dense(3, "softmax")],
        (5, 2),
    ),
    # Cells run inside RNN; the cell (a layer inside a layer) saves with its weights.
    "RNN": (lambda: [nn.RNN(nn.LSTMCell(4), go_backwards=True), nn.Dense(3, "softmax")], (5, 2)),
    "SimpleRNNCell": (lambda: [nn.RNN(nn.SimpleRNNCell(4)), nn.Dense(3, "softmax")], (5, 2)),
    "LSTMCell": (
        lambda: [
            nn.RNN(nn.LSTMCell(3, unit_forget_bias=False), return_sequences=True),
            nn.Flatten(),
            nn.Dense(3, "softmax"),
        ],
        (5, 2),
    ),
    "GRUCell": (
        lambda: [nn.RNN(nn.GRUCell(3, reset_after=False)), nn.Dense(3, "softmax")],
        (5, 2),
    ),
    "StackedRNNCells": (
        lambda: [nn.RNN([nn.SimpleRNNCell(3), nn.GRUCell(2)]), nn.Dense(3, "softmax")],
        (5, 2),
    ),
    "TimeDistributed": (
        lambda: [nn.TimeDistributed(nn.Dense(2, "relu")), nn.Flatten(), nn.Dense(3, "softmax")],
        (5, 2),
    ),
    "LayerNormalization": (
        lambda: [nn.Dense(4), nn.LayerNormalization(epsilon=1e-5), nn.Dense(3, "softmax")],
        (4,),
    ),
    "MultiHeadAttention": (
        lambda: [nn.MultiHeadAttention(2, 3), nn.Flatten(), nn.Dense(3, "softmax")],
        (5, 4),
    ),
}


# Merge layers take several tensors, so they are round-tripped in a functional model.
MERGE_EXAMPLES = {
    "Add": lambda: nn.Add(),
    "Subtract": lambda: nn.Subtract(),
    "Multiply": lambda: nn.Multiply(),
    "Average": lambda: nn.Average(),
    "Maximum": lambda: nn.Maximum(),
    "Minimum": lambda: nn.Minimum(),
    "Concatenate": lambda: nn.Concatenate(axis=-1),
    "Dot": lambda: nn.Dot(axes=1, normalize=True),
}


def token_ids(shape, samples=12, seed=0):
    """Integer token ids (with some 0s, padding) and labels, for the Embedding example."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 10, size=(samples, *shape)), np.arange(samples) % 3


def every_layer_class():
    """Layer classes that nn exports, plus InputLayer."""
    found = {InputLayer}
    for name in nn.__all__:
        value = getattr(nn, name)
        if (
            isinstance(value, type)
            and issubclass(value, layers.Layer)
            and value is not layers.Layer
        ):
            found.add(value)
    return sorted(found, key=lambda cls: cls.__name__)


def compiled(model, optimizer=None, loss="sparse_categorical_crossentropy", metrics_=("accuracy",)):
    model.compile(
        optimizer=optimizer or optimizers.Adam(learning_rate=0.01),
        loss=loss,
        metrics=list(metrics_),
    )
    return model


def sample(shape, classes=3, samples=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(samples, *shape)).astype(np.float32), np.arange(samples) % classes


def assert_same_model(model, loaded, x, y):
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert model.evaluate(x, y, verbose=0) == loaded.evaluate(x, y, verbose=0)
    assert [name for name, _ in model.named_parameters()] == [
        name for name, _ in loaded.named_parameters()
    ]


# ---------------------------------------------------------------- round trips
def test_every_layer_class_has_a_round_trip_example():
    examples = {**LAYER_EXAMPLES, **MERGE_EXAMPLES}
    missing = [cls.__name__ for cls in every_layer_class() if cls.__name__ not in examples]
    assert not missing, f"add a LAYER_EXAMPLES entry for {missing}"


@pytest.mark.parametrize("layer_type", sorted(LAYER_EXAMPLES))
def test_a_model_with_each_layer_type_round_trips(layer_type, tmp_path):
    manual_seed(0)
    make_layers, shape, *make_data = LAYER_EXAMPLES[layer_type]
    model = compiled(nn.Sequential(make_layers()))
    x, y = make_data[0](shape) if make_data else sample(shape)
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    path = tmp_path / "model.zip"
    model.save(path)
    loaded = load_model(path)
    assert type(loaded) is nn.Sequential and loaded.name == model.name
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    assert_same_model(model, loaded, x, y)
    assert repr(loaded.optimizer) == repr(model.optimizer)
    assert loaded.metrics_names == model.metrics_names


@pytest.mark.parametrize("layer_type", sorted(MERGE_EXAMPLES))
def test_a_functional_model_with_each_merge_layer_round_trips(layer_type, tmp_path):
    manual_seed(0)
    left, right = Input(shape=(4,), name="left"), Input(shape=(4,), name="right")
    merged = MERGE_EXAMPLES[layer_type]()([nn.Dense(4)(left), nn.Dense(4, name="r")(right)])
    outputs = nn.Dense(3, activation="softmax")(merged)
    model = compiled(nn.Model([left, right], outputs, name="merged"))
    x, y = sample((4,))
    x = [x, x[::-1] * 2]
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "model.zip")
    loaded = load_model(tmp_path / "model.zip")
    assert type(loaded) is nn.Functional and loaded.name == "merged"
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    assert_same_model(model, loaded, x, y)


def test_the_file_is_one_zip_of_json_and_npz_without_pickle(tmp_path):
    model = compiled(nn.Sequential([nn.Dense(2, input_shape=(3,))]))
    model.save(tmp_path / "m.zip")
    with zipfile.ZipFile(tmp_path / "m.zip") as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.npz"]
        config = json.loads(archive.read("config.json"))
        metadata = json.loads(archive.read("metadata.json"))
    assert metadata["format"] == "tinygrad_edu model" and metadata["version"] == 1
    assert config["class_name"] == "Sequential"
    assert config["build_config"] == {"input_shape": [None, 3]}
    assert config["compile_config"]["loss"]["class_name"] == "SparseCategoricalCrossentropy"
    assert os.listdir(tmp_path) == ["m.zip"]  # no temporary file left behind


def test_loaded_model_trains_on_and_compile_false_leaves_it_uncompiled(tmp_path):
    manual_seed(0)
    model = compiled(nn.Sequential([nn.Dense(3, input_shape=(4,))]), loss="mse", metrics_=["mae"])
    x, _ = sample((4,))
    y = np.ones((12, 3), np.float32)
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")
    history = loaded.fit(x, y, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert set(history.history) == {"loss", "mae"}
    raw = load_model(tmp_path / "m.zip", compile=False)
    assert raw.optimizer is None
    np.testing.assert_array_equal(raw.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize(
    "optimizer", [optimizers.Adam(), optimizers.RMSprop(momentum=0.5), optimizers.SGD(momentum=0.9)]
)
def test_training_goes_on_exactly_where_it_stopped(optimizer, tmp_path):
    manual_seed(0)
    model = nn.Sequential([nn.Dense(4, activation="relu"), nn.Dense(3)])
    model.compile(optimizer=optimizer, loss="mse")
    x, _ = sample((4,))
    y = np.ones((12, 3), np.float32)
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "m.zip")
    with zipfile.ZipFile(tmp_path / "m.zip") as archive:
        assert "optimizer.npz" in archive.namelist()
    loaded = load_model(tmp_path / "m.zip")
    assert loaded.optimizer.iterations == model.optimizer.iterations == 6
    manual_seed(1)
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    manual_seed(1)
    loaded.fit(x, y, epochs=1, batch_size=4, verbose=0)
    for got, want in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_an_uncompiled_model_round_trips(tmp_path):
    model = nn.Sequential([nn.Dense(3, input_shape=(4,))])
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")
    assert loaded.optimizer is None
    x, _ = sample((4,))
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))


def test_schedules_clipping_and_loss_options_survive(tmp_path):
    schedule = schedules.PiecewiseConstantDecay(boundaries=[10], values=[0.1, 0.01])
    model = nn.Sequential([nn.Dense(3, input_shape=(4,))])
    model.compile(
        optimizer=optimizers.SGD(learning_rate=schedule, momentum=0.5, nesterov=True, clipnorm=1),
        loss=losses.CategoricalCrossentropy(from_logits=True),
        metrics=["accuracy", metrics.mean_squared_error],
    )
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")
    assert repr(loaded.optimizer) == repr(model.optimizer)
    assert loaded.optimizer.learning_rate(11) == 0.01
    assert loaded.loss.from_logits is True
    assert loaded.metrics_names == ["loss", "accuracy", "mean_squared_error"]
    x, _ = sample((4,))
    y = np.eye(3, dtype=np.float32)[np.arange(12) % 3]
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


# ---------------------------------------------------------------- your own classes
class Scale(layers.Layer):
    """A custom layer: multiplies by a learnt vector."""

    def __init__(self, start=1.0, **kwargs):
        super().__init__(**kwargs)
        self.start = start

    def build(self, input_shape):
        self.add_weight("scale", (input_shape[-1],), "ones")
        self.scale.data *= self.start
        super().build(input_shape)

    def forward(self, x):
        return x * self.scale


class TwoLayers(nn.Model):
    """A subclassed model whose constructor takes plain values (Keras 3 saves these too)."""

    def __init__(self, hidden=8, classes=3, name=None):
        super().__init__(name=name)
        self.hidden = nn.Dense(hidden, activation="relu")
        self.out = nn.Dense(classes, activation="softmax")

    def call(self, x):
        return self.out(self.hidden(x))


def swish(x):
    return x * x.sigmoid()


def test_a_custom_layer_loads_with_custom_objects_and_the_error_names_it(tmp_path):
    manual_seed(0)
    model = compiled(
        nn.Sequential([nn.Dense(3, input_shape=(4,)), Scale(start=2.0), nn.Activation("softmax")])
    )
    model.save(tmp_path / "m.zip")
    with pytest.raises(ValueError, match=r"'Scale'.*custom_objects=\{'Scale': Scale\}"):
        load_model(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip", custom_objects={"Scale": Scale})
    assert loaded.layers[1].start == 2.0
    x, y = sample((4,))
    assert_same_model(model, loaded, x, y)


def test_a_subclassed_model_round_trips_with_its_arguments(tmp_path):
    manual_seed(0)
    model = compiled(TwoLayers(hidden=5, name="two"))
    x, y = sample((4,))
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.zip")
    with pytest.raises(ValueError, match="'TwoLayers'"):
        load_model(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip", custom_objects={"TwoLayers": TwoLayers})
    assert isinstance(loaded, TwoLayers) and loaded.name == "two"
    assert loaded.hidden.units == 5
    assert_same_model(model, loaded, x, y)


def test_a_custom_activation_function_loads_through_custom_objects(tmp_path):
    model = compiled(nn.Sequential([nn.Dense(3, activation=swish, input_shape=(4,))]))
    model.save(tmp_path / "m.zip")
    with pytest.raises(ValueError, match="function 'swish'"):
        load_model(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip", custom_objects={"swish": swish})
    assert loaded.layers[0].activation is swish


def test_register_serializable_needs_no_custom_objects(tmp_path):
    @saving.register_serializable(package="tests")
    class Doubler(layers.Layer):
        def forward(self, x):
            return x * 2.0

    model = nn.Sequential([nn.Dense(2, input_shape=(3,)), Doubler()])
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")
    assert type(loaded.layers[1]) is Doubler


def test_what_cannot_be_saved_is_named(tmp_path):
    model = nn.Sequential([nn.Dense(2, activation=lambda x: x, input_shape=(3,))])
    with pytest.raises(TypeError, match="lambda"):
        model.save(tmp_path / "m.zip")
    with pytest.raises(ValueError, match=r"end.* in \.keras .*or \.zip.*Keras 2's legacy format"):
        nn.Sequential([nn.Dense(2, input_shape=(3,))]).save(tmp_path / "m.h5")
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- damaged files
@pytest.fixture
def saved(tmp_path):
    model = compiled(nn.Sequential([nn.Dense(3, input_shape=(4,))]))
    path = tmp_path / "m.zip"
    model.save(path)
    return path


def test_a_truncated_file_is_a_clear_error(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a model file written by Model.save.*truncated"):
        load_model(saved)


def test_a_corrupted_file_is_a_clear_error(saved):
    data = bytearray(saved.read_bytes())
    data[60:90] = b"x" * 30  # inside the first member's compressed bytes
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="not a model file written by Model.save"):
        load_model(saved)


def test_files_of_another_kind_are_clear_errors(tmp_path):
    weights = tmp_path / "w.npz"
    model = nn.Sequential([nn.Dense(3, input_shape=(4,))])
    model.save_weights(weights)
    with pytest.raises(ValueError, match="like a weights file from save_weights"):
        load_model(weights)
    text = tmp_path / "notes.zip"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a readable zip archive"):
        load_model(text)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hi")
    with pytest.raises(ValueError, match="lacks config.json, metadata.json, model.weights.npz"):
        load_model(other)
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_model(tmp_path / "missing.zip")


def test_a_newer_format_version_is_refused(saved, tmp_path):
    with zipfile.ZipFile(saved) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["metadata.json"] = json.dumps({"format": "tinygrad_edu model", "version": 9}).encode()
    changed = tmp_path / "v9.zip"
    with zipfile.ZipFile(changed, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="format version 9"):
        load_model(changed)


def test_a_failed_save_leaves_the_old_file_as_it_was(saved, monkeypatch):
    before = saved.read_bytes()

    def broken(self, name, data, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", broken)
    model = nn.Sequential([nn.Dense(7, input_shape=(2,))])
    with pytest.raises(OSError, match="disk full"):
        model.save(saved)
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == [saved.name]


# ---------------------------------------------------------------- ModelCheckpoint
def test_model_checkpoint_saves_whole_models(tmp_path):
    manual_seed(0)
    model = compiled(nn.Sequential([nn.Dense(3, input_shape=(4,))]))
    x, y = sample((4,))
    checkpoint = ModelCheckpoint(str(tmp_path / "epoch-{epoch}.zip"), save_weights_only=False)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[checkpoint])
    assert sorted(os.listdir(tmp_path)) == ["epoch-1.zip", "epoch-2.zip"]
    assert_same_model(model, load_model(tmp_path / "epoch-2.zip"), x, y)


# ---------------------------------------------------------------- get_config / from_config
def classes_in(module, base):
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, base) and value is not base
    ]


@pytest.mark.parametrize(
    "obj",
    [cls() for cls in classes_in(optimizers, optimizers.Optimizer)]
    + [cls() for cls in classes_in(losses, losses.Loss)]
    + [cls(seed=3) for cls in classes_in(initializers, initializers.Initializer)]
    + [
        initializers.VarianceScaling(2.0, "fan_out", "uniform"),
        schedules.ExponentialDecay(0.1, 100, 0.5, staircase=True),
        schedules.PiecewiseConstantDecay([5], [0.1, 0.2]),
        metrics.get("accuracy", loss="binary_crossentropy"),
        metrics.get("mae"),
        optimizers.RMSprop(learning_rate=0.1, rho=0.8, momentum=0.1, clipvalue=0.5),
    ],
    ids=repr,
)
def test_every_optimizer_loss_metric_initializer_and_schedule_round_trips(obj):
    config = obj.get_config()
    json.dumps(config)  # JSON as it is
    again = type(obj).from_config(json.loads(json.dumps(config)))
    assert type(again) is type(obj)
    assert again.get_config() == config
    assert repr(again) == repr(obj)


def test_layer_configs_are_their_constructor_arguments():
    dense = nn.Dense(4, activation="relu", name="hidden")
    assert dense.get_config() == {"units": 4, "activation": "relu", "name": "hidden"}
    again = nn.Dense.from_config(dense.get_config())
    assert again.units == 4 and again.name == "hidden"
    assert "seed" in inspect.signature(initializers.GlorotUniform).parameters
