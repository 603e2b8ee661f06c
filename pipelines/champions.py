"""Champion history: every promoted bundle kept by version, the current one, and rollbacks.

Under a pipeline's directory `<root>/<p>/` (the artifacts root, any fsspec URL):

    champion/                    the current champion: its bundle files + champion.json
    champions/v<N>/              each promoted bundle (v1, v2, …) + champion.json, its record
    champions/rollbacks/<at>-v<N>.json   the record written by each rollback

A record (`ChampionRecord`) holds the version, the bundle's content hash, when and by which
run it was promoted, its metrics and headline, the spec hash, the data versions of the
assets it was trained and scored on, and since when and why (`promoted`, `rollback from
vN`) it is champion. Order of writes, so a crash never leaves the pointer naming a version
that does not exist: the version directory appears whole (bundle and record in one atomic
rename), then a rollback's record, then `champion/` is replaced whole by a copy. A version
number is taken by creating its directory (`mkdir` fails when another run took it), so
concurrent promotions get distinct numbers on a local disk; a version directory without a
record (a crash between the two) is ignored and its number never reused.

A champion stored before history existed (`champion/` without champion.json) is listed as
v1 and copied to `champions/v1/` by the next promotion, which becomes v2.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from upath import UPath

from algorithms.atomic_files import atomic_directory, atomic_write
from algorithms.persistence import FORMAT_VERSION, JSON_NAME, DamagedModelError, read_json_object
from pipelines.bundle import BUNDLE_FILE, Bundle, as_path, bundle_problem, read_manifest

POINTER = "champion"
HISTORY = "champions"
ROLLBACKS = "rollbacks"
RECORD_FILE = "champion.json"
PROMOTED = "promoted"
LEGACY_REASON = "stored before champion history"
_VERSION = re.compile(r"^v([1-9][0-9]*)$")

Directory = Path | UPath


@dataclass(frozen=True)
class ChampionRecord:
    """One champion version and the event that made it champion (`since`, `reason`)."""

    pipeline: str
    version: str
    bundle_hash: str
    promoted_at: str
    run_id: str | None
    headline: str | None
    metrics: dict[str, float]
    spec_hash: str
    data_versions: dict[str, str] = field(default_factory=dict)
    since: str = ""
    reason: str = PROMOTED

    def to_json(self) -> str:
        """Sorted, indented JSON (`read` inverts it)."""
        return json.dumps(asdict(self), sort_keys=True, indent=2) + "\n"

    @classmethod
    def read(cls, path: Directory) -> ChampionRecord:
        """The record stored at `path`; DamagedModelError naming the file when unreadable."""
        data = read_json_object(path)
        try:
            return cls(**data)
        except TypeError as exc:
            raise DamagedModelError(f"not a champion record ({exc}).", file=path) from None


@dataclass(frozen=True)
class Promotion:
    """What a promotion stores: the bundle and what it was promoted on."""

    bundle: Bundle
    metrics: dict[str, float]
    headline: str
    run_id: str
    data_versions: dict[str, str]


@dataclass(frozen=True)
class Champion:
    """The current champion's bundle with its record."""

    bundle: Bundle
    record: ChampionRecord

    @property
    def version(self) -> str:
        """The champion's version, e.g. `v3`."""
        return self.record.version


class ChampionHistoryError(ValueError):
    """A rollback that cannot be done (no history, unknown or current version)."""


