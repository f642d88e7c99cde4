"""Checks for exercise 9: SGD with momentum and Adam, step by step against the engine's."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu import manual_seed
from tinygrad_edu.exercises.checks.common import on_cases
from tinygrad_edu.exercises.grader import Failure, check, expect_close, expect_dtype, for_all
from tinygrad_edu.nn import Sequential, optimizers
from tinygrad_edu.nn.layers import Dense
from tinygrad_edu.nn.losses import SparseCategoricalCrossentropy
from tinygrad_edu.tensor import Tensor

E = "optimizers"
START = np.array([[1.5, -2.0, 0.3], [0.0, 4.0, -0.7]])
TARGET = np.array([[0.5, 1.0, -1.0], [2.0, 0.0, 0.1]])
SCALE = np.array([[1.0, 10.0, 0.1], [3.0, 0.5, 100.0]])  # gradients of very different sizes


def trajectory(make, steps, dtype="float64"):
    """The parameter after each of `steps` steps on a quadratic bowl."""
    p = Tensor(START.astype(dtype), requires_grad=True)
    optimizer = make([p])
    path = []
    for _ in range(steps):
        optimizer.zero_grad()
        (((p - Tensor(TARGET.astype(dtype))) ** 2) * Tensor(SCALE.astype(dtype))).sum().backward()
        optimizer.step()
        path.append(p.data.copy())
    return path


def same_path(name, student, engine, steps=5, rtol=1e-5):
    expected, got = trajectory(engine, steps), trajectory(student, steps)
    for step, (e, g) in enumerate(zip(expected, got), start=1):
        expect_close(f"{name}: the parameter after step {step}", e, g, rtol=rtol, atol=1e-7)


@check(
    E,
    "SGD: plain and with momentum, step for step as Keras",
    "m = momentum * m - lr * g, then p = p + m; keep m in state, updated in place (m[...] = ...)",
)
def sgd(s):
    def prop(case):
        lr, momentum = case
        same_path(
            f"SGD(learning_rate={lr}, momentum={momentum})",
            lambda p: s.SGD(p, learning_rate=lr, momentum=momentum),
            lambda p: optimizers.SGD(p, learning_rate=lr, momentum=momentum),
        )

    rates = st.sampled_from([0.001, 0.01, 0.05])
    for_all(
        s,
        st.tuples(rates, st.sampled_from([0.0, 0.5, 0.9])),
        prop,
        [(0.01, 0.9), (0.05, 0.0)],
        names=("learning_rate", "momentum"),
    )


@check(
    E,
    "Adam: step for step as Keras, bias correction included",
    "t = iterations + 1; the step is lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + "
    "epsilon), with v the running mean of g * g",
)
def adam(s):
    def prop(case):
        lr, beta_1, beta_2 = case
        same_path(
            f"Adam(learning_rate={lr}, beta_1={beta_1}, beta_2={beta_2})",
            lambda p: s.Adam(p, learning_rate=lr, beta_1=beta_1, beta_2=beta_2),
            lambda p: optimizers.Adam(p, learning_rate=lr, beta_1=beta_1, beta_2=beta_2),
            rtol=1e-4,
        )

    cases = st.tuples(
        st.sampled_from([0.001, 0.1]), st.sampled_from([0.8, 0.9]), st.sampled_from([0.99, 0.999])
    )
    for_all(s, cases, prop, [(0.001, 0.9, 0.999)], names=("learning_rate", "beta_1", "beta_2"))


@check(
    E,
    "Adam's first step moves every entry by about lr, whatever its gradient's size",
    "without the bias correction the first step is lr * (1 - beta_1) / sqrt(1 - beta_2), "
    "about 3 lr: divide by (1 - beta^t)",
)
def adam_first_step(s):
    (after,) = trajectory(lambda p: s.Adam(p, learning_rate=0.01), 1)
    expect_close(
        "|the first step| of Adam(learning_rate=0.01)",
        np.full(START.shape, 0.01),
        np.abs(after - START),
        rtol=1e-3,
    )


@check(
    E,
    "float32 stays float32; a zero gradient gives no NaN",
    "np.zeros_like(param.data) keeps the dtype; epsilon keeps m / (sqrt(v) + epsilon) finite",
)
def dtypes_and_zero(s):
    for make in (lambda p: s.SGD(p, learning_rate=0.1, momentum=0.9), lambda p: s.Adam(p)):
        p = Tensor(np.ones(3, dtype="float32"), requires_grad=True)
        optimizer = make([p])
        p.grad = Tensor(np.zeros(3, dtype="float32"))
        optimizer.step()
        name = type(optimizer).__name__
        expect_dtype(f"{name}: the parameter after a step", np.float32, p.data)
        expect_close(f"{name}: the parameter after a zero gradient", np.ones(3), p.data)
        for key, array in optimizer.state[0].items():
            expect_dtype(f"{name}: state[{key!r}]", np.float32, array)


@check(
    E,
    "compile(optimizer=...) and fit train a model with them",
    "update param.data in place (param.data -= step), or the model never changes",
)
def trains(s):
    def prop(case):
        make = case[1]
        manual_seed(0)
        rng = np.random.default_rng(0)
        x = rng.normal(size=(64, 4)).astype("float32")
        y = (x[:, 0] - x[:, 2] > 0).astype(int)
        model = Sequential([Dense(8, activation="relu"), Dense(2)])
        optimizer = make()
        model.compile(optimizer=optimizer, loss=SparseCategoricalCrossentropy(from_logits=True))
        losses = model.fit(x, y, epochs=10, batch_size=16, verbose=0).history["loss"]
        if not losses[-1] < 0.6 * losses[0]:
            raise Failure(
                f"{type(optimizer).__name__}: the loss did not fall while training with fit",
                expected=f"below {0.6 * losses[0]:.3f}",
                got=f"{losses[-1]:.3f}",
            )

    cases = [
        ("SGD(learning_rate=0.1, momentum=0.9)", lambda: s.SGD(learning_rate=0.1, momentum=0.9)),
        ("Adam(learning_rate=0.03)", lambda: s.Adam(learning_rate=0.03)),
    ]
    on_cases(s, cases, prop)
