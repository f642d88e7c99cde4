"""save_weights / load_weights: .npz keyed by parameter name, atomic, checked on load."""

import os

import numpy as np
import pytest

from tinygrad_edu import manual_seed, nn


def make_model(hidden=4, extra_layer=False, seed=0):
    manual_seed(seed)
    layers = [nn.Dense(hidden, activation="relu", input_shape=(3,)), nn.Dense(2)]
    if extra_layer:
        layers.append(nn.Dense(2))
    return nn.Sequential(layers)


def assert_same_weights(first, second):
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_round_trip_restores_every_weight_exactly(tmp_path):
    path = tmp_path / "weights.npz"
    model = make_model(seed=0)
    model.save_weights(path)
    other = make_model(seed=1)
    assert not np.array_equal(model.get_weights()[0], other.get_weights()[0])
    other.load_weights(path)
    assert_same_weights(model, other)
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_array_equal(model.predict(x, verbose=0), other.predict(x, verbose=0))


def test_the_file_is_an_npz_keyed_by_parameter_name_at_exactly_the_given_path(tmp_path):
    # (Issue 15: the name must end in .npz, so this test's "my.weights" became "my.weights.npz".)
    path = tmp_path / "my.weights.npz"  # nothing appended or changed behind the user's back
    model = make_model()
    model.save_weights(str(path))
    assert os.listdir(tmp_path) == ["my.weights.npz"]
    with np.load(path, allow_pickle=False) as contents:
        assert sorted(contents.files) == sorted(
            ["dense_1.kernel", "dense_1.bias", "dense_2.kernel", "dense_2.bias"]
        )
        np.testing.assert_array_equal(contents["dense_2.kernel"], model.layers[1].kernel.data)


def test_saving_again_overwrites(tmp_path):
    path = tmp_path / "w.npz"
    make_model(seed=0).save_weights(path)
    second = make_model(seed=1)
    second.save_weights(path)
    loaded = make_model(seed=2)
    loaded.load_weights(path)
    assert_same_weights(second, loaded)


