"""Write the catalogue's files without needless changes: replace a file only when its bytes
differ, copy a PDF only when its size or modification time differ, remove the pages of reports
no longer listed.

Every write goes to a hidden `.<name>.partial` file first and is then renamed over the target,
so a web server serving the folder never sends a half-written page. Plain functions on paths
the caller chose (tasks/release/catalogue/site.py); nothing here decides what a page contains.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["copy_if_changed", "remove_unlisted", "write_if_changed"]


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` atomically unless the file holds exactly these bytes already.

    Returns whether the file was written. Creates the parent folder.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
    return True


def copy_if_changed(source: Path, target: Path) -> bool:
    """Copy `source` to `target` (atomically, keeping its times) unless the target has the same
    size and modification time already. Returns whether it copied."""
    src = source.stat()
    try:
        dst = target.stat()
        if (dst.st_size, dst.st_mtime_ns) == (src.st_size, src.st_mtime_ns):
            return False
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    os.utime(partial, ns=(src.st_atime_ns, src.st_mtime_ns))
    os.replace(partial, target)
    return True


def remove_unlisted(folder: Path, suffix: str, keep: set[str]) -> int:
    """Delete the files `*<suffix>` in `folder` whose stem is not in `keep`; return how many."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name.endswith(suffix) and path.stem not in keep:
            path.unlink()
            removed += 1
    return removed
