"""watch_backward: record the backward walk as the engine runs it, then replay it in a page.

`backward()` (autograd.run_backward) tells an observer each step as it happens:
the seed, each tensor taken off the heap with its complete gradient, each
gradient its op passes to an input, each op's saved arrays released, and each
leaf's `.grad` filled in at the end. The `_Recorder` below is that observer:
it turns the steps into `Frame`s, one per thing a learner should look at:

- frame 0: the loss receives its seed gradient, 1;
- one frame per op, newest first (the heap hands out the highest sequence
  number): the gradient that arrived, what it passed to each input (and where
  that input already had a gradient waiting, the sum), what the queue holds
  afterwards, and the saved arrays it let go;
- one frame per leaf: the gradient it got and its `.grad` after.

Nothing is walked a second time: the frames are what `backward` did.
`BackwardWatch.save("backward.html")` writes one self-contained page (the graph
drawn once by Graphviz as inline SVG, a small script, no network) with a
slider and step buttons; in Jupyter the object shows that page inline.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import autograd
from tinygrad_edu.files import write_text_atomically
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.graph import COLLAPSE_ABOVE, draw_graph, names_from, plan_graph
from tinygrad_edu.viz.labels import SMALL_TENSOR_SIZE, format_shape, format_values
from tinygrad_edu.viz.render import require_graphviz
from tinygrad_edu.viz.watch_page import page


def describe(array: np.ndarray) -> str:
    """A gradient as text: every value of a small one, shape, dtype and summary of a big one."""
    array = np.asarray(array)
    if array.size <= SMALL_TENSOR_SIZE:
        return format_values(array)
    return f"{format_shape(array.shape)} {array.dtype}: {format_values(array)}"


@dataclass
class Pass:
    """A gradient an op handed to one of its inputs."""

    to: str  # the input's label, e.g. "t3 dense_1.kernel (64, 16)"
    node: str  # the input's node in the picture
    grad: str  # the gradient passed, as text
    value: np.ndarray = field(repr=False)  # the gradient passed (a copy)
    summed: bool = False  # the input already had a gradient waiting: the two are added
    total: str = ""  # with summed: the sum waiting now


@dataclass
class Frame:
    """One step of the recorded walk (see the module docstring for the kinds).

    `node` names the node lit up in the picture (`op3`, `t5` or, for a graph
    collapsed by layer, `layer1`); `title` and `grad` are the texts the page
    shows for it, `value` the gradient itself (a copy) for tests.
    """

    kind: str  # "seed", "run" or "leaf"
    node: str
    title: str
    tensor: str  # the tensor whose gradient is complete at this step
    grad: str
    value: np.ndarray = field(repr=False)
    sequence: int = 0  # the op's sequence number (frames of kind "run")
    passes: list[Pass] = field(default_factory=list)
    queue: list[str] = field(default_factory=list)  # waiting after this step, next first
    freed: str = ""  # what was released after the op ran
    grad_before: str = ""  # a leaf's .grad before this backward ("None" if it had none)

    def to_json(self) -> dict[str, Any]:
        """The frame as the page's script reads it (texts only, no arrays)."""
        passes = [
            {"to": p.to, "node": p.node, "grad": p.grad, "summed": p.summed, "total": p.total}
            for p in self.passes
        ]
        return {
            "kind": self.kind,
            "node": self.node,
            "title": self.title,
            "tensor": self.tensor,
            "grad": self.grad,
            "sequence": self.sequence,
            "passes": passes,
            "queue": self.queue,
            "freed": self.freed,
            "gradBefore": self.grad_before,
        }


