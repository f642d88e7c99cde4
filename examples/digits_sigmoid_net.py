"""A network written from scratch: 64 inputs -> 30 sigmoid neurons -> 10 sigmoid outputs.

The style of the classic "neural networks from scratch" lessons: the weights are
plain Tensors, the cost is the quadratic cost, and the training loop is
stochastic gradient descent written out in full. What is *not* written by hand
is the backpropagation: ``cost.backward()`` fills every ``.grad``.

Data: the 8x8 digits that ship with tinygrad_edu (1,437 training and 360 test
images, pixels 0..16 scaled to 0..1).

    python examples/digits_sigmoid_net.py
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from tinygrad_edu import Tensor, manual_seed, no_grad, randn
from tinygrad_edu.datasets import batches, digits, to_categorical
from tinygrad_edu.random import generator

TARGET_ACCURACY = 0.90


class SigmoidNetwork:
    """Layers of sigmoid neurons; ``sizes=[64, 30, 10]`` means 64 inputs, 30 hidden, 10 outputs."""

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = list(sizes)
        # One weight matrix and one bias vector per layer, drawn from a standard normal.
        self.weights = [
            randn(n_in, n_out, requires_grad=True, name=f"w{i + 1}")
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
        ]
        self.biases = [
            randn(n_out, requires_grad=True, name=f"b{i + 1}") for i, n_out in enumerate(sizes[1:])
        ]

    def parameters(self) -> list[Tensor]:
        return self.weights + self.biases

    def feedforward(self, x: Tensor) -> Tensor:
        """Each layer computes sigmoid(x @ w + b) for a whole batch of rows at once."""
        for w, b in zip(self.weights, self.biases, strict=True):
            x = (x @ w + b).sigmoid()
        return x

    def sgd_step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> float:
        """One step of gradient descent on one mini-batch; returns the batch's cost."""
        output = self.feedforward(Tensor(x))
        # Quadratic cost: half the squared distance to the one-hot target, averaged over the batch.
        cost = 0.5 * ((output - Tensor(y)) ** 2).sum() / len(x)
        for p in self.parameters():
            p.grad = None
        cost.backward()
        with no_grad():
            for p in self.parameters():
                p -= learning_rate * p.grad
        return cost.item()

    def accuracy(self, x: np.ndarray, labels: np.ndarray) -> float:
        """The fraction of images whose most active output neuron is the right digit."""
        with no_grad():
            output = self.feedforward(Tensor(x)).numpy()
        return float(np.mean(output.argmax(axis=1) == labels))


def load_digits() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Digits as rows of 64 floats in [0, 1] (pixels are 0..16) and integer labels."""
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = (x_train / 16.0).reshape(len(x_train), -1).astype(np.float32)
    x_test = (x_test / 16.0).reshape(len(x_test), -1).astype(np.float32)
    return (x_train, y_train), (x_test, y_test)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="A from-scratch sigmoid network on 8x8 digits (they ship with the package).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--epochs", type=int, default=30, help="passes over the training data")
    parser.add_argument("--batch-size", type=int, default=10, help="examples per step")
    parser.add_argument("--learning-rate", type=float, default=3.0, help="SGD's step size")
    parser.add_argument("--hidden", type=int, default=30, help="hidden sigmoid neurons")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Train and report; returns ``{"test_accuracy": float, "history": [per-epoch accuracy]}``."""
    args = parse_args(argv)
    manual_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_digits()
    targets = to_categorical(y_train, 10)

    network = SigmoidNetwork([64, args.hidden, 10])
    history = []
    for epoch in range(1, args.epochs + 1):
        # A new shuffle every epoch, drawn from the generator that manual_seed set.
        epoch_seed = int(generator().integers(2**31))
        for xb, yb in batches(x_train, targets, batch_size=args.batch_size, seed=epoch_seed):
            network.sgd_step(xb, yb, args.learning_rate)
        accuracy = network.accuracy(x_test, y_test)
        history.append(accuracy)
        correct = round(accuracy * len(y_test))
        print(f"Epoch {epoch:2d}: {correct} / {len(y_test)} test images right ({accuracy:.2%})")

    test_accuracy = history[-1]
    print(f"Test accuracy: {test_accuracy:.4f} (target: at least {TARGET_ACCURACY})")
    return {"test_accuracy": test_accuracy, "history": history}


if __name__ == "__main__":
    main()
