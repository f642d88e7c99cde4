"""Checks for exercise 5: the topological order and the backward walk."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu.exercises.checks.common import on_cases, tensor
from tinygrad_edu.exercises.grader import Failure, check, expect_close, expect_dtype, for_all
from tinygrad_edu.exercises.plugin import use_backward
from tinygrad_edu.gradients import grad as engine_grad
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.graph import topological_order as engine_order

E = "backward"
OPS = ("add", "mul", "sub", "tanh")


def programs():
    """A small random graph: two leaves, then ops that each combine two earlier tensors."""
    step = st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 50))
    return st.lists(step, min_size=1, max_size=8)


def run_program(program, leaves):
    nodes = list(leaves)
    for op, i, j in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "add":
            nodes.append(a + b)
        elif op == "mul":
            nodes.append(a * b)
        elif op == "sub":
            nodes.append(a - b)
        else:
            nodes.append(a.tanh())
    return (nodes[-1] * nodes[-1]).sum()


def parents_of(t):
    return t.grad_fn.inputs if t.grad_fn is not None else ()


@check(
    E,
    "topological_order: every node once, each after its inputs, the root last",
    "a node already visited is not listed again; a node is listed only after all its parents",
)
def order(s):
    def prop(program):
        leaves = [tensor([0.5, -1.0]), tensor([2.0, 0.3])]
        root = run_program(program, leaves)
        got = s.topological_order(root)
        expected = engine_order([root], parents_of)
        ids = [id(t) for t in got]
        if len(ids) != len(set(ids)):
            raise Failure("a node appears more than once", expected=len(expected), got=len(got))
        if set(ids) != {id(t) for t in expected}:
            raise Failure("not the nodes the root depends on", expected=len(expected), got=len(got))
        position = {node: i for i, node in enumerate(ids)}
        for t in got:
            for p in parents_of(t):
                if position[id(p)] > position[id(t)]:
                    raise Failure(f"{t.grad_fn.name}'s output is listed before one of its inputs")
        if got[-1] is not root:
            raise Failure("the root is not last")

    for_all(s, programs(), prop)


@check(
    E,
    "backward on random graphs gives the engine's gradients (shared nodes counted once)",
    "a tensor used twice must pass on the *sum* of its gradients once, after it has received "
    "all of them: keep a dict of gradients so far, and walk in reversed topological order",
)
def random_graphs(s):
    def prop(program):
        values = [np.array([0.5, -1.0]), np.array([2.0, 0.3])]
        leaves = [tensor(v) for v in values]
        expected = engine_grad(run_program(program, leaves), leaves, allow_unused=True)
        leaves = [tensor(v) for v in values]
        root = run_program(program, leaves)
        s.backward(root, Tensor(np.ones((), dtype=root.dtype)))
        for name, e, leaf in zip("xy", expected, leaves):
            expect_close(
                f"the gradient of leaf {name}",
                np.zeros(2) if e is None else e,
                leaf.grad if leaf.grad is not None else np.zeros(2),
            )

    for_all(s, programs(), prop)


@check(
    E,
    "leaves: .grad adds up over two backward calls; non-leaves and constants get none",
    "add to leaf.grad when it is already set (gradients accumulate until zero_grad); set .grad "
    "only where grad_fn is None and requires_grad is True",
)
def leaves(s):
    x = tensor(np.array([1.0, 2.0]))
    constant = tensor(np.array([3.0, 4.0]), requires_grad=False)
    hidden = x * constant
    root = (hidden * hidden).sum()
    s.backward(root, Tensor(np.ones(())))
    first = 2 * x.data * constant.data**2
    expect_close("x.grad after one backward", first, x.grad)
    root = (x * constant * x * constant).sum()
    s.backward(root, Tensor(np.ones(())))
    expect_close("x.grad after a second backward (the two added)", 2 * first, x.grad)
    if constant.grad is not None:
        raise Failure("a tensor with requires_grad=False got a .grad", got=constant.grad)
    if hidden.grad is not None:
        raise Failure("an intermediate (non-leaf) tensor got a .grad", got=hidden.grad)


@check(
    E,
    "float32 stays float32, and loss.backward() runs your walk",
    "store the gradients the ops return as they are; don't turn them into float64 arrays",
)
def through_engine(s):
    x = tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), dtype=np.float32)
    w = tensor(np.array([[0.1, 0.2], [0.3, -0.4]]), dtype=np.float32)
    expected = engine_grad((x @ w).tanh().sum(), [x, w])
    with use_backward(s.backward):
        (x @ w).tanh().sum().backward()
    for name, e, leaf in (("x", expected[0], x), ("w", expected[1], w)):
        expect_close(f"{name}.grad after loss.backward()", e, leaf.grad, rtol=1e-5)
        expect_dtype(f"{name}.grad", np.float32, leaf.grad)


@check(
    E,
    "a deep chain of 3,000 ops backpropagates (no RecursionError)",
    "Python allows about 1,000 nested calls: build the order with a loop and a list as a stack",
)
def deep_chain(s):
    def prop(length):
        x = tensor(np.array([0.5]))
        y = x
        for _ in range(length):
            y = y * 1.0001
        s.backward(y.sum(), Tensor(np.ones(())))
        expect_close(f"x.grad through {length} multiplications", [1.0001**length], x.grad)

    on_cases(s, [3000], prop)
