"""Find the MNIST / Fashion-MNIST files on disk, or download them once into a cache.

Each file is looked for in these places, in this order (the first hit wins):

1. the ``path`` argument of ``load_data``: ``path/mnist/`` or ``path/`` itself;
2. the directory named by the environment variable ``TINYGRAD_EDU_DATA``:
   ``$TINYGRAD_EDU_DATA/mnist/`` or ``$TINYGRAD_EDU_DATA/`` itself;
3. the per-user cache: ``$XDG_CACHE_HOME/tinygrad_edu/mnist/``
   (``~/.cache/tinygrad_edu/mnist/`` when ``XDG_CACHE_HOME`` is not set);
4. the system location Debian's dataset packages install to:
   ``/usr/share/datasets/mnist/`` (``apt install dataset-fashion-mnist`` fills
   ``/usr/share/datasets/fashion-mnist/``).

(For Fashion-MNIST read ``fashion-mnist`` for ``mnist``.) In every place the
file may be gzip-compressed under its upstream name, or already gunzipped
(the same name without ``.gz``).

Files still missing are downloaded into the cache, checked against the
published size and SHA-256, and only then moved into place, so an interrupted
or corrupt download never leaves a half-written file behind. Files found on
disk are not hashed (re-compressed copies, like Debian's, are fine); the IDX
reader checks their structure instead.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tinygrad_edu.files import atomic_path

ENV_VAR = "TINYGRAD_EDU_DATA"
SYSTEM_DATA_DIR = Path("/usr/share/datasets")
DOWNLOAD_TIMEOUT = 30  # seconds to wait for a server before giving up on it
CHUNK_SIZE = 1 << 16  # read downloads 64 KiB at a time instead of all at once

# The function used to open URLs. Tests replace it (or pass ``opener=``) with a
# fake, so they never touch the network. Looked up at call time on purpose.
urlopen: Callable = urllib.request.urlopen


@dataclass(frozen=True)
class PublishedFile:
    """One file as its publisher distributes it: name, size in bytes, SHA-256."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Dataset:
    """Where a data set lives: its sub-folder name, download mirrors and files."""

    title: str
    folder: str
    mirrors: tuple[str, ...]
    files: tuple[PublishedFile, ...]
    install_hint: str = ""


MNIST = Dataset(
    title="MNIST",
    folder="mnist",
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    files=(
        PublishedFile(
            "train-images-idx3-ubyte.gz",
            9912422,
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        ),
        PublishedFile(
            "train-labels-idx1-ubyte.gz",
            28881,
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        ),
        PublishedFile(
            "t10k-images-idx3-ubyte.gz",
            1648877,
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        ),
        PublishedFile(
            "t10k-labels-idx1-ubyte.gz",
            4542,
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        ),
    ),
)

FASHION_MNIST = Dataset(
    title="Fashion-MNIST",
    folder="fashion-mnist",
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://ossci-datasets.s3.amazonaws.com/fashion-mnist/",
    ),
    files=(
        PublishedFile(
            "train-images-idx3-ubyte.gz",
            26421880,
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        ),
        PublishedFile(
            "train-labels-idx1-ubyte.gz",
            29515,
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        ),
        PublishedFile(
            "t10k-images-idx3-ubyte.gz",
            4422102,
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        ),
        PublishedFile(
            "t10k-labels-idx1-ubyte.gz",
            5148,
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        ),
    ),
    install_hint="On Debian or Ubuntu, `apt install dataset-fashion-mnist` also provides them.",
)

DATASETS = (MNIST, FASHION_MNIST)


class ChecksumError(ValueError):
    """A file's bytes are not the published ones (wrong size or SHA-256)."""


class DownloadError(OSError):
    """Every mirror failed for a file; the message lists each URL and why."""


class DatasetNotFoundError(FileNotFoundError):
    """The files are neither on disk nor downloadable; the message says where to put them."""


def cache_dir() -> Path:
    """The per-user cache directory: ``$XDG_CACHE_HOME/tinygrad_edu`` or ``~/.cache/tinygrad_edu``.

    Following the XDG convention keeps downloads out of the user's working
    folders and lets them be deleted safely at any time.
    """
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "tinygrad_edu"


def search_dirs(dataset: Dataset, path: str | os.PathLike | None = None) -> list[tuple[Path, str]]:
    """The directories to look in, in order, each with a note saying why it is searched."""
    dirs: list[tuple[Path, str]] = []
    if path is not None:
        path = Path(path).expanduser()
        dirs += [(path / dataset.folder, "path argument"), (path, "path argument")]
    env_value = os.environ.get(ENV_VAR)
    if env_value:
        env_dir = Path(env_value).expanduser()
        dirs += [(env_dir / dataset.folder, f"${ENV_VAR}"), (env_dir, f"${ENV_VAR}")]
    dirs.append((cache_dir() / dataset.folder, "per-user cache"))
    dirs.append((SYSTEM_DATA_DIR / dataset.folder, "system data sets"))
    return dirs


def find_file(name: str, dirs: list[Path]) -> Path | None:
    """The first ``dir/name`` that exists, also accepting a gunzipped copy (no ``.gz``)."""
    for directory in dirs:
        for candidate in (directory / name, directory / name.removesuffix(".gz")):
            if candidate.is_file():
                return candidate
    return None


