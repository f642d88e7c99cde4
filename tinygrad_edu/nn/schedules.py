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


def _positive(owner: str, name: str, value: Any) -> None:
    if not value > 0:
        raise ValueError(f"{owner}: {name} must be positive, got {value!r}")


class InverseTimeDecay(LearningRateSchedule):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps); Keras's formula.

    With `staircase=True` step / decay_steps is floored (the rate drops in steps).
    This is Keras 2's `decay=` argument as a schedule (decay_steps=1).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: a positive number of updates.
        decay_rate: >= 0.
        staircase: floor step / decay_steps.

    Raises:
        ValueError: decay_steps not positive or a negative decay_rate.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
    ) -> None:
        _positive("InverseTimeDecay", "decay_steps", decay_steps)
        if not decay_rate >= 0:
            raise ValueError(f"InverseTimeDecay: decay_rate must be >= 0, got {decay_rate!r}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.decay_rate = float(decay_rate)
        self.staircase = staircase

    def __call__(self, step: int) -> float:
        """initial_learning_rate / (1 + decay_rate * step / decay_steps), a float."""
        progress = step / self.decay_steps
        if self.staircase:
            progress = math.floor(progress)
        return self.initial_learning_rate / (1.0 + self.decay_rate * progress)


class PolynomialDecay(LearningRateSchedule):
    """From initial_learning_rate to end_learning_rate over decay_steps, along
    (1 - step / decay_steps) ** power; Keras's formula:

    lr = (initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end

    With `cycle=True` the decay restarts, over decay_steps * ceil(step / decay_steps).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: a positive number of updates.
        end_learning_rate: the rate at the end (Keras's 0.0001).
        power: the exponent (1.0: a straight line).
        cycle: restart after decay_steps instead of staying at the end rate.

    Raises:
        ValueError: decay_steps not positive.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
    ) -> None:
        _positive("PolynomialDecay", "decay_steps", decay_steps)
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.end_learning_rate = float(end_learning_rate)
        self.power = float(power)
        self.cycle = cycle

    def __call__(self, step: int) -> float:
        """The rate at update number `step` (a float), by the formula above."""
        decay_steps = self.decay_steps
        if self.cycle:
            decay_steps = decay_steps * (1 if step == 0 else math.ceil(step / decay_steps))
        else:
            step = min(step, decay_steps)
        fraction = 1.0 - step / decay_steps
        span = self.initial_learning_rate - self.end_learning_rate
        return span * fraction**self.power + self.end_learning_rate


class CosineDecay(LearningRateSchedule):
    """Half a cosine from the rate down to alpha times it over decay_steps, after an
    optional linear warmup (Loshchilov & Hutter 2017, "SGDR"; Goyal et al. 2017 for
    the warmup). Keras 3's formula:

    warmup (step < warmup_steps, only with warmup_target):
        lr = initial + (warmup_target - initial) * step / warmup_steps
    then, with s = min(step - warmup_steps, decay_steps) and top = warmup_target or initial:
        lr = top * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: a positive number of updates the decay lasts.
        alpha: the end rate as a fraction of the top rate (0).
        name: ignored (Keras's).
        warmup_target: the rate the warmup climbs to, or None for no warmup.
        warmup_steps: how many updates the warmup lasts (0).

    Raises:
        ValueError: decay_steps not positive, or a negative warmup_steps.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        _positive("CosineDecay", "decay_steps", decay_steps)
        if warmup_steps < 0:
            raise ValueError(f"CosineDecay: warmup_steps must be >= 0, got {warmup_steps!r}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.alpha = float(alpha)
        self.name = name
        self.warmup_target = None if warmup_target is None else float(warmup_target)
        self.warmup_steps = warmup_steps

    def __call__(self, step: int) -> float:
        """The rate at update number `step` (a float), by the formula above."""
        top = self.initial_learning_rate
        if self.warmup_target is not None:
            step = min(step, self.decay_steps + self.warmup_steps)
            if step < self.warmup_steps:
                rise = self.warmup_target - self.initial_learning_rate
                return self.initial_learning_rate + rise * step / self.warmup_steps
            top, step = self.warmup_target, step - self.warmup_steps
        fraction = min(step, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * fraction))
        return top * ((1.0 - self.alpha) * cosine + self.alpha)
