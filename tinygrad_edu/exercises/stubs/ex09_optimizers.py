"""Exercise 9: SGD with momentum, and Adam, as Keras writes them.

An optimizer moves each parameter against its gradient. The base class
`Optimizer` does the bookkeeping (the parameter list, the step count
`self.iterations`, the learning rate, `zero_grad`, and `step`, which calls your
`update` once per parameter that has a gradient, outside the graph). You write:

- `new_state(param)`: the arrays kept for one parameter between steps (zeros of
  its shape and dtype: `np.zeros_like(param.data)`);
- `update(param, gradient, state, lr)`: one step, changing `param.data` in place.
  `gradient` is a NumPy array of the parameter's shape.

SGD with momentum (Keras's rule; Polyak 1964): a velocity m remembers past
gradients, so steps grow along directions the gradient keeps pointing in:
    m = momentum * m - lr * g;   p = p + m

Adam (Kingma & Ba 2015) keeps running means of g and g^2 per entry and steps by
their ratio, so every parameter moves about lr per step whatever its gradient's
scale. The means start at zero and are biased towards it early on; dividing by
(1 - beta^t) corrects that. Keras folds the correction into the step size:
    t = iterations + 1
    m = beta_1 m + (1 - beta_1) g;   v = beta_2 v + (1 - beta_2) g^2
    p = p - lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)

Update the state arrays in place (`m[...] = ...`): a new local array named m
would be forgotten by the next step. Keep float32 parameters float32.

Your optimizers work with `model.compile(optimizer=Adam(...))`: the grader trains with them.

Grade it: tinygrad-edu exercises grade . optimizers
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
        # TODO: add the velocity "m", zeros of the parameter's shape and dtype.
        raise NotImplementedError("exercise 9: write SGD.new_state")

    def update(self, param, gradient, state, lr):
        # TODO: update state["m"] in place, then param.data.
        raise NotImplementedError("exercise 9: write SGD.update")


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
        # TODO: add "m" and "v", zeros of the parameter's shape and dtype.
        raise NotImplementedError("exercise 9: write Adam.new_state")

    def update(self, param, gradient, state, lr):
        # TODO: the rule in the class docstring; self.iterations is the number of steps
        # taken before this one.
        raise NotImplementedError("exercise 9: write Adam.update")
