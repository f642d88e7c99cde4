"""scaled_dot_product_attention, MultiHeadAttention and LayerNormalization (Keras goldens:
test_sequence_goldens.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.functional import scaled_dot_product_attention
from tinygrad_edu.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(3)


def numpy_attention(q, k, v, allowed=None, additive=None, scale=None):
    scores = q @ np.swapaxes(k, -1, -2) * (scale or 1 / np.sqrt(q.shape[-1]))
    if additive is not None:
        scores = scores + additive
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    return (weights / weights.sum(-1, keepdims=True)) @ v


def test_attention_matches_the_formula_with_every_kind_of_mask():
    q, k, v = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 3, 5))
    causal = np.tril(np.ones((3, 3), bool))
    boolean = RNG.random((2, 3, 3)) < 0.7
    boolean[..., 0] = True  # no row fully masked
    additive = RNG.normal(size=(3, 3))
    T = Tensor
    cases = [
        ({}, {}),
        ({"is_causal": True}, {"allowed": causal}),
        ({"attn_mask": boolean}, {"allowed": boolean}),
        ({"attn_mask": boolean, "is_causal": True}, {"allowed": boolean & causal}),
        ({"attn_mask": additive, "scale": 0.3}, {"additive": additive, "scale": 0.3}),
    ]
    for ours, theirs in cases:
        got = scaled_dot_product_attention(T(q), T(k), T(v), **ours).numpy()
        np.testing.assert_allclose(got, numpy_attention(q, k, v, **theirs), rtol=1e-12)


def test_attention_gradients_first_and_second_order():
    arrays = [RNG.normal(size=(1, 3, 2)), RNG.normal(size=(1, 3, 2)), RNG.normal(size=(1, 3, 2))]

    def attend(q, k, v):
        return scaled_dot_product_attention(q, k, v, is_causal=True)

    assert gradcheck(attend, arrays)
    assert gradgradcheck(attend, arrays)


def test_an_additive_mask_tensor_gets_its_gradient():
    q, k, v = (Tensor(RNG.normal(size=(2, 3))) for _ in range(3))
    assert gradcheck(lambda bias: scaled_dot_product_attention(q, k, v, attn_mask=bias),
                     [RNG.normal(size=(2, 2))])  # fmt: skip


def test_attention_errors_name_the_shapes():
    q = Tensor(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"key \(2, 3, 5\)"):
        scaled_dot_product_attention(q, Tensor(np.zeros((2, 3, 5))), q)
    with pytest.raises(ValueError, match="does not broadcast"):
        scaled_dot_product_attention(q, q, q, attn_mask=np.ones((4, 4), bool))


def test_multi_head_attention_gradients_and_causality():
    layer = nn.MultiHeadAttention(2, 2, dtype="float64")
    x = RNG.normal(size=(1, 3, 4))
    out = layer(x, x, use_causal_mask=True).numpy()
    changed = x.copy()
    changed[:, 2] += 1.0  # the last step must not change what earlier steps see
    np.testing.assert_allclose(
        layer(changed, changed, use_causal_mask=True).numpy()[:, :2], out[:, :2]
    )
    assert gradcheck(
        lambda q, v: layer(q, v, use_causal_mask=True), [x, RNG.normal(size=(1, 2, 4))[:, :2]]
    )
    assert [w.shape for w in layer.weights] == [
        (4, 2, 2), (2, 2), (4, 2, 2), (2, 2), (4, 2, 2), (2, 2), (2, 2, 4), (4,),
    ]  # fmt: skip


def test_multi_head_attention_masks_and_scores():
    layer = nn.MultiHeadAttention(1, 2, dtype="float64")
    query, value = RNG.normal(size=(1, 2, 3)), RNG.normal(size=(1, 4, 3))
    out, scores = layer(
        query, value, value_mask=np.array([[1, 1, 0, 1]]), return_attention_scores=True
    )
    assert out.shape == (1, 2, 3) and scores.shape == (1, 1, 2, 4)
    np.testing.assert_allclose(scores.numpy()[..., 2], 0.0)
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0)
    with pytest.raises(ValueError, match="do not fit"):
        layer(query, value, attention_mask=np.ones((1, 3, 3)))
    with pytest.raises(ValueError, match="num_heads must be a positive integer"):
        nn.MultiHeadAttention(0, 2)


def test_attention_axes_attend_over_the_axes_named_only():
    # Over axis 2 of (batch, rows, columns, features): each row attends within itself,
    # so it is ordinary attention with the rows folded into the batch.
    layer = nn.MultiHeadAttention(2, 3, attention_axes=2, dtype="float64")
    x = RNG.normal(size=(2, 3, 4, 5))
    out, scores = layer(x, x, return_attention_scores=True)
    assert out.shape == (2, 3, 4, 5) and scores.shape == (2, 3, 2, 4, 4)
    plain = nn.MultiHeadAttention(2, 3, dtype="float64")
    plain(x[:, 0], x[:, 0])
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(out.numpy()[:, 1], plain(x[:, 1], x[:, 1]).numpy(), rtol=1e-12)
    # Over both axes, the softmax spans every (row, column) position of the key.
    both = nn.MultiHeadAttention(1, 2, attention_axes=(1, 2), dtype="float64")
    grid = RNG.normal(size=(1, 2, 2, 3))
    assert gradcheck(lambda q: both(q, q), [grid])
    _, scores = both(grid, grid, return_attention_scores=True)
    assert scores.shape == (1, 1, 2, 2, 2, 2)
    np.testing.assert_allclose(scores.numpy().sum(axis=(-2, -1)), 1.0)
    with pytest.raises(ValueError, match=r"attention_axes \(3,\) must name"):
        nn.MultiHeadAttention(1, 2, attention_axes=3)(x, x)
    with pytest.raises(ValueError, match="use_causal_mask and padding masks need"):
        layer(x, x, use_causal_mask=True)
    with pytest.raises(ValueError, match=r"does not fit \(2, 3, 4, 4\)"):
        layer(x, x, attention_mask=np.ones((2, 4, 4, 4), bool))
    with pytest.raises(ValueError, match="attention_axes must be an int"):
        nn.MultiHeadAttention(1, 2, attention_axes="rows")


def test_layer_normalization_normalizes_each_sample():
    layer = nn.LayerNormalization(epsilon=1e-9, dtype="float64")
    x = RNG.normal(3.0, 5.0, size=(4, 6))
    y = layer(x).numpy()
    np.testing.assert_allclose(y.mean(-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(-1), 1.0, rtol=1e-6)
    two_axes = nn.LayerNormalization(axis=(1, 2), dtype="float64")
    z = two_axes(RNG.normal(size=(2, 3, 4)))
    assert two_axes.gamma.shape == (3, 4) and z.shape == (2, 3, 4)
    with pytest.raises(ValueError, match="axis 3 does not fit"):
        nn.LayerNormalization(axis=3)(np.zeros((2, 3)))
