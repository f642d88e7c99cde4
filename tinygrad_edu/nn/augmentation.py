"""Random image augmentation layers: flip, rotate, zoom, shift, contrast, brightness.

    data_augmentation = Sequential([RandomFlip("horizontal"), RandomRotation(0.1), RandomZoom(0.2)])

Keras 3's layers, names, arguments and defaults. Each one changes its images at
random while the model trains (in `fit`, or when called with `training=True`)
and passes them through unchanged otherwise (`predict`, `evaluate`, a direct
call), so the model sees a slightly different picture of each image every
epoch. Images are channels last: a batch (batch, height, width, channels) or one
image (height, width, channels). Every image of a batch gets its own draw.

Each layer works in two steps, as Keras's do: `get_random_transformation` draws
the numbers (which images to flip, the angles, ...) and `transform_images`
applies given numbers. The numbers are constants; the image operations are
engine operations (reversing an axis, picking pixels, weighting them), so the
gradient flows back to the input, as it does in Keras.

One difference from Keras: calling a Keras 3 augmentation layer directly,
`layer(images)`, augments (its `call` defaults to training=True); here a direct
call is inference, as for every layer of tinygrad-edu, so write
`layer(images, training=True)` to see augmented images.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.resampling import AFFINE_INTERPOLATIONS, FILL_MODES, affine_transform
from tinygrad_edu.tensor import Tensor, where

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"
FLIP_MODES = (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def factor_range(
    who: str, name: str, factor: Any, low: float, high: float, low_open: bool = False
) -> tuple[float, float]:
    """Keras's reading of a `factor`: a number f means (-f, f) (cut at `low`), two numbers
    (a, b) mean (min, max); every number must lie in [low, high] ((low, high] if low_open).

    Raises:
        ValueError: not a number or two, or one outside the range.
    """
    opening = "(" if low_open else "["
    message = (
        f"{who}: {name} must be a number or two numbers in {opening}{low}, {high}], got {factor!r}"
    )

    def check(value: Any) -> float:
        if not _is_number(value) or value > high or value < low or (low_open and value == low):
            raise ValueError(message)
        return float(value)

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(message)
        lower, upper = sorted(check(value) for value in factor)
        return lower, upper
    size = abs(check(factor))
    return max(-size, low), size


class _RandomImageLayer(Layer):
    """The shared part of the random image layers: the input checks, the training switch,
    one image or a batch, and where the random numbers come from.

    A subclass writes `get_random_transformation(batch, height, width)` (the random
    numbers for a batch) and `transform_images(images, transformation)` (apply them to
    a 4-d batch).

    Args:
        seed: an int gives the layer its own generator (the same draws on every run);
            None draws from `tinygrad_edu.random` (see manual_seed).
        input_shape, name, dtype: as for `Layer`.
    """

    def __init__(
        self,
        seed: int | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, input_shape, dtype)
        if seed is not None and (not isinstance(seed, numbers.Integral) or seed < 0):
            raise ValueError(
                f"{type(self).__name__}: seed must be an int >= 0 or None, got {seed!r}"
            )
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)

    def generator(self) -> np.random.Generator:
        """The layer's own generator if it has a seed, else the shared one."""
        return random.generator() if self._generator is None else self._generator

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The input's shape: augmentation changes values, not sizes."""
        return tuple(input_shape)

    def get_random_transformation(self, batch: int, height: int, width: int) -> Any:
        """The random numbers for `batch` images of height x width (one entry per image).

        Raises:
            NotImplementedError: in this base class.
        """
        raise NotImplementedError(f"{type(self).__name__} must define get_random_transformation")

    def transform_images(self, images: Tensor, transformation: Any) -> Tensor:
        """`images` (batch, height, width, channels) changed by the given numbers.

        Raises:
            NotImplementedError: in this base class.
        """
        raise NotImplementedError(f"{type(self).__name__} must define transform_images")

    def forward(self, images: Tensor, training: bool | None = None) -> Tensor:
        """Augmented images in training mode, the images themselves otherwise.

        Args:
            images: (batch, height, width, channels) or one image (height, width, channels);
                integers are turned into the layer's float dtype.

        Returns:
            A float Tensor of the input's shape.

        Raises:
            ValueError: an input that is not 3-d or 4-d.
        """
        if images.ndim not in (3, 4):
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: expects images (batch, height, width, "
                f"channels) or one image (height, width, channels), got shape {images.shape}"
            )
        if images.data.dtype != self.dtype:
            images = images.astype(self.dtype)
        training = self.training if training is None else training
        if not training:
            return images
        one_image = images.ndim == 3
        batch = images.expand_dims(0) if one_image else images
        transformation = self.get_random_transformation(*batch.shape[:3])
        out = self.transform_images(batch, transformation)
        return out.reshape(images.shape) if one_image else out


