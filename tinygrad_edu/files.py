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


def _folder_problem(path: Path, create_folder: bool) -> tuple[type[OSError], str] | None:
    """Why a file cannot be written at `path`, in words, with the error type to raise;
    None when the folder looks fine (the system's own error is then reported)."""
    if path.is_dir():
        return IsADirectoryError, f"'{path}' is a folder"
    # The nearest existing folder or file on the way up tells what is wrong.
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        return NotADirectoryError, f"'{ancestor}' is a file, not a folder"
    if ancestor != path.parent and not create_folder:
        return FileNotFoundError, (
            f"the folder '{path.parent}' does not exist (create it first: saving does not "
            "create folders, as np.save does not)"
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return PermissionError, f"no permission to write in the folder '{ancestor}'"
    return None


def _cannot_write(error: OSError, path: Path, operation: str, create_folder: bool) -> OSError:
    """`error` (about the folder or the temporary file) said in terms of the user's `path`.

    The new error is of the same kind when the reason is not found (so an
    ``except PermissionError`` still catches it) and names `operation` and `path`.
    """
    problem = _folder_problem(path, create_folder)
    kind, reason = problem or (type(error), error.strerror or str(error))
    return kind(f"{operation}: cannot write '{path}': {reason}")


def create_parent_folder(path: str | os.PathLike[str], operation: str = "write") -> None:
    """Create the folder `path` goes in (and the ones above it) if missing.

    Raises:
        OSError: the folder cannot be made (a parent is a file: NotADirectoryError;
            no permission: PermissionError), naming `operation`, `path` and the reason.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _cannot_write(error, path, operation, create_folder=True) from None


@contextmanager
def atomic_path(
    path: str | os.PathLike[str], operation: str = "write", create_folder: bool = True
) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` when the block succeeds.

    Write the new contents to the yielded path (with ``open``, ``np.savez``,
    ``figure.savefig``, ...). If the block raises, the temporary file is removed,
    `path` is left as it was, and the error goes on up.

    Args:
        path: the file to write.
        operation: the name errors start with (``"save_weights"``).
        create_folder: create missing parent folders (pictures, logs, downloads);
            False for model and weight files, which, as with np.save and Keras's
            `model.save`, need an existing folder, so a mistyped folder name is
            reported rather than created.

    Raises:
        OSError: when the file cannot be created or put in place, naming
            `operation`, `path` and the reason, never the temporary name:
            NotADirectoryError (a parent is a file), FileNotFoundError (missing
            folder, with ``create_folder=False``), PermissionError,
            IsADirectoryError (`path` is a folder).

        with atomic_path("out/loss.png") as temporary:
            figure.savefig(temporary, format="png")

    The temporary file is created empty (so no one else can take the name) with
    plain ``open``, so it gets the usual permissions set by the umask, not the
    private 0600 of ``tempfile.mkstemp``. It lives in the same folder as `path`
    because a rename is only atomic within one file system; its name starts with
    a dot so that file browsers hide it.
    """
    path = Path(path)
    if create_folder:
        create_parent_folder(path, operation)
    try:
        if path.is_dir():  # found now, before any work is done for nothing
            raise IsADirectoryError(path)
        while True:
            temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
            try:
                with open(temporary, "xb"):  # "x": fail rather than reuse an existing file
                    break
            except FileExistsError:  # astronomically unlikely: just pick another name
                continue
    except OSError as error:
        raise _cannot_write(error, path, operation, create_folder) from None
    try:
        yield temporary
        try:
            os.replace(temporary, path)
        except OSError as error:
            raise _cannot_write(error, path, operation, create_folder) from None
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