class _Nodes:
    """Which picture node and which label belong to each tensor of the graph."""

    def __init__(self, loss: Tensor, names: dict[int, str], collapse: bool) -> None:
        self.plan = plan_graph(loss, names)
        self.names = names
        # The same layer numbering as graph._Drawer.draw_collapsed: in order of appearance.
        scopes = list(dict.fromkeys(self.plan.clusters.values()))
        self.layer_of = {
            i: f"layer{scopes.index(scope)}" for i, scope in self.plan.clusters.items()
        }
        self.collapse = collapse

    def position(self, tensor: Any) -> int:
        return self.plan.position[id(tensor)]

    def label(self, tensor: Any) -> str:
        i = self.position(tensor)
        name = tensor.name or self.names.get(id(tensor))
        if name is None:
            name = f"{tensor.grad_fn.name} output" if tensor.grad_fn is not None else "input"
        return f"t{i} {name} {format_shape(tuple(tensor.shape))}"

    def op_node(self, tensor: Any) -> str:
        """The node of the op that made `tensor` (its layer's, when collapsed)."""
        i = self.position(tensor)
        return self.layer_of[i] if self.collapse and i in self.layer_of else f"op{i}"

    def tensor_node(self, tensor: Any) -> str:
        """The node of a leaf tensor, or of the op that made a non-leaf (ops light up)."""
        if tensor.grad_fn is not None:
            return self.op_node(tensor)
        i = self.position(tensor)
        return self.layer_of[i] if self.collapse and i in self.layer_of else f"t{i}"


class _Recorder:
    """The observer `autograd.run_backward` calls (see `autograd._observer`)."""

    def __init__(self, nodes: _Nodes) -> None:
        self.nodes = nodes
        self.frames: list[Frame] = []
        self.waiting: list = []
        self.sums: dict[int, np.ndarray] = {}  # id(tensor) -> gradient received so far
        self.grad_before: dict[int, str] = {}  # id(leaf) -> its .grad before this walk
        self.current: Frame | None = None

    def _queue(self) -> list[str]:
        order = sorted(self.waiting, key=lambda entry: entry[0])  # -sequence: next first
        return [
            f"#{-key} {tensor.grad_fn.name} → {self.nodes.label(tensor)}" for key, tensor in order
        ]

    def _note_leaf(self, tensor: Tensor) -> None:
        if tensor.grad_fn is None and id(tensor) not in self.grad_before:
            grad = tensor.grad
            self.grad_before[id(tensor)] = "None" if grad is None else describe(grad.data)

    def started(self, roots: Iterable[Tensor], root_grads: Iterable[Tensor], waiting: list) -> None:
        self.waiting = waiting  # the engine's heap itself: read it, never change it
        for root, grad in zip(roots, root_grads):
            value = np.array(grad.data)
            self.sums[id(root)] = value
            self._note_leaf(root)
            label = self.nodes.label(root)
            self.frames.append(
                Frame(
                    "seed",
                    f"t{self.nodes.position(root)}",
                    f"seed: d {label} / d itself",
                    label,
                    describe(value),
                    value,
                    queue=self._queue(),
                )
            )

    def popped(self, tensor: Tensor, grad: Tensor) -> None:
        creator = tensor.grad_fn
        value = np.array(grad.data)
        label = self.nodes.label(tensor)
        self.current = Frame(
            "run",
            self.nodes.op_node(tensor),
            f"#{creator.sequence} {creator.name} → {label}",
            label,
            describe(value),
            value,
            sequence=creator.sequence,
        )

    def passed(self, parent: Tensor, grad: Tensor) -> None:
        value = np.array(grad.data)
        self._note_leaf(parent)
        before = self.sums.get(id(parent))
        entry = Pass(
            self.nodes.label(parent), self.nodes.tensor_node(parent), describe(value), value
        )
        if before is not None:  # used twice: the engine adds this gradient to the waiting one
            entry.summed = True
            self.sums[id(parent)] = before + value
            entry.total = describe(self.sums[id(parent)])
        else:
            self.sums[id(parent)] = value
        self.current.passes.append(entry)

    def finished(self, creator: autograd.Function, released: bool) -> None:
        frame, self.current = self.current, None
        frame.queue = self._queue()
        saved = [tensor for tensor, _ in creator._saved]
        if not released:
            frame.freed = "kept (retain_graph=True)"
        elif saved:
            size = sum(tensor.data.nbytes for tensor in saved)
            frame.freed = f"released {len(saved)} saved array(s), {size:,} bytes"
        else:
            frame.freed = "released (it saved no arrays)"
        self.frames.append(frame)

    def delivered(self, leaf: Tensor, grad: Tensor) -> None:
        value = np.array(grad.data)
        label = self.nodes.label(leaf)
        after = "None" if leaf.grad is None else describe(leaf.grad.data)
        self.frames.append(
            Frame(
                "leaf",
                self.nodes.tensor_node(leaf),
                f"leaf {label}: .grad = {after}",
                label,
                describe(value),
                value,
                queue=self._queue(),
                grad_before=self.grad_before.get(id(leaf), "None"),
            )
        )


