"""compile's per-output forms (a one-entry list or dict) on a model with one output."""

import numpy as np
import pytest

from tinygrad_edu import nn


def _model() -> nn.Sequential:
    model = nn.Sequential([nn.Dense(1, name="out")])
    model.build((None, 2))
    model.set_weights([np.array([[0.5], [-0.25]], np.float32), np.zeros(1, np.float32)])
    return model


DATA = np.arange(12, dtype=np.float32).reshape(6, 2) / 10, np.arange(6, dtype=np.float32)[:, None]


@pytest.mark.parametrize(
    "loss, metrics",
    [(["mse"], [["mae"]]), ({"out": "mse"}, {"out": ["mae"]}), (("mse",), ["mae"])],
)
def test_one_entry_loss_and_metrics_equal_the_plain_form(loss, metrics):
    plain = _model()
    plain.compile("sgd", loss="mse", metrics=["mae"])
    wrapped = _model()
    wrapped.compile("sgd", loss=loss, metrics=metrics)
    expected = plain.fit(*DATA, epochs=2, verbose=0).history
    got = wrapped.fit(*DATA, epochs=2, verbose=0).history
    assert got.keys() == expected.keys() == {"loss", "mae"}
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=1e-6)
    np.testing.assert_allclose(got["mae"], expected["mae"], rtol=1e-6)
    assert wrapped.metrics_names == ["loss", "mae"]


def test_subclassed_model_takes_a_one_element_loss_list():
    class Line(nn.Model):
        def __init__(self):
            super().__init__()
            self.dense = nn.Dense(1)

        def call(self, x):
            return self.dense(x)

    model = Line()
    model.compile("sgd", loss=["mse"])
    assert np.isfinite(model.fit(*DATA, epochs=1, verbose=0).history["loss"][0])


def test_wrong_entries_are_named():
    with pytest.raises(ValueError, match="one output, got 2 entries"):
        _model().compile("sgd", loss=["mse", "mae"])
    with pytest.raises(ValueError, match="'out'"):
        _model().compile("sgd", loss={"other": "mse"})
