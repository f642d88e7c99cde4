"""The reference: the Keras book's MNIST model written by hand in plain NumPy.

784 inputs -> Dense 512 relu -> Dense 10 softmax, sparse categorical
cross-entropy, RMSprop. Every derivative is worked out on paper and typed in,
with no graph and no Python objects per operation: the speed and memory a
framework built on NumPy should come close to. It is what tinygrad-edu is
measured against in `mnist_mlp.py` and `memory.py` (and a worked example of
backpropagation for a reader who wants to see the whole thing in one page).

The arithmetic stays in the dtype of the weights (float32 for the benchmarks;
float64 lets the tests check the hand-written gradients by central differences).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class RMSpropSettings:
    """Keras 3's RMSprop defaults: v = rho*v + (1-rho)*g^2; p -= lr * g / sqrt(v + eps)."""

    learning_rate: float = 1e-3
    rho: float = 0.9
    epsilon: float = 1e-7


def glorot_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """Keras's default kernel initializer: uniform in +-sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)


def initial_weights(
    rng: np.random.Generator, sizes: tuple[int, int, int] = (784, 512, 10)
) -> list[np.ndarray]:
    """[kernel1, bias1, kernel2, bias2] (Keras's get_weights order), float32."""
    inputs, hidden, classes = sizes
    return [
        glorot_uniform(inputs, hidden, rng),
        np.zeros(hidden, dtype=np.float32),
        glorot_uniform(hidden, classes, rng),
        np.zeros(classes, dtype=np.float32),
    ]


class HandWrittenModel:
    """What every hand-written reference shares: RMSprop, a training step, an epoch.

    A subclass keeps its weights as a list of arrays, `self.weights` (Keras's
    get_weights order), and writes `forward_backward(x, labels) -> (loss,
    accuracy, gradients)` with the gradients in the same order.
    """

    def __init__(self, weights: list[np.ndarray], settings: RMSpropSettings | None = None):
        # Own copies, so training this model never changes the caller's arrays.
        self.weights = [np.array(w) for w in weights]
        self.settings = settings or RMSpropSettings()
        # RMSprop's running mean of squared gradients, one per parameter, and a
        # scratch array per parameter for the update's intermediate results (made
        # once, like tinygrad-edu's optimizers do, so a step allocates nothing there).
        self.velocities = [np.zeros_like(p) for p in self.weights]
        self.scratch = [np.empty_like(p) for p in self.weights]

    def parameters(self) -> list[np.ndarray]:
        return self.weights

    def forward_backward(
        self, x: np.ndarray, labels: np.ndarray
    ) -> tuple[float, float, list[np.ndarray]]:
        raise NotImplementedError

    def apply_gradients(self, gradients: list[np.ndarray]) -> None:
        """One RMSprop step, updating parameters and velocities in place.

        Every result is written with `out=` into arrays that already exist.
        """
        lr, rho, eps = self.settings.learning_rate, self.settings.rho, self.settings.epsilon
        state = zip(self.parameters(), gradients, self.velocities, self.scratch)
        for parameter, gradient, velocity, scratch in state:
            np.square(gradient, out=scratch)
            scratch *= 1 - rho
            velocity *= rho
            velocity += scratch  # v = rho*v + (1-rho)*g^2
            np.add(velocity, eps, out=scratch)
            np.sqrt(scratch, out=scratch)
            np.divide(gradient, scratch, out=scratch)
            scratch *= lr
            parameter -= scratch  # p -= lr * g / sqrt(v + eps)

    def train_step(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
        """Forward, backward and update on one batch; returns (loss, accuracy)."""
        loss, accuracy, gradients = self.forward_backward(x, labels)
        self.apply_gradients(gradients)
        return loss, accuracy

    def fit_epoch(
        self, x: np.ndarray, labels: np.ndarray, batch_size: int, rng: np.random.Generator
    ) -> tuple[float, float]:
        """One pass over shuffled data, as Keras's fit does; returns the mean loss and accuracy."""
        order = rng.permutation(len(x))
        total_loss = total_accuracy = 0.0
        steps = 0
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, accuracy = self.train_step(x[batch], labels[batch])
            total_loss += loss
            total_accuracy += accuracy
            steps += 1
        return total_loss / steps, total_accuracy / steps


class NumpyMLP(HandWrittenModel):
    """Two dense layers trained with RMSprop, forward and backward by hand."""

    def __init__(self, weights: list[np.ndarray], settings: RMSpropSettings | None = None):
        super().__init__(weights, settings)
        self.kernel1, self.bias1, self.kernel2, self.bias2 = self.weights

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        hidden = np.maximum(x @ self.kernel1 + self.bias1, 0)
        logits = hidden @ self.kernel2 + self.bias2
        return _softmax(logits)

    def forward_backward(
        self, x: np.ndarray, labels: np.ndarray
    ) -> tuple[float, float, list[np.ndarray]]:
        """Loss, accuracy and the gradients [d kernel1, d bias1, d kernel2, d bias2]."""
        # Forward. The hidden layer is computed in one buffer: add the bias and
        # apply relu in place (relu's derivative can be read off its output).
        hidden = x @ self.kernel1
        hidden += self.bias1
        np.maximum(hidden, 0, out=hidden)
        logits = hidden @ self.kernel2
        logits += self.bias2

        # Softmax with the row maximum subtracted (exp cannot overflow), and the
        # loss from log-softmax, so a probability that underflows to 0 is no log(0).
        # (The same as `softmax_cross_entropy` below, written inline: this step's
        # Python calls are counted in step_instructions.py, against the engine's.)
        batch = x.shape[0]
        rows = np.arange(batch)
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        totals = probabilities.sum(axis=1, keepdims=True)
        probabilities /= totals
        log_likelihood = logits[rows, labels] - np.log(totals[:, 0])
        loss = float(-log_likelihood.mean())
        accuracy = float((probabilities.argmax(axis=1) == labels).mean())

        # Backward. Softmax and cross-entropy together have the simple derivative
        # (probabilities - onehot(labels)) / batch with respect to the logits.
        grad_logits = probabilities  # reuse the buffer: the probabilities are not needed again
        grad_logits[rows, labels] -= 1
        grad_logits /= batch
        grad_kernel2 = hidden.T @ grad_logits  # .T is a view: BLAS reads it transposed
        grad_bias2 = grad_logits.sum(axis=0)
        grad_hidden = grad_logits @ self.kernel2.T
        grad_hidden *= hidden > 0  # relu passes the gradient where its output was positive
        grad_kernel1 = x.T @ grad_hidden
        grad_bias1 = grad_hidden.sum(axis=0)
        return loss, accuracy, [grad_kernel1, grad_bias1, grad_kernel2, grad_bias2]


class EngineArrays(NumpyMLP):
    """The arrays tinygrad-edu's step makes, made here without its graph or Python objects.

    Not a reference to beat: a measuring device. It makes what the engine's step makes
    (relu in the product's buffer as LinearRelu does, softmax for the output and
    log-softmax for the loss, the loss's gradient as (exp(log-softmax) - onehot) / batch
    times the seed, relu's mask as a new array), with the same NumPy calls and none of
    the engine's Python around them. Its time against `NumpyMLP`'s shows how much of
    the engine's gap is arrays and how much is Python (mnist_mlp.py, contender `arrays`).
    """

    def forward_backward(
        self, x: np.ndarray, labels: np.ndarray
    ) -> tuple[float, float, list[np.ndarray]]:
        batch, rows = x.shape[0], np.arange(x.shape[0])
        hidden = x @ self.kernel1
        hidden += self.bias1
        np.maximum(hidden, 0, out=hidden)
        logits = hidden @ self.kernel2
        logits += self.bias2
        probabilities = _softmax(logits)  # the model's output (the Softmax node)
        shifted = logits - logits.max(axis=1, keepdims=True)  # the loss's LogSoftmax
        log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = float(-log_probabilities[rows, labels].sum() / batch)
        accuracy = float((probabilities.argmax(axis=1) == labels).mean())
        seed = np.ones((), dtype=logits.dtype)
        onehot = np.zeros(log_probabilities.shape, dtype=logits.dtype)
        onehot[rows, labels] = 1.0
        grad_logits = seed * ((np.exp(log_probabilities) - onehot) / batch)
        grad_hidden = grad_logits @ self.kernel2.T
        grad_kernel2 = hidden.T @ grad_logits
        grad_bias2 = grad_logits.sum(axis=0)
        grad_hidden = grad_hidden * (hidden > 0)
        grad_kernel1 = x.T @ grad_hidden
        grad_bias1 = grad_hidden.sum(axis=0)
        return loss, accuracy, [grad_kernel1, grad_bias1, grad_kernel2, grad_bias2]


def softmax_cross_entropy(
    logits: np.ndarray, labels: np.ndarray
) -> tuple[float, float, np.ndarray]:
    """Mean sparse cross-entropy of softmax(logits), accuracy, and d loss / d logits.

    `logits` (batch, classes) is overwritten (it becomes the gradient's buffer).
    Softmax is taken with the row maximum subtracted (exp cannot overflow) and the
    loss from log-softmax, so a probability that underflows to 0 is no log(0).
    Softmax and cross-entropy together have the simple derivative
    (probabilities - onehot(labels)) / batch with respect to the logits.
    """
    batch = logits.shape[0]
    rows = np.arange(batch)
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    totals = probabilities.sum(axis=1, keepdims=True)
    probabilities /= totals
    log_likelihood = logits[rows, labels] - np.log(totals[:, 0])
    loss = float(-log_likelihood.mean())
    accuracy = float((probabilities.argmax(axis=1) == labels).mean())
    grad_logits = probabilities  # reuse the buffer: the probabilities are not needed again
    grad_logits[rows, labels] -= 1
    grad_logits /= batch
    return loss, accuracy, grad_logits


def _softmax(logits: np.ndarray) -> np.ndarray:
    exps = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exps / exps.sum(axis=1, keepdims=True)
