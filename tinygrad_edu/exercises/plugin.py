"""The one seam through which a student's code replaces the engine's for a while.

Tensor's methods look each primitive up in the `tinygrad_edu.ops` package at
the moment they are called (`a * b` runs `ops.Mul.apply(a, b)`), and
`Tensor.backward` calls `autograd.run_backward` the same way. So putting a
student's `Mul` class into `ops` under the name "Mul" makes every `*` in the
engine run the student's forward and backward, in the layers and losses too,
until the name is put back. Both context managers here restore what was there
on exit, also when the block raises.

    with use_ops(Mul=StudentMul):
        (x * y).sum().backward()     # StudentMul.backward computes the gradients
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from tinygrad_edu import autograd, ops
from tinygrad_edu.autograd import Function, no_grad


@contextlib.contextmanager
def use_ops(**functions: type[Function]) -> Iterator[None]:
    """Inside the block, `ops.<Name>` is the class given for that name.

    Args:
        functions: e.g. `Mul=StudentMul`; each name must already be an op in
            `tinygrad_edu.ops` and each value a `Function` subclass.
    Raises:
        ValueError: a name that is not one of the engine's ops.
        TypeError: a value that is not a Function subclass.
    """
    for name, cls in functions.items():
        if not isinstance(getattr(ops, name, None), type):
            raise ValueError(f"use_ops: {name!r} is not one of the engine's ops")
        if not (isinstance(cls, type) and issubclass(cls, Function)):
            raise TypeError(f"use_ops: {name} must be a Function subclass, got {cls!r}")
    originals = {name: getattr(ops, name) for name in functions}
    try:
        for name, cls in functions.items():
            setattr(ops, name, cls)
        yield
    finally:
        for name, cls in originals.items():
            setattr(ops, name, cls)


@contextlib.contextmanager
def use_backward(walk: Callable[[Any, Any], None]) -> Iterator[None]:
    """Inside the block, `Tensor.backward()` runs `walk(root, grad)` instead of the engine's walk.

    `walk` fills the `.grad` of the leaves (exercise 5). It runs under `no_grad`,
    as the engine's walk does. Calls the student's walk does not cover go to
    the engine's as before: `grad()` (which returns gradients instead of storing
    them), several roots at once, and `create_graph=True`.
    """
    engine_walk = autograd.run_backward

    def run_backward(roots, root_grads, retain_graph, create_graph, capture=None):
        if capture is not None or create_graph or len(roots) != 1:
            return engine_walk(roots, root_grads, retain_graph, create_graph, capture)
        with no_grad():
            walk(roots[0], root_grads[0])
        return {}

    autograd.run_backward = run_backward
    try:
        yield
    finally:
        autograd.run_backward = engine_walk
