"""Keras 3's own files: .keras models and .weights.h5 weights, written and read here.

The golden files in tests/fixtures/keras were written by real Keras 3
(`make_keras_files.py` beside them says how); these tests need only h5py. The
round trip through real Keras itself is in test_keras_round_trip.py (marker keras).
"""

import io
import json
import os
import sys
import zipfile

import h5py
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import keras_format

FIXTURES = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "keras")
GOLDEN = [
    "mlp_adam",
    "mlp_sgd_momentum",
    "convnet_rmsprop",
    "layers_tour",
    "recurrent_tour",
    "mlp_adamw",
    "image_tour",
    "nested_tour",  # Bidirectional, TimeDistributed, a nested Sequential
    "normalization_tour",  # an adapted Normalization (mean, variance, count) and a given one
]
FUNCTIONAL_GOLDEN = ["functional_branchy", "functional_attention", "functional_ops"]


def golden(name):
    return os.path.join(FIXTURES, name), np.load(os.path.join(FIXTURES, f"{name}.npz"))


def h5_tree(source):
    """{path: shape} of every dataset in an HDF5 file (a path or bytes)."""
    tree = {}
    with h5py.File(io.BytesIO(source) if isinstance(source, bytes) else source, "r") as h5:
        h5.visititems(lambda path, item: tree.__setitem__(path, getattr(item, "shape", None)))
    return tree


# ---------------------------------------------------------------- files Keras wrote
@pytest.mark.parametrize("name", GOLDEN)
def test_a_keras_model_predicts_here_what_it_predicted_in_keras(name):
    base, expected = golden(name)
    model = nn.load_model(base + ".keras")
    np.testing.assert_allclose(model.predict(expected["x"], verbose=0), expected["y"], atol=1e-6)


@pytest.mark.parametrize("name", GOLDEN)
def test_training_goes_on_here_exactly_where_it_stopped_in_keras(name):
    # The optimizer's iteration count and slots (Adam's m and v, RMSprop's velocity and
    # momentum, SGD's momentum) come across, so one more step gives Keras's weights.
    base, expected = golden(name)
    model = nn.load_model(base + ".keras")
    assert model.optimizer.iterations == 4  # 2 epochs of 2 batches in Keras
    model.train_on_batch(expected["xb"], expected["yb"])
    arrays = keras_format.keras_arrays(model)  # Keras's model.weights: its order and shapes
    assert len(arrays) == len([key for key in expected if key.startswith("after_")])
    for index, array in enumerate(arrays):
        np.testing.assert_allclose(array, expected[f"after_{index}"], atol=1e-6)


def test_compile_settings_come_across_from_keras():
    base, _ = golden("convnet_rmsprop")
    model = nn.load_model(base + ".keras")
    assert type(model.optimizer).__name__ == "RMSprop"
    assert model.optimizer.momentum == 0.5
    assert np.isclose(float(model.optimizer.learning_rate), 0.001)
    assert [metric.name for metric in model.compiled_metrics] == ["accuracy"]
    uncompiled = nn.load_model(base + ".keras", compile=False)
    assert uncompiled.optimizer is None


@pytest.mark.parametrize("name", GOLDEN)
def test_keras_weights_files_load_into_the_same_model_built_in_code(name):
    base, expected = golden(name)
    model = nn.load_model(base + ".keras", compile=False)
    for weight in keras_format.keras_weights(model):
        weight.data[...] = 0
    model.load_weights(base + ".weights.h5")
    np.testing.assert_allclose(model.predict(expected["x"], verbose=0), expected["y"], atol=1e-6)


