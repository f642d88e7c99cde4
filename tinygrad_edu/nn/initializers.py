"""Initializers: the random starting values of weights, with Keras's definitions.

The scale of the starting weights decides whether signals and gradients keep a
healthy size through many layers. Glorot (Xavier) and He initializers pick the
variance from the number of inputs (fan_in) and outputs (fan_out) of a layer:

    glorot_*:  variance 2 / (fan_in + fan_out)    (tanh, sigmoid, softmax layers)
    he_*:      variance 2 / fan_in                (relu layers)
    lecun_*:   variance 1 / fan_in                (selu layers)

The `*_uniform` ones draw from U(-limit, limit) with limit = sqrt(3 * variance).
The `*_normal` ones draw, as Keras does, from a normal *truncated at two
standard deviations* (values further out are drawn again), with the standard
deviation raised by 1 / 0.8796... so the variance after truncation is still the
one above.

Every initializer is a callable `(shape, dtype="float32") -> np.ndarray` that draws
from `tinygrad_edu.random.generator()`, so `tinygrad_edu.manual_seed(n)` makes the
weights reproducible. A `seed=` argument gives an initializer its own generator
instead: it then returns the same values on every call, as in Keras.

Sources: Glorot & Bengio, "Understanding the difficulty of training deep
feedforward neural networks" (AISTATS 2010); He et al., "Delving Deep into
Rectifiers" (ICCV 2015); LeCun et al., "Efficient BackProp" (1998). The
truncation and the names are Keras's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.nn import saving

# The standard deviation of a standard normal truncated to [-2, 2]: dividing by it
# gives the truncated draws unit variance again.
TRUNCATED_NORMAL_STDDEV = 0.87962566103423978


def compute_fans(shape: Sequence[int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of this shape, as Keras counts them.

    A Dense kernel (inputs, units) has fan_in = inputs and fan_out = units. For
    convolution kernels (..., in_channels, out_channels) each is multiplied by the
    size of the window (the product of the leading axes).
    """
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    window = math.prod(shape[:-2])
    return shape[-2] * window, shape[-1] * window


def truncated_normal(
    generator: np.random.Generator, shape: tuple[int, ...], stddev: float
) -> np.ndarray:
    """Normal(0, stddev) with every draw beyond 2 standard deviations drawn again."""
    values = generator.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = generator.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values * stddev


class Initializer:
    """Base class: `initializer(shape, dtype="float32")` returns a new NumPy array."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def generator(self) -> np.random.Generator:
        """The package generator, or a fresh one from `seed` (same values every call)."""
        return random.generator() if self.seed is None else np.random.default_rng(self.seed)

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        """The values for a weight of `shape`, in float64 (`__call__` casts them).

        Raises:
            NotImplementedError: in the base class; each subclass draws its own.
        """
        raise NotImplementedError

    def __call__(self, shape: Sequence[int] | int, dtype: Any = "float32") -> np.ndarray:
        """A new array of `shape` (an int or a tuple) and `dtype`, float32 by default.

        Raises:
            ValueError: a shape that is not non-negative integers.
        """
        shape = _check_shape(type(self).__name__, shape)
        return np.asarray(self.sample(shape)).astype(dtype, copy=False)

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in vars(self).items())
        return f"{type(self).__name__}({settings})"

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (seed, ...), read back from attributes of the same name."""
        return saving.constructor_arguments(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """A new initializer from `get_config()`'s result."""
        return cls(**saving.arguments_from_config(config))


def _check_shape(who: str, shape: Sequence[int] | int) -> tuple[int, ...]:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if not all(isinstance(s, (int, np.integer)) and s >= 0 for s in shape):
        raise ValueError(f"{who}: shape must be non-negative integers, got {shape}")
    return tuple(int(s) for s in shape)


class Zeros(Initializer):
    """All zeros: the usual start for biases."""

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        """Zeros of `shape`."""
        return np.zeros(shape)


class Ones(Initializer):
    """All ones: BatchNormalization's start for gamma and the moving variance."""

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        """Ones of `shape`."""
        return np.ones(shape)


class RandomNormal(Initializer):
    """Normal(mean, stddev); Keras's defaults mean=0, stddev=0.05."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        """Independent draws from Normal(mean, stddev)."""
        return self.generator().normal(self.mean, self.stddev, shape)


class RandomUniform(Initializer):
    """Uniform on [minval, maxval); Keras's defaults -0.05 and 0.05.

    Raises:
        ValueError: minval greater than maxval.
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        if minval > maxval:
            raise ValueError(
                f"RandomUniform: minval ({minval}) must not be greater than maxval ({maxval})"
            )
        self.minval, self.maxval = minval, maxval

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        """Independent draws from U(minval, maxval)."""
        return self.generator().uniform(self.minval, self.maxval, shape)


class VarianceScaling(Initializer):
    """Variance scale / fan, where fan is fan_in, fan_out or their average (`mode`).

    `distribution` is "uniform", "truncated_normal" or "untruncated_normal".
    Glorot, He and LeCun initializers are this one with fixed settings.

    Args:
        scale: a positive number, the variance times the fan (1.0).
        mode: "fan_in" (the default), "fan_out" or "fan_avg"; see `compute_fans`.
        distribution: "truncated_normal" (the default, cut at two standard deviations
            and widened to keep the variance), "untruncated_normal" or "uniform".
        seed: an int for an initializer of its own that gives the same values on
            every call; None draws from the package generator (`manual_seed`).

    Raises:
        ValueError: scale not positive, or an unknown mode or distribution.
    """

    modes = ("fan_in", "fan_out", "fan_avg")
    distributions = ("uniform", "truncated_normal", "untruncated_normal")

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        super().__init__(seed)
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive, got {scale}")
        if mode not in self.modes:
            raise ValueError(f"VarianceScaling: mode must be one of {self.modes}, got {mode!r}")
        if distribution not in self.distributions:
            raise ValueError(
                f"VarianceScaling: distribution must be one of {self.distributions}, "
                f"got {distribution!r}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def variance(self, shape: tuple[int, ...]) -> float:
        """The variance the drawn values have (before rounding to the dtype)."""
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        return self.scale / max(1.0, fan)

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        """Draws of the class's distribution with variance `variance(shape)`."""
        variance = self.variance(shape)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return self.generator().uniform(-limit, limit, shape)
        if self.distribution == "untruncated_normal":
            return self.generator().normal(0.0, math.sqrt(variance), shape)
        stddev = math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV
        return truncated_normal(self.generator(), shape, stddev)


class GlorotUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)): Keras's default for kernels."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(VarianceScaling):
    """Truncated normal with variance 2 / (fan_in + fan_out)."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / fan_in): for relu layers."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "uniform", seed)


class HeNormal(VarianceScaling):
    """Truncated normal with variance 2 / fan_in: for relu layers."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class LecunNormal(VarianceScaling):
    """Truncated normal with variance 1 / fan_in."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


class LecunUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(3 / fan_in)."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "uniform", seed)


class Orthogonal(Initializer):
    """A random orthogonal matrix (times `gain`): Keras's default for recurrent kernels.

    Repeated multiplication by an orthogonal matrix neither grows nor shrinks a
    vector, which keeps an RNN's state from exploding or vanishing at the start.
    The weight is seen as a (product of all axes but the last, last) matrix; the
    Q of the QR decomposition of a normal matrix, signs fixed by R's diagonal so
    the draw is uniform. Source: Saxe et al., "Exact solutions to the nonlinear
    dynamics of learning in deep linear neural networks" (2014).
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        """An orthogonal (rows, columns) matrix, reshaped to `shape`.

        Raises:
            ValueError: a shape of fewer than 2 axes.
        """
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: needs a shape of 2 or more axes, got {shape}")
        rows, columns = int(np.prod(shape[:-1])), shape[-1]
        normal = self.generator().standard_normal((max(rows, columns), min(rows, columns)))
        q, r = np.linalg.qr(normal)
        q = q * np.sign(np.diag(r))
        if rows < columns:
            q = q.T
        return self.gain * q.reshape(shape)


