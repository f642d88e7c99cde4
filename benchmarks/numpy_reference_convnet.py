"""The reference convnet: the Keras book's MNIST convnet written by hand in plain NumPy.

    input (28, 28, 1)
    Conv2D 32 3x3 relu    -> (26, 26, 32)
    MaxPooling2D 2x2      -> (13, 13, 32)
    Conv2D 64 3x3 relu    -> (11, 11, 64)
    MaxPooling2D 2x2      -> (5, 5, 64)      (the odd last row and column are dropped)
    Conv2D 128 3x3 relu   -> (3, 3, 128)
    Flatten               -> 1152
    Dense 10 softmax

with the sparse categorical cross-entropy and RMSprop (Keras's: lr 0.001, rho
0.9, epsilon 1e-7), channels last (NHWC) and kernels stored (kh, kw,
in_channels, filters), as Keras stores them.

A convolution is a matrix product after *im2col*: every kh x kw x channels
window of the input becomes one row of a matrix, so the layer is
`columns @ kernel.reshape(kh * kw * channels, filters)`. Its backward is two more
products (the kernel's gradient `columns.T @ grad`, the columns' gradient
`grad @ kernel.T`) and *col2im*, which adds each window's gradient back onto the
pixels it was read from (a pixel lies in up to kh * kw windows). Max pooling
passes each window's gradient to the element that was the maximum, split evenly
among tied maxima (ties are common: a blank background gives the same value
everywhere), as tinygrad-edu's `max` does.

Every derivative is written by hand here, with no graph: the speed and memory a
framework on NumPy should come close to (`mnist_convnet.py` measures that). The
arithmetic stays in the dtype of the weights: float32 for the benchmark, float64
for the central-difference check in the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for numpy_reference, when imported

from numpy_reference import (  # noqa: E402
    HandWrittenModel,
    RMSpropSettings,
    softmax_cross_entropy,
)

# (filters, kernel size) of the three convolutions; 2x2 max pooling after the first two.
BOOK_CONVOLUTIONS = ((32, 3), (64, 3), (128, 3))


def conv_output_size(size: int, kernel: int) -> int:
    """Height or width after a stride-1 "valid" convolution: size - kernel + 1."""
    return size - kernel + 1


def layer_shapes(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    convolutions: tuple[tuple[int, int], ...] = BOOK_CONVOLUTIONS,
) -> list[tuple[int, int, int]]:
    """(height, width, channels) after each conv (and pool) of the model, in order.

    Raises:
        ValueError: if the input is too small for the convolutions and poolings.
    """
    height, width, channels = input_shape
    shapes = []
    for index, (filters, kernel) in enumerate(convolutions):
        height, width, channels = (
            conv_output_size(height, kernel),
            conv_output_size(width, kernel),
            filters,
        )
        shapes.append((height, width, channels))
        if index < len(convolutions) - 1:  # max pooling after all but the last conv
            height, width = height // 2, width // 2
            shapes.append((height, width, channels))
        if height < 1 or width < 1:
            raise ValueError(
                f"numpy convnet: input {input_shape} is too small for convolutions "
                f"{convolutions}: layer {len(shapes)} would be {height}x{width}"
            )
    return shapes


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Keras's default kernel initializer, for a dense (in, out) or conv (kh, kw, in, out) kernel.

    Uniform in +-sqrt(6 / (fan_in + fan_out)), where a conv kernel's fans count
    its receptive field: fan_in = kh * kw * in, fan_out = kh * kw * out.
    """
    receptive_field = int(np.prod(shape[:-2]))
    fan_in, fan_out = shape[-2] * receptive_field, shape[-1] * receptive_field
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def initial_weights(
    rng: np.random.Generator,
    input_shape: tuple[int, int, int] = (28, 28, 1),
    convolutions: tuple[tuple[int, int], ...] = BOOK_CONVOLUTIONS,
    classes: int = 10,
) -> list[np.ndarray]:
    """[conv kernel, conv bias] * 3 + [dense kernel, dense bias] (Keras's get_weights order).

    float32; kernels glorot-uniform, biases zero, as Keras starts them.
    """
    weights = []
    channels = input_shape[-1]
    for filters, kernel in convolutions:
        weights += [
            glorot_uniform((kernel, kernel, channels, filters), rng),
            np.zeros(filters, dtype=np.float32),
        ]
        channels = filters
    flat = int(np.prod(layer_shapes(input_shape, convolutions)[-1]))
    weights += [glorot_uniform((flat, classes), rng), np.zeros(classes, dtype=np.float32)]
    return weights