class RandomFlip(_RandomImageLayer):
    """Flip each image left-right and/or top-bottom with probability 1/2 (Keras 3's layer).

    With "horizontal_and_vertical" one draw per image decides both flips, as in
    Keras 3: an image is either turned by 180 degrees or left as it is.

    Args:
        mode: "horizontal" (left-right), "vertical" (top-bottom) or
            "horizontal_and_vertical" (the default).
        seed: an int gives the layer its own generator (the same draws on every run);
            None draws from `tinygrad_edu.random` (see manual_seed).
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: an unknown mode.
    """

    def __init__(
        self,
        mode: str = HORIZONTAL_AND_VERTICAL,
        seed: int | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        if mode not in FLIP_MODES:
            raise ValueError(f"RandomFlip: mode must be one of {FLIP_MODES}, got {mode!r}")
        super().__init__(seed, input_shape, name, dtype)
        self.mode = mode
        self.build_if_shape_known()

    def get_random_transformation(self, batch: int, height: int, width: int) -> np.ndarray:
        """A bool per image: flip it or not (each with probability 1/2)."""
        return self.generator().random(batch) <= 0.5

    def transform_images(self, images: Tensor, transformation: Any) -> Tensor:
        """The images whose entry in `transformation` (bools, (batch,)) is True, flipped."""
        flips = np.asarray(transformation, dtype=bool).reshape(-1, 1, 1, 1)
        out = images
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            out = where(flips, out.flip(2), out)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            out = where(flips, out.flip(1), out)
        return out


class _AffineLayer(_RandomImageLayer):
    """A random image layer that warps by an affine map: the fill and interpolation settings."""

    def _check_modes(self, fill_mode: str, interpolation: str) -> None:
        who = type(self).__name__
        if fill_mode not in FILL_MODES:
            raise ValueError(f"{who}: fill_mode must be one of {FILL_MODES}, got {fill_mode!r}")
        if interpolation not in AFFINE_INTERPOLATIONS:
            raise ValueError(
                f"{who}: interpolation must be one of {AFFINE_INTERPOLATIONS}, got "
                f"{interpolation!r}"
            )
        if not _is_number(self.fill_value):
            raise ValueError(f"{who}: fill_value must be a number, got {self.fill_value!r}")

    def transform_images(self, images: Tensor, transformation: Any) -> Tensor:
        """The images warped by `transformation`, one affine row (8 numbers) per image
        (see `resampling.affine_transform`)."""
        return affine_transform(
            images, transformation, self.interpolation, self.fill_mode, float(self.fill_value)
        )


class RandomRotation(_AffineLayer):
    """Rotate each image about its centre by a random angle (Keras 3's layer).

    The factor is a fraction of a full turn: 0.1 turns by an angle drawn
    uniformly from [-36, 36] degrees, (a, b) from [360 a, 360 b] degrees; a
    positive angle turns the picture counter-clockwise. Pixels that come from
    outside the image are filled by `fill_mode`.

    Args:
        factor: a number in [-1, 1] (the range is (-|f|, |f|)) or two of them.
        fill_mode: "reflect" (the default), "wrap", "constant" or "nearest"
            (see `resampling.affine_transform`).
        interpolation: "bilinear" (the default) or "nearest".
        seed: as for `RandomFlip`.
        fill_value: the value outside the image with fill_mode "constant".
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a factor out of range, an unknown mode.
    """

    def __init__(
        self,
        factor: float | Sequence[float],
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        limits = factor_range("RandomRotation", "factor", factor, -1.0, 1.0)
        super().__init__(seed, input_shape, name, dtype)
        self.factor_range = limits
        self.factor, self.fill_mode, self.interpolation = factor, fill_mode, interpolation
        self.fill_value = fill_value
        self._check_modes(fill_mode, interpolation)
        self.build_if_shape_known()

    def get_random_transformation(self, batch: int, height: int, width: int) -> np.ndarray:
        """(batch, 8): each image's rotation about its centre, as Keras builds it."""
        lower, upper = self.factor_range
        degrees = self.generator().uniform(lower * 360.0, upper * 360.0, size=batch)
        return rotation_transforms(np.deg2rad(degrees), height, width)


def rotation_transforms(angles: np.ndarray, height: int, width: int) -> np.ndarray:
    """(batch, 8) affine rows turning images by `angles` (radians) about their centres.

    The output pixel (x, y) reads the input at the point turned back about the
    centre ((width - 1) / 2, (height - 1) / 2): Keras 3's `_compute_affine_matrix`
    with no shear, shift or scale.
    """
    cos, sin = np.cos(angles), np.sin(angles)
    centre_x, centre_y = (width - 1) / 2, (height - 1) / 2
    zeros = np.zeros_like(angles)
    return np.stack(
        [
            cos,
            -sin,
            centre_x - centre_x * cos + centre_y * sin,
            sin,
            cos,
            centre_y - centre_x * sin - centre_y * cos,
            zeros,
            zeros,
        ],
        axis=1,
    )


class RandomZoom(_AffineLayer):
    """Zoom each image in or out about its centre by a random amount (Keras 3's layer).

    A factor f scales the part of the image shown by 1 + f: a negative f shows
    less of it (zooms in), a positive f shows more (zooms out, the rest filled by
    `fill_mode`). 0.2 draws from [-0.2, 0.2]; (a, b) from [a, b]. Without a
    width_factor the width is zoomed by the height's draw (the aspect is kept).

    Args:
        height_factor: a number in (-1, 1] or two of them.
        width_factor: the same for the width, or None (the default): as the height.
        fill_mode, interpolation, seed, fill_value, input_shape, name, dtype: as for
            `RandomRotation`.

    Raises:
        ValueError: a factor out of range, an unknown mode.
    """

    def __init__(
        self,
        height_factor: float | Sequence[float],
        width_factor: float | Sequence[float] | None = None,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        check = factor_range  # Keras: each number in (-1, 1], a number f means (-f, f)
        height_range = check("RandomZoom", "height_factor", height_factor, -1.0, 1.0, True)
        width_range = (
            None
            if width_factor is None
            else check("RandomZoom", "width_factor", width_factor, -1.0, 1.0, True)
        )
        super().__init__(seed, input_shape, name, dtype)
        self.height_range, self.width_range = height_range, width_range
        self.height_factor, self.width_factor = height_factor, width_factor
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value
        self._check_modes(fill_mode, interpolation)
        self.build_if_shape_known()

    def get_random_transformation(self, batch: int, height: int, width: int) -> np.ndarray:
        """(batch, 8): each image's zoom about its centre."""
        rng = self.generator()
        height_zoom = 1.0 + rng.uniform(*self.height_range, size=batch)
        width_zoom = (
            height_zoom if self.width_range is None else 1.0 + rng.uniform(*self.width_range, batch)
        )
        zeros = np.zeros(batch)
        return np.stack(
            [
                width_zoom,
                zeros,
                (width - 1) / 2 * (1 - width_zoom),
                zeros,
                height_zoom,
                (height - 1) / 2 * (1 - height_zoom),
                zeros,
                zeros,
            ],
            axis=1,
        )


class RandomTranslation(_AffineLayer):
    """Shift each image by a random fraction of its height and width (Keras 3's layer).

    0.2 shifts by up to 20% either way; (a, b) by a fraction drawn from [a, b]
    (positive: down / right). What comes in at the edge is filled by `fill_mode`.

    Args:
        height_factor: a number in [-1, 1] or two of them: the vertical shift.
        width_factor: the same for the horizontal shift.
        fill_mode, interpolation, seed, fill_value, input_shape, name, dtype: as for
            `RandomRotation`.

    Raises:
        ValueError: a factor out of range, an unknown mode.
    """

    def __init__(
        self,
        height_factor: float | Sequence[float],
        width_factor: float | Sequence[float],
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        check = factor_range
        height_range = check("RandomTranslation", "height_factor", height_factor, -1.0, 1.0)
        width_range = check("RandomTranslation", "width_factor", width_factor, -1.0, 1.0)
        super().__init__(seed, input_shape, name, dtype)
        self.height_range, self.width_range = height_range, width_range
        self.height_factor, self.width_factor = height_factor, width_factor
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value
        self._check_modes(fill_mode, interpolation)
        self.build_if_shape_known()

    def get_random_transformation(self, batch: int, height: int, width: int) -> np.ndarray:
        """(batch, 8): each image's shift, in pixels (height draws first, as in Keras)."""
        rng = self.generator()
        down = rng.uniform(*self.height_range, size=batch) * height
        right = rng.uniform(*self.width_range, size=batch) * width
        ones, zeros = np.ones(batch), np.zeros(batch)
        return np.stack([ones, zeros, -right, zeros, ones, -down, zeros, zeros], axis=1)


def _value_range(who: str, value_range: Any) -> tuple[float, float]:
    if (
        not isinstance(value_range, (tuple, list))
        or len(value_range) != 2
        or not all(_is_number(value) for value in value_range)
    ):
        raise ValueError(f"{who}: value_range must be two numbers (low, high), got {value_range!r}")
    low, high = sorted(float(value) for value in value_range)
    return low, high


class RandomContrast(_RandomImageLayer):
    """Scale each image's distance from its own mean by a random factor (Keras 3's layer).

    Per image and channel: (x - mean) * c + mean, with the mean over height and
    width, then clipped to `value_range`. As in Keras 3 a number f draws c from
    [1, 1 + f] (its lower end is cut at 0), and (a, b) draws from [1 - a, 1 + b].

    Args:
        factor: a number in [0, 1] or two of them.
        value_range: the (low, high) the pixels lie in, (0, 255) by default.
        seed, input_shape, name, dtype: as for `RandomFlip`.

    Raises:
        ValueError: a factor out of range, a value_range that is not two numbers.
    """

    def __init__(
        self,
        factor: float | Sequence[float],
        value_range: Sequence[float] = (0, 255),
        seed: int | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        limits = factor_range("RandomContrast", "factor", factor, 0.0, 1.0)
        values = _value_range("RandomContrast", value_range)
        super().__init__(seed, input_shape, name, dtype)
        self.factor_range, self.value_limits = limits, values
        self.factor, self.value_range = factor, value_range
        self.build_if_shape_known()

    def get_random_transformation(self, batch: int, height: int, width: int) -> np.ndarray:
        """(batch,): each image's contrast factor."""
        lower, upper = self.factor_range
        return self.generator().uniform(1.0 - lower, 1.0 + upper, size=batch)

    def transform_images(self, images: Tensor, transformation: Any) -> Tensor:
        """(x - mean) * factor + mean per image and channel, clipped to value_range."""
        factor = np.asarray(transformation, dtype=images.dtype).reshape(-1, 1, 1, 1)
        mean = images.mean(axis=(1, 2), keepdims=True)
        return ((images - mean) * factor + mean).clip(*self.value_limits)


class RandomBrightness(_RandomImageLayer):
    """Add a random amount to every pixel of each image (Keras 3's layer).

    The amount is a fraction of the value range: 0.2 adds up to 20% of
    (high - low) either way, (a, b) a fraction drawn from [a, b]. The result is
    clipped to `value_range`.

    Args:
        factor: a number in [-1, 1] or two of them.
        value_range: the (low, high) the pixels lie in, (0, 255) by default.
        seed, input_shape, name, dtype: as for `RandomFlip`.

    Raises:
        ValueError: a factor out of range, a value_range that is not two numbers.
    """

    def __init__(
        self,
        factor: float | Sequence[float],
        value_range: Sequence[float] = (0, 255),
        seed: int | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        limits = factor_range("RandomBrightness", "factor", factor, -1.0, 1.0)
        values = _value_range("RandomBrightness", value_range)
        super().__init__(seed, input_shape, name, dtype)
        self.factor_range, self.value_limits = limits, values
        self.factor, self.value_range = factor, value_range
        self.build_if_shape_known()

    def get_random_transformation(self, batch: int, height: int, width: int) -> np.ndarray:
        """(batch,): the amount added to each image."""
        low, high = self.value_limits
        return self.generator().uniform(*self.factor_range, size=batch) * (high - low)

    def transform_images(self, images: Tensor, transformation: Any) -> Tensor:
        """images + each image's amount, clipped to value_range."""
        delta = np.asarray(transformation, dtype=images.dtype).reshape(-1, 1, 1, 1)
        return (images + delta).clip(*self.value_limits)


__all__ = [
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomContrast",
    "RandomBrightness",
    "rotation_transforms",
    "factor_range",
]
