"""Masks across merge layers, against Keras 3 (stored golden outputs).

tests/fixtures/merge_mask_golden.npz was made by tests/fixtures/make_merge_mask_golden.py:
two token inputs through Embedding(mask_zero=True) (or one unmasked float input), a
merge layer, then a layer that shows the mask it receives (-1 for none).
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from tinygrad_edu import Tensor, keras, nn

GOLDEN = np.load(pathlib.Path(__file__).parents[1] / "fixtures" / "merge_mask_golden.npz")
CASES = sorted({key.split("/")[0] for key in GOLDEN.files})
LAYERS = {
    "add": nn.Add,
    "subtract": nn.Subtract,
    "average": nn.Average,
    "multiply": nn.Multiply,
    "maximum": nn.Maximum,
    "minimum": nn.Minimum,
    "concatenate_features": lambda: nn.Concatenate(axis=-1),
    "concatenate_one_unmasked": lambda: nn.Concatenate(axis=-1),
    "concatenate_steps": lambda: nn.Concatenate(axis=1),
    "dot": lambda: nn.Dot(axes=2),
}


class ShowMask(nn.Layer):
    """Outputs the mask it is given as 1.0 / 0.0, or -1.0 everywhere for no mask."""

    def forward(self, x, mask=None):
        if mask is None:
            return Tensor(-np.ones(x.shape[:2]))
        return Tensor(np.asarray(mask, dtype=np.float64))


def table(values):
    return lambda shape, dtype=None: np.asarray(values, dtype=dtype)


@pytest.mark.parametrize("case", CASES)
def test_merged_values_and_masks_match_keras(case):
    layer_kind = next(k for k in sorted(LAYERS, key=len, reverse=True) if case.startswith(k))
    input_a = keras.Input((4,), dtype="int32")
    a = nn.Embedding(5, 3, table(GOLDEN[f"{case}/table_a"]), mask_zero=True, dtype="float64")
    masked_b = f"{case}/ids_b" in GOLDEN.files
    if masked_b:
        input_b = keras.Input((4,), dtype="int32")
        b = nn.Embedding(5, 3, table(GOLDEN[f"{case}/table_b"]), mask_zero=True, dtype="float64")
        b = b(input_b)
    else:
        input_b = keras.Input((4, 3), dtype="float64")
        b = input_b
    merge = LAYERS[layer_kind]()
    merge.dtype = np.dtype("float64")
    merged = merge([a(input_a), b])
    model = keras.Model([input_a, input_b], [merged, ShowMask(dtype="float64")(merged)])
    second = GOLDEN[f"{case}/ids_b"] if masked_b else GOLDEN[f"{case}/floats_b"]
    value, mask = model([GOLDEN[f"{case}/ids_a"], second])
    np.testing.assert_array_equal(mask.data, GOLDEN[f"{case}/mask"])
    np.testing.assert_allclose(value.data, GOLDEN[f"{case}/merged"], atol=1e-12)


def test_a_merge_layer_checks_its_masks():
    with pytest.raises(ValueError, match="Add 'add.*': mask must be a list with one entry per"):
        nn.Add()([np.ones((1, 2, 3)), np.ones((1, 2, 3))], mask=np.ones((1, 2), dtype=bool))
    assert nn.Add().compute_mask([np.ones((1, 2))] * 2, None) is None
