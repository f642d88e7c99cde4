"""Tests for tinygrad_edu.files: write to a temporary name, then rename."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tinygrad_edu import files
from tinygrad_edu.files import atomic_path, write_bytes_atomically, write_text_atomically


def current_umask() -> int:
    """Read the process umask (the only way is to set it and put it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def leftovers(folder: Path, keep: str) -> list[str]:
    """Every file in `folder` other than `keep`: temporary files that were not cleaned up."""
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_success_renames_the_temporary_file_onto_the_target(tmp_path: Path) -> None:
    target = tmp_path / "weights.bin"
    target.write_bytes(b"old")
    with atomic_path(target) as temporary:
        assert temporary != target
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(".weights.bin.") and temporary.name.endswith(".tmp")
        temporary.write_bytes(b"new")
        assert target.read_bytes() == b"old"  # not visible until the block ends
    assert target.read_bytes() == b"new"
    assert not temporary.exists()
    assert leftovers(tmp_path, keep="weights.bin") == []


def test_failure_keeps_the_old_file_and_removes_the_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "weights.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_path(target) as temporary:
            temporary.write_bytes(b"half a fi")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert not temporary.exists()
    assert leftovers(tmp_path, keep="weights.bin") == []


def test_failure_without_an_old_file_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new.png"
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as temporary:
            temporary.write_bytes(b"x")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_permissions_follow_the_umask_not_0600(tmp_path: Path) -> None:
    target = tmp_path / "picture.png"
    with atomic_path(target) as temporary:
        temporary.write_bytes(b"png")
    mode = stat.S_IMODE(target.stat().st_mode)
    assert mode == 0o666 & ~current_umask()  # what a plain open() would have given


def test_permissions_are_readable_by_others_under_a_usual_umask(tmp_path: Path) -> None:
    old_mask = os.umask(0o022)
    try:
        with atomic_path(tmp_path / "picture.png") as temporary:
            temporary.write_bytes(b"png")
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE((tmp_path / "picture.png").stat().st_mode) == 0o644  # not 0o600


def test_each_call_gets_a_fresh_temporary_name(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    with atomic_path(target) as first, atomic_path(target) as second:
        assert first != second
        assert first.exists() and second.exists()  # created at once, so the name is reserved
        first.write_text("first")
        second.write_text("second")
    assert target.read_text() == "first"  # the outer block finished last
    assert leftovers(tmp_path, keep="a.txt") == []


def test_parent_folders_are_created(tmp_path: Path) -> None:
    target = tmp_path / "out" / "plots" / "loss.png"
    with atomic_path(str(target)) as temporary:
        assert temporary.parent.is_dir()
        temporary.write_bytes(b"png")
    assert target.read_bytes() == b"png"


def test_write_bytes_and_text_atomically(tmp_path: Path) -> None:
    assert write_bytes_atomically(tmp_path / "b.bin", b"\x00\x01") == tmp_path / "b.bin"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    write_text_atomically(tmp_path / "sub" / "t.csv", "épisode,loss\n")
    assert (tmp_path / "sub" / "t.csv").read_bytes() == "épisode,loss\n".encode()
    assert leftovers(tmp_path, keep="b.bin") == ["sub"]


# ---------------------------------------------------------------- clear errors for bad places
def test_a_parent_that_is_a_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    target = tmp_path / "notes.txt" / "sub" / "w.npz"
    for create_folder in (True, False):
        with pytest.raises(NotADirectoryError) as caught:
            with atomic_path(target, "save_weights", create_folder=create_folder):
                pass
        message = str(caught.value)
        assert message.startswith(f"save_weights: cannot write '{target}'")
        assert f"'{tmp_path / 'notes.txt'}' is a file, not a folder" in message
        assert ".tmp" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_missing_folder_is_created_only_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "w.npz"
    with pytest.raises(FileNotFoundError, match=r"save: cannot write .*the folder '.*missing' "):
        with atomic_path(target, "save", create_folder=False):
            pass
    assert not (tmp_path / "missing").exists()
    write_bytes_atomically(target, b"ok")  # figures, logs, downloads: made for you
    assert target.read_bytes() == b"ok"


def test_a_target_that_is_a_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        IsADirectoryError, match=rf"write: cannot write '{tmp_path}': .* is a folder"
    ):
        with atomic_path(tmp_path):
            pass


def test_an_unwritable_folder_gives_a_permission_error_naming_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Faked, so the test means the same when run as root (who may write anywhere).
    def refuse(name: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(name))

    monkeypatch.setattr(files, "open", refuse, raising=False)
    monkeypatch.setattr(files.os, "access", lambda *args: False)
    with pytest.raises(PermissionError) as caught:
        write_bytes_atomically(tmp_path / "w.bin", b"x")
    assert str(caught.value) == (
        f"write: cannot write '{tmp_path / 'w.bin'}': no permission to write in the folder "
        f"'{tmp_path}'"
    )
