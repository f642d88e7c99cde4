"""Checks for exercise 8: glorot_uniform and the Dense layer."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu import manual_seed
from tinygrad_edu.exercises.checks.common import expect_same_gradients, on_cases, sample
from tinygrad_edu.exercises.grader import Failure, check, expect_close, expect_dtype, for_all
from tinygrad_edu.nn import Sequential
from tinygrad_edu.nn.optimizers import Adam
from tinygrad_edu.tensor import Tensor

E = "dense"


def limit_of(shape):
    field = math.prod(shape[:-2])
    return math.sqrt(6.0 / (shape[-2] * field + shape[-1] * field))


@check(
    E,
    "glorot_uniform: shape, dtype, range [-limit, limit] with limit = sqrt(6 / (fan_in + fan_out))",
    "limit = sqrt(6 / (fan_in + fan_out)): a uniform's variance is limit^2 / 3, which makes "
    "it 2 / (fan_in + fan_out); for a (kh, kw, in, out) kernel each fan is times kh * kw",
)
def glorot(s):
    def prop(shape):
        manual_seed(0)
        w = s.glorot_uniform(shape, "float32")
        if not isinstance(w, np.ndarray) or w.shape != tuple(shape):
            raise Failure(
                f"glorot_uniform({shape}) has the wrong shape",
                expected=tuple(shape),
                got=getattr(w, "shape", w),
            )
        expect_dtype(f"glorot_uniform({shape}, 'float32')", np.float32, w)
        limit = limit_of(shape)
        if np.abs(w).max() > limit * (1 + 1e-6):
            raise Failure(
                f"glorot_uniform({shape}) has values outside [-limit, limit]",
                expected=limit,
                got=float(np.abs(w).max()),
            )
        if w.size >= 3000:  # enough values to see the spread
            if np.abs(w).max() < 0.95 * limit or abs(w.std() - limit / math.sqrt(3)) > 0.05 * limit:
                raise Failure(
                    f"glorot_uniform({shape}) is not spread uniformly over [-limit, limit]",
                    expected=f"std {limit / math.sqrt(3):.4f}, largest |w| near {limit:.4f}",
                    got=f"std {w.std():.4f}, largest |w| {np.abs(w).max():.4f}",
                )
            if abs(w.mean()) > 0.05 * limit:
                raise Failure(
                    f"glorot_uniform({shape}) is not centered on 0",
                    expected=0.0,
                    got=float(w.mean()),
                )

    sides = st.integers(1, 6)
    first = [(60, 80), (100, 50), (3, 3, 16, 32)]
    for_all(
        s, st.one_of(st.tuples(sides, sides), st.tuples(sides, sides, sides, sides)), prop, first
    )


@check(
    E,
    "build: a kernel (inputs, units) from glorot_uniform and a zero bias (units,), both trained",
    "use self.add_weight('kernel', (input_shape[-1], self.units), glorot_uniform) so the "
    "optimizer finds it; the bias starts at zero",
)
def build(s):
    manual_seed(0)
    layer = s.Dense(4)
    layer(Tensor(np.ones((2, 3), "float32")))
    kernel, bias = getattr(layer, "kernel", None), getattr(layer, "bias", None)
    if kernel is None or bias is None:
        raise Failure("the layer has no .kernel or no .bias after its first call")
    if kernel.shape != (3, 4) or bias.shape != (4,):
        raise Failure(
            "kernel and bias have the wrong shapes",
            expected="(3, 4) and (4,)",
            got=f"{kernel.shape} and {bias.shape}",
        )
    expect_close("the bias before training", np.zeros(4), bias)
    if np.abs(kernel.data).max() > limit_of((3, 4)) or np.all(kernel.data == 0):
        raise Failure("the kernel does not come from glorot_uniform", got=kernel.data)
    if {id(p) for p in layer.parameters()} != {id(kernel), id(bias)}:
        raise Failure(
            "kernel and bias are not the layer's parameters (use add_weight)",
            got=len(layer.parameters()),
        )
    expect_dtype("the kernel of a float32 layer", np.float32, kernel)
    expect_dtype(
        "the kernel of a float64 layer", np.float64, _built(s.Dense(2, dtype="float64"), 3).kernel
    )


def _built(layer, features):
    layer(Tensor(np.ones((1, features))))
    return layer


@check(
    E,
    "forward: activation(x @ kernel + bias), values and gradients",
    "x @ kernel (inputs, units) gives (batch, units); add the bias, then the activation",
)
def forward(s):
    def prop(case):
        x, activation = case
        layer = _built(s.Dense(3, activation=activation, dtype="float64"), x.shape[-1])
        kernel, bias = layer.kernel.data.copy(), sample(3, seed=5)
        layer.bias.data = bias

        def student(t):
            return layer(t)

        def reference(t):
            y = t @ Tensor(kernel) + Tensor(bias)
            return y.relu() if activation == "relu" else y

        expect_same_gradients(
            f"Dense(3, activation={activation!r}) on x of shape {x.shape}",
            student,
            reference,
            [x],
            names=("x",),
        )

    inputs = st.integers(1, 3).flatmap(lambda n: st.just(sample(n, 4)))
    for_all(
        s,
        st.tuples(inputs, st.sampled_from([None, "relu"])),
        prop,
        [(sample(2, 4), "relu")],
        names=("x", "activation"),
    )


@check(
    E,
    "inside a Sequential, fit trains it (the loss falls)",
    "forward must use self.kernel and self.bias, the Tensors the optimizer updates",
)
def trains(s):
    manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    model = Sequential([s.Dense(8, activation="relu"), s.Dense(2)])
    model.compile(optimizer=Adam(learning_rate=0.03), loss=_loss())
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    losses = history.history["loss"]
    if not losses[-1] < 0.8 * losses[0]:
        raise Failure(
            "the loss did not fall while training with fit",
            expected=f"below {0.8 * losses[0]:.3f}",
            got=f"{losses[-1]:.3f}",
        )


def _loss():
    from tinygrad_edu.nn.losses import SparseCategoricalCrossentropy

    return SparseCategoricalCrossentropy(from_logits=True)


@check(
    E,
    "edges: a batch of one, a 3-D input (batch, time, features)",
    "x @ kernel works on any leading axes",
)
def edges(s):
    def prop(shape):
        layer = _built(s.Dense(2, dtype="float64"), shape[-1])
        x = sample(*shape)
        expect_close(
            f"Dense(2) on shape {shape}", x @ layer.kernel.data + layer.bias.data, layer(Tensor(x))
        )

    on_cases(s, [(1, 3), (2, 5, 3)], prop)
