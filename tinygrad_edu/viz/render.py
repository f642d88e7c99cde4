"""Saving pictures: find the graphviz package, run Graphviz's `dot`, write the file safely.

Two separate things must be installed to get a picture file: the Python
package `graphviz` (it builds the DOT text) and Graphviz itself, whose `dot`
program turns DOT text into SVG, PNG or PDF. Each gets its own clear error.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import Any

from tinygrad_edu.files import atomic_path

# The file formats `render` writes, chosen by the file's suffix.
FORMATS = ("svg", "png", "pdf")


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program is not installed, so a picture cannot be rendered."""


def require_graphviz(caller: str) -> ModuleType:
    """Import the graphviz Python package, or say how to install it."""
    try:
        import graphviz
    except ImportError as error:
        raise ImportError(
            f"{caller} needs the Python package 'graphviz', which is not installed. "
            "Install it with: pip install tinygrad-edu[viz]   (or: pip install graphviz)"
        ) from error
    return graphviz


def render(digraph: Any, path: str | os.PathLike[str]) -> Path:
    """Write `digraph` to `path` as SVG, PNG or PDF (picked by the suffix); returns the path.

    The picture is written to a temporary file beside `path` and then renamed,
    so an interrupted run never leaves half a picture behind.
    """
    return write_picture(digraph, path, caller=f"render(digraph, {str(path)!r})")


def write_picture(digraph: Any, path: str | os.PathLike[str], caller: str) -> Path:
    """`render`, with `caller` naming the public call in error messages."""
    graphviz = require_graphviz(caller)
    path = Path(path)
    file_format = path.suffix.lower().lstrip(".")
    if file_format not in FORMATS:
        raise ValueError(
            f"{caller}: cannot tell the picture format from the file name {path.name!r}; "
            f"expected a name ending in {', '.join('.' + f for f in FORMATS)}"
        )
    try:
        picture = digraph.pipe(format=file_format)
    except graphviz.ExecutableNotFound as error:
        raise GraphvizNotFoundError(
            f"{caller}: Graphviz's `dot` program was not found on the PATH, and it is what "
            "turns the graph into a picture. Install the Graphviz system package "
            "(Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; "
            "conda: conda install graphviz), then try again. The graph itself is fine: "
            "its DOT text is in digraph.source."
        ) from error
    except graphviz.CalledProcessError as error:
        message = (error.stderr or b"").decode(errors="replace").strip()
        raise RuntimeError(f"{caller}: Graphviz's `dot` failed: {message}") from error

    with atomic_path(path) as temporary:
        temporary.write_bytes(picture)
    return path