def utc_now() -> str:
    """The current UTC time as ISO 8601 with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def version_number(version: str) -> int | None:
    """3 for `v3`; None for anything that is not a version name."""
    match = _VERSION.match(version)
    return int(match[1]) if match else None


def bundle_hash(directory: Directory) -> str:
    """SHA-256 over the bundle files of `directory` (names and bytes; the record excluded)."""
    digest = hashlib.sha256()
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        if path.name != RECORD_FILE and path.is_file():
            data = path.read_bytes()
            digest.update(f"{path.name}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


def copy_files(source: Directory, target: Directory, skip: tuple[str, ...] = ()) -> None:
    """Copy every file of `source` into the directory `target`, byte for byte."""
    for path in sorted(source.iterdir(), key=lambda p: p.name):
        if path.is_file() and path.name not in skip:
            (target / path.name).write_bytes(path.read_bytes())


def versions(pipeline_dir: str | Directory) -> list[ChampionRecord]:
    """Every complete promoted version, oldest first (directories without a record skipped)."""
    history = as_path(pipeline_dir) / HISTORY
    if not history.is_dir():
        return []
    numbered = [
        (version_number(path.name), path)
        for path in history.iterdir()
        if version_number(path.name) is not None and (path / RECORD_FILE).is_file()
    ]
    return [ChampionRecord.read(path / RECORD_FILE) for _, path in sorted(numbered)]


def events(pipeline_dir: str | Directory) -> list[ChampionRecord]:
    """Every time a version became champion (promotions and rollbacks), oldest first."""
    history = as_path(pipeline_dir) / HISTORY / ROLLBACKS
    rollbacks = (
        [ChampionRecord.read(p) for p in history.iterdir() if p.suffix == ".json"]
        if history.is_dir()
        else []
    )
    return sorted(
        versions(pipeline_dir) + rollbacks,
        key=lambda r: (r.since, version_number(r.version) or 0),
    )


def current(pipeline_dir: str | Directory) -> ChampionRecord | None:
    """The record of the current champion; None when there is none. A champion stored before
    history (no champion.json) is v1 with the fields its bundle gives."""
    pointer = as_path(pipeline_dir) / POINTER
    if (pointer / RECORD_FILE).is_file():
        return ChampionRecord.read(pointer / RECORD_FILE)
    if not (pointer / BUNDLE_FILE).is_file():
        return None
    return _legacy_record(pointer)


def load_champion(pipeline_dir: str | Directory) -> Champion | None:
    """The current champion's bundle and record, or None when there is none; DamagedModelError
    naming the file when it cannot be loaded."""
    record = current(pipeline_dir)
    if record is None:
        return None
    return Champion(Bundle.load(as_path(pipeline_dir) / POINTER), record)


def champion_problem(pipeline_dir: str | Directory) -> str | None:
    """Why the current champion's bundle cannot be loaded (file, field, reason), or None.

    Files that hash to their record's `bundle_hash`, in formats this code reads, are the
    bundle as promoted: nothing more is read, so no estimator module is imported. Any other
    bundle (changed, without a record) is loaded whole, which names what is damaged.
    """
    pointer = as_path(pipeline_dir) / POINTER
    try:
        record = ChampionRecord.read(pointer / RECORD_FILE)
        read_manifest(pointer / BUNDLE_FILE)
        readable = read_json_object(pointer / JSON_NAME).get("format_version") == FORMAT_VERSION
        if readable and bundle_hash(pointer) == record.bundle_hash:
            return None
    except DamagedModelError:
        pass
    return bundle_problem(pointer)


def promote(pipeline_dir: str | Directory, promotion: Promotion) -> ChampionRecord:
    """Store `promotion` as the next version, then make it the champion; its record."""
    pipeline_dir = as_path(pipeline_dir)
    _adopt_legacy(pipeline_dir)
    bundle = promotion.bundle
    now = utc_now()
    version_dir = _reserve_version(pipeline_dir / HISTORY)
    with atomic_directory(version_dir) as tmp:
        bundle.save(tmp)
        record = ChampionRecord(
            pipeline=bundle.pipeline,
            version=version_dir.name,
            bundle_hash=bundle_hash(tmp),
            promoted_at=now,
            run_id=promotion.run_id,
            headline=promotion.headline,
            metrics={name: float(value) for name, value in promotion.metrics.items()},
            spec_hash=bundle.spec_hash,
            data_versions=dict(promotion.data_versions),
            since=now,
        )
        (tmp / RECORD_FILE).write_text(record.to_json())
    _install(pipeline_dir, version_dir, record)
    return record


def rollback(pipeline_dir: str | Directory, version: str) -> ChampionRecord:
    """Make the stored `version` champion again (its bundle files copied byte for byte) and
    record the rollback; ChampionHistoryError when there is no history, `version` is unknown
    or already champion, DamagedModelError when its files fail to load or changed."""
    pipeline_dir = as_path(pipeline_dir)
    known = {record.version: record for record in versions(pipeline_dir)}
    name = pipeline_dir.name
    if not known:
        raise ChampionHistoryError(
            f"pipeline '{name}' has no champion history to roll back to; "
            f"each promotion by `trainyard run {name}` adds a version"
        )
    if version not in known:
        raise ChampionHistoryError(
            f"pipeline '{name}' has no champion version {version!r}; "
            f"its versions: {', '.join(known)}"
        )
    now_champion = current(pipeline_dir)
    if now_champion is not None and now_champion.version == version:
        raise ChampionHistoryError(
            f"{version} is already the champion of '{name}' (since {now_champion.since})"
        )
    version_dir = pipeline_dir / HISTORY / version
    Bundle.load(version_dir)
    stored = bundle_hash(version_dir)
    if stored != known[version].bundle_hash:
        raise DamagedModelError(
            f"the bundle files' hash {stored[:12]}… differs from the recorded "
            f"{known[version].bundle_hash[:12]}…; refusing to roll back to it.",
            field="bundle_hash",
            file=version_dir / RECORD_FILE,
        )
    was = "none" if now_champion is None else now_champion.version
    record = replace(known[version], since=utc_now(), reason=f"rollback from {was}")
    stamp = re.sub(r"[^0-9]", "", record.since.partition("+")[0])
    atomic_write(
        pipeline_dir / HISTORY / ROLLBACKS / f"{stamp}-{version}.json", record.to_json().encode()
    )
    _install(pipeline_dir, version_dir, record)
    return record


def _install(pipeline_dir: Directory, version_dir: Directory, record: ChampionRecord) -> None:
    """Replace `champion/` whole by the version's bundle files and `record`."""
    with atomic_directory(pipeline_dir / POINTER) as tmp:
        copy_files(version_dir, tmp, skip=(RECORD_FILE,))
        (tmp / RECORD_FILE).write_text(record.to_json())