@dataclass
class BackwardWatch:
    """A recorded backward walk: its frames and the picture of its graph (SVG text)."""

    frames: list[Frame]
    svg: str
    title: str = "backward, step by step"

    def to_html(self) -> str:
        """The whole page: inline SVG, the frames as JSON, a small script; no network."""
        return page(self.title, self.svg, [frame.to_json() for frame in self.frames])

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to `path` (an .html file; written to a temporary name, then renamed)."""
        return write_text_atomically(path, self.to_html())

    def _repr_html_(self) -> str:
        # In an iframe, so the page's script and styles cannot clash with the notebook's.
        source = html.escape(self.to_html(), quote=True)
        return (
            f'<iframe srcdoc="{source}" style="width:100%;height:640px;border:1px solid #ccc" '
            'title="backward, step by step"></iframe>'
        )


def watch_backward(
    loss: Tensor,
    params: Mapping[str, Tensor] | Iterable[tuple[str, Tensor]] | None = None,
    collapse: bool | None = None,
    show_values: bool = True,
    retain_graph: bool = False,
    title: str | None = None,
) -> BackwardWatch:
    """Run `loss.backward()` and record every step of the walk as the engine takes it.

    The graph is drawn first (values as the forward pass left them), then
    backward runs once with an observer attached; leaves' `.grad` accumulate
    as in any backward (call `zero_grad()` first if they should start empty).

    Args:
        loss: a one-element tensor with a recorded graph (its gradient seed is 1).
        params: names for tensors without a `.name`, e.g. `dict(model.named_parameters())`.
        collapse: draw each layer as one node; None does so above 300 nodes
            (as `draw_graph`), so a convnet's steps light up its layers.
        show_values: write the forward values into the tensor nodes.
        retain_graph: passed to `backward` (the frames then say nothing was released).
        title: the page's heading.
    Returns:
        A `BackwardWatch`: `.frames` (seed, one per op newest first, one per leaf),
        `.save("backward.html")`, and inline display in Jupyter.
    Raises:
        TypeError: `loss` is not a Tensor.
        RuntimeError: what `backward` raises (no graph, more than one element, a
            graph released by an earlier backward).
        ImportError: the graphviz package is missing; GraphvizNotFoundError: no `dot`.
    """
    graphviz = require_graphviz("watch_backward")
    if not isinstance(loss, Tensor):
        raise TypeError(f"watch_backward: expected a Tensor (a loss), got {type(loss).__name__}")
    if not loss.requires_grad:
        raise RuntimeError(
            "watch_backward: the loss does not require grad, so there is no graph to walk; "
            "build it from tensors with requires_grad=True, outside no_grad()"
        )
    names = names_from(params)
    plan = plan_graph(loss, names)
    if collapse is None:
        collapse = plan.node_count > COLLAPSE_ABOVE and bool(plan.clusters)
    digraph = draw_graph(
        loss,
        params=names_to_pairs(names, plan),
        show_values=show_values,
        collapse=collapse,
        legend=False,
    )
    svg = _svg_of(digraph, graphviz)
    recorder = _Recorder(_Nodes(loss, names, collapse))
    if autograd._observer is not None:
        raise RuntimeError("watch_backward: another watch_backward is recording already")
    autograd._observer = recorder
    try:
        loss.backward(retain_graph=retain_graph)
    finally:
        autograd._observer = None
    return BackwardWatch(recorder.frames, svg, title or "backward, step by step")


def names_to_pairs(names: dict[int, str], plan: Any) -> list[tuple[str, Tensor]]:
    """`names` ({id: name}) back as (name, tensor) pairs for draw_graph."""
    return [(names[id(t)], t) for t in plan.tensors if id(t) in names]


def _svg_of(digraph: Any, graphviz: Any) -> str:
    """Graphviz's SVG, from the `<svg` tag on (the XML prologue cannot sit inside HTML)."""
    from tinygrad_edu.viz.render import GraphvizNotFoundError

    try:
        svg = digraph.pipe(format="svg").decode()
    except graphviz.ExecutableNotFound as error:
        raise GraphvizNotFoundError(
            "watch_backward: Graphviz's `dot` program was not found on the PATH; install "
            "Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"
        ) from error
    return svg[svg.index("<svg") :]
