"""A hand-written NumPy LSTM regressor: forward, backpropagation through time and SGD by hand.

The baseline `benchmarks/lstm.py` times tinygrad-edu against: the same maths as
`nn.LSTM(units)` followed by `nn.Dense(1)` and the mean squared error, with every
derivative worked out on paper. Weights in Keras's layout (gates i, f, c, o side
by side). tests/test_benchmarks_lstm.py checks its gradients against central
differences and against tinygrad-edu's engine.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class NumpyLSTM:
    """LSTM(units) -> last h -> Dense(1), mean squared error; weights as Keras's.

    weights: [kernel (features, 4u), recurrent_kernel (u, 4u), bias (4u,),
    dense kernel (u, 1), dense bias (1,)], updated in place by `step`.
    """

    def __init__(self, weights: list[np.ndarray]) -> None:
        self.weights = weights

    def loss_and_gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """The loss for x (batch, steps, features), y (batch, 1), and its gradients by hand."""
        kernel, recurrent, bias, dense, dense_bias = self.weights
        batch, steps, _ = x.shape
        units = recurrent.shape[0]
        h = np.zeros((batch, units), dtype=x.dtype)
        c = np.zeros((batch, units), dtype=x.dtype)
        saved = []
        for t in range(steps):
            z = x[:, t] @ kernel + h @ recurrent + bias
            i = sigmoid(z[:, :units])
            f = sigmoid(z[:, units : 2 * units])
            g = np.tanh(z[:, 2 * units : 3 * units])
            o = sigmoid(z[:, 3 * units :])
            c_new = f * c + i * g
            tanh_c = np.tanh(c_new)
            saved.append((h, c, i, f, g, o, tanh_c))
            h, c = o * tanh_c, c_new
        prediction = h @ dense + dense_bias
        error = prediction - y
        loss = float(np.mean(error * error))

        # Backward: the loss, the Dense layer, then the steps newest first.
        d_prediction = 2.0 * error / error.size
        d_dense = h.T @ d_prediction
        d_dense_bias = d_prediction.sum(axis=0)
        d_h = d_prediction @ dense.T
        d_c = np.zeros_like(c)
        d_kernel, d_recurrent, d_bias = (np.zeros_like(w) for w in (kernel, recurrent, bias))
        d_z = np.empty((batch, 4 * units), dtype=x.dtype)
        for t in range(steps - 1, -1, -1):
            h_prev, c_prev, i, f, g, o, tanh_c = saved[t]
            d_c = d_c + d_h * o * (1.0 - tanh_c * tanh_c)  # through h = o tanh(c)
            d_z[:, :units] = d_c * g * i * (1.0 - i)  # c = f c_prev + i g
            d_z[:, units : 2 * units] = d_c * c_prev * f * (1.0 - f)
            d_z[:, 2 * units : 3 * units] = d_c * i * (1.0 - g * g)
            d_z[:, 3 * units :] = d_h * tanh_c * o * (1.0 - o)
            d_kernel += x[:, t].T @ d_z
            d_recurrent += h_prev.T @ d_z
            d_bias += d_z.sum(axis=0)
            d_h = d_z @ recurrent.T
            d_c = d_c * f
        return loss, [d_kernel, d_recurrent, d_bias, d_dense, d_dense_bias]

    def parameters(self) -> list[np.ndarray]:
        """The weights (for the central-difference check of the tests)."""
        return self.weights

    def forward_backward(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """`loss_and_gradients`, under the name the tests' helpers use."""
        return self.loss_and_gradients(x, y)

    def step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> float:
        """One SGD step (no momentum) on a batch; returns the batch's loss."""
        loss, gradients = self.loss_and_gradients(x, y)
        for weight, gradient in zip(self.weights, gradients):
            weight -= learning_rate * gradient
        return loss

    def epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int, learning_rate: float) -> None:
        """One pass over the data in order, batch by batch."""
        for start in range(0, len(x), batch_size):
            self.step(x[start : start + batch_size], y[start : start + batch_size], learning_rate)


def initial_weights(
    features: int, units: int, rng: np.random.Generator, dtype: type = np.float32
) -> list[np.ndarray]:
    """Small random weights in the layout above (forget-gate bias 1, as Keras starts)."""
    bias = np.zeros(4 * units)
    bias[units : 2 * units] = 1.0
    shapes = [(features, 4 * units), (units, 4 * units)]
    kernels = [rng.normal(0.0, 1.0 / np.sqrt(shape[0]), shape) for shape in shapes]
    dense = rng.normal(0.0, 1.0 / np.sqrt(units), (units, 1))
    return [w.astype(dtype) for w in (*kernels, bias, dense, np.zeros(1))]
