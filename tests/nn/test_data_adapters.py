"""fit, evaluate and predict fed from data pipelines: generators, iterables, PyDataset."""

import io
import itertools
import math
import warnings

import numpy as np
import pytest

from tinygrad_edu import manual_seed, nn
from tinygrad_edu.nn.data_adapters import EpochIterator, PyDataset, adapt, is_pipeline
from tinygrad_edu.nn.input_checks import check_data


def blobs(samples=64, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(samples) % 2
    x = rng.normal(scale=0.5, size=(samples, 2)) + np.where(y[:, None] == 1, 3.0, -3.0)
    return x.astype(np.float32), y


def classifier():
    manual_seed(0)
    model = nn.Sequential([nn.Dense(8, activation="relu"), nn.Dense(2, activation="softmax")])
    model.compile(
        optimizer=nn.optimizers.SGD(learning_rate=0.1),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def batch_list(x, y, batch_size=16):
    return [(x[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(x), batch_size)]


def endless(x, y, batch_size=16):
    """The courses' dataset.repeat().batch(n), written as a generator."""
    while True:
        for i in range(0, len(x), batch_size):
            yield x[i : i + batch_size], y[i : i + batch_size]


class Batches(PyDataset):
    def __init__(self, x, y, batch_size=16, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0
        self.asked = []

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        self.asked.append(index)
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


# ---------------------------------------------------------------- same numbers as arrays
@pytest.mark.parametrize("kind", ["list", "generator", "pydataset", "endless"])
def test_a_pipeline_trains_exactly_like_the_same_batches_from_arrays(kind):
    x, y = blobs()
    reference = classifier()
    expected = reference.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    model = classifier()
    if kind == "list":
        history = model.fit(batch_list(x, y), epochs=3, verbose=0)
    elif kind == "pydataset":
        history = model.fit(Batches(x, y), epochs=3, verbose=0, shuffle=False)
    elif kind == "endless":
        history = model.fit(endless(x, y), steps_per_epoch=4, epochs=3, verbose=0)
    else:  # a generator function called anew is not possible inside fit: give it 12 batches
        history = model.fit(
            (batch for _ in range(3) for batch in batch_list(x, y)),
            steps_per_epoch=4,
            epochs=3,
            verbose=0,
        )
    assert history.history.keys() == expected.history.keys()
    for key, values in expected.history.items():
        assert history.history[key] == pytest.approx(values)
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_evaluate_and_predict_take_pipelines():
    x, y = blobs()
    model = classifier()
    model.fit(x, y, epochs=2, verbose=0)
    want_loss, want_accuracy = model.evaluate(x, y, batch_size=16, verbose=0)
    assert model.evaluate(batch_list(x, y), verbose=0) == pytest.approx([want_loss, want_accuracy])
    assert model.evaluate(endless(x, y), steps=4, verbose=0) == pytest.approx(
        [want_loss, want_accuracy]
    )
    assert model.evaluate(Batches(x, y), verbose=0) == pytest.approx([want_loss, want_accuracy])
    expected = model.predict(x, verbose=0)
    # predict takes (x, y) batches (y ignored), (x,) batches or x batches alone
    np.testing.assert_allclose(model.predict(Batches(x, y), verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(
        model.predict((x[i : i + 10] for i in range(0, 64, 10)), verbose=0), expected, rtol=1e-6
    )
    np.testing.assert_allclose(
        model.predict(endless(x, y), steps=4, verbose=0), expected, rtol=1e-6
    )


def test_validation_data_as_a_pipeline_with_validation_steps():
    x, y = blobs()
    model = classifier()
    history = model.fit(
        endless(x, y),
        steps_per_epoch=4,
        epochs=2,
        validation_data=endless(x, y),
        validation_steps=4,
        verbose=0,
    )
    assert len(history.history["val_loss"]) == 2
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x, y, batch_size=16, verbose=0)[0]
    )


def test_pydataset_is_asked_in_order_and_told_when_each_epoch_ends():
    x, y = blobs()
    data = Batches(x, y)
    classifier().fit(data, epochs=2, verbose=0, shuffle=False)
    # Keras 3: batch 0 once, inside its own epoch hooks, to build the model; then each epoch
    assert data.asked == [0] + [0, 1, 2, 3] * 2
    assert data.epochs_ended == 1 + 2


def test_steps_per_epoch_carries_on_through_the_same_pass():
    x, y = blobs()
    data = Batches(x, y)  # 4 batches; 3 a step: epochs take 0-2, 3 then a new pass 0-1
    classifier().fit(data, steps_per_epoch=3, epochs=2, verbose=0, shuffle=False)
    assert data.asked == [0] + [0, 1, 2, 3, 0, 1]  # the first 0 builds the model


def test_arrays_take_steps_per_epoch_too():
    x, y = blobs()
    history = classifier().fit(x, y, batch_size=16, steps_per_epoch=2, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3


# ---------------------------------------------------------------- running dry
def test_a_generator_that_runs_dry_warns_and_keeps_what_it_trained():
    x, y = blobs()
    model = classifier()
    model.build((None, 2))
    before = model.get_weights()
    six_batches = itertools.islice(endless(x, y), 6)
    with pytest.warns(UserWarning, match="ran out of data after 2 batches.*steps=4"):
        history = model.fit(six_batches, steps_per_epoch=4, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 2  # one full epoch and the 2 batches of the second
    assert model.get_weights()[0].tolist() != before[0].tolist()


def test_a_generator_without_steps_is_one_epoch_then_runs_dry():
    x, y = blobs()
    with pytest.warns(UserWarning, match="ran out of data after 0 batches"):
        history = classifier().fit(iter(batch_list(x, y)), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 1


def test_an_iterable_that_restarts_gives_every_epoch_a_full_pass():
    x, y = blobs()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = classifier().fit(batch_list(x, y), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3


# ---------------------------------------------------------------- output and callbacks
def test_progress_bar_learns_the_step_count_after_the_first_pass(capsys):
    x, y = blobs()

    class Again:  # an iterable of unknown length that starts afresh each epoch
        def __iter__(self):
            return iter(batch_list(x, y))

    classifier().fit(Again(), epochs=2, verbose=1, validation_data=(x, y))
    first, second = capsys.readouterr().out.split("Epoch 2/2")
    assert "4/Unknown" in first and "val_loss" in first
    assert "4/4 [" in second


def test_progress_bar_of_unknown_length_on_a_terminal_says_unknown():
    stream = io.StringIO()
    stream.isatty = lambda: True
    bar = nn.progress.Progbar(None, stream=stream, interval=0.0)
    bar.update(3, [("loss", 0.5)], finalize=False)
    assert "3/Unknown" in stream.getvalue()
    bar.update(5, [("loss", 0.5)], finalize=True)
    assert stream.getvalue().endswith("\n")


def test_batch_callbacks_see_every_step_of_a_pipeline():
    x, y = blobs()
    seen = []

    class Count(nn.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((batch, sorted(logs)))

    classifier().fit(endless(x, y), steps_per_epoch=3, epochs=2, callbacks=[Count()], verbose=0)
    assert [batch for batch, _ in seen] == [0, 1, 2, 0, 1, 2]
    assert seen[0][1] == ["accuracy", "loss"]


# ---------------------------------------------------------------- errors
def test_batch_size_or_y_with_a_pipeline_is_an_error():
    x, y = blobs()
    model = classifier()
    with pytest.raises(ValueError, match="batch_size must not be given when x is the generator"):
        model.fit(endless(x, y), batch_size=16, steps_per_epoch=2)
    with pytest.raises(ValueError, match="y must not be given"):
        model.fit(Batches(x, y), y)
    with pytest.raises(ValueError, match="validation_split works with arrays only"):
        model.fit(Batches(x, y), validation_split=0.2)
    with pytest.raises(ValueError, match="batch_size must not be given"):
        model.evaluate(Batches(x, y), batch_size=8)


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        (np.zeros((4, 2), np.float32), "batch 0 must be a pair"),
        ((np.zeros((4, 2)), np.zeros(4), np.ones(4)), "sample weights are not supported"),
        ((np.zeros((4, 2)), np.zeros(3)), "same number of samples"),
        ((np.full((4, 2), np.nan), np.zeros(4)), "NaN"),
    ],
)
def test_bad_batches_are_named(batch, message):
    with pytest.raises(ValueError, match=message):
        classifier().fit((b for b in [batch]), verbose=0)


def test_steps_must_be_positive_and_an_empty_pipeline_says_so():
    x, y = blobs()
    with pytest.raises(ValueError, match="steps must be a whole number >= 1, got 0"):
        classifier().fit(endless(x, y), steps_per_epoch=0)
    with pytest.raises(ValueError, match="the generator gave no batches at all"):
        classifier().fit((b for b in []), epochs=1)


def test_is_pipeline_tells_data_from_sources_of_batches():
    x, y = blobs()
    assert not is_pipeline(x) and not is_pipeline([[1.0, 2.0]]) and not is_pipeline(None)
    assert is_pipeline(batch_list(x, y)) and is_pipeline(endless(x, y))
    assert is_pipeline(Batches(x, y)) and is_pipeline(iter(batch_list(x, y)))


def test_epoch_iterator_counts_steps_of_an_array_source():
    x, y = blobs(10)
    epochs = EpochIterator(adapt("fit", x, y, batch_size=4, check=check_data))
    assert epochs.steps_per_epoch == 3
    assert [len(xb) for xb, _ in epochs.epoch()] == [4, 4, 2]


def test_an_overridden_train_step_gets_each_pipeline_batch_in_the_model_dtype():
    x, y = blobs()
    seen = []

    class Watched(nn.Sequential):
        def train_step(self, x_batch, y_batch):
            seen.append((x_batch.dtype, len(x_batch)))
            return super().train_step(x_batch, y_batch)

    manual_seed(0)
    model = Watched([nn.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    uint8_batches = [(np.full((8, 2), 3, np.uint8), y[:8]), (np.ones((5, 2), np.uint8), y[:5])]
    model.fit(uint8_batches, epochs=1, verbose=0)
    assert seen == [(np.float32, 8), (np.float32, 5)]
