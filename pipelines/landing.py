"""Landing folders without Dagster: list the batch files, hash them, tell which are new,
changed, not yet settled or gone since the last look, and pick the batches training reads.

A landing folder holds one file per batch (`data/landing/<p>/2024-01-08.csv`, …); the file
name is the batch's key. `scan` compares the folder with a cursor, a JSON-able dict
`{name: {"hash", "size", "mtime"}}` of the files already picked up, and returns what to do
plus the next cursor. It takes any folder and suffix, so the folder of rows to score
(`data/to_score/<p>/`) is scanned the same way.

A file is picked up only once it has settled: its modification time is at least
`settle_seconds` old, so a file still being written (its mtime moves with every write) waits
for a later look. One rule (mtime age), not size-unchanged-between-looks, because it needs
no second look: a settled file is taken on the first scan that sees it. Hidden files (a
leading dot, as `algorithms.atomic_files` names its temporaries) are never batches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

_CHUNK = 1 << 20

Cursor = dict[str, dict[str, object]]


@dataclass(frozen=True)
class BatchFile:
    """One file of a landing folder: its name (the batch key), size, mtime and SHA-256."""

    name: str
    size: int
    mtime: float
    hash: str

    def entry(self) -> dict[str, object]:
        """The file's cursor entry."""
        return {"hash": self.hash, "size": self.size, "mtime": self.mtime}


@dataclass(frozen=True)
class Scan:
    """What one look at a landing folder found, against the previous cursor.

    `new` and `changed` are settled files to pick up (changed: same name, other content);
    `unsettled` names files modified less than the settle time ago (looked at again next
    time); `vanished` names files of the cursor no longer in the folder; `cursor` is the next
    cursor (picked-up files added or updated, vanished ones removed).
    """

    new: list[BatchFile] = field(default_factory=list)
    changed: list[BatchFile] = field(default_factory=list)
    unsettled: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    cursor: Cursor = field(default_factory=dict)

    @property
    def ready(self) -> list[BatchFile]:
        """New and changed files, in name order: the batches to (re)process."""
        return sorted([*self.new, *self.changed], key=lambda f: f.name)


def batch_files(folder: Path | str, suffix: str) -> list[Path]:
    """The batch files of `folder` ending in `suffix` (e.g. ".csv"), in name order; hidden
    files and subfolders are skipped. FileNotFoundError naming the folder when it is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"landing folder {folder} not found")
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() == suffix
    )


def file_hash(path: Path | str) -> str:
    """SHA-256 hex of a file's bytes: a batch's data version (equal bytes, equal hash)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def scan(
    folder: Path | str, suffix: str, cursor: Mapping, now: float, settle_seconds: float
) -> Scan:
    """Compare the settled `suffix` files of `folder` with `cursor` at time `now` (seconds
    since the epoch). A file whose size and mtime match its cursor entry is not read again;
    one whose bytes are unchanged (touched, copied over itself) is not picked up again."""
    result = Scan(cursor={})
    present = set()
    for path in batch_files(folder, suffix):
        stat = path.stat()
        present.add(path.name)
        seen = cursor.get(path.name)
        if seen is not None and (seen["size"], seen["mtime"]) == (stat.st_size, stat.st_mtime):
            result.cursor[path.name] = dict(seen)
            continue
        if now - stat.st_mtime < settle_seconds:
            result.unsettled.append(path.name)
            if seen is not None:
                result.cursor[path.name] = dict(seen)
            continue
        found = BatchFile(path.name, stat.st_size, stat.st_mtime, file_hash(path))
        result.cursor[path.name] = found.entry()
        if seen is None:
            result.new.append(found)
        elif seen["hash"] != found.hash:
            result.changed.append(found)
    result.vanished.extend(sorted(set(cursor) - present))
    return result


def chosen_batches(keys: Iterable[str], last: int | None) -> list[str]:
    """The batch keys training reads: all of `keys` in name order, or the `last` N of them."""
    ordered = sorted(keys)
    return ordered if last is None else ordered[-last:]
