"""`grad()`: gradients of outputs with respect to chosen inputs, as torch.autograd.grad."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.autograd import run_backward
from tinygrad_edu.tensor import Tensor


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

    With `create_graph=True` the returned gradients are themselves recorded, so
    they can be differentiated again (second derivatives, gradient penalties).
    """
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    for position, tensor in enumerate(inputs):
        if not isinstance(tensor, Tensor) or not tensor.requires_grad:
            raise RuntimeError(f"grad: input {position} does not require grad")
    grad_outputs = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    seeds = []
    for position, (output, seed) in enumerate(zip(outputs, grad_outputs)):
        if not output.requires_grad:
            raise RuntimeError(f"grad: output {position} does not require grad (no graph)")
        if seed is None:
            if output.size != 1:
                raise RuntimeError(
                    f"grad: output {position} has shape {output.shape}; grad_outputs can be "
                    "left out only for one-element outputs"
                )
            seed = Tensor._from_op(np.ones(output.shape, dtype=output.dtype), False)
        elif not isinstance(seed, Tensor):
            seed = Tensor(seed, dtype=output.dtype)
        if seed.shape != output.shape:
            raise ValueError(
                f"grad: grad_outputs[{position}] has shape {seed.shape}, but output "
                f"{position} has shape {output.shape}"
            )
        seeds.append(seed)
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
