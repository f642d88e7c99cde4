"""Layers that change the size of images and sequences without weights, as in Keras.

ZeroPadding adds zeros around each sample, Cropping cuts rows and columns off
its edges (each one's gradient is the other: Pad's backward is a slice),
UpSampling repeats (or linearly interpolates) entries to make it larger.
Images are (batch, height, width, channels), sequences (batch, steps, channels).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinygrad_edu.functional import pad_widths, pair, side_widths
from tinygrad_edu.nn.convolutional import (
    IMAGES,
    SEQUENCES,
    check_data_format,
    image_shape_error,
    sequence_shape_error,
    single,
)
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.ops import Pad
from tinygrad_edu.resampling import upsample
from tinygrad_edu.tensor import Tensor


def _grow(size: int | None, before: int, after: int) -> int | None:
    return None if size is None else size + before + after


class _Resizing(Layer):
    """What the layers here share: the rank of their inputs and the shape check."""

    rank = 2

    def _check(self, shape: Sequence[int | None]) -> None:
        if len(shape) != self.rank + 2:
            if self.rank == 2:
                raise image_shape_error(self, shape, IMAGES)
            raise sequence_shape_error(self, shape, SEQUENCES)


class ZeroPadding2D(_Resizing):
    """Zeros around each image: (batch, h, w, c) -> (batch, top + h + bottom, left + w + right, c).

    Args:
        padding: an int (every side), a pair (rows above and below, columns left
            and right), or ((top, bottom), (left, right)); (1, 1) by default.
        data_format: None or "channels_last".
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a negative or malformed padding; an input that is not 4-d.
    """

    def __init__(
        self,
        padding: int | Sequence[Any] = (1, 1),
        data_format: str | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        widths = pad_widths(padding, "padding", "ZeroPadding2D")
        check_data_format(data_format, "ZeroPadding2D")
        super().__init__(name, input_shape, dtype)
        self.padding = widths
        self.build_if_shape_known()

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The height and width grown by the padding.

        Raises:
            ValueError: input_shape has not 4 axes.
        """
        self._check(input_shape)
        (top, bottom), (left, right) = self.padding
        batch, height, width, channels = input_shape
        return (batch, _grow(height, top, bottom), _grow(width, left, right), channels)

    def forward(self, x: Tensor) -> Tensor:
        """x with zeros around each image (a Pad: its gradient slices them off again).

        Raises:
            ValueError: x is not 4-d.
        """
        self._check(x.shape)
        return Pad.apply(x, pad_width=((0, 0), *self.padding, (0, 0)), value=0.0)