_BY_NAME: dict[str, type[Initializer]] = {
    "orthogonal": Orthogonal,
    "uniform": RandomUniform,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform,
    "zeros": Zeros,
    "ones": Ones,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
}


def get(identifier: str | Callable | type[Initializer]) -> Callable[..., np.ndarray]:
    """An initializer from its Keras name ("he_normal"), a class, or a callable.

    A name or a class gives a new initializer with default settings; a callable
    `(shape, dtype) -> array` (an Initializer included) is returned as it is.

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
        TypeError: something that is neither a name nor callable.
    """
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(
                f"Unknown initializer {identifier!r}; valid names: {', '.join(sorted(_BY_NAME))}"
            )
        return _BY_NAME[identifier]()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(
        f"initializers.get: expected a name, an Initializer or a callable (shape, dtype) -> "
        f"array, got {type(identifier).__name__}"
    )


def names() -> list[str]:
    """The names `get` accepts."""
    return sorted(_BY_NAME)


# Plain-function spellings, so `initializers.he_normal((784, 128))` reads like Keras.
def glorot_uniform(shape: Sequence[int], dtype: Any = "float32") -> np.ndarray:
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).

    A new array of `shape` and `dtype`, from `GlorotUniform()`.
    """
    return GlorotUniform()(shape, dtype)


def glorot_normal(shape: Sequence[int], dtype: Any = "float32") -> np.ndarray:
    """A truncated normal of variance 2 / (fan_in + fan_out).

    A new array of `shape` and `dtype`, from `GlorotNormal()`.
    """
    return GlorotNormal()(shape, dtype)


def he_uniform(shape: Sequence[int], dtype: Any = "float32") -> np.ndarray:
    """U(-limit, limit), limit = sqrt(6 / fan_in).

    A new array of `shape` and `dtype`, from `HeUniform()`.
    """
    return HeUniform()(shape, dtype)


def he_normal(shape: Sequence[int], dtype: Any = "float32") -> np.ndarray:
    """A truncated normal of variance 2 / fan_in.

    A new array of `shape` and `dtype`, from `HeNormal()`.
    """
    return HeNormal()(shape, dtype)


def lecun_normal(shape: Sequence[int], dtype: Any = "float32") -> np.ndarray:
    """A truncated normal of variance 1 / fan_in.

    A new array of `shape` and `dtype`, from `LecunNormal()`.
    """
    return LecunNormal()(shape, dtype)


def zeros(shape: Sequence[int], dtype: Any = "float32") -> np.ndarray:
    """All zeros.

    A new array of `shape` and `dtype`, from `Zeros()`.
    """
    return Zeros()(shape, dtype)


def ones(shape: Sequence[int], dtype: Any = "float32") -> np.ndarray:
    """All ones.

    A new array of `shape` and `dtype`, from `Ones()`.
    """
    return Ones()(shape, dtype)


def random_normal(shape: Sequence[int], dtype: Any = "float32") -> np.ndarray:
    """Normal(0, 0.05).

    A new array of `shape` and `dtype`, from `RandomNormal()`.
    """
    return RandomNormal()(shape, dtype)


def random_uniform(shape: Sequence[int], dtype: Any = "float32") -> np.ndarray:
    """U(-0.05, 0.05).

    A new array of `shape` and `dtype`, from `RandomUniform()`.
    """
    return RandomUniform()(shape, dtype)
