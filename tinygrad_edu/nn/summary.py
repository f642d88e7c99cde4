"""`Model.summary`'s table: each layer's name, output shape and parameter count.

Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 dense_1 (Dense)             (None, 512)               401,920
 dense_2 (Dense)             (None, 10)                5,130
=================================================================
Total params: 407,050 (1.55 MB)
...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinygrad_edu.nn.input_checks import format_shape
from tinygrad_edu.tensor import Tensor

NAME_WIDTH = 29  # the columns Keras uses at its default line length of 65
SHAPE_WIDTH = 26


def format_bytes(size: float) -> str:
    """`512.00 B`, `1.55 MB`: a size in bytes in the largest unit below 1024 (up to GB)."""
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def summary_lines(model: Any, line_length: int = 65) -> list[str]:
    """The lines of `model`'s summary table (the model must be built).

    A layer's output shape is what the model recorded when it was built, or "?".
    The byte counts are the parameters' `nbytes` (4 per float32 number).
    """
    weights = [weight for _, weight in model.named_weights()]  # non-trainable ones too
    trainable = model.trainable_weights
    frozen = model.non_trainable_weights  # moving statistics and frozen layers' weights
    if hasattr(model, "summary_rows"):  # a functional model: which layer feeds which
        return _graph_summary_lines(model, weights, trainable, frozen, line_length)
    cells = []
    for layer in model.layers:
        label = f"{layer.name} ({type(layer).__name__})"
        shape = format_shape(model._layer_output_shape(layer))
        count = sum(weight.size for _, weight in layer.named_weights())
        cells.append((label, shape, f"{count:,}"))
    # Keras's widths, widened where a label such as max_pooling2d_1 (MaxPooling2D) needs it
    widths = (
        max([NAME_WIDTH] + [len(label) + 3 for label, _, _ in cells]),
        max([SHAPE_WIDTH] + [len(shape) + 2 for _, shape, _ in cells]),
    )
    line_length = max(line_length, sum(widths) + 10)
    return [
        f'Model: "{model.name}"',
        "_" * line_length,
        _row("Layer (type)", "Output Shape", "Param #", widths),
        "=" * line_length,
        *(_row(*row, widths) for row in cells),
        *_footer(weights, trainable, frozen, line_length),
    ]


def _footer(weights: list, trainable: list, frozen: list, line_length: int) -> list[str]:
    return [
        "=" * line_length,
        _total("Total params", weights),
        _total("Trainable params", trainable),
        _total("Non-trainable params", frozen),
        "_" * line_length,
    ]


def _graph_summary_lines(
    model: Any, weights: list, trainable: list, frozen: list, line_length: int
) -> list[str]:
    """The functional model's table: Keras's four columns, with "Connected to" naming
    the layer, call and output each input comes from (`dense[0][0]`), one per line."""
    rows = model.summary_rows()
    widths = (
        max([NAME_WIDTH] + [len(label) + 3 for label, _, _, _ in rows]),
        max([SHAPE_WIDTH] + [len(shape) + 2 for _, shape, _, _ in rows]),
        max([11] + [len(f"{count:,}") + 2 for _, _, count, _ in rows]),
    )
    line_length = max(line_length + 33, sum(widths) + 30)
    lines = [
        f'Model: "{model.name}"',
        "_" * line_length,
        _row("Layer (type)", "Output Shape", "Param #", widths, "Connected to"),
        "=" * line_length,
    ]
    for position, (label, shape, count, connected) in enumerate(rows):
        if position:
            lines.append("")
        lines.append(_row(label, shape, f"{count:,}", widths, connected[0]))
        lines.extend(" " * sum(widths) + more for more in connected[1:])
    return lines + _footer(weights, trainable, frozen, line_length)


def _row(label: str, shape: str, count: str, widths: tuple[int, ...], connected: str = "") -> str:
    name_width, shape_width = widths[:2]
    first = f" {label:<{name_width - 2}} "
    second = f"{shape:<{shape_width - 1}} "
    if len(widths) == 3:  # the "Connected to" column follows the count
        count = f"{count:<{widths[2] - 1}} " + connected
    return (first + second + count).rstrip()


def _total(title: str, group: list[Tensor]) -> str:
    count = sum(p.size for p in group)
    size = sum(p.data.nbytes for p in group)
    return f"{title}: {count:,} ({format_bytes(size)})"


def print_summary(model: Any, line_length: int, print_fn: Callable[[str], Any]) -> None:
    """Hand each line of `model`'s summary table to `print_fn` (`Model.summary`)."""
    for line in summary_lines(model, line_length):
        print_fn(line)
