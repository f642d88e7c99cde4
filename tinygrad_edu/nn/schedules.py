"""Learning-rate schedules: the learning rate as a function of the step number.

Pass one as an optimizer's `learning_rate`; before each update the optimizer asks
it for the rate at `optimizer.iterations` (the number of updates done so far,
starting at 0), as Keras does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tinygrad_edu.nn import saving


class LearningRateSchedule:
    """Base class: `schedule(step) -> float`.

    Given to an optimizer, a schedule also answers `float(schedule)` with the rate of
    the optimizer's next step, so `float(optimizer.learning_rate)` works as in Keras.
    """

    #: Set by the optimizer it is given to: the step count to evaluate `float()` at.
    optimizer_step: Any = None

    def __float__(self) -> float:
        """The rate at the step of the optimizer it belongs to (step 0 if none)."""
        step = self.optimizer_step() if self.optimizer_step is not None else 0
        return float(self(step))

    def __call__(self, step: int) -> float:
        """The learning rate for update number `step` (0 for the first update).

        Raises:
            NotImplementedError: in the base class; subclasses give the formula.
        """
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, read back from the attributes of the same name."""
        return saving.constructor_arguments(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """A new schedule from `get_config()`'s result."""
        return cls(**saving.arguments_from_config(config))


class ExponentialDecay(LearningRateSchedule):
    """initial_learning_rate * decay_rate ** (step / decay_steps).

    With `staircase=True` the exponent is floor(step / decay_steps), so the rate
    drops in steps every `decay_steps` updates instead of smoothly. Keras's
    `ExponentialDecay` has the same arguments and formula.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: a positive number of updates over which the rate is multiplied
            by `decay_rate` once.
        decay_rate: a positive factor, usually below 1.
        staircase: decay in whole steps (floor the exponent).

    Raises:
        ValueError: decay_steps or decay_rate not positive.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
    ) -> None:
        if decay_steps <= 0:
            raise ValueError(f"ExponentialDecay: decay_steps must be positive, got {decay_steps}")
        if decay_rate <= 0:
            raise ValueError(f"ExponentialDecay: decay_rate must be positive, got {decay_rate}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.decay_rate = float(decay_rate)
        self.staircase = staircase

    def __call__(self, step: int) -> float:
        """initial_learning_rate * decay_rate ** (step / decay_steps), a float."""
        exponent = step / self.decay_steps
        if self.staircase:
            exponent = math.floor(exponent)
        return self.initial_learning_rate * self.decay_rate**exponent

    def __repr__(self) -> str:
        return (
            f"ExponentialDecay(initial_learning_rate={self.initial_learning_rate}, "
            f"decay_steps={self.decay_steps}, decay_rate={self.decay_rate}, "
            f"staircase={self.staircase})"
        )


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] up to step boundaries[0], values[1] up to boundaries[1], ..., then values[-1].

    As in Keras, a step equal to a boundary still gets the earlier value:
    boundaries=[100], values=[0.1, 0.01] gives 0.1 for steps 0..100 and 0.01 after.

    Raises:
        ValueError: not exactly one more value than boundaries, or boundaries that
            do not increase.
    """

    def __init__(self, boundaries: Sequence[int], values: Sequence[float]) -> None:
        boundaries, values = list(boundaries), [float(v) for v in values]
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"PiecewiseConstantDecay: needs one more value than boundaries, got "
                f"{len(boundaries)} boundaries and {len(values)} values"
            )
        if any(later <= earlier for earlier, later in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must increase, got {boundaries}")
        self.boundaries, self.values = boundaries, values

    def __call__(self, step: int) -> float:
        """The value of the interval that holds `step` (a float)."""
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def __repr__(self) -> str:
        return f"PiecewiseConstantDecay(boundaries={self.boundaries}, values={self.values})"
