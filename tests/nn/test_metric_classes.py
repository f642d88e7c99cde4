"""Keras's stateful metric classes: values against real Keras 3, state, names, fit and saving."""

import json
import pathlib
import re

import numpy as np
import pytest

from tinygrad_edu import keras
from tinygrad_edu.keras import layers, ops
from tinygrad_edu.nn import metrics

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "metrics"
GOLDEN = json.loads((FIXTURES / "metric_goldens.json").read_text())
ARRAYS = np.load(FIXTURES / "metric_goldens.npz")


@pytest.mark.parametrize("case", sorted(GOLDEN["cases"]))
def test_results_match_keras_3(case) -> None:
    """Two batches (the second weighted), then a reset and a third: Keras's results
    (tests/fixtures/metrics/make_metric_goldens.py made them with real Keras 3)."""
    spec = GOLDEN["cases"][case]
    metric = getattr(keras.metrics, spec["class_name"])(**spec["arguments"])
    assert metric.name == re.sub(r"_\d+$", "", spec["name"])  # Keras numbers a second "auc"
    results = []
    for index in range(len(GOLDEN["batches"])):
        if index == len(GOLDEN["batches"]) - 1:
            metric.reset_state()
        batch = {
            key: ARRAYS[f"{case}/{index}/{key}"]
            for key in ("y_true", "y_pred", "weight")
            if f"{case}/{index}/{key}" in ARRAYS
        }
        if "y_true" in batch:
            metric.update_state(batch["y_true"], batch["y_pred"], sample_weight=batch.get("weight"))
        else:
            metric.update_state(batch["y_pred"], sample_weight=batch.get("weight"))
        if index >= len(GOLDEN["batches"]) - 2:
            results.append(np.asarray(metric.result(), dtype=np.float64))
    np.testing.assert_allclose(np.stack(results), ARRAYS[f"{case}/results"], rtol=2e-5, atol=1e-6)


def test_the_state_is_kept_until_reset() -> None:
    metric = keras.metrics.Mean()
    metric.update_state([1, 3, 5, 7])
    metric.update_state([2])
    assert metric.result() == pytest.approx(3.6)  # 18 / 5: every value, not a mean of means
    assert [variable.name for variable in metric.variables] == ["mean/total", "mean/count"]
    metric.reset_state()
    assert metric.result() == 0.0 and float(metric.variables[1].numpy()) == 0.0
    metric.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert metric.result() == 2.0


def test_precision_over_batches_is_not_a_mean_of_batch_precisions() -> None:
    precision = keras.metrics.Precision()
    precision.update_state([1, 0, 0, 0], [0.9, 0.8, 0.7, 0.6])  # 1 of 4 predicted is right
    precision.update_state([1, 1], [0.9, 0.8])  # 2 of 2
    assert precision.result() == pytest.approx(3 / 6)  # a mean of batches would say 0.625
    assert precision(np.array([0]), np.array([0.2])) == pytest.approx(0.5)  # __call__ updates


def test_names_map_onto_the_classes() -> None:
    assert type(metrics.get("mae")) is keras.metrics.MeanAbsoluteError
    assert metrics.get("mae").name == "mae"
    assert metrics.get("auc").name == "auc" and metrics.get("Precision").name == "precision"
    assert type(metrics.get(keras.metrics.Recall)) is keras.metrics.Recall
    wrapped = metrics.get(metrics.top_k_categorical_accuracy)
    assert isinstance(wrapped, keras.metrics.MeanMetricWrapper)
    assert wrapped.name == "top_k_categorical_accuracy"


def test_functions_give_the_classes_batch_values() -> None:
    rng = np.random.default_rng(0)
    y_pred, labels = rng.random((20, 6)), rng.integers(0, 6, 20)
    metric = keras.metrics.SparseTopKCategoricalAccuracy(k=2)
    assert metric(labels, y_pred) == metrics.sparse_top_k_categorical_accuracy(labels, y_pred, k=2)