def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 of a file as hex, read in chunks so big files need little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def check_not_other_dataset(found: Path, dataset: Dataset) -> None:
    """Refuse a file that is byte-for-byte another data set's file of the same name.

    MNIST and Fashion-MNIST use identical file names, so a folder of MNIST
    files found "directly in" a directory would otherwise load silently as
    Fashion-MNIST. Only a file whose size matches the other data set's file is
    hashed, so this costs nothing in the normal case.
    """
    size = found.stat().st_size
    for other in DATASETS:
        if other is dataset:
            continue
        for published in other.files:
            if published.name != found.name or published.size != size:
                continue
            if sha256_of(found) == published.sha256:
                raise ChecksumError(
                    f"{found} is the {other.title} file {published.name} (its size and "
                    f"SHA-256 match), but {dataset.title} was asked for. Keep each data set "
                    f"in its own sub-folder, e.g. DIR/{dataset.folder}/ and DIR/{other.folder}/."
                )


def _download_one(url: str, published: PublishedFile, target_dir: Path, opener: Callable) -> Path:
    """Download ``url`` into ``target_dir``, verifying size and SHA-256 on the way.

    The bytes go into a temporary file in the same directory, which is renamed
    with ``os.replace`` only once the checksum matches: the rename is atomic, so
    other programs see either no file or the complete, verified one.
    """
    final_path = target_dir / published.name
    # atomic_path removes the temporary file if anything below raises.
    with atomic_path(final_path) as temporary:
        digest = hashlib.sha256()
        size = 0
        with open(temporary, "wb") as file, opener(url, timeout=DOWNLOAD_TIMEOUT) as response:
            while chunk := response.read(CHUNK_SIZE):
                size += len(chunk)
                if size > published.size:
                    raise ChecksumError(f"wrong size: expected {published.size} bytes, got more")
                digest.update(chunk)
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        if size != published.size:
            raise ChecksumError(f"wrong size: expected {published.size} bytes, got {size}")
        if digest.hexdigest() != published.sha256:
            raise ChecksumError(
                f"wrong SHA-256: expected {published.sha256}, got {digest.hexdigest()}"
            )
    return final_path


def download_file(
    published: PublishedFile,
    mirrors: tuple[str, ...],
    target_dir: str | os.PathLike,
    opener: Callable | None = None,
) -> Path:
    """Download one file into ``target_dir``, trying each mirror until one succeeds.

    A mirror that is unreachable, answers with an HTTP error or serves the
    wrong bytes is skipped. ``opener`` defaults to this module's ``urlopen``.
    Raises ``DownloadError`` listing every URL tried and why it failed.
    """
    opener = opener or urlopen
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    for mirror in mirrors:
        url = mirror + published.name
        print(f"Downloading {url}", file=sys.stderr)
        try:
            return _download_one(url, published, target_dir, opener)
        except (OSError, ValueError, http.client.HTTPException) as err:
            failures.append(f"    {url}: {err}")
    raise DownloadError(f"could not download {published.name}:\n" + "\n".join(failures))


def _not_found_message(
    dataset: Dataset, missing: list[PublishedFile], dirs: list[tuple[Path, str]], why: str
) -> str:
    """Explain what is missing, where we looked, and how to fix it without network access."""
    lines = [f"Could not find the {dataset.title} files: {', '.join(f.name for f in missing)}."]
    lines.append("Looked in (first match wins):")
    lines += [f"    {directory}  ({note})" for directory, note in dirs]
    if not os.environ.get(ENV_VAR):
        lines.append(f"    (${ENV_VAR} is not set)")
    lines.append(why)
    lines.append(
        f"To fix this, download the files on a computer with internet access (from "
        f"{dataset.mirrors[0]}) and copy them into {cache_dir() / dataset.folder}/ "
        f"- or into DIR/{dataset.folder}/ and set the environment variable {ENV_VAR}=DIR."
    )
    if dataset.install_hint:
        lines.append(dataset.install_hint)
    return "\n".join(lines)


def fetch_files(
    dataset: Dataset,
    path: str | os.PathLike | None = None,
    download: bool = True,
    opener: Callable | None = None,
) -> dict[str, Path]:
    """Return ``{file name: local path}`` for every file of ``dataset``.

    Files are searched for in the order described at the top of this module;
    missing ones are downloaded into the cache unless ``download=False``.
    Raises ``DatasetNotFoundError`` when some file cannot be had.
    """
    if path is not None and not Path(path).expanduser().is_dir():
        raise DatasetNotFoundError(
            f"{path}: the path argument must be an existing directory holding the "
            f"{dataset.title} files"
        )
    dirs = search_dirs(dataset, path)
    found: dict[str, Path] = {}
    missing: list[PublishedFile] = []
    for published in dataset.files:
        hit = find_file(published.name, [directory for directory, _ in dirs])
        if hit is None:
            missing.append(published)
        else:
            check_not_other_dataset(hit, dataset)
            found[published.name] = hit

    if missing and not download:
        why = "Downloading was turned off (download=False)."
        raise DatasetNotFoundError(_not_found_message(dataset, missing, dirs, why))
    for i, published in enumerate(missing):
        try:
            found[published.name] = download_file(
                published, dataset.mirrors, cache_dir() / dataset.folder, opener
            )
        except OSError as err:  # DownloadError, or the cache directory cannot be created
            why = f"Downloading them failed: {err}"
            raise DatasetNotFoundError(_not_found_message(dataset, missing[i:], dirs, why)) from err
    return found
