"""Atomic writes of files and whole directories, on a local disk or any fsspec filesystem.

Every stored thing (estimator files, bundles, parquet frames, JSON, reports) is written to a
temporary sibling and then renamed into place, so a reader sees the old or the new version,
never half of one, and concurrent writers never share a temporary name:
`.<name>.<host>-<pid>-<random>.tmp`. The host and pid in the name let the next run remove
what a killed process left behind (`remove_leftovers`) without touching a live writer's
temporaries.

Paths are duck-typed `pathlib` objects: a `pathlib.Path`, or a universal-pathlib `UPath` for
a URL (`memory://`, `s3://`, …). On a local disk a rename is atomic; an object store has no
rename (it copies), so there a reader may briefly miss a directory being replaced — still
never a mix of two versions. This module lives in `algorithms/`, the lowest layer, because
`algorithms.persistence` writes through it and `algorithms/` may import nothing above it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]
_LEFTOVER = re.compile(r"^\..+\.(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[0-9a-f]{8}\.tmp$")


def local_path(path: Any) -> Path | None:
    """`path` as a `pathlib.Path` when it names the local disk, else None."""
    if getattr(path, "protocol", "") in ("", "file", "local"):
        return Path(os.fspath(path))
    return None


def temporary_sibling(path: Any) -> Any:
    """A fresh hidden name beside `path`, unique to this host, process and call."""
    token = secrets.token_hex(4)
    return path.with_name(f".{path.name}.{HOST}-{os.getpid()}-{token}.tmp")


def remove_tree(path: Any) -> None:
    """Delete a file or a directory tree; nothing when it is gone already."""
    local = local_path(path)
    if local is not None:
        if local.is_dir() and not local.is_symlink():
            shutil.rmtree(local, ignore_errors=True)
        else:
            local.unlink(missing_ok=True)
    elif path.is_dir():
        path.rmdir(recursive=True)
    elif path.exists():
        path.unlink()


@contextlib.contextmanager
def atomic_file(path: Any) -> Iterator[IO[bytes]]:
    """A binary handle on a temporary sibling; on success it replaces `path` (fsynced on a
    local disk). On an exception the temporary file is removed and `path` is unchanged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(path)
    try:
        with tmp.open("wb") as handle:
            yield handle
            if local_path(path) is not None:
                handle.flush()
                os.fsync(handle.fileno())
        tmp.rename(path)
    except BaseException:
        remove_tree(tmp)
        raise


def atomic_write(path: Any, data: bytes) -> None:
    """Write `data` to `path` atomically (`atomic_file`)."""
    with atomic_file(path) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_directory(path: Any) -> Iterator[Any]:
    """Yield an empty temporary sibling directory; on success it replaces `path` whole.

    On an exception the temporary directory is removed and `path` is left as it was.
    """
    tmp = temporary_sibling(path)
    tmp.mkdir(parents=True)
    try:
        yield tmp
        _swap_in(tmp, path)
    finally:
        remove_tree(tmp)


def _swap_in(new: Any, directory: Any) -> None:
    """Rename `new` to `directory`. A directory in the way is renamed aside (to a unique
    name, so a concurrent writer can do the same) and deleted after `new` is in place; on an
    object store it is deleted, then `new` is moved (there is no directory rename to use)."""
    if local_path(directory) is None:
        remove_tree(directory)
        new.fs.mv(new.path, directory.path, recursive=True)
        return
    aside = []
    while True:
        try:
            new.rename(directory)
            break
        except OSError as error:
            if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        moved = temporary_sibling(directory)
        with contextlib.suppress(FileNotFoundError):
            directory.rename(moved)
            aside.append(moved)
    for old in aside:
        remove_tree(old)


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(root: Any) -> list[Any]:
    """Remove the temporaries below `root` that a dead process of this host left behind
    (a run killed mid-write); a live writer's are kept. Returns what was removed."""
    if not root.is_dir():
        return []
    removed, pending = [], [root]
    while pending:
        for entry in pending.pop().iterdir():
            match = _LEFTOVER.match(entry.name)
            if match is None:
                if entry.is_dir():
                    pending.append(entry)
            elif match["host"] == HOST and not process_alive(int(match["pid"])):
                remove_tree(entry)
                removed.append(entry)
    return removed
