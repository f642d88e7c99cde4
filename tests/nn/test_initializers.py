"""Initializers: Keras's variances and ranges, truncation, seeding, lookup by name."""

import numpy as np
import pytest

from tinygrad_edu import manual_seed
from tinygrad_edu.nn import initializers

SHAPE = (400, 600)  # fan_in 400, fan_out 600: 240,000 draws, variance known to ~0.3%
FAN_IN, FAN_OUT = SHAPE

VARIANCES = {
    "glorot_uniform": 2 / (FAN_IN + FAN_OUT),
    "glorot_normal": 2 / (FAN_IN + FAN_OUT),
    "he_uniform": 2 / FAN_IN,
    "he_normal": 2 / FAN_IN,
    "lecun_normal": 1 / FAN_IN,
    "random_normal": 0.05**2,
    "random_uniform": 0.1**2 / 12,
}


@pytest.mark.parametrize("name", sorted(VARIANCES))
def test_variance_matches_keras(name: str) -> None:
    manual_seed(0)
    values = initializers.get(name)(SHAPE)
    assert values.shape == SHAPE and values.dtype == np.float32
    assert abs(values.mean()) < 0.01 * np.sqrt(VARIANCES[name])
    assert values.var() == pytest.approx(VARIANCES[name], rel=0.02)


@pytest.mark.parametrize(
    "name, limit",
    [
        ("glorot_uniform", np.sqrt(6 / (FAN_IN + FAN_OUT))),
        ("he_uniform", np.sqrt(6 / FAN_IN)),
        ("random_uniform", 0.05),
    ],
)
def test_uniform_initializers_fill_plus_minus_limit(name: str, limit: float) -> None:
    values = initializers.get(name)(SHAPE)
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.999 * limit


@pytest.mark.parametrize("name", ["glorot_normal", "he_normal", "lecun_normal"])
def test_normal_initializers_are_truncated_at_two_standard_deviations(name: str) -> None:
    manual_seed(1)
    initializer = initializers.get(name)
    values = initializer(SHAPE, dtype="float64")
    stddev = np.sqrt(initializer.variance(SHAPE)) / initializers.TRUNCATED_NORMAL_STDDEV
    assert np.abs(values).max() <= 2 * stddev
    assert np.abs(values).max() > 1.99 * stddev  # the truncation point is reached


def test_zeros_and_ones() -> None:
    np.testing.assert_array_equal(initializers.get("zeros")((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.get("ones")(4), np.ones(4))
    assert initializers.zeros((2,), dtype="float64").dtype == np.float64


@pytest.mark.parametrize(
    "shape, fans",
    [((), (1, 1)), ((7,), (7, 7)), ((3, 5), (3, 5)), ((3, 3, 4, 8), (36, 72))],
)
def test_compute_fans_as_keras(shape: tuple, fans: tuple) -> None:
    assert initializers.compute_fans(shape) == fans


def test_manual_seed_makes_initializers_reproducible() -> None:
    manual_seed(5)
    first = initializers.glorot_uniform((3, 4))
    manual_seed(5)
    second = initializers.glorot_uniform((3, 4))
    third = initializers.glorot_uniform((3, 4))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(second, third)


def test_a_seed_argument_gives_the_same_values_every_call() -> None:
    initializer = initializers.HeNormal(seed=7)
    np.testing.assert_array_equal(initializer((5, 5)), initializer((5, 5)))
    assert not np.array_equal(initializer((5, 5)), initializers.HeNormal(seed=8)((5, 5)))


def test_truncated_normal_draws_again_from_the_generator() -> None:
    generator = np.random.default_rng(0)
    values = initializers.truncated_normal(generator, (100_000,), stddev=3.0)
    assert np.abs(values).max() <= 6.0
    assert values.std() == pytest.approx(3.0 * initializers.TRUNCATED_NORMAL_STDDEV, rel=0.01)


def test_get_accepts_classes_instances_and_callables() -> None:
    assert isinstance(initializers.get(initializers.GlorotUniform), initializers.GlorotUniform)
    instance = initializers.RandomNormal(stddev=1.0)
    assert initializers.get(instance) is instance

    def custom(shape, dtype="float32"):
        return np.full(shape, 0.5, dtype=dtype)

    assert initializers.get(custom) is custom


def test_unknown_names_and_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="Unknown initializer 'xavier'; valid names: glorot_n"):
        initializers.get("xavier")
    with pytest.raises(TypeError, match="expected a name, an Initializer or a callable"):
        initializers.get(0.1)
    with pytest.raises(ValueError, match=r"GlorotUniform: shape must be non-negative.*-1"):
        initializers.glorot_uniform((3, -1))
    with pytest.raises(ValueError, match="mode must be one of"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="minval .* must not be greater than maxval"):
        initializers.RandomUniform(1.0, -1.0)
