"""Read IDX files, the simple binary format MNIST and Fashion-MNIST are published in.

An IDX file is a tiny header followed by raw numbers::

    bytes 0-1   always zero
    byte  2     element type (0x08 = unsigned byte, the only one MNIST uses)
    byte  3     number of dimensions, e.g. 3 for images (count, rows, columns)
    then        one 32-bit big-endian integer per dimension
    then        the elements themselves, row-major

Read as one big-endian integer, the first four bytes are the "magic number":
2051 (0x00000803) for an image file, 2049 (0x00000801) for a label file.

Files in the wild get truncated by interrupted downloads or mixed up with each
other, so every size is checked and every error names the file, what was
expected and what was found. A wrong file then fails loudly at load time instead
of silently training on garbage.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions (count, rows, columns)
LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension (count)

# Element types an IDX file may declare (byte 2 of the magic number).
# Multi-byte types are stored big-endian ('>'), as the format demands.
ELEMENT_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

GZIP_SIGNATURE = b"\x1f\x8b"  # every gzip stream starts with these two bytes


class IDXError(ValueError):
    """A file is not a valid IDX file (or not the one expected): the message says why."""


def read_file_bytes(path: str | os.PathLike) -> bytes:
    """Return the file's contents, un-gzipped if it is gzip-compressed.

    Compression is detected from the content (the two gzip signature bytes),
    so a file works whether or not it has been gunzipped by hand. A name ending
    in ``.gz`` must hold gzip data, though: anything else means a damaged file.
    """
    path = Path(path)
    raw = path.read_bytes()
    is_gzip = raw[:2] == GZIP_SIGNATURE
    if path.suffix == ".gz" and not is_gzip:
        raise IDXError(
            f"{path}: not gzip data: a .gz file must start with bytes 1f 8b, "
            f"found {raw[:2].hex(' ') or 'an empty file'}"
        )
    if not is_gzip:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        # BadGzipFile (an OSError) for a damaged header or checksum,
        # EOFError for a stream that stops early, zlib.error for garbled data.
        raise IDXError(f"{path}: corrupt or truncated gzip data ({err})") from err


def parse_idx(data: bytes, name: str = "<bytes>", expected_magic: int | None = None) -> np.ndarray:
    """Turn the bytes of an IDX file into a NumPy array, checking every size.

    ``name`` is only used in error messages. With ``expected_magic`` (e.g.
    ``IMAGES_MAGIC``) a file of the wrong kind is rejected. The result is a
    writable array in the machine's native byte order.
    """
    if len(data) < 4:
        raise IDXError(f"{name}: truncated header: expected at least 4 bytes, found {len(data)}")
    magic = int.from_bytes(data[:4], "big")
    type_code, ndim = data[2], data[3]
    if expected_magic is not None and magic != expected_magic:
        raise IDXError(
            f"{name}: wrong magic number: expected {expected_magic} (0x{expected_magic:08x}), "
            f"found {magic} (0x{magic:08x})"
        )
    if data[0] != 0 or data[1] != 0:
        raise IDXError(
            f"{name}: wrong magic number: the first two bytes must be 0, "
            f"found 0x{magic:08x} (is this an IDX file?)"
        )
    if type_code not in ELEMENT_TYPES:
        known = ", ".join(f"0x{code:02x}" for code in ELEMENT_TYPES)
        raise IDXError(f"{name}: unknown element type 0x{type_code:02x} (expected one of {known})")
    dtype = ELEMENT_TYPES[type_code]

    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IDXError(
            f"{name}: truncated header: expected {header_size} bytes "
            f"(magic number + {ndim} dimension sizes), found {len(data)}"
        )
    shape = tuple(
        int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big", signed=True) for i in range(ndim)
    )
    if any(size < 0 for size in shape):
        raise IDXError(f"{name}: negative dimension size in header: {shape}")

    expected_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found_bytes = len(data) - header_size
    if found_bytes != expected_bytes:
        problem = "truncated data" if found_bytes < expected_bytes else "unexpected trailing data"
        raise IDXError(
            f"{name}: {problem}: shape {shape} needs {expected_bytes} bytes after the "
            f"{header_size}-byte header, found {found_bytes}"
        )

    # frombuffer reads the bytes in place (fast, no parsing loop); astype then
    # makes a writable copy in native byte order, so callers may modify it.
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def load_idx(path: str | os.PathLike, expected_magic: int | None = None) -> np.ndarray:
    """Load one IDX file (gzip-compressed or raw) into a NumPy array.

    Example: ``load_idx("train-labels-idx1-ubyte.gz", LABELS_MAGIC)`` gives the
    60,000 MNIST training labels as a uint8 array of shape ``(60000,)``.
    """
    return parse_idx(read_file_bytes(path), name=str(path), expected_magic=expected_magic)


def load_idx_pair(
    images_path: str | os.PathLike,
    labels_path: str | os.PathLike,
    image_shape: tuple[int, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Load an image file and its label file, checking that they belong together.

    Both files must have the right magic number and hold the same number of
    items; with ``image_shape`` (e.g. ``(28, 28)``) each image must have that size.
    Returns ``(images, labels)``.
    """
    images = load_idx(images_path, expected_magic=IMAGES_MAGIC)
    labels = load_idx(labels_path, expected_magic=LABELS_MAGIC)
    if image_shape is not None and images.shape[1:] != tuple(image_shape):
        raise IDXError(
            f"{images_path}: wrong image size: expected {tuple(image_shape)}, "
            f"found {images.shape[1:]}"
        )
    if len(images) != len(labels):
        raise IDXError(
            f"image/label count mismatch: {images_path} holds {len(images)} images "
            f"but {labels_path} holds {len(labels)} labels"
        )
    return images, labels
