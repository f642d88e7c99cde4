"""The IDX reader: good files load, and every kind of damage gives a clear IDXError."""

import gzip
import struct

import numpy as np
import pytest

from tinygrad_edu.datasets import IDXError, load_idx, load_idx_pair
from tinygrad_edu.datasets.idx import IMAGES_MAGIC, LABELS_MAGIC, parse_idx

TYPE_CODES = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D}


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode an array as an IDX file by hand (independent of the reader under test)."""
    big_endian = array.dtype.newbyteorder(">") if array.dtype.itemsize > 1 else array.dtype
    header = bytes([0, 0, TYPE_CODES[big_endian], array.ndim])
    header += struct.pack(f">{array.ndim}i", *array.shape)
    return header + array.astype(big_endian).tobytes()


def write(path, data: bytes, compress: bool | None = None):
    """Write bytes to ``path``, gzip-compressed when the name ends in .gz (or when asked)."""
    if compress is None:
        compress = str(path).endswith(".gz")
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.fixture
def images():
    return np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)


@pytest.fixture
def labels():
    return np.array([7, 0, 9], dtype=np.uint8)


@pytest.mark.parametrize("name", ["images.gz", "images-raw"])
def test_round_trip_gz_and_raw(tmp_path, images, name):
    path = write(tmp_path / name, idx_bytes(images))
    loaded = load_idx(path, expected_magic=IMAGES_MAGIC)
    assert loaded.dtype == np.uint8
    np.testing.assert_array_equal(loaded, images)
    loaded[0, 0, 0] = 42  # a learner can modify the result in place


def test_gzip_detected_from_content_not_name(tmp_path, images):
    path = write(tmp_path / "images.idx", idx_bytes(images), compress=True)
    np.testing.assert_array_equal(load_idx(path), images)


@pytest.mark.parametrize("dtype", [">i4", ">f4"])
def test_other_element_types_come_back_in_native_byte_order(tmp_path, dtype):
    array = np.array([[1, -2, 3], [4, 5, -6]], dtype=dtype)
    loaded = load_idx(write(tmp_path / "x.gz", idx_bytes(array)))
    assert loaded.dtype.isnative
    np.testing.assert_array_equal(loaded, array)


def test_pair_round_trip(tmp_path, images, labels):
    x, y = load_idx_pair(
        write(tmp_path / "x.gz", idx_bytes(images)),
        write(tmp_path / "y.gz", idx_bytes(labels)),
        image_shape=(4, 5),
    )
    np.testing.assert_array_equal(x, images)
    np.testing.assert_array_equal(y, labels)


def test_idx_error_is_a_value_error():
    assert issubclass(IDXError, ValueError)


def test_wrong_magic_says_expected_and_found(tmp_path, labels):
    path = write(tmp_path / "labels.gz", idx_bytes(labels))
    with pytest.raises(IDXError) as info:
        load_idx(path, expected_magic=IMAGES_MAGIC)
    message = str(info.value)
    assert str(path) in message
    assert "wrong magic number" in message
    assert f"expected {IMAGES_MAGIC}" in message and f"found {LABELS_MAGIC}" in message


def test_images_and_labels_swapped_in_a_pair(tmp_path, images, labels):
    x = write(tmp_path / "x.gz", idx_bytes(images))
    y = write(tmp_path / "y.gz", idx_bytes(labels))
    with pytest.raises(IDXError, match="wrong magic number"):
        load_idx_pair(y, x)


def test_not_an_idx_file(tmp_path):
    path = write(tmp_path / "notes.txt", b"hello, this is text")
    with pytest.raises(IDXError, match="first two bytes must be 0") as info:
        load_idx(path)
    assert str(path) in str(info.value)


def test_unknown_element_type(tmp_path):
    path = write(tmp_path / "x", bytes([0, 0, 0x07, 1]) + struct.pack(">i", 0))
    with pytest.raises(IDXError, match="unknown element type 0x07"):
        load_idx(path)


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_truncated_data(tmp_path, images, suffix):
    path = write(tmp_path / f"images{suffix}", idx_bytes(images)[:-7])
    with pytest.raises(IDXError) as info:
        load_idx(path)
    message = str(info.value)
    assert str(path) in message
    assert "truncated data" in message
    assert "needs 60 bytes" in message and "found 53" in message


def test_trailing_data(tmp_path, labels):
    path = write(tmp_path / "labels.gz", idx_bytes(labels) + b"\x00\x00")
    with pytest.raises(IDXError, match="trailing data.*needs 3 bytes.*found 5"):
        load_idx(path)


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        (10, "expected 16 bytes.*found 10"),
        (2, "expected at least 4 bytes, found 2"),
        (0, "expected at least 4 bytes, found 0"),
    ],
)
def test_truncated_header(tmp_path, images, keep, expected):
    path = write(tmp_path / "images.gz", idx_bytes(images)[:keep])
    with pytest.raises(IDXError, match=f"truncated header: {expected}") as info:
        load_idx(path)
    assert str(path) in str(info.value)


def test_corrupt_gzip(tmp_path, images):
    data = bytearray(gzip.compress(idx_bytes(images)))
    data[15:25] = b"\xff" * 10  # scribble over the compressed stream
    path = tmp_path / "images.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(IDXError, match="corrupt or truncated gzip") as info:
        load_idx(path)
    assert str(path) in str(info.value)


def test_truncated_gzip(tmp_path, images):
    data = gzip.compress(idx_bytes(images))
    path = tmp_path / "images.gz"
    path.write_bytes(data[: len(data) // 2])  # an interrupted download
    with pytest.raises(IDXError, match="corrupt or truncated gzip") as info:
        load_idx(path)
    assert str(path) in str(info.value)


def test_gz_name_without_gzip_content(tmp_path, images):
    path = write(tmp_path / "images.gz", idx_bytes(images), compress=False)
    with pytest.raises(IDXError, match="not gzip data.*found 00 00") as info:
        load_idx(path)
    assert str(path) in str(info.value)


def test_count_mismatch_names_both_files(tmp_path, images, labels):
    x = write(tmp_path / "x.gz", idx_bytes(images))
    y = write(tmp_path / "y.gz", idx_bytes(labels[:2]))
    with pytest.raises(IDXError) as info:
        load_idx_pair(x, y)
    message = str(info.value)
    assert "count mismatch" in message
    assert str(x) in message and "3 images" in message
    assert str(y) in message and "2 labels" in message


def test_wrong_image_size(tmp_path, images, labels):
    x = write(tmp_path / "x.gz", idx_bytes(images))
    y = write(tmp_path / "y.gz", idx_bytes(labels))
    with pytest.raises(IDXError, match=r"wrong image size: expected \(28, 28\), found \(4, 5\)"):
        load_idx_pair(x, y, image_shape=(28, 28))


def test_parse_idx_on_bytes_in_memory(labels):
    np.testing.assert_array_equal(parse_idx(idx_bytes(labels), expected_magic=LABELS_MAGIC), labels)
