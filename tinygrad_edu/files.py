"""Writing files safely: write to a temporary name first, then rename.

A program can stop at any moment (an error, Ctrl-C, a full disk). If it was
writing straight into ``weights.npz`` at that moment, the file is left half
written and the previous good copy is gone. Writing to a temporary file in the
same folder and then renaming it over the target avoids that: ``os.replace``
is atomic, so anyone reading ``path`` sees either the old file or the complete
new one, never a mix.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` when the block succeeds.

    Write the new contents to the yielded path (with ``open``, ``np.savez``,
    ``figure.savefig``, ...). If the block raises, the temporary file is removed,
    `path` is left as it was, and the error goes on up. The parent folder is
    created if needed.

        with atomic_path("out/loss.png") as temporary:
            figure.savefig(temporary, format="png")

    The temporary file is created empty (so no one else can take the name) with
    plain ``open``, so it gets the usual permissions set by the umask, not the
    private 0600 of ``tempfile.mkstemp``. It lives in the same folder as `path`
    because a rename is only atomic within one file system; its name starts with
    a dot so that file browsers hide it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            with open(temporary, "xb"):  # "x": fail rather than reuse an existing file
                break
        except FileExistsError:  # astronomically unlikely: just pick another name
            continue
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:  # Ctrl-C too: never leave the temporary file behind
        temporary.unlink(missing_ok=True)
        raise


def write_bytes_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` through `atomic_path`, flushed to disk before the rename."""
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    return Path(path)


def write_text_atomically(path: str | os.PathLike[str], text: str) -> Path:
    """The text version of `write_bytes_atomically` (UTF-8)."""
    return write_bytes_atomically(path, text.encode("utf-8"))


def save_figure(figure: Any, path: str | os.PathLike[str], dpi: int = 100) -> Path:
    """Save a matplotlib figure as PNG without ever leaving half a picture behind."""
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=dpi)
    return Path(path)