class ZeroPadding1D(_Resizing):
    """Zeros at both ends of each sequence: (batch, steps, c) -> (batch, left + steps + right, c).

    Args:
        padding: an int (both ends) or a pair (left, right); 1 by default.
        input_shape, name, dtype: as for `Layer`; data_format as for ZeroPadding2D.

    Raises:
        ValueError: a negative or malformed padding; an input that is not 3-d.
    """

    rank = 1

    def __init__(
        self,
        padding: int | Sequence[int] = 1,
        data_format: str | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        widths = side_widths(padding, "padding", "ZeroPadding1D")
        check_data_format(data_format, "ZeroPadding1D")
        super().__init__(name, input_shape, dtype)
        self.padding = widths
        self.build_if_shape_known()

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The steps grown by the padding.

        Raises:
            ValueError: input_shape has not 3 axes.
        """
        self._check(input_shape)
        return (input_shape[0], _grow(input_shape[1], *self.padding), input_shape[2])

    def forward(self, x: Tensor) -> Tensor:
        """x with zeros at both ends of each sequence.

        Raises:
            ValueError: x is not 3-d.
        """
        self._check(x.shape)
        return Pad.apply(x, pad_width=((0, 0), self.padding, (0, 0)), value=0.0)


class Cropping2D(_Resizing):
    """Rows and columns cut off each image's edges: the inverse of ZeroPadding2D.

    Args:
        cropping: an int (every side), a pair (rows above and below, columns left
            and right), or ((top, bottom), (left, right)); nothing by default.
        data_format: None or "channels_last".
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a negative or malformed cropping; an input that is not 4-d or
            would have no rows or columns left.
    """

    def __init__(
        self,
        cropping: int | Sequence[Any] = ((0, 0), (0, 0)),
        data_format: str | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        widths = pad_widths(cropping, "cropping", "Cropping2D")
        check_data_format(data_format, "Cropping2D")
        super().__init__(name, input_shape, dtype)
        self.cropping = widths
        self.build_if_shape_known()

    def _kept(self, shape: Sequence[int | None]) -> list[int | None]:
        self._check(shape)
        kept = [
            _grow(size, -before, -after) for size, (before, after) in zip(shape[1:3], self.cropping)
        ]
        if any(size is not None and size < 1 for size in kept):
            raise ValueError(
                f"Cropping2D {self.name!r}: cropping {self.cropping} leaves nothing of inputs "
                f"of shape {tuple(shape)}"
            )
        return kept

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The height and width shrunk by the cropping.

        Raises:
            ValueError: input_shape has not 4 axes, or nothing would be left.
        """
        return (input_shape[0], *self._kept(input_shape), input_shape[3])

    def forward(self, x: Tensor) -> Tensor:
        """x without its cropped edges (a slice: its gradient pads zeros back).

        Raises:
            ValueError: x is not 4-d, or nothing would be left.
        """
        height, width = self._kept(x.shape)
        (top, _), (left, _) = self.cropping
        return x[:, top : top + height, left : left + width, :]


class Cropping1D(_Resizing):
    """Steps cut off both ends of each sequence: the inverse of ZeroPadding1D.

    Args:
        cropping: an int (both ends) or a pair (left, right); (1, 1) by default.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a negative or malformed cropping; an input that is not 3-d or
            would have no steps left.
    """

    rank = 1

    def __init__(
        self,
        cropping: int | Sequence[int] = (1, 1),
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        widths = side_widths(cropping, "cropping", "Cropping1D")
        super().__init__(name, input_shape, dtype)
        self.cropping = widths
        self.build_if_shape_known()

    def _kept(self, shape: Sequence[int | None]) -> int | None:
        self._check(shape)
        kept = _grow(shape[1], -self.cropping[0], -self.cropping[1])
        if kept is not None and kept < 1:
            raise ValueError(
                f"Cropping1D {self.name!r}: cropping {self.cropping} leaves nothing of inputs "
                f"of shape {tuple(shape)}"
            )
        return kept

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The steps shrunk by the cropping.

        Raises:
            ValueError: input_shape has not 3 axes, or nothing would be left.
        """
        return (input_shape[0], self._kept(input_shape), input_shape[2])

    def forward(self, x: Tensor) -> Tensor:
        """x without its cropped ends.

        Raises:
            ValueError: x is not 3-d, or nothing would be left.
        """
        steps = self._kept(x.shape)
        return x[:, self.cropping[0] : self.cropping[0] + steps, :]


class UpSampling2D(_Resizing):
    """Images made larger: each pixel repeated size[0] x size[1] times, or interpolated.

    Args:
        size: an int or (rows, columns) factors; (2, 2) by default.
        data_format: None or "channels_last".
        interpolation: "nearest" (repeat), "bilinear" (half-pixel centres, as
            Keras and PyTorch's align_corners=False) or "bicubic" (Keys's cubic,
            a = -0.5, as Keras on JAX: `resampling.cubic_axis`).
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a bad size or interpolation (Keras's "lanczos3" and "lanczos5"
            are not here); an input that is not 4-d.
    """

    def __init__(
        self,
        size: int | Sequence[int] = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        factors = pair(size, "size", "UpSampling2D")
        check_data_format(data_format, "UpSampling2D")
        if interpolation not in ("nearest", "bilinear", "bicubic"):
            raise ValueError(
                "UpSampling2D: interpolation must be 'nearest', 'bilinear' or 'bicubic' "
                f"(tinygrad-edu has no others yet), got {interpolation!r}"
            )
        super().__init__(name, input_shape, dtype)
        self.size, self.interpolation = factors, interpolation
        self.build_if_shape_known()

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, height * size[0], width * size[1], channels).

        Raises:
            ValueError: input_shape has not 4 axes.
        """
        self._check(input_shape)
        sizes = [None if n is None else n * f for n, f in zip(input_shape[1:3], self.size)]
        return (input_shape[0], *sizes, input_shape[3])

    def forward(self, x: Tensor) -> Tensor:
        """The larger images (`resampling.upsample`).

        Raises:
            ValueError: x is not 4-d.
        """
        self._check(x.shape)
        return upsample(x, self.size, self.interpolation)


class UpSampling1D(_Resizing):
    """Sequences made longer: each step repeated `size` times (Keras's UpSampling1D).

    Args:
        size: an int factor; 2 by default.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a bad size; an input that is not 3-d.
    """

    rank = 1

    def __init__(
        self,
        size: int = 2,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        factor = single(size, "size", "UpSampling1D")
        super().__init__(name, input_shape, dtype)
        self.size = factor
        self.build_if_shape_known()

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, steps * size, channels).

        Raises:
            ValueError: input_shape has not 3 axes.
        """
        self._check(input_shape)
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def forward(self, x: Tensor) -> Tensor:
        """The longer sequences.

        Raises:
            ValueError: x is not 3-d.
        """
        self._check(x.shape)
        return upsample(x, self.size)