def _reserve_version(history: Directory) -> Directory:
    """Create and return the directory of the next free version number."""
    history.mkdir(parents=True, exist_ok=True)
    taken = [version_number(p.name) for p in history.iterdir()]
    number = max([n for n in taken if n is not None], default=0) + 1
    while True:
        candidate = history / f"v{number}"
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            number += 1


def _legacy_record(pointer: Directory) -> ChampionRecord:
    """v1 for a champion stored before history: what its bundle says, the rest unknown."""
    manifest: dict[str, Any] = read_json_object(pointer / BUNDLE_FILE)
    return ChampionRecord(
        pipeline=str(manifest.get("pipeline", pointer.parent.name)),
        version="v1",
        bundle_hash=bundle_hash(pointer),
        promoted_at="",
        run_id=None,
        headline=None,
        metrics={},
        spec_hash=str(manifest.get("spec_hash", "")),
        reason=LEGACY_REASON,
    )


def _adopt_legacy(pipeline_dir: Directory) -> None:
    """Copy a champion stored before history to `champions/v1/` (once) with its record."""
    pointer = pipeline_dir / POINTER
    if (pointer / RECORD_FILE).is_file() or not (pointer / BUNDLE_FILE).is_file():
        return
    if versions(pipeline_dir):
        return
    record = _legacy_record(pointer)
    history = pipeline_dir / HISTORY
    history.mkdir(parents=True, exist_ok=True)
    try:
        (history / "v1").mkdir()
    except FileExistsError:
        return
    with atomic_directory(history / "v1") as tmp:
        copy_files(pointer, tmp)
        (tmp / RECORD_FILE).write_text(record.to_json())
