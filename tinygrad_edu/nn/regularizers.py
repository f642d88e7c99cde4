"""Regularizers: a penalty on a weight (or a layer's output) added to the training loss.

    Dense(64, kernel_regularizer=regularizers.l2(1e-4))

The layer keeps the regularizer; `model.losses` evaluates every penalty as Tensor
operations on the current weights, and the model adds their sum to the compiled
loss in each `train_step` (and `test_step`), as Keras does. So the penalty's
gradient comes from the engine, like the loss's: no derivative is written here.

Keras 3's formulas (no factor 1/2, unlike some textbooks' weight decay):

    L1(l1):       l1 * sum(|w|)
    L2(l2):       l2 * sum(w^2)
    L1L2(l1, l2): l1 * sum(|w|) + l2 * sum(w^2)

An `activity_regularizer` is applied to the layer's output and divided by the
batch size, as Keras 3 does.
"""

from __future__ import annotations

import numbers
from typing import Any

from tinygrad_edu.tensor import Tensor


def _factor(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{owner}: {name} must be a number >= 0, got {value!r}")
    return float(value)


class Regularizer:
    """Base class: `regularizer(weight)` is a scalar Tensor, the penalty.

    A subclass writes `__call__(x) -> Tensor` with Tensor operations (so the
    engine differentiates it) and `get_config`.
    """

    def __call__(self, x: Tensor) -> Tensor:
        """The penalty of `x` (any shape), a 0-d Tensor of x's dtype.

        Raises:
            NotImplementedError: in the base class.
        """
        raise NotImplementedError(f"{type(self).__name__} must define __call__(self, x)")

    def get_config(self) -> dict[str, Any]:
        """The settings that rebuild this regularizer (none in the base class)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        """A new regularizer from `get_config()`'s result."""
        return cls(**config)

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({settings})"


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x^2).

    Args:
        l1, l2: numbers >= 0 (Keras's defaults for this class: 0 and 0).

    Raises:
        ValueError: a negative or non-numeric factor.
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _factor(type(self).__name__, "l1", l1)
        self.l2 = _factor(type(self).__name__, "l2", l2)

    def __call__(self, x: Tensor) -> Tensor:
        """The penalty of `x`, a 0-d Tensor (see the class docstring)."""
        penalty = None
        if self.l1:
            penalty = x.abs().sum() * self.l1
        if self.l2:
            squares = (x * x).sum() * self.l2
            penalty = squares if penalty is None else penalty + squares
        if penalty is None:  # both 0: a zero that still depends on x, so shapes line up
            penalty = x.sum() * 0.0
        return penalty

    def get_config(self) -> dict[str, Any]:
        """{"l1": ..., "l2": ...}."""
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """l1 * sum(|x|).

    Args:
        l1: a number >= 0, Keras's default 0.01.
    """

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self) -> dict[str, Any]:
        """{"l1": ...}."""
        return {"l1": self.l1}


class L2(L1L2):
    """l2 * sum(x^2).

    Args:
        l2: a number >= 0, Keras's default 0.01.
    """

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self) -> dict[str, Any]:
        """{"l2": ...}."""
        return {"l2": self.l2}


# Keras 3's lower-case spellings are the classes themselves (so `l1_l2()` is 0 and 0).
l1 = L1
l2 = L2
l1_l2 = L1L2


_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}


def get(identifier: Any) -> Regularizer | None:
    """A regularizer from None, a name ("l1", "l2", "l1_l2"), an instance or a callable.

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
        TypeError: anything else.
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _BY_NAME:
            raise ValueError(
                f"Unknown regularizer {identifier!r}; valid names: l1, l2, l1_l2 (or pass "
                "regularizers.l2(1e-4))"
            )
        return _BY_NAME[key]()
    if callable(identifier):  # a function of the weight, as Keras accepts
        return identifier
    raise TypeError(
        f"regularizers.get: expected a name, a Regularizer or a function, got "
        f"{type(identifier).__name__}"
    )


__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get"]