# ---------------------------------------------------------------- convolution
def im2col(x: np.ndarray, kernel_height: int, kernel_width: int) -> np.ndarray:
    """Every window of an NHWC batch as one row: (batch * out_h * out_w, kh * kw * channels).

    A row is ordered (kh, kw, channels), the order of a Keras kernel reshaped to
    (kh * kw * channels, filters). Stride 1, no padding. The sliding-window view
    costs nothing; the reshape copies the windows into a matrix BLAS can use.
    """
    batch, _, _, channels = x.shape
    windows = sliding_window_view(x, (kernel_height, kernel_width), axis=(1, 2))
    # (batch, out_h, out_w, channels, kh, kw) -> (batch, out_h, out_w, kh, kw, channels)
    windows = windows.transpose(0, 1, 2, 4, 5, 3)
    return windows.reshape(-1, kernel_height * kernel_width * channels)


def col2im(
    grad_columns: np.ndarray, input_shape: tuple[int, ...], kernel_height: int, kernel_width: int
) -> np.ndarray:
    """im2col's backward: add each window's gradient back onto the pixels it came from.

    grad_columns (batch * out_h * out_w, kh * kw * channels) -> (batch, h, w, channels).
    One strided addition per kernel position (kh * kw of them), each covering the
    whole batch.
    """
    batch, height, width, channels = input_shape
    out_h = conv_output_size(height, kernel_height)
    out_w = conv_output_size(width, kernel_width)
    grads = grad_columns.reshape(batch, out_h, out_w, kernel_height, kernel_width, channels)
    grad_x = np.zeros(input_shape, dtype=grad_columns.dtype)
    for i in range(kernel_height):
        for j in range(kernel_width):
            grad_x[:, i : i + out_h, j : j + out_w, :] += grads[:, :, :, i, j, :]
    return grad_x


