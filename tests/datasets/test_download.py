"""Finding and downloading data set files. No test here ever touches the network:
downloads go to a fake opener or to a local http.server on 127.0.0.1."""

import functools
import gzip
import hashlib
import http.server
import io
import struct
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest

from tinygrad_edu.datasets import download, fashion_mnist, mnist
from tinygrad_edu.datasets.download import (
    MNIST,
    ChecksumError,
    Dataset,
    DatasetNotFoundError,
    PublishedFile,
    cache_dir,
    fetch_files,
)
from tinygrad_edu.datasets.mnist import load_mnist_format

MNIST_NAMES = [f.name for f in MNIST.files]


def idx_bytes(array: np.ndarray) -> bytes:
    """An uint8 array as an IDX file (header written by hand)."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def mnist_like_files(n_train: int, n_test: int = 2) -> dict[str, bytes]:
    """Tiny gzip'd stand-ins for the four MNIST files; the first label is ``n_train``."""
    rng = np.random.default_rng(n_train)
    files = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28))
        labels = np.full(n, n_train % 10)
        files[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(idx_bytes(images))
        files[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(idx_bytes(labels))
    return files


def put_files(directory, files: dict[str, bytes]):
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


def tiny_dataset(files: dict[str, bytes], mirrors=("http://one.invalid/", "http://two.invalid/")):
    """A Dataset whose published table matches ``files``, so downloads can be verified."""
    published = tuple(
        PublishedFile(name, len(data), hashlib.sha256(data).hexdigest())
        for name, data in files.items()
    )
    return Dataset(title="Tiny", folder="tiny", mirrors=tuple(mirrors), files=published)


def no_network(url, timeout=None):
    raise urllib.error.URLError("network disabled in tests")


class FakeOpener:
    """Stands in for urlopen: answers from a dict {url: bytes or exception}, logs each call."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def __call__(self, url, timeout=None):
        self.calls.append((url, timeout))
        answer = self.answers.get(url, urllib.error.URLError("no route to host"))
        if isinstance(answer, Exception):
            raise answer
        return io.BytesIO(answer)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Point the cache and system folders into tmp_path, clear the env var, cut the network."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(download, "SYSTEM_DATA_DIR", tmp_path / "system")
    monkeypatch.delenv("TINYGRAD_EDU_DATA", raising=False)
    monkeypatch.setattr(download, "urlopen", no_network)


def leftovers(directory):
    """Every file in a directory, hidden temporary files included."""
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


# --- where files are looked for ------------------------------------------------------------


def test_cache_dir_follows_xdg(tmp_path, monkeypatch):
    assert cache_dir() == tmp_path / "cache" / "tinygrad_edu"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "tinygrad_edu"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the XDG spec says: ignore it
    assert cache_dir() == tmp_path / "home" / ".cache" / "tinygrad_edu"


def first_train_label() -> int:
    (_, y_train), _ = mnist.load_data(download=False)
    return int(y_train[0])


def test_search_order_path_then_env_then_cache_then_system(tmp_path, monkeypatch):
    # Each place holds a distinguishable copy: its first training label.
    put_files(tmp_path / "system" / "mnist", mnist_like_files(4))
    put_files(tmp_path / "cache" / "tinygrad_edu" / "mnist", mnist_like_files(3))
    put_files(tmp_path / "env" / "mnist", mnist_like_files(2))
    put_files(tmp_path / "arg", mnist_like_files(1))

    assert first_train_label() == 3  # cache beats system
    monkeypatch.setenv("TINYGRAD_EDU_DATA", str(tmp_path / "env"))
    assert first_train_label() == 2  # env var beats cache
    (_, y_train), _ = mnist.load_data(path=tmp_path / "arg", download=False)
    assert y_train[0] == 1  # path argument beats env var
    monkeypatch.delenv("TINYGRAD_EDU_DATA")
    for name in MNIST_NAMES:
        (tmp_path / "cache" / "tinygrad_edu" / "mnist" / name).unlink()
    assert first_train_label() == 4  # system location as the last resort


def test_env_var_accepts_subfolder_or_files_directly(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD_EDU_DATA", str(tmp_path / "env"))
    put_files(tmp_path / "env", mnist_like_files(5))
    assert first_train_label() == 5
    put_files(tmp_path / "env" / "mnist", mnist_like_files(6))
    assert first_train_label() == 6  # the data set's own sub-folder comes first


def test_path_argument_accepts_subfolder(tmp_path):
    put_files(tmp_path / "data" / "fashion-mnist", mnist_like_files(7))
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(tmp_path / "data")
    assert x_train.shape == (7, 28, 28) and x_test.shape == (2, 28, 28)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert y_train[0] == 7


def test_gunzipped_files_are_found(tmp_path):
    files = {
        name.removesuffix(".gz"): gzip.decompress(data)
        for name, data in mnist_like_files(8).items()
    }
    put_files(tmp_path / "raw", files)
    (x_train, y_train), _ = mnist.load_data(tmp_path / "raw", download=False)
    assert x_train.shape == (8, 28, 28) and y_train[0] == 8


def test_missing_path_argument_is_an_error(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="must be an existing directory"):
        mnist.load_data(tmp_path / "typo")


def test_damaged_local_file_is_reported_with_its_name(tmp_path):
    files = mnist_like_files(3)
    files["t10k-images-idx3-ubyte.gz"] = files["t10k-images-idx3-ubyte.gz"][:-20]
    put_files(tmp_path / "arg", files)
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz.*corrupt or truncated"):
        mnist.load_data(tmp_path / "arg", download=False)


def test_files_of_the_other_data_set_are_refused(tmp_path, monkeypatch):
    # Pretend our tiny file is Fashion-MNIST's published one; asking for MNIST must fail.
    files = mnist_like_files(3)
    put_files(tmp_path / "arg", files)
    name = "train-labels-idx1-ubyte.gz"
    impostor = Dataset(
        title="Fashion-MNIST",
        folder="fashion-mnist",
        mirrors=(),
        files=(PublishedFile(name, len(files[name]), hashlib.sha256(files[name]).hexdigest()),),
    )
    monkeypatch.setattr(download, "DATASETS", (MNIST, impostor))
    with pytest.raises(ChecksumError, match="is the Fashion-MNIST file"):
        fetch_files(MNIST, tmp_path / "arg", download=False)


# --- downloading -----------------------------------------------------------------------------


def test_download_into_cache_and_verify(tmp_path):
    files = {"a.gz": b"first file", "b.gz": b"second file" * 10000}
    dataset = tiny_dataset(files)
    opener = FakeOpener({f"http://one.invalid/{name}": data for name, data in files.items()})
    found = fetch_files(dataset, opener=opener)
    target = tmp_path / "cache" / "tinygrad_edu" / "tiny"
    assert found == {name: target / name for name in files}
    for name, data in files.items():
        assert (target / name).read_bytes() == data
    assert leftovers(target) == ["a.gz", "b.gz"]  # no temporary files left over
    assert [url for url, _ in opener.calls] == [
        "http://one.invalid/a.gz",
        "http://one.invalid/b.gz",
    ]
    assert all(timeout for _, timeout in opener.calls)  # never wait forever

    # Second time round everything comes from the cache: no download at all.
    assert fetch_files(dataset, opener=FakeOpener({})) == found


def test_only_missing_files_are_downloaded(tmp_path):
    files = {"a.gz": b"aaa", "b.gz": b"bbb"}
    put_files(tmp_path / "cache" / "tinygrad_edu" / "tiny", {"a.gz": b"aaa"})
    opener = FakeOpener({"http://one.invalid/b.gz": b"bbb"})
    fetch_files(tiny_dataset(files), opener=opener)
    assert [url for url, _ in opener.calls] == ["http://one.invalid/b.gz"]


def test_module_level_urlopen_is_used_by_default(tmp_path, monkeypatch):
    files = {"a.gz": b"payload"}
    monkeypatch.setattr(download, "urlopen", FakeOpener({"http://one.invalid/a.gz": b"payload"}))
    found = fetch_files(tiny_dataset(files))
    assert found["a.gz"].read_bytes() == b"payload"


@pytest.mark.parametrize(
    ("served", "reason"),
    [
        (b"evil file!", "wrong SHA-256"),  # same size, different bytes
        (b"short", "wrong size: expected 10 bytes, got 5"),
        (b"much too long" * 1000, "wrong size: expected 10 bytes, got more"),
    ],
)
def test_wrong_checksum_is_rejected_and_nothing_is_left(tmp_path, served, reason):
    dataset = tiny_dataset({"a.gz": b"good file!"})
    opener = FakeOpener({"http://one.invalid/a.gz": served, "http://two.invalid/a.gz": served})
    with pytest.raises(DatasetNotFoundError) as info:
        fetch_files(dataset, opener=opener)
    assert reason in str(info.value)
    assert leftovers(tmp_path / "cache" / "tinygrad_edu" / "tiny") == []


def test_first_mirror_failing_falls_back_to_second(tmp_path):
    files = {"a.gz": b"good bytes"}
    not_found = urllib.error.HTTPError("http://one.invalid/a.gz", 404, "Not Found", {}, None)
    opener = FakeOpener(
        {"http://one.invalid/a.gz": not_found, "http://two.invalid/a.gz": b"good bytes"}
    )
    found = fetch_files(tiny_dataset(files), opener=opener)
    assert found["a.gz"].read_bytes() == b"good bytes"
    assert [url for url, _ in opener.calls] == [
        "http://one.invalid/a.gz",
        "http://two.invalid/a.gz",
    ]


def test_first_mirror_serving_bad_bytes_falls_back_to_second(tmp_path):
    opener = FakeOpener({"http://one.invalid/a.gz": b"bad", "http://two.invalid/a.gz": b"good"})
    found = fetch_files(tiny_dataset({"a.gz": b"good"}), opener=opener)
    assert found["a.gz"].read_bytes() == b"good"
    assert leftovers(found["a.gz"].parent) == ["a.gz"]


class BrokenStream(io.BytesIO):
    """A response whose connection drops after the first chunk."""

    def read(self, size=-1):
        if self.tell() > 0:
            raise ConnectionResetError("connection reset by peer")
        return super().read(size)


def test_connection_dropped_mid_download_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(download, "CHUNK_SIZE", 4)

    def opener(url, timeout=None):
        return BrokenStream(b"good file!")

    with pytest.raises(DatasetNotFoundError, match="connection reset"):
        fetch_files(tiny_dataset({"a.gz": b"good file!"}), opener=opener)
    assert leftovers(tmp_path / "cache" / "tinygrad_edu" / "tiny") == []


def test_no_network_error_says_what_to_put_where(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD_EDU_DATA", str(tmp_path / "env"))
    (tmp_path / "arg").mkdir()
    with pytest.raises(DatasetNotFoundError) as info:
        mnist.load_data(tmp_path / "arg")
    message = str(info.value)
    for name in MNIST_NAMES:
        assert name in message
    for directory in [
        tmp_path / "arg",
        tmp_path / "env" / "mnist",
        tmp_path / "cache" / "tinygrad_edu" / "mnist",
        tmp_path / "system" / "mnist",
    ]:
        assert str(directory) in message
    assert "TINYGRAD_EDU_DATA" in message
    assert "network disabled in tests" in message  # the reason each mirror failed
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz" in message
    assert isinstance(info.value, FileNotFoundError)


def test_download_false_never_calls_the_opener(tmp_path, monkeypatch):
    opener = FakeOpener({})
    monkeypatch.setattr(download, "urlopen", opener)
    with pytest.raises(DatasetNotFoundError, match="download=False") as info:
        fashion_mnist.load_data(download=False)
    assert opener.calls == []
    assert "TINYGRAD_EDU_DATA is not set" in str(info.value)
    assert "apt install dataset-fashion-mnist" in str(info.value)


@pytest.fixture
def local_server(tmp_path):
    """An http.server on 127.0.0.1 serving tmp_path/www from a background thread."""
    root = tmp_path / "www"
    root.mkdir()

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_download_from_local_http_server_then_load(local_server, tmp_path, monkeypatch):
    root, base_url = local_server
    files = mnist_like_files(9)
    put_files(root / "good", files)
    # The first mirror answers 404 for everything; the second one has the files.
    dataset = tiny_dataset(files, mirrors=(base_url + "missing/", base_url + "good/"))
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # ignore any proxy
    urls = []

    def opener(url, timeout=None):
        urls.append(url)
        return direct.open(url, timeout=timeout)

    monkeypatch.setattr(download, "urlopen", opener)

    (x_train, y_train), (x_test, y_test) = load_mnist_format(dataset)
    assert x_train.shape == (9, 28, 28) and y_train.shape == (9,) and y_train[0] == 9
    assert x_test.shape == (2, 28, 28) and y_test.shape == (2,)
    assert urls[:2] == [base_url + "missing/" + MNIST_NAMES[0], base_url + "good/" + MNIST_NAMES[0]]
    target = tmp_path / "cache" / "tinygrad_edu" / "tiny"
    assert leftovers(target) == sorted(files)
    for name, data in files.items():
        assert (target / name).read_bytes() == data
