"""Checks for exercise 2: Exp, Log, Tanh and Sigmoid backward."""

from __future__ import annotations

import numpy as np

from tinygrad_edu import ops
from tinygrad_edu.exercises.checks.common import (
    direct_backward,
    expect_gradcheck,
    expect_same_gradients,
    on_cases,
    tensor,
)
from tinygrad_edu.exercises.grader import Failure, check, expect_dtype, for_all
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.testing.strategies import float_arrays, positive_arrays, shapes

E = "elementwise"
NAMES = ("Exp", "Log", "Tanh", "Sigmoid")


def domain(name: str):
    """Inputs where the op is smooth: log needs positive numbers."""
    small = shapes(max_dims=2, max_side=3)
    return positive_arrays(small) if name == "Log" else float_arrays(small)


def one_op_check(name: str, second: bool = False):
    def run(s):
        student_op, engine_op = getattr(s, name), getattr(ops, name)

        def prop(x):
            if second:
                expect_gradcheck(f"{name}", student_op.apply, [x], second=True)
            else:
                expect_same_gradients(name, student_op.apply, engine_op.apply, [x], names=("a",))
                expect_gradcheck(name, student_op.apply, [x])

        for_all(s, domain(name), prop)

    return run


HINTS = {
    "Exp": "d exp(a)/da is exp(a) itself: grad * self.output",
    "Log": "d log(a)/da is 1 / a: grad / a",
    "Tanh": "the derivative is 1 - y^2 with y the *output* tanh(a), not the input",
    "Sigmoid": "the derivative is y (1 - y) with y the output",
}
for _name in NAMES:
    check(E, f"{_name}.backward: values and gradcheck", HINTS[_name])(one_op_check(_name))

check(
    E,
    "gradgradcheck: second derivatives of all four",
    "write backward with Tensor operations (grad * self.output); a NumPy array such as "
    "np.exp(a.data) is a constant to the engine, so its own derivative is lost",
)(lambda s: [one_op_check(name, second=True)(s) for name in NAMES])


@check(E, "float32 stays float32", "use Tensors and Python numbers (1 - y), not float64 arrays")
def dtypes(s):
    for name in NAMES:
        x = tensor(np.array([0.5, 1.5]), dtype=np.float32)
        grad = Tensor(np.ones(2, dtype=np.float32))
        (got,) = direct_backward(getattr(s, name), (x,), grad)
        expect_dtype(f"{name}.backward's gradient", np.float32, got)


@check(
    E,
    "large inputs: finite gradients at -1000 and 1000, and near 0 for Log",
    "at |a| = 1000 exp overflows to inf and 0 * inf is NaN: write the derivative with the "
    "output y (y * (1 - y), 1 - y * y), which stays finite",
)
def large_inputs(s):
    def prop(case):
        name, values = case
        student_op, engine_op = getattr(s, name), getattr(ops, name)
        x = np.array(values)
        expect_same_gradients(f"{name} at {values}", student_op.apply, engine_op.apply, [x])
        _, (g,) = _grads(student_op, x)
        if not np.all(np.isfinite(g)):
            raise Failure(f"{name}: the gradient is not finite at {values}", got=g)

    cases = [
        ("Sigmoid", [-1000.0, 1000.0, 0.0]),
        ("Tanh", [-1000.0, 1000.0]),
        ("Exp", [-1000.0, 0.0]),
        ("Log", [1e-300, 1e300]),
    ]
    on_cases(s, cases, prop)


def _grads(op, x):
    from tinygrad_edu.exercises.checks.common import gradients

    return gradients(op.apply, [x])
