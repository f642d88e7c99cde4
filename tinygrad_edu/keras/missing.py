"""The error for a Keras name that tinygrad-edu does not have yet.

    >>> from tinygrad_edu.keras.layers import Lambda
    NotInTinygradEdu: keras.layers.Lambda is not in tinygrad-edu yet. docs/coming-from-keras.md
    lists what tinygrad-edu has and what it lacks.

Each module of `tinygrad_edu.keras` ends with
`__getattr__ = missing.module_getattr(__name__, "layers")`. Python calls a
module's `__getattr__` only for a name the module does not define, so every name
we have is found as usual; a name Keras 3 has there (`keras_names.py`) raises
`NotInTinygradEdu`, anything else Python's usual AttributeError.

`NotInTinygradEdu` is a NotImplementedError on purpose, not an AttributeError:
`from tinygrad_edu.keras.layers import Lambda` would turn an AttributeError into
a bare "ImportError: cannot import name", losing the message. A whole Keras
module we lack (`import tinygrad_edu.keras.regularizers`) is caught by a small
import hook, `MissingKerasModules`, for the same reason.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.abc import MetaPathFinder
from typing import Any

from tinygrad_edu.keras.keras_names import KERAS_3_NAMES

#: The page that lists what tinygrad-edu has and lacks, relative to the repository root.
DOCS_PAGE = "docs/coming-from-keras.md"
PACKAGE = "tinygrad_edu.keras"


class NotInTinygradEdu(NotImplementedError):
    """A Keras 3 name that tinygrad-edu does not have (yet)."""


def not_there(keras_path: str) -> NotInTinygradEdu:
    """The error for `keras.<keras_path>` (e.g. "layers.Lambda")."""
    return NotInTinygradEdu(
        f"keras.{keras_path} is not in tinygrad-edu yet. {DOCS_PAGE} (in the repository and "
        "on the documentation site, 'Coming from Keras') lists what tinygrad-edu has and "
        "what it lacks."
    )


def module_getattr(module_name: str, keras_module: str) -> Callable[[str], Any]:
    """A module `__getattr__` for `tinygrad_edu.keras.<keras_module>` ("" for the package).

    The returned function raises NotInTinygradEdu for a name Keras 3 has in that
    module, and AttributeError (as Python would) for any other.
    """
    known = KERAS_3_NAMES.get(keras_module, frozenset())

    def __getattr__(name: str) -> Any:  # noqa: N807 (the module hook's required name)
        if name in known:
            raise not_there(f"{keras_module}.{name}" if keras_module else name)
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__


class MissingKerasModules(MetaPathFinder):
    """Import hook: `import tinygrad_edu.keras.<module Keras has and we lack>` raises
    NotInTinygradEdu instead of ModuleNotFoundError. It sits at the end of
    `sys.meta_path`, so it is asked only after Python found no such module."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        """Raise for a Keras module we lack under tinygrad_edu.keras; None otherwise."""
        prefix = PACKAGE + "."
        if fullname.startswith(prefix):
            name = fullname[len(prefix) :]
            if "." not in name and name in KERAS_3_NAMES[""] and name[:1].islower():
                raise not_there(name)
        return None


def install_import_hook() -> None:
    """Add `MissingKerasModules` to the end of sys.meta_path once."""
    if not any(isinstance(finder, MissingKerasModules) for finder in sys.meta_path):
        sys.meta_path.append(MissingKerasModules())


def missing_names() -> dict[str, list[str]]:
    """For each module of `tinygrad_edu.keras`, the Keras 3 names it does not have yet.

    What docs/coming-from-keras.md lists; print it with
    `python -m tinygrad_edu.keras.missing`.
    """
    import importlib

    found: dict[str, list[str]] = {}
    for keras_module, names in KERAS_3_NAMES.items():
        module = importlib.import_module(f"{PACKAGE}.{keras_module}" if keras_module else PACKAGE)
        found[keras_module] = sorted(name for name in names if name not in vars(module))
    return found


if __name__ == "__main__":  # the list for the docs page, one line per module
    for keras_module, names in missing_names().items():
        print(
            f"- `keras{'.' + keras_module if keras_module else ''}`: "
            + ", ".join(f"`{name}`" for name in names)
        )