def test_an_interrupted_save_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "w.npz"
    make_model(seed=0).save_weights(path)
    old_bytes = path.read_bytes()

    def failing_savez(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half a zip file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        make_model(seed=1).save_weights(path)
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["w.npz"]


def test_wrong_shapes_are_refused_and_nothing_changes(tmp_path):
    path = tmp_path / "w.npz"
    make_model(hidden=4).save_weights(path)
    model = make_model(hidden=5)
    before = model.get_weights()
    with pytest.raises(
        ValueError,
        match=r"'dense_1.kernel'\) has shape \(3, 5\) in the model "
        r"but the given array has shape \(3, 4\)",
    ):
        model.load_weights(path)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_missing_and_unexpected_names_are_listed(tmp_path):
    bigger, smaller = tmp_path / "big.npz", tmp_path / "small.npz"
    make_model(extra_layer=True).save_weights(bigger)
    make_model().save_weights(smaller)
    with pytest.raises(
        ValueError,
        match=r"in the file but not in the model: dense_3.kernel, "
        r"dense_3.bias",
    ):
        make_model().load_weights(bigger)
    with pytest.raises(ValueError, match=r"missing from the file: dense_3.kernel, dense_3.bias"):
        make_model(extra_layer=True).load_weights(smaller)


@pytest.mark.parametrize(
    "contents",
    [b"this is not a zip file at all", b"PK\x03\x04\x14\x00truncated", b""],
)
def test_corrupt_files_give_an_error_naming_the_file(tmp_path, contents):
    path = tmp_path / "broken.npz"
    path.write_bytes(contents)
    with pytest.raises(ValueError, match=r"load_weights: could not read '.*broken.npz'"):
        make_model().load_weights(path)


def test_truncated_save_is_detected(tmp_path):
    path = tmp_path / "w.npz"
    make_model().save_weights(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="could not read .*corrupt or truncated"):
        make_model().load_weights(path)


def test_a_single_npy_array_is_not_a_weights_file(tmp_path):
    path = tmp_path / "one.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match=r"'.*one.npy' holds a single array \(.npy\)"):
        make_model().load_weights(path)


def test_pickled_arrays_are_never_loaded(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, **{"dense_1.kernel": np.array([{"a": 1}], dtype=object)})
    with pytest.raises(ValueError, match="could not read .*evil.npz"):
        make_model().load_weights(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="load_weights: no such file: '.*nope.npz'"):
        make_model().load_weights(tmp_path / "nope.npz")


def test_unbuilt_models_are_built_first_or_get_a_clear_error(tmp_path):
    path = tmp_path / "w.npz"
    make_model().save_weights(path)
    unbuilt = nn.Sequential([nn.Dense(4, activation="relu"), nn.Dense(2)])
    with pytest.raises(ValueError, match="load_weights: .*does not know its input shape"):
        unbuilt.load_weights(path)
    with pytest.raises(ValueError, match="save_weights: .*does not know its input shape"):
        unbuilt.save_weights(tmp_path / "other.npz")
    unbuilt.build((None, 3))
    unbuilt.load_weights(path)
    assert_same_weights(make_model(), unbuilt)


def test_subclassed_models_use_attribute_names(tmp_path):
    class Net(nn.Model):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Dense(4, input_shape=(3,))
            self.out = nn.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

    model = Net()
    model.build((None, 3))
    path = tmp_path / "net.npz"
    model.save_weights(path)
    with np.load(path) as contents:
        assert sorted(contents.files) == ["hidden.bias", "hidden.kernel", "out.bias", "out.kernel"]
    copy = Net()
    copy.build((None, 3))
    copy.load_weights(path)
    assert_same_weights(model, copy)


@pytest.mark.parametrize("name", ["w.h5", "w.keras", "w", "w.npz.tmp", "w.NPZ"])
def test_save_weights_refuses_a_name_that_does_not_end_in_npz(tmp_path, name):
    # Only .npz (NumPy's archive) and .weights.h5 (Keras 3's HDF5 layout) are written.
    with pytest.raises(ValueError, match=r"save_weights: .* must end in '\.npz'") as error:
        make_model().save_weights(tmp_path / name)
    assert name in str(error.value) and "NumPy" in str(error.value)
    assert os.listdir(tmp_path) == []  # nothing written


def test_model_checkpoint_refuses_a_name_that_does_not_end_in_npz(tmp_path):
    from tinygrad_edu.nn.callbacks import ModelCheckpoint

    with pytest.raises(ValueError, match=r"ModelCheckpoint: .* must end in '\.npz'"):
        ModelCheckpoint(str(tmp_path / "best.h5"), save_weights_only=True)
    ModelCheckpoint(str(tmp_path / "weights-{epoch:02d}.npz"))  # a pattern that ends right


# ---------------------------------------------------------------- bad places to save to
def test_saving_under_a_file_names_the_operation_the_path_and_the_reason(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    model = make_model()
    model.compile(optimizer="sgd", loss="mse")
    for save, name in ((model.save_weights, "w.npz"), (model.save, "m.zip")):
        path = tmp_path / "notes.txt" / name
        with pytest.raises(NotADirectoryError) as caught:
            save(path)
        message = str(caught.value)
        assert message.startswith(f"{save.__name__}: cannot write '{path}'")
        assert "notes.txt' is a file, not a folder" in message and ".tmp" not in message
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_save_and_save_weights_need_an_existing_folder_as_np_save(tmp_path):
    model = make_model()
    path = tmp_path / "no_such_folder" / "w.npz"
    with pytest.raises(FileNotFoundError, match=r"save_weights: cannot write .*does not exist"):
        model.save_weights(path)
    with pytest.raises(FileNotFoundError, match=r"save: cannot write .*does not exist"):
        model.save(tmp_path / "no_such_folder" / "m.zip")
    assert os.listdir(tmp_path) == []  # no folder made behind the user's back


def test_model_checkpoint_creates_its_folder_and_explains_a_file_in_the_way(tmp_path):
    from tinygrad_edu.nn.callbacks import ModelCheckpoint

    model = make_model()
    checkpoint = ModelCheckpoint(str(tmp_path / "runs" / "w-{epoch}.npz"))
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"val_loss": 1.0})
    assert os.listdir(tmp_path / "runs") == ["w-1.npz"]  # as Keras: the folder is made
    (tmp_path / "taken").write_text("x")
    blocked = ModelCheckpoint(str(tmp_path / "taken" / "w.npz"))
    blocked.set_model(model)
    with pytest.raises(NotADirectoryError, match=r"ModelCheckpoint: cannot write .*is a file"):
        blocked.on_epoch_end(0, {"val_loss": 1.0})