def conv_relu(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """relu(conv(x) + bias) as (batch, out_h, out_w, filters), and the im2col columns."""
    kernel_height, kernel_width, _, filters = kernel.shape
    batch, height, width, _ = x.shape
    columns = im2col(x, kernel_height, kernel_width)
    out = columns @ kernel.reshape(-1, filters)
    out += bias
    np.maximum(out, 0, out=out)  # relu in place: its derivative can be read off its output
    out_shape = (
        batch,
        conv_output_size(height, kernel_height),
        conv_output_size(width, kernel_width),
        filters,
    )
    return out.reshape(out_shape), columns


def conv_relu_backward(
    grad_out: np.ndarray,
    out: np.ndarray,
    columns: np.ndarray,
    kernel: np.ndarray,
    input_shape: tuple[int, ...] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients of the kernel, the bias and (unless input_shape is None) the input.

    grad_out is overwritten with relu's gradient (it is not needed afterwards).
    """
    kernel_height, kernel_width, _, filters = kernel.shape
    grad_out *= out > 0  # relu passes the gradient where its output was positive
    grad_rows = grad_out.reshape(-1, filters)
    grad_kernel = (columns.T @ grad_rows).reshape(kernel.shape)
    grad_bias = grad_rows.sum(axis=0)
    if input_shape is None:  # the first layer: the images need no gradient
        return grad_kernel, grad_bias, None
    grad_columns = grad_rows @ kernel.reshape(-1, filters).T
    return (
        grad_kernel,
        grad_bias,
        col2im(grad_columns, input_shape, kernel_height, kernel_width),
    )


# ---------------------------------------------------------------- max pooling
def _window_corners(x: np.ndarray) -> list[np.ndarray]:
    """The four elements of every 2x2 window, as four strided views of shape (b, h // 2, w // 2, c).

    Top-left, top-right, bottom-left, bottom-right; an odd last row or column
    belongs to no window and is dropped ("valid" pooling).
    """
    pooled_h, pooled_w = x.shape[1] // 2, x.shape[2] // 2
    return [x[:, i : 2 * pooled_h : 2, j : 2 * pooled_w : 2] for i in (0, 1) for j in (0, 1)]


def max_pool(x: np.ndarray) -> np.ndarray:
    """2x2 max pooling, stride 2, "valid": (batch, h, w, c) -> (batch, h // 2, w // 2, c)."""
    top_left, top_right, bottom_left, bottom_right = _window_corners(x)
    pooled = np.maximum(top_left, top_right)
    np.maximum(pooled, bottom_left, out=pooled)
    np.maximum(pooled, bottom_right, out=pooled)
    return pooled


def max_pool_backward(grad_pooled: np.ndarray, x: np.ndarray, pooled: np.ndarray) -> np.ndarray:
    """Each window's gradient to its maximum, split evenly among tied maxima.

    grad_pooled and pooled (batch, h // 2, w // 2, c), x (batch, h, w, c) -> like x.
    A dropped odd row or column gets zero.
    """
    is_max = [corner == pooled for corner in _window_corners(x)]
    ties = is_max[0].astype(x.dtype)
    for mask in is_max[1:]:
        ties += mask
    share = grad_pooled / ties
    grad_x = np.zeros_like(x)
    for grad_corner, mask in zip(_window_corners(grad_x), is_max):
        np.multiply(mask, share, out=grad_corner)  # writes through the view into grad_x
    return grad_x


# ---------------------------------------------------------------- the model
class NumpyConvnet(HandWrittenModel):
    """Three convolutions, two max poolings and a dense softmax, forward and backward by hand.

    Weights as `initial_weights` gives them; inputs (batch, height, width, channels)
    in the weights' dtype, labels (batch,) integers. The sizes follow the weights,
    so a small float64 instance can be checked against central differences.
    """

    def __init__(self, weights: list[np.ndarray], settings: RMSpropSettings | None = None):
        super().__init__(weights, settings)
        if len(self.weights) != 8:
            raise ValueError(
                f"NumpyConvnet: needs 8 arrays (3 conv kernels and biases, a dense kernel "
                f"and bias), got {len(self.weights)}"
            )

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The logits (batch, classes), nothing kept for a backward pass."""
        kernel1, bias1, kernel2, bias2, kernel3, bias3, dense_kernel, dense_bias = self.weights
        hidden1, _ = conv_relu(x, kernel1, bias1)
        hidden2, _ = conv_relu(max_pool(hidden1), kernel2, bias2)
        hidden3, _ = conv_relu(max_pool(hidden2), kernel3, bias3)
        return hidden3.reshape(len(x), -1) @ dense_kernel + dense_bias

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        logits = self.forward(x)
        exps = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exps / exps.sum(axis=1, keepdims=True)

    def forward_backward(
        self, x: np.ndarray, labels: np.ndarray
    ) -> tuple[float, float, list[np.ndarray]]:
        """Loss, accuracy and the gradients of the 8 weights, in their order."""
        kernel1, bias1, kernel2, bias2, kernel3, bias3, dense_kernel, dense_bias = self.weights
        batch = len(x)

        # Forward, keeping what backward needs: each layer's output and columns.
        hidden1, columns1 = conv_relu(x, kernel1, bias1)
        pooled1 = max_pool(hidden1)
        hidden2, columns2 = conv_relu(pooled1, kernel2, bias2)
        pooled2 = max_pool(hidden2)
        hidden3, columns3 = conv_relu(pooled2, kernel3, bias3)
        flat = hidden3.reshape(batch, -1)
        logits = flat @ dense_kernel
        logits += dense_bias
        loss, accuracy, grad_logits = softmax_cross_entropy(logits, labels)

        # Backward, newest layer first.
        grad_dense_kernel = flat.T @ grad_logits
        grad_dense_bias = grad_logits.sum(axis=0)
        grad_hidden3 = (grad_logits @ dense_kernel.T).reshape(hidden3.shape)
        grad_kernel3, grad_bias3, grad_pooled2 = conv_relu_backward(
            grad_hidden3, hidden3, columns3, kernel3, pooled2.shape
        )
        grad_hidden2 = max_pool_backward(grad_pooled2, hidden2, pooled2)
        grad_kernel2, grad_bias2, grad_pooled1 = conv_relu_backward(
            grad_hidden2, hidden2, columns2, kernel2, pooled1.shape
        )
        grad_hidden1 = max_pool_backward(grad_pooled1, hidden1, pooled1)
        grad_kernel1, grad_bias1, _ = conv_relu_backward(
            grad_hidden1, hidden1, columns1, kernel1, None
        )
        gradients = [
            grad_kernel1,
            grad_bias1,
            grad_kernel2,
            grad_bias2,
            grad_kernel3,
            grad_bias3,
            grad_dense_kernel,
            grad_dense_bias,
        ]
        return loss, accuracy, gradients


def flops_per_sample(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    convolutions: tuple[tuple[int, int], ...] = BOOK_CONVOLUTIONS,
    classes: int = 10,
) -> int:
    """Multiply-adds (x2) of one sample's matrix products, forward and backward.

    Each conv is an (out_h * out_w, kh * kw * in) @ (kh * kw * in, filters) product
    forward, the same size again for its kernel's gradient and, except for the
    first layer, for its input's gradient; the dense layer likewise. Pooling,
    relu, col2im and the softmax are left out (elementwise work).
    """
    shapes = layer_shapes(input_shape, convolutions)
    conv_outputs = shapes[::2]  # conv, pool, conv, pool, conv
    inputs = [input_shape[-1]] + [filters for filters, _ in convolutions[:-1]]
    total = 0
    for index, ((height, width, filters), (_, kernel), channels) in enumerate(
        zip(conv_outputs, convolutions, inputs)
    ):
        product = height * width * kernel * kernel * channels * filters
        total += product * (2 if index == 0 else 3)
    flat = int(np.prod(conv_outputs[-1]))
    total += 3 * flat * classes
    return 2 * total
