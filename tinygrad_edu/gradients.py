"""`grad()`: gradients of outputs with respect to chosen inputs, as torch.autograd.grad."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinygrad_edu.autograd import run_backward
from tinygrad_edu.tensor import Tensor, seed_gradient


def _as_list(values: Any) -> list:
    return list(values) if isinstance(values, (list, tuple)) else [values]


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> list[Tensor | None]:
    """Return d(outputs)/d(input) for each input, without touching any `.grad`.

    Args:
        outputs: a tensor or a list of them, each the end of a recorded graph.
        inputs: a tensor or a list of them that require grad (leaves or not).
        grad_outputs: one gradient per output, of that output's shape (an array
            or Tensor, cast to its dtype), or None: 1 for one-element outputs.
        retain_graph: keep the graph's saved arrays for another pass through it;
            defaults to `create_graph`.
        create_graph: record the gradients' own computation, so they can be
            differentiated again (second derivatives, gradient penalties).
        allow_unused: give None for an input the outputs do not depend on,
            instead of raising.
    Returns:
        A list with one gradient per input, each of that input's shape and dtype
        (None for an unused input when `allow_unused=True`).
    Raises:
        RuntimeError: an input or output does not require grad; a grad_output is
            left out for an output of more than one element; an input is unused
            (and allow_unused is False); the graph was released by an earlier pass.
        ValueError: grad_outputs has another length than outputs, or a shape
            other than its output's.
    """
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    for position, tensor in enumerate(inputs):
        if isinstance(tensor, Tensor) and tensor.dtype.kind != "f":
            raise RuntimeError(
                f"grad: input {position} has dtype {tensor.dtype}; only floating-point tensors "
                "have gradients (convert it first, e.g. x.float(), and require grad on that)"
            )
        if not isinstance(tensor, Tensor) or not tensor.requires_grad:
            raise RuntimeError(f"grad: input {position} does not require grad")
    grad_outputs = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    seeds = [
        seed_gradient(output, seed, "grad", f"grad_outputs[{i}]", f"output {i}")
        for i, (output, seed) in enumerate(zip(outputs, grad_outputs))
    ]
    if retain_graph is None:
        retain_graph = create_graph
    captured = run_backward(outputs, seeds, retain_graph, create_graph, capture=inputs)
    results = []
    for position, tensor in enumerate(inputs):
        found = captured.get(id(tensor))
        if found is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {position} (shape {tensor.shape}) was not used to compute the "
                "outputs; pass allow_unused=True to get None for it"
            )
        results.append(found)
    return results