# ---------------------------------------------------------------- files written here
def tour_models():
    """Sequential models over the layers Keras files hold, with their inputs."""
    rng = np.random.default_rng(0)
    yield (
        nn.Sequential([nn.Input((5,)), nn.Dense(4, activation="relu"), nn.Dense(2)]),
        rng.random((3, 5)),
    )
    yield (
        nn.Sequential(
            [
                nn.Input((8, 8, 2)),
                nn.Conv2D(3, 3, padding="same"),
                nn.BatchNormalization(),
                nn.MaxPooling2D(),
                nn.Conv2DTranspose(2, 3, strides=2),
                nn.DepthwiseConv2D(3),
                nn.SeparableConv2D(2, 3),
                nn.GlobalAveragePooling2D(),
            ]
        ),
        rng.random((3, 8, 8, 2)),
    )
    yield (
        nn.Sequential(
            [
                nn.Input((7,), dtype="int64"),
                nn.Embedding(20, 4),
                nn.SimpleRNN(3, return_sequences=True),
                nn.LSTM(3, return_sequences=True),
                nn.GRU(2),
                nn.Dense(1),
            ]
        ),
        rng.integers(0, 20, (3, 7)),
    )


@pytest.mark.parametrize("index", range(3))
def test_a_model_saved_as_keras_comes_back_bit_for_bit_with_its_optimizer(tmp_path, index):
    tg.manual_seed(index)
    model, x = list(tour_models())[index]
    model.compile(optimizer=nn.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    y = np.ones((len(x), model.output_shape[-1]), "float32")
    model.fit(x, y, epochs=2, batch_size=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = nn.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer.iterations == model.optimizer.iterations == 4
    # the next step agrees too: the optimizer's state came back
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    for mine, theirs in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(mine.data, theirs.data)


def test_an_adamw_model_saved_as_keras_comes_back_with_its_weight_decay_and_state(tmp_path):
    model, x = next(tour_models())
    model.compile(optimizer=nn.optimizers.AdamW(0.01, weight_decay=0.2), loss="mse")
    y = np.ones((len(x), 2), "float32")
    model.fit(x, y, epochs=2, batch_size=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = nn.load_model(tmp_path / "m.keras")
    assert type(loaded.optimizer).__name__ == "AdamW"
    assert loaded.optimizer.weight_decay == 0.2
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    for mine, theirs in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(mine.data, theirs.data)


def test_weights_h5_round_trip_and_all_or_nothing(tmp_path):
    model, x = next(tour_models())
    model.save_weights(tmp_path / "w.weights.h5")
    copy, _ = next(tour_models())
    copy.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(copy.predict(x, verbose=0), model.predict(x, verbose=0))
    wider = nn.Sequential([nn.Input((5,)), nn.Dense(4), nn.Dense(3)])
    before = [weight.data.copy() for weight in wider.weights]
    with pytest.raises(ValueError, match=r"shape"):
        wider.load_weights(tmp_path / "w.weights.h5")
    for weight, data in zip(wider.weights, before):  # nothing changed
        np.testing.assert_array_equal(weight.data, data)


def test_the_files_written_here_have_keras_own_layout():
    # The same model written here and by Keras: the same HDF5 paths and shapes (layers
    # numbered by class, not by name; the optimizer's iteration, learning rate, slots).
    base, expected = golden("mlp_adam")
    model = nn.load_model(base + ".keras")
    written = keras_format._h5_bytes(model, with_optimizer=True)
    assert h5_tree(written) == h5_tree(zipfile.ZipFile(base + ".keras").read("model.weights.h5"))
    with h5py.File(io.BytesIO(written), "r") as h5:
        assert h5["layers/dense/vars"].attrs["name"] == model.layers[0].name
    config = keras_format.keras_config(model)
    theirs = json.loads(zipfile.ZipFile(base + ".keras").read("config.json"))
    assert [layer["class_name"] for layer in config["config"]["layers"]] == [
        layer["class_name"] for layer in theirs["config"]["layers"]
    ]
    assert config["config"]["layers"][0]["config"]["batch_shape"] == [None, 5]


# ---------------------------------------------------------------- what is refused
def test_a_damaged_or_foreign_keras_file_is_a_clear_error(tmp_path):
    base, _ = golden("mlp_adam")
    data = open(base + ".keras", "rb").read()
    (tmp_path / "cut.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"load_model: .*cut\.keras"):
        nn.load_model(tmp_path / "cut.keras")
    with zipfile.ZipFile(tmp_path / "other.keras", "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.0"}))
    with pytest.raises(ValueError, match=r"not a Keras \.keras file: it lacks config\.json"):
        nn.load_model(tmp_path / "other.keras")
    with zipfile.ZipFile(tmp_path / "bad_h5.keras", "w") as archive:
        for member in ("metadata.json", "config.json"):
            archive.writestr(member, zipfile.ZipFile(base + ".keras").read(member))
        archive.writestr("model.weights.h5", b"not hdf5")
    with pytest.raises(ValueError, match=r"model\.weights\.h5 is damaged"):
        nn.load_model(tmp_path / "bad_h5.keras")
    with pytest.raises(FileNotFoundError, match="no such file"):
        nn.load_model(tmp_path / "missing.keras")


def rewritten(tmp_path, change):
    """The golden mlp_adam.keras with its config.json changed by `change(config)`."""
    base, _ = golden("mlp_adam")
    source = zipfile.ZipFile(base + ".keras")
    config = json.loads(source.read("config.json"))
    change(config)
    path = tmp_path / "changed.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for member in source.namelist():
            data = source.read(member)
            archive.writestr(member, json.dumps(config) if member == "config.json" else data)
    return path


def test_a_keras_argument_we_lack_is_named_never_ignored(tmp_path):
    def channels_first(config):
        config["config"]["layers"][1]["config"]["kernel_constraint"] = {"class_name": "NonNeg"}

    with pytest.raises(ValueError, match=r"layer 'dense'.*kernel_constraint.*coming-from-keras"):
        nn.load_model(rewritten(tmp_path, channels_first))


def test_a_keras_layer_we_lack_is_named_with_the_docs_page(tmp_path):
    def unknown(config):
        config["config"]["layers"][1]["class_name"] = "ConvLSTM2D"

    with pytest.raises(ValueError, match=r"ConvLSTM2D.*does not have yet.*coming-from-keras"):
        nn.load_model(rewritten(tmp_path, unknown))


class TwoDense(nn.Layer):
    """A layer of our own that holds two layers: Keras files cannot say how to rebuild it."""

    def __init__(self, name=None):
        super().__init__(name)
        self.first, self.second = nn.Dense(3), nn.Dense(2)

    def forward(self, x):
        return self.second(self.first(x))


def test_models_keras_files_cannot_hold_yet_are_refused_before_writing(tmp_path):
    nested = nn.Sequential([nn.Input((4, 3)), nn.TimeDistributed(TwoDense(name="pair"))])
    with pytest.raises(NotImplementedError, match=r"'pair' \(TwoDense\).*'\.zip'"):
        nested.save(tmp_path / "m.keras")
    assert os.listdir(tmp_path) == []  # nothing half-written


def test_without_h5py_the_error_names_the_extra(tmp_path, monkeypatch):
    model, _ = next(tour_models())
    monkeypatch.setitem(sys.modules, "h5py", None)  # import h5py now raises ImportError
    with pytest.raises(ImportError, match=r"h5py.*tinygrad-edu\[keras\]"):
        model.save(tmp_path / "m.keras")
    with pytest.raises(ImportError, match=r"h5py"):
        model.save_weights(tmp_path / "w.weights.h5")
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- functional models
def branchy_model():
    """Built here as make_keras_files.py builds functional_branchy in Keras: two inputs, two
    outputs, a shared layer, residual adds, a nested Sequential and a nested functional model."""
    a, b = nn.Input((4,), name="a"), nn.Input((3,), name="b")
    shared = nn.Dense(4, activation="tanh", name="shared")
    x = shared(a)
    y = shared(nn.Dense(4)(b))
    z = nn.Add()([x, y])
    z = nn.Sequential([nn.Input((4,)), nn.Dense(5, activation="relu"), nn.Dense(4)])(z)
    z = nn.Add()([z, x])
    inner_input = nn.Input((8,))
    inner = nn.Model(inner_input, nn.Dense(2)(nn.Dense(3)(inner_input)), name="inner")
    first = nn.Dense(2, name="first")(z)
    second = inner(nn.Concatenate()([z, y]))
    return nn.Model([a, b], [first, second], name="branchy")


def test_layers_are_listed_in_keras_own_graph_order():
    # Keras 3.15.1 lists this model's layers as below (deepest first, ties by the order a
    # walk back from the outputs reaches them), not in the order they were called; the
    # HDF5 groups are numbered in this order, so it must be reproduced exactly.
    model = branchy_model()
    order = [layer.name for layer in keras_format.keras_graph.keras_operations(model)]
    assert order[:2] == ["b", "a"]
    assert order[3:] == ["shared", "add", "sequential", "add_1", "concatenate", "first", "inner"]
    assert [layer.name for layer in model.layers][:2] == ["a", "b"]  # ours stays as it was


def test_dict_outputs_are_walked_in_sorted_key_order_as_keras_does():
    # Keras 3.15.1 lists this model's layers as ['x', 'hidden', 'z', 'joined', 'aux', 'out']
    # (keras.Model({"x": x, "z": z}, {"out": ..., "aux": ...}).layers): its walk takes a
    # dict's outputs by sorted key, so "aux" (layers/dense_1) comes before "out".
    x, z = nn.Input((3,), name="x"), nn.Input((2,), name="z")
    joined = nn.Concatenate(name="joined")([nn.Dense(4, name="hidden")(x), z])
    outputs = {"out": nn.Dense(1, name="out")(joined), "aux": nn.Dense(2, name="aux")(joined)}
    model = nn.Model({"x": x, "z": z}, outputs)
    order = [layer.name for layer in keras_format.keras_graph.keras_operations(model)]
    assert order == ["x", "hidden", "z", "joined", "aux", "out"]


def test_a_model_read_from_keras_is_written_back_as_keras_wrote_it():
    # Keras's Zeros takes no arguments: ours (which takes a seed) must not write one.
    base, _ = golden("functional_branchy")
    theirs = json.loads(zipfile.ZipFile(base + ".keras").read("config.json"))["config"]
    mine = keras_format.keras_config(nn.load_model(base + ".keras"))["config"]
    assert mine["layers"][2]["config"]["bias_initializer"]["config"] == {}
    assert theirs["layers"][2]["config"]["bias_initializer"]["config"] == {}


@pytest.mark.parametrize("name", FUNCTIONAL_GOLDEN)
def test_a_keras_functional_model_predicts_and_trains_on_here(name):
    base, expected = golden(name)
    x = [expected[key] for key in ("x0", "x1") if key in expected]
    y = [expected[key] for key in ("y0", "y1") if key in expected]
    model = nn.load_model(base + ".keras")

    def predictions(model):
        found = model.predict(x, verbose=0)
        return found if isinstance(found, list) else [found]

    for mine, theirs in zip(predictions(model), y, strict=True):
        np.testing.assert_allclose(mine, theirs, atol=1e-6)
    assert model.optimizer.iterations == 4
    batch = [expected[f"yb{i}"] for i in range(len(y))]
    model.train_on_batch([v[:8] for v in x], batch if len(y) > 1 else batch[0])
    arrays = keras_format.keras_arrays(model)  # Keras's model.weights order
    assert len(arrays) == len([key for key in expected if key.startswith("after_")])
    for index, array in enumerate(arrays):
        np.testing.assert_allclose(array, expected[f"after_{index}"], atol=1e-6)
    blank = nn.load_model(base + ".keras", compile=False)
    for weight in blank.weights:
        weight.data[...] = 0
    blank.load_weights(base + ".weights.h5")
    np.testing.assert_allclose(predictions(blank)[-1], y[-1], atol=1e-6)


@pytest.mark.parametrize("name", ["nested_tour", "normalization_tour", *FUNCTIONAL_GOLDEN])
def test_the_h5_tree_written_here_is_keras_own(name):
    # Every group and dataset path and shape, as Keras wrote them for the same model:
    # nested models' layers/..., Bidirectional's forward_layer/backward_layer, the
    # EinsumDense groups of attention, a Normalization's count.
    base, _ = golden(name)
    model = nn.load_model(base + ".keras")
    written = keras_format._h5_bytes(model, with_optimizer=True)
    assert h5_tree(written) == h5_tree(zipfile.ZipFile(base + ".keras").read("model.weights.h5"))


def test_a_functional_model_written_here_has_keras_own_layout_and_config():
    base, _ = golden("functional_branchy")
    archive = zipfile.ZipFile(base + ".keras")
    model = nn.load_model(base + ".keras")
    written = keras_format._h5_bytes(model, with_optimizer=True)
    with h5py.File(io.BytesIO(written), "r") as h5:
        assert h5["layers/dense_1/vars"].attrs["name"] == "shared"
        assert h5["layers/functional/layers/dense/vars/0"].shape == (8, 3)
    mine = keras_format.keras_config(model)["config"]
    theirs = json.loads(archive.read("config.json"))["config"]
    for key in ("input_layers", "output_layers"):
        assert mine[key] == theirs[key]
    assert [layer["name"] for layer in mine["layers"]] == [
        layer["name"] for layer in theirs["layers"]
    ]
    for ours, keras in zip(mine["layers"], theirs["layers"]):
        assert ours["inbound_nodes"] == keras["inbound_nodes"], ours["name"]
        assert ours["class_name"] == keras["class_name"]


def test_a_functional_model_comes_back_from_keras_files_with_its_optimizer(tmp_path):
    tg.manual_seed(0)
    model = branchy_model()
    model.compile(optimizer=nn.optimizers.RMSprop(0.01, momentum=0.5), loss=["mse", "mse"])
    rng = np.random.default_rng(0)
    x = [rng.random((4, 4)).astype("float32"), rng.random((4, 3)).astype("float32")]
    y = [np.ones((4, 2), "float32"), np.zeros((4, 2), "float32")]
    model.fit(x, y, epochs=1, batch_size=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = nn.load_model(tmp_path / "m.keras")
    for mine, theirs in zip(loaded.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_array_equal(mine, theirs)
    assert loaded.optimizer.iterations == 2
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    for mine, theirs in zip(keras_format.keras_weights(model), keras_format.keras_weights(loaded)):
        np.testing.assert_array_equal(mine.data, theirs.data)
    model.save_weights(tmp_path / "w.weights.h5")
    copy = branchy_model()
    copy.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(copy.predict(x, verbose=0)[1], model.predict(x, verbose=0)[1])


def test_keras_ops_calls_are_written_as_keras_operations_and_read_back(tmp_path):
    # x + y, x * 2.0, 1.0 - x and ops.concatenate on KerasTensors: Keras writes each call as
    # an operation of its own (module keras.src.ops.numpy), its non-tensor settings in config
    from tinygrad_edu.keras import ops

    inputs = nn.Input((3,), name="x")
    hidden = nn.Dense(3, activation="tanh")(inputs)
    joined = ops.concatenate([(hidden + inputs) * 2.0, hidden], axis=-1)
    model = nn.Model(inputs, nn.Dense(1)(1.0 - joined))
    entries = keras_format.keras_config(model)["config"]["layers"]
    concatenate = next(entry for entry in entries if entry["class_name"] == "Concatenate")
    assert concatenate["module"] == "keras.src.ops.numpy"
    assert concatenate["config"] == {"name": concatenate["name"], "axis": -1}
    multiply = next(entry for entry in entries if entry["class_name"] == "Multiply")
    assert multiply["inbound_nodes"][0]["args"][1] == 2.0
    model.save(tmp_path / "m.keras")
    x = np.random.default_rng(0).random((2, 3))
    loaded = nn.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_keras_op_without_a_keras_file_form_is_refused_by_name(tmp_path):
    from tinygrad_edu.keras import ops

    inputs = nn.Input((3,))
    outputs = nn.Dense(2)(ops.exp(inputs))
    with pytest.raises(NotImplementedError, match=r"keras\.ops function 'exp'.*'\.zip'"):
        nn.Model(inputs, outputs).save(tmp_path / "m.keras")
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- layers that hold layers
def nested_models():
    """(model, x): Bidirectional, TimeDistributed, a nested Sequential, Normalization
    (adapted and given), and attention, as Keras files hold them."""
    rng = np.random.default_rng(2)
    series = rng.random((4, 5, 3)).astype("float32")
    yield (
        nn.Sequential(
            [
                nn.Input((5, 3)),
                nn.Bidirectional(nn.LSTM(3, return_sequences=True)),
                nn.TimeDistributed(nn.Dense(2, activation="relu")),
                nn.Bidirectional(nn.GRU(2), merge_mode="sum"),
                nn.Sequential([nn.Dense(3, activation="tanh"), nn.Dense(2)]),
            ]
        ),
        series,
    )
    table = rng.normal(size=(4, 4)).astype("float32")
    adapted = nn.Normalization()
    adapted.adapt(table)
    given = nn.Normalization(mean=[0.5, 1.0, 0.0], variance=[1.0, 4.0, 0.25])
    yield nn.Sequential([nn.Input((4,)), adapted, nn.Dense(3), given, nn.Dense(2)]), table
    query, context = nn.Input((4, 6)), nn.Input((5, 6))
    attended = nn.MultiHeadAttention(num_heads=2, key_dim=3)(query, context)
    outputs = nn.Dense(2)(nn.GlobalAveragePooling1D()(attended))
    model = nn.Model([query, context], outputs)
    yield model, [rng.random((4, 4, 6)).astype("float32"), rng.random((4, 5, 6)).astype("float32")]


@pytest.mark.parametrize("index", range(3))
def test_layers_holding_layers_come_back_from_keras_files_bit_for_bit(tmp_path, index):
    tg.manual_seed(index)
    model, x = list(nested_models())[index]
    model.compile(optimizer=nn.optimizers.Adam(0.01), loss="mse")
    y = np.ones((4, 2), "float32")
    model.fit(x, y, epochs=1, batch_size=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = nn.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer.iterations == 2
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    for mine, theirs in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(mine.data, theirs.data)
    model.save_weights(tmp_path / "w.weights.h5")
    for weight in keras_format.keras_weights(loaded):
        weight.data[...] = 0
    loaded.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_normalization_keeps_keras_count_and_its_statistics_shape(tmp_path):
    model, _ = list(nested_models())[1]
    model.save_weights(tmp_path / "w.weights.h5")
    tree = h5_tree(str(tmp_path / "w.weights.h5"))
    # adapted: Keras's mean and variance of the kept axes' shape, then a count; given: none
    assert tree["layers/normalization/vars/0"] == (4,)
    assert tree["layers/normalization/vars/2"] == ()
    assert "layers/normalization_1/vars/0" not in tree
    assert "layers/normalization_1/vars" in tree


def test_a_keras_file_whose_graph_calls_an_op_we_lack_is_refused_by_name(tmp_path):
    base, _ = golden("functional_ops")
    source = zipfile.ZipFile(base + ".keras")
    config = json.loads(source.read("config.json"))
    op = next(e for e in config["config"]["layers"] if e["class_name"] == "Concatenate")
    op["class_name"] = op["registered_name"] = "Cumsum"
    path = tmp_path / "ops.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for member in source.namelist():
            data = source.read(member)
            archive.writestr(member, json.dumps(config) if member == "config.json" else data)
    with pytest.raises(NotImplementedError, match=r"keras\.ops function 'Cumsum'.*coming"):
        nn.load_model(path)
