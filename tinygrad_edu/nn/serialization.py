"""Writing files safely, and weights to and from `.npz` files.

A save is written to a temporary file in the same folder and then renamed over
the target (`os.replace` is atomic), so a crash halfway through a save leaves
the previous file as it was. Loading never unpickles (`allow_pickle=False`) and
checks every name and shape before changing anything.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Sequence
from typing import IO

import numpy as np

from tinygrad_edu.files import atomic_path
from tinygrad_edu.files import write_text_atomically as write_text_atomically  # for callbacks
from tinygrad_edu.tensor import Tensor


def write_atomically(
    path: str | os.PathLike, write: Callable[[IO[bytes]], None], operation: str = "save"
) -> None:
    """Call `write(file)` on a temporary file beside `path`, then rename it to `path`.

    If `write` raises, the temporary file is removed and `path` is left untouched.
    The bytes are flushed to disk (fsync) before the rename, so a power cut right
    after a save cannot leave an empty weights file behind. The folder must exist,
    as for np.save and Keras's `model.save` (ModelCheckpoint creates its own).

    Raises:
        OSError: the file cannot be written there (missing folder, a parent that is
            a file, no permission), naming `operation`, `path` and the reason.
    """
    with atomic_path(path, operation, create_folder=False) as temporary:
        with open(temporary, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())


def save_arrays(
    path: str | os.PathLike, arrays: dict[str, np.ndarray], operation: str = "save_weights"
) -> None:
    """Save named arrays to an uncompressed `.npz` file at exactly `path`, atomically.

    Raises:
        OSError: from `write_atomically`, when the file cannot be written there.
    """
    # Looked up on each call (np.savez, not a saved reference) so tests can make it fail.
    write_atomically(path, lambda file: np.savez(file, **arrays), operation)


def load_arrays(path: str | os.PathLike, caller: str = "load_weights") -> dict[str, np.ndarray]:
    """Read every array of an `.npz` file, with a clear error if it is not one.

    Returns a dict from each array's name to the array (its stored shape and dtype).
    Nothing is unpickled.

    Raises:
        FileNotFoundError: no file at `path`.
        ValueError: a `.npy` single array, or a file that is not a readable `.npz`.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{caller}: no such file: '{path}'")
    try:
        contents = np.load(path, allow_pickle=False)
        if not isinstance(contents, np.lib.npyio.NpzFile):
            raise ValueError(
                f"{caller}: '{path}' holds a single array (.npy), not a weights file (.npz of "
                "named arrays as written by save_weights)"
            )
        with contents:
            return {name: contents[name] for name in contents.files}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
        if str(error).startswith(caller):
            raise
        raise ValueError(
            f"{caller}: could not read '{path}' as a weights file (.npz written by "
            f"save_weights); it may be corrupt or truncated: {error}"
        ) from error


def check_and_assign(
    named_parameters: Sequence[tuple[str, Tensor]],
    arrays: Sequence[np.ndarray],
    caller: str,
) -> None:
    """Copy `arrays[i]` into parameter i after checking every shape, so it is all or nothing.

    Each array is copied and cast to its parameter's dtype.

    Raises:
        ValueError: another number of arrays than parameters, or a shape that differs.
        TypeError: an array that does not hold numbers.
    """
    if len(arrays) != len(named_parameters):
        raise ValueError(
            f"{caller}: the model has {len(named_parameters)} weight arrays but "
            f"{len(arrays)} were given"
        )
    converted = []
    for index, ((name, parameter), array) in enumerate(zip(named_parameters, arrays)):
        array = np.asarray(array.data if isinstance(array, Tensor) else array)
        if array.shape != parameter.shape:
            raise ValueError(
                f"{caller}: weight {index} ('{name}') has shape {parameter.shape} in the model "
                f"but the given array has shape {array.shape}"
            )
        if array.dtype.kind not in "iuf":
            raise TypeError(
                f"{caller}: weight {index} ('{name}') must be numeric, got dtype {array.dtype}"
            )
        converted.append(np.array(array, dtype=parameter.dtype))  # a copy: no aliasing
    for (_, parameter), array in zip(named_parameters, converted):
        parameter.data = array


def check_weights_file_name(path: str | os.PathLike, caller: str = "save_weights") -> None:
    """Refuse a weights file name that ends neither in `.npz` nor in Keras's `.weights.h5`.

    `.npz` is NumPy's archive keyed by parameter name; `.weights.h5` is Keras 3's
    HDF5 layout (`nn/keras_format.py`), which real Keras reads too.

    Raises:
        ValueError: any other name.
    """
    name = str(os.fspath(path))
    if not name.endswith((".npz", ".weights.h5")):
        raise ValueError(
            f"{caller}: the file name must end in '.npz' (NumPy's archive, keyed by parameter "
            f"name) or '.weights.h5' (Keras 3's HDF5 layout), got '{name}'"
        )


def save_weights(named_parameters: Sequence[tuple[str, Tensor]], path: str | os.PathLike) -> None:
    """Write each parameter under its name (`dense_1.kernel`, ...) to an `.npz` file.

    Raises:
        ValueError: if `path` does not end in `.npz`, or two parameters share a name.
        OSError: the file cannot be written there (its folder must exist), naming the path.
    """
    check_weights_file_name(path)
    arrays = {name: parameter.data for name, parameter in named_parameters}
    if len(arrays) != len(named_parameters):
        raise ValueError("save_weights: two parameters share a name; names must be unique")
    save_arrays(path, arrays)


def load_weights(named_parameters: Sequence[tuple[str, Tensor]], path: str | os.PathLike) -> None:
    """Read an `.npz` written by `save_weights`, checking names and shapes first.

    Raises:
        FileNotFoundError: no file at `path`.
        ValueError: not a weights file, names missing from it or not in the model, or
            a shape that differs (nothing is changed then).
        TypeError: an array that does not hold numbers.
    """
    arrays = load_arrays(path, caller="load_weights")
    expected = [name for name, _ in named_parameters]
    missing = [name for name in expected if name not in arrays]
    unexpected = [name for name in arrays if name not in set(expected)]
    if missing or unexpected:
        problems = []
        if missing:
            problems.append(f"missing from the file: {', '.join(missing)}")
        if unexpected:
            problems.append(f"in the file but not in the model: {', '.join(unexpected)}")
        raise ValueError(
            f"load_weights: the weights in '{os.fspath(path)}' do not match the model's "
            f"parameters ({'; '.join(problems)}). The model has: {', '.join(expected)}"
        )
    check_and_assign(
        named_parameters,
        [arrays[name] for name in expected],
        caller=f"load_weights('{os.fspath(path)}')",
    )
