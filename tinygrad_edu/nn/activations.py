"""Activation functions, by name as in Keras (`Dense(64, activation="relu")`) or as functions.

Each one is written with Tensor operations only, so its derivative comes from
the engine like everything else's. Where a formula could overflow, it is
rearranged so that it cannot (softplus, elu), and where NumPy has no primitive
(erf, for gelu) a published approximation is built from primitives.

Every activation takes a Tensor (or anything `Tensor()` accepts) of any shape and
returns a Tensor of the same shape and dtype, applied entry by entry (softmax:
along one axis). None of them raises on finite or infinite inputs; NaN stays NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.composite import activations as _more
from tinygrad_edu.ops.softmax import Softmax
from tinygrad_edu.tensor import Tensor, where


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def relu(x: Tensor) -> Tensor:
    """max(x, 0)."""
    return _tensor(x).relu()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)): squashes to (0, 1), for probabilities of yes/no outputs.

    Like softmax, the output remembers its logits, for binary_crossentropy.
    """
    x = _tensor(x)
    return remember_logits(x.sigmoid(), "sigmoid", -1, x)


def tanh(x: Tensor) -> Tensor:
    """Squashes to (-1, 1)."""
    return _tensor(x).tanh()


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`: class probabilities that sum to 1.

    A crossentropy loss that receives a softmax output works from the logits
    underneath instead (see nn.losses), as Keras does, so it never takes log(0):
    in training, validation and evaluation alike, since the output remembers its
    logits whether or not a graph is recorded.
    """
    x = _tensor(x)
    return remember_logits(Softmax.apply(x, axis=axis), "softmax", axis, x)


# ---------------------------------------------------------------- the logits under an output
def remember_logits(output: Tensor, activation: str, axis: int, logits: Tensor) -> Tensor:
    """Leave (activation, axis, logits) on `output` as `_keras_logits` (Keras's name); return it.

    The softmax and sigmoid activations (here and in keras.ops) do this, with or
    without a recorded graph, so that a crossentropy loss given their output can
    work from the logits underneath, as Keras does, and never take log(0).

    Args:
        output: what the activation returned (its shape).
        activation: "softmax" or "sigmoid".
        axis: the axis the activation ran along (-1 for sigmoid).
        logits: the activation's input.
    Returns:
        `output` itself.
    """
    output._keras_logits = (activation, axis, logits)
    return output


def logits_under(activation: str, y: Tensor) -> Tensor | None:
    """The logits z if `y` is `activation`(z) over its last axis, else None.

    It reads what `remember_logits` left on `y`.
    """
    kind, axis, logits = getattr(y, "_keras_logits", None) or (None, None, None)
    if kind == activation and axis in (-1, y.ndim - 1) and logits.shape == y.shape:
        return logits
    return None


def linear(x: Tensor) -> Tensor:
    """The identity: what a Dense layer without an activation computes."""
    return _tensor(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    """x for x > 0, else negative_slope * x.

    The default slope 0.2 is that of Keras 3's `keras.activations.leaky_relu`
    (the `LeakyReLU` *layer* of Keras uses 0.3).
    """
    x = _tensor(x)
    return where(x.data > 0, x, x * negative_slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha * (exp(x) - 1).

    exp is taken of min(x, 0) so that large positive inputs, which use the other
    branch, cannot overflow it (inf * 0 in the backward would give NaN).
    """
    x = _tensor(x)
    negative_part = (x.clip(None, 0.0).exp() - 1.0) * alpha
    return where(x.data > 0, x, negative_part)


def softplus(x: Tensor) -> Tensor:
    """log(1 + exp(x)), a smooth relu, computed as max(x, 0) + log(1 + exp(-|x|)).

    The rearranged form never exponentiates a positive number, so it is finite
    for x = +-1000 (the naive form overflows at about x = 89 in float32). Its
    error is below the dtype's resolution relative to max(x, 0) + 1.
    """
    x = _tensor(x)
    return x.maximum(0.0) + ((-x.abs()).exp() + 1.0).log()


# Abramowitz & Stegun, Handbook of Mathematical Functions, formula 7.1.26:
# erf(x) = 1 - (a1 t + a2 t^2 + ... + a5 t^5) exp(-x^2), t = 1 / (1 + p x), x >= 0,
# with an absolute error below 1.5e-7 (about float32's resolution).
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_ERF_FLAT = 6.0  # |x| beyond which erf(x) is +-1 in float64

# Beyond |x| = 40, gelu(x) is relu(x) in float64 (x * P(Z <= -40) is below 1e-300).
_GELU_LINEAR = 40.0


def erf(x: Tensor) -> Tensor:
    """The error function, from the A&S 7.1.26 approximation (|error| < 1.5e-7).

    NumPy has no erf, so it is built from primitives; its gradient is the exact
    derivative of the approximation, which differs from 2/sqrt(pi) exp(-x^2) by
    less than 1e-6.
    """
    x = _tensor(x)
    # Beyond |x| = 6, erf is +-1 to float64's precision (1 - erf(6) is 2e-17). Clipping
    # there keeps exp(-x^2) * x^2 from reading 0 * inf (NaN) in the gradient at +-inf.
    # |x| written as a choice of x or -x: abs's gradient at 0 is 0, which would give
    # erf'(0) = 0 instead of 2 / sqrt(pi) (erf is odd, so either side's slope is right).
    size = where(x.data >= 0, x, -x).clip(None, _ERF_FLAT)
    t = 1.0 / (size * _ERF_P + 1.0)
    polynomial = t * _ERF_A[4]
    for coefficient in reversed(_ERF_A[:4]):
        polynomial = (polynomial + coefficient) * t
    positive = 1.0 - polynomial * (-(size * size)).exp()
    return where(x.data >= 0, positive, -positive)


def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    """x * P(Z <= x) for a standard normal Z: x * (1 + erf(x / sqrt(2))) / 2.

    The Gaussian error linear unit of Hendrycks & Gimpel, "Gaussian Error Linear
    Units (GELUs)" (2016), where the tanh form below also comes from.

    `approximate=False` is Keras's default; erf comes from `erf` above, so the
    result is within |x| * 0.75e-7 of the exact value. `approximate=True` is the
    tanh formula used by GPT-2 and BERT:
    x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) / 2.
    """
    x = _tensor(x)
    # Far out, gelu is relu; there the formula would read inf * 0 (NaN at x = -inf, and
    # in the gradient at +inf), so it is worked on x clipped to +-40 and relu used beyond.
    inside = x.clip(-_GELU_LINEAR, _GELU_LINEAR)
    if approximate:
        inner = (inside + inside * inside * inside * 0.044715) * math.sqrt(2.0 / math.pi)
        near = inside * (inner.tanh() + 1.0) * 0.5
    else:
        near = inside * (erf(inside * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
    far = np.abs(x.data) > _GELU_LINEAR
    return where(far, x.relu(), near) if far.any() else near


# Keras 3's other activations: the formulas (and PyTorch's gradient rules at their
# kinks) are in composite/activations.py, shared with tinygrad_edu.functional.
def silu(x: Tensor) -> Tensor:
    """x * sigmoid(x), the sigmoid linear unit; `swish` is the same function."""
    return _more.silu(_tensor(x))


swish = silu


def selu(x: Tensor) -> Tensor:
    """scale * elu(x, alpha) with Klambauer et al.'s constants (self-normalizing networks)."""
    return _more.selu(_tensor(x))


def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6); the gradient is 0 at 0 and at 6."""
    return _more.relu6(_tensor(x))


def hard_sigmoid(x: Tensor) -> Tensor:
    """relu6(x + 3) / 6, Keras 3's piecewise-linear sigmoid: 0 below -3, 1 above 3."""
    return _more.hardsigmoid(_tensor(x))


def hard_silu(x: Tensor) -> Tensor:
    """x * hard_sigmoid(x) (MobileNetV3's hard swish); `hard_swish` is the same function."""
    return _more.hardswish(_tensor(x))


hard_swish = hard_silu


def mish(x: Tensor) -> Tensor:
    """x * tanh(softplus(x))."""
    return _more.mish(_tensor(x))


def softsign(x: Tensor) -> Tensor:
    """x / (1 + |x|), in (-1, 1)."""
    return _more.softsign(_tensor(x))


def log_sigmoid(x: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), finite for any x."""
    return _more.logsigmoid(_tensor(x))


_BY_NAME: dict[str, Callable[[Tensor], Tensor]] = {
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "linear": linear,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "gelu": gelu,
    "softplus": softplus,
    "silu": silu,
    "swish": swish,
    "selu": selu,
    "relu6": relu6,
    "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu,
    "hard_swish": hard_swish,
    "mish": mish,
    "softsign": softsign,
    "log_sigmoid": log_sigmoid,
}


def names() -> list[str]:
    """The names `get` accepts."""
    return sorted(_BY_NAME)


def get(identifier: str | Callable[[Tensor], Tensor] | None) -> Callable[[Tensor], Tensor]:
    """The activation function for a name ("relu"), a callable, or None (linear).

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
        TypeError: something that is neither a name, a callable nor None.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(
                f"Unknown activation {identifier!r}; valid names: {', '.join(names())} "
                "(or pass a function Tensor -> Tensor)"
            )
        return _BY_NAME[identifier]
    if callable(identifier):
        return identifier
    raise TypeError(
        f"activations.get: expected a name, a callable or None, got {type(identifier).__name__}"
    )


def name_of(activation: Callable[..., Any]) -> str:
    """A readable name for an activation function (for reprs and summaries)."""
    return getattr(activation, "__name__", type(activation).__name__)


__all__ = [*_BY_NAME, "erf", "get", "names", "name_of"]
