"""Exercise 9: SGD with momentum, and Adam, as Keras writes them.

Reference solution (for teachers; `exercises new` never copies it).
"""

import math

import numpy as np

from tinygrad_edu.nn.optimizers import Optimizer


class SGD(Optimizer):
    """m = momentum * m - lr * g;  p = p + m  (plain SGD, p = p - lr * g, when momentum is 0)."""

    def __init__(self, params=None, learning_rate=0.01, momentum=0.0, **clipping):
        self.momentum = momentum
        super().__init__(params, learning_rate, **clipping)

    def new_state(self, param):
        state = super().new_state(param)
        state["m"] = np.zeros_like(param.data)
        return state

    def update(self, param, gradient, state, lr):
        m = state["m"]
        m[...] = self.momentum * m - lr * gradient  # in place: the state must remember it
        param.data += m


class Adam(Optimizer):
    """Kingma & Ba (2015), Algorithm 1, with the bias correction folded into the step (Keras 3):

    t = iterations + 1
    m = beta_1 m + (1 - beta_1) g;   v = beta_2 v + (1 - beta_2) g^2
    p = p - lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)
    """

    def __init__(
        self, params=None, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **clipping
    ):
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        super().__init__(params, learning_rate, **clipping)

    def new_state(self, param):
        state = super().new_state(param)
        state["m"] = np.zeros_like(param.data)
        state["v"] = np.zeros_like(param.data)
        return state

    def update(self, param, gradient, state, lr):
        m, v = state["m"], state["v"]
        t = self.iterations + 1  # iterations counts the steps already taken
        m[...] = self.beta_1 * m + (1 - self.beta_1) * gradient
        v[...] = self.beta_2 * v + (1 - self.beta_2) * gradient * gradient
        alpha = lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        param.data -= alpha * m / (np.sqrt(v) + self.epsilon)
