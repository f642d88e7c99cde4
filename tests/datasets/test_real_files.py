"""Checks on the real MNIST / Fashion-MNIST files, run when TINYGRAD_EDU_DATA holds them.

CI points TINYGRAD_EDU_DATA at the shared copy (layout ``mnist/`` and
``fashion-mnist/``). Elsewhere these tests are skipped: they never download.
"""

import os
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu.datasets import download, fashion_mnist, mnist
from tinygrad_edu.datasets.download import FASHION_MNIST, MNIST, sha256_of


def sha256sums(text: str) -> dict[str, str]:
    """Parse `sha256sum` output ("<hash>  <name>" per line) into {name: hash}."""
    pairs = (line.split() for line in text.strip().splitlines())
    return {name: digest for digest, name in pairs}


# The published checksums, written out again here so that a typo in the library's
# table is caught too.
PUBLISHED_SHA256 = {
    "mnist": sha256sums("""
440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609  train-images-idx3-ubyte.gz
3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c  train-labels-idx1-ubyte.gz
8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6  t10k-images-idx3-ubyte.gz
f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6  t10k-labels-idx1-ubyte.gz
"""),
    "fashion-mnist": sha256sums("""
3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84  train-images-idx3-ubyte.gz
a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845  train-labels-idx1-ubyte.gz
346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073  t10k-images-idx3-ubyte.gz
67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5  t10k-labels-idx1-ubyte.gz
"""),
}


def data_dir(folder: str) -> Path:
    """$TINYGRAD_EDU_DATA/<folder>, or skip the test when the files are not there."""
    root = os.environ.get("TINYGRAD_EDU_DATA")
    if not root:
        pytest.skip("TINYGRAD_EDU_DATA is not set, so the real data files are not available")
    directory = Path(root) / folder
    missing = [name for name in PUBLISHED_SHA256[folder] if not (directory / name).is_file()]
    if missing:
        pytest.skip(f"{directory} does not hold {', '.join(missing)}")
    return directory


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    """Load only from TINYGRAD_EDU_DATA: no cache, no system folder, no network."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(download, "SYSTEM_DATA_DIR", tmp_path / "system")

    def no_network(url, timeout=None):
        raise AssertionError(f"tests must not download ({url})")

    monkeypatch.setattr(download, "urlopen", no_network)


def check_shapes_and_dtypes(train, test):
    (x_train, y_train), (x_test, y_test) = train, test
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    assert y_train.max() == 9 and y_test.max() == 9


@pytest.mark.parametrize(
    ("folder", "dataset"), [("mnist", MNIST), ("fashion-mnist", FASHION_MNIST)]
)
def test_checksums_match_the_published_table(folder, dataset):
    directory = data_dir(folder)
    assert {f.name: f.sha256 for f in dataset.files} == PUBLISHED_SHA256[folder]
    for published in dataset.files:
        path = directory / published.name
        assert path.stat().st_size == published.size, path
        assert sha256_of(path) == published.sha256, path


def test_mnist():
    data_dir("mnist")
    train, test = mnist.load_data(download=False)
    check_shapes_and_dtypes(train, test)
    (x_train, y_train), (_, y_test) = train, test
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert abs(x_train.mean() / 255 - 0.1307) < 1e-3


def test_fashion_mnist():
    data_dir("fashion-mnist")
    train, test = fashion_mnist.load_data(download=False)
    check_shapes_and_dtypes(train, test)
    (_, y_train), (_, y_test) = train, test
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert len(fashion_mnist.CLASS_NAMES) == 10
    assert fashion_mnist.CLASS_NAMES[9] == "Ankle boot"
