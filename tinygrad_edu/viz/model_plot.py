"""plot_model: the layer-level picture Keras users know, one box per layer.

Each box shows the layer's name and type (with its activation), its input and
output shapes (None stands for the batch axis, whose size can change), and its
parameter count. Where `draw_graph` shows every op, this shows the architecture.
"""

from __future__ import annotations

import os
import re
from typing import Any

from tinygrad_edu.viz.labels import escape_record
from tinygrad_edu.viz.render import require_graphviz, write_picture

LAYER_STYLE = {"shape": "record", "style": "filled", "fillcolor": "lightsteelblue"}
INPUT_STYLE = {"shape": "record", "style": "filled", "fillcolor": "lightyellow"}


def format_model_shape(shape: Any) -> str:
    """`(None, 784)`, or `?` before the layer has seen any input."""
    if shape is None:
        return "?"
    shape = tuple(shape)
    inside = ", ".join("None" if size is None else str(size) for size in shape)
    return f"({inside},)" if len(shape) == 1 else f"({inside})"


def layer_type(layer: Any) -> str:
    """`Dense`, or `Dense (relu)` when the layer applies a named activation."""
    kind = type(layer).__name__
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None) if activation is not None else None
    if isinstance(activation, str):
        name = activation
    if name and name not in ("linear", "<lambda>"):
        return f"{kind} ({name})"
    return kind


def parameter_count(layer: Any) -> str:
    """`401,920`, or `?` for a layer whose weights are not created yet."""
    if getattr(layer, "built", True) is False:
        return "?"
    return f"{sum(weight.size for _, weight in layer.named_weights()):,}"


def _record(lines: list[str], shapes: tuple[str, str] | None) -> str:
    """A record label: name box on the left, the input/output shape table beside it."""
    left = "\\n".join(escape_record(line) for line in lines)
    if shapes is None:
        return left
    given, made = (escape_record(shape) for shape in shapes)
    return f"{left} | {{input: | output:}} | {{{given} | {made}}}"


def plot_model(model: Any, to_file: str | os.PathLike[str] | None = None, show_shapes: bool = True):
    """A `graphviz.Digraph` with one box per layer of `model`; also saved to `to_file` if given.

    The file format comes from the suffix (.svg, .png or .pdf). Layers of a
    `Sequential` model are joined by arrows in order; a functional model
    (`keras.Model(inputs, outputs)`) shows its graph: an arrow from each layer to
    every layer it feeds, so branches and merges show. A subclassed `Model` runs
    whatever its `call` says, which the layer list cannot tell, so its layers
    are shown in the order they were defined, joined by dashed lines.
    """
    graphviz = require_graphviz("plot_model")
    if not hasattr(model, "named_children") or not hasattr(model, "parameters"):
        raise TypeError(
            f"plot_model: expected a model with layers (nn.Sequential or nn.Model), "
            f"got {type(model).__name__}"
        )
    from tinygrad_edu.nn.sequential import Sequential  # here: nn is only needed for this check

    # Named as the model names them: `dense_1` in a Sequential, the attribute
    # (`hidden`, `blocks.0`) in a subclassed Model, as in its parameter names.
    layers = list(model.named_children())
    is_stack = isinstance(model, Sequential) or hasattr(model, "layer_graph")
    total = sum(weight.size for _, weight in model.named_weights())

    digraph = graphviz.Digraph(
        # An ID in the DOT source, never drawn (the label is): letters, digits and _ only.
        name=re.sub(r"\W", "_", str(getattr(model, "name", "model")), flags=re.ASCII),
        graph_attr={
            "rankdir": "TB",
            "label": graphviz.escape(f"{getattr(model, 'name', 'model')}: {total:,} parameters"),
            "labelloc": "t",
            "fontname": "Helvetica",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"arrowsize": "0.7"} if is_stack else {"style": "dashed", "arrowhead": "none"},
    )
    if hasattr(model, "layer_graph"):  # a functional model: its own branches and merges
        _draw_layer_graph(digraph, model, show_shapes)
        layers = []
    previous = None
    first_input = getattr(layers[0][1], "input_shape", None) if layers else None
    if first_input is not None and is_stack:
        shape = format_model_shape(first_input)
        shapes = (shape, shape) if show_shapes else None
        digraph.node("input", _record(["input", "InputLayer"], shapes), **INPUT_STYLE)
        previous = "input"
    for number, (name, layer) in enumerate(layers):
        lines = [name, layer_type(layer)]
        lines.append(f"params: {parameter_count(layer)}")
        shapes = None
        if show_shapes:
            shapes = (
                format_model_shape(getattr(layer, "input_shape", None)),
                format_model_shape(getattr(layer, "output_shape", None)),
            )
        node = f"layer{number}"
        digraph.node(node, _record(lines, shapes), **LAYER_STYLE)
        if previous is not None:
            digraph.edge(previous, node)
        previous = node
    if to_file is not None:
        write_picture(digraph, to_file, caller=f"plot_model(to_file={str(to_file)!r})")
    return digraph


def _draw_layer_graph(digraph: Any, model: Any, show_shapes: bool) -> None:
    """A functional model's boxes, one per layer (inputs in yellow) or op, and an arrow
    for each tensor passed from one to another, so branches and merges show."""
    from tinygrad_edu.nn.input_layer import InputLayer

    boxes, arrows = model.layer_graph()
    ids = {name: f"layer{number}" for number, (name, *_rest) in enumerate(boxes)}
    for name, operation, given, made in boxes:
        if hasattr(operation, "named_weights"):
            lines = [name, layer_type(operation), f"params: {parameter_count(operation)}"]
        else:
            lines = [name, f"ops.{operation.__name__}"]
        style = INPUT_STYLE if isinstance(operation, InputLayer) else LAYER_STYLE
        digraph.node(ids[name], _record(lines, (given, made) if show_shapes else None), **style)
    for source, target in arrows:
        digraph.edge(ids[source], ids[target])