class BookRMSE(keras.metrics.Metric):
    """The custom metric of the Keras book's chapter 7, written with keras.ops."""

    def __init__(self, name="rmse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        self.total_samples = self.add_weight(
            name="total_samples", initializer="zeros", dtype="int32"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.one_hot(y_true, ops.shape(y_pred)[1])
        mse = ops.sum(ops.square(y_true - y_pred))
        self.mse_sum.assign_add(mse)
        num_samples = ops.shape(y_pred)[0]
        self.total_samples.assign_add(num_samples)

    def result(self):
        return ops.sqrt(self.mse_sum / ops.cast(self.total_samples, "float32"))

    def reset_state(self):
        self.mse_sum.assign(0.0)
        self.total_samples.assign(0)


def _rmse_by_hand(labels, probabilities):
    return np.sqrt(np.sum((np.eye(3)[labels] - probabilities) ** 2) / len(labels))


def test_a_custom_metric_subclass_works_standalone() -> None:
    rng = np.random.default_rng(1)
    probabilities, labels = rng.random((10, 3)), rng.integers(0, 3, 10)
    metric = BookRMSE()
    metric.update_state(labels[:4], probabilities[:4])
    metric.update_state(labels[4:], probabilities[4:])
    assert float(metric.result()) == pytest.approx(_rmse_by_hand(labels, probabilities), rel=1e-5)
    assert metric.variables[1].dtype == np.int32 and int(metric.variables[1].numpy()) == 10
    metric.reset_state()
    assert int(metric.total_samples.numpy()) == 0
    assert metric.get_config() == {"name": "rmse"}


def test_a_custom_metric_in_compile_is_logged_per_epoch_and_for_validation() -> None:
    rng = np.random.default_rng(2)
    x, y = rng.random((50, 4)).astype("float32"), rng.integers(0, 3, 50)
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, layers.Dense(3, activation="softmax")(inputs))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=[BookRMSE()])
    history = model.fit(x, y, epochs=2, batch_size=16, validation_data=(x[:20], y[:20]), verbose=0)
    assert list(history.history) == ["loss", "rmse", "val_loss", "val_rmse"]
    # The validation value is the RMSE of all 20 samples at the epoch's end, not a batch mean.
    expected = _rmse_by_hand(y[:20], model.predict(x[:20], verbose=0))
    assert history.history["val_rmse"][-1] == pytest.approx(expected, rel=1e-5)
    logs = model.evaluate(x, y, batch_size=7, return_dict=True, verbose=0)
    assert logs["rmse"] == pytest.approx(_rmse_by_hand(y, model.predict(x, verbose=0)), rel=1e-5)


def test_fit_resets_and_reads_auc_over_the_whole_epoch() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 3)).astype("float32")
    y = (x[:, 0] + 0.5 * rng.normal(size=60) > 0).astype("float32")
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["auc", "precision"])
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    logs = model.evaluate(x, y, batch_size=8, return_dict=True, verbose=0)
    whole = keras.metrics.AUC()
    whole.update_state(y, model.predict(x, verbose=0))
    assert logs["auc"] == pytest.approx(whole.result(), abs=1e-6)  # not a mean over batches
    again = model.evaluate(x, y, batch_size=8, return_dict=True, verbose=0)
    assert again["auc"] == pytest.approx(logs["auc"])  # evaluate starts from a reset


def test_a_metric_with_its_config_survives_a_save_round_trip(tmp_path) -> None:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, activation="sigmoid")])
    model.compile(
        optimizer="sgd",
        loss="binary_crossentropy",
        metrics=[
            keras.metrics.Precision(thresholds=0.3, name="p30"),
            "accuracy",
            keras.metrics.MeanMetricWrapper(keras.metrics.binary_accuracy, name="wrapped"),
        ],
    )
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    precision = loaded.compiled_metrics[0]
    assert type(precision) is keras.metrics.Precision
    assert precision.name == "p30" and precision.thresholds == 0.3
    assert loaded.metrics_names == ["loss", "p30", "accuracy", "wrapped"]
    assert loaded.compiled_metrics[2].fn is keras.metrics.binary_accuracy
    logs = loaded.evaluate(np.ones((4, 2)), np.ones(4), return_dict=True, verbose=0)
    assert set(logs) == {"loss", "p30", "accuracy", "wrapped"}


def test_metrics_in_a_file_keras_wrote_are_rebuilt() -> None:
    pytest.importorskip("h5py")
    model = keras.models.load_model(FIXTURES / "compiled_with_metrics.keras")
    assert [type(metric).__name__ for metric in model.compiled_metrics] == [
        "BinaryAccuracy", "AUC", "Precision", "RootMeanSquaredError", "MeanAbsoluteError"
    ]  # fmt: skip
    assert model.metrics_names == [
        "loss", "accuracy", "auc", "p30", "root_mean_squared_error", "mae"
    ]  # fmt: skip
    assert model.compiled_metrics[1].curve == "PR"
    assert model.compiled_metrics[2].thresholds == 0.3


def test_errors_are_clear() -> None:
    class Forgetful(keras.metrics.Metric):
        def __init__(self):
            self.total = self.add_weight(name="total")

    with pytest.raises(RuntimeError, match=r"call super\(\).__init__"):
        Forgetful()
    with pytest.raises(ValueError, match="AUC: curve must be 'ROC' or 'PR'"):
        keras.metrics.AUC(curve="area")
    with pytest.raises(ValueError, match=r"Precision: thresholds must lie in \[0, 1\]"):
        keras.metrics.Precision(thresholds=[0.5, 2.0])
    with pytest.raises(ValueError, match=r"y_true has shape \(2,\) but y_pred has shape \(2, 3\)"):
        keras.metrics.Recall().update_state([0, 1], np.ones((2, 3)))


def test_sparse_accuracy_names_y_pred_when_it_is_not_a_row_of_scores_per_sample():
    with pytest.raises(ValueError, match=r"y_pred must hold one row of class scores per sample"):
        keras.metrics.SparseCategoricalAccuracy().update_state([1, 0], [0.9, 0.1])
