"""Checks for exercise 10: train_step, against the five lines done by hand."""

from __future__ import annotations

import numpy as np

from tinygrad_edu import manual_seed
from tinygrad_edu.exercises.checks.common import on_cases
from tinygrad_edu.exercises.grader import Failure, check, expect_close
from tinygrad_edu.nn import Sequential
from tinygrad_edu.nn.layers import Dense, Layer
from tinygrad_edu.nn.losses import SparseCategoricalCrossentropy
from tinygrad_edu.nn.optimizers import SGD, Adam
from tinygrad_edu.tensor import Tensor

E = "train_step"


class ModeProbe(Layer):
    """Passes x through and remembers the mode it was called in."""

    def forward(self, x, training=None):
        self.seen = training
        return x


def setup(optimizer=Adam, learning_rate=0.05):
    manual_seed(0)
    model = Sequential([Dense(6, activation="tanh"), ModeProbe(), Dense(3)])
    model(Tensor(np.zeros((1, 4), "float32")))  # build
    return (
        model,
        optimizer(model.parameters(), learning_rate=learning_rate),
        SparseCategoricalCrossentropy(from_logits=True),
    )


def batch(seed=0):
    rng = np.random.default_rng(seed)
    return Tensor(rng.normal(size=(8, 4)).astype("float32")), rng.integers(0, 3, size=8)


def by_hand(steps, optimizer=Adam):
    model, opt, loss_fn = setup(optimizer)
    losses = []
    for step in range(steps):
        x, y = batch(step)
        opt.zero_grad()
        loss = loss_fn(y, model(x, training=True))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model, losses


def by_student(s, steps, optimizer=Adam):
    model, opt, loss_fn = setup(optimizer)
    losses = [s.train_step(model, opt, loss_fn, *batch(step)) for step in range(steps)]
    return model, losses


def same_weights(what, expected_model, got_model):
    for (name, e), (_, g) in zip(expected_model.named_parameters(), got_model.named_parameters()):
        expect_close(f"{what}: {name}", e, g, rtol=1e-5, atol=1e-6)


@check(
    E,
    "one step: the same loss (before the update) and the same new weights as the five lines",
    "zero_grad, y_pred = model(x, training=True), loss = loss_fn(y, y_pred) (y_true first, as "
    "Keras), loss.backward(), optimizer.step()",
)
def one_step(s):
    expected_model, expected = by_hand(1)
    got_model, got = by_student(s, 1)
    expect_close("the loss train_step returned", expected[0], got[0], rtol=1e-5)
    same_weights("the weights after one step", expected_model, got_model)


@check(
    E,
    "three steps: gradients do not pile up from step to step",
    "backward adds to .grad: call optimizer.zero_grad() at the start of every step",
)
def three_steps(s):
    for optimizer in (SGD, Adam):
        expected_model, expected = by_hand(3, optimizer)
        got_model, got = by_student(s, 3, optimizer)
        expect_close(
            f"the losses of three steps with {optimizer.__name__}", expected, got, rtol=1e-5
        )
        same_weights(
            f"the weights after three {optimizer.__name__} steps", expected_model, got_model
        )


@check(E, "returns the loss as a Python float", "return loss.item(), not the Tensor")
def returns_float(s):
    model, opt, loss_fn = setup()
    value = s.train_step(model, opt, loss_fn, *batch())
    if not isinstance(value, float):
        raise Failure(
            "train_step returned something that is not a float",
            expected="float",
            got=type(value).__name__,
        )


@check(
    E,
    "runs the model in training mode",
    "call model(x, training=True): Dropout and BatchNormalization behave differently in training",
)
def training_mode(s):
    model, opt, loss_fn = setup()
    model.eval()
    s.train_step(model, opt, loss_fn, *batch())
    probe = model.layers[1]
    if probe.seen is not True:
        raise Failure(
            "a layer of the model was called in inference mode", expected=True, got=probe.seen
        )


@check(
    E,
    "twenty steps on one batch drive its loss down",
    "each step must update the weights (optimizer.step())",
)
def trains(s):
    def prop(steps):
        model, opt, loss_fn = setup()
        x, y = batch()
        losses = [s.train_step(model, opt, loss_fn, x, y) for _ in range(steps)]
        if not losses[-1] < 0.5 * losses[0]:
            raise Failure(
                f"after {steps} steps on one batch the loss did not halve",
                expected=f"below {0.5 * losses[0]:.3f}",
                got=f"{losses[-1]:.3f}",
            )

    on_cases(s, [20], prop)
