"""The inbox fingerprints: content digests that follow every change, each file hashed once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import tasks.inbox as inbox
from tasks.inbox import file_fingerprints


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_fingerprints_are_name_sha256_and_size(tmp_path: Path) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.xlsx"
    a.write_bytes(b"%PDF-1.7 one")
    b.write_bytes(b"")
    prints = file_fingerprints([str(a), str(b)])
    assert prints == {
        str(a): ("a.pdf", _digest(b"%PDF-1.7 one"), 12),
        str(b): ("b.xlsx", _digest(b""), 0),
    }


def test_a_rewrite_of_the_same_size_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"version-1")
    first = file_fingerprints([str(path)])[str(path)]
    stat = path.stat()
    path.write_bytes(b"version-2")  # same size; give it the old mtime back, as a copy -p would
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = file_fingerprints([str(path)])[str(path)]
    assert first[1] == _digest(b"version-1")
    assert second[1] == _digest(b"version-2")  # the ctime moved, so it was read again


def test_a_replaced_file_is_seen(tmp_path: Path) -> None:
    path, incoming = tmp_path / "list.xlsx", tmp_path / ".incoming"
    path.write_bytes(b"old list")
    assert file_fingerprints([str(path)])[str(path)][1] == _digest(b"old list")
    incoming.write_bytes(b"new list")
    os.replace(incoming, path)
    assert file_fingerprints([str(path)])[str(path)][1] == _digest(b"new list")


def test_an_unchanged_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7")
    reads: list[Path] = []
    real = inbox.sha256_file

    def counted(p: Path) -> str:
        reads.append(p)
        return real(p)

    monkeypatch.setattr(inbox, "sha256_file", counted)
    for _ in range(3):
        assert file_fingerprints([str(path)])[str(path)][1] == _digest(b"%PDF-1.7")
    assert reads == [path]
