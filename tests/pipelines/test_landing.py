"""Landing folders: listing, hashing, settling, the cursor diff, vanished files, last N."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pipelines.landing import batch_files, chosen_batches, file_hash, scan

NOW = 1_700_000_000.0


def land(folder: Path, name: str, text: str, age: float = 60.0) -> Path:
    """Write a batch file whose mtime is `age` seconds before NOW."""
    path = folder / name
    path.write_text(text)
    os.utime(path, (NOW - age, NOW - age))
    return path


def test_batch_files_are_the_suffix_files_in_name_order(tmp_path):
    for name in ["b.csv", "a.csv", "c.parquet", ".a.csv.host-1-ab.tmp", "notes.txt", "D.CSV"]:
        (tmp_path / name).write_text("x")
    (tmp_path / "sub.csv").mkdir()
    assert [p.name for p in batch_files(tmp_path, ".csv")] == ["D.CSV", "a.csv", "b.csv"]
    assert [p.name for p in batch_files(tmp_path, ".parquet")] == ["c.parquet"]


def test_a_missing_folder_is_named():
    with pytest.raises(FileNotFoundError, match="landing folder /nonexistent/land not found"):
        batch_files("/nonexistent/land", ".csv")


def test_file_hash_is_the_sha256_of_the_bytes(tmp_path):
    path = land(tmp_path, "a.csv", "x,y\n1,2\n")
    assert file_hash(path) == hashlib.sha256(b"x,y\n1,2\n").hexdigest()


def test_new_files_are_picked_up_with_their_cursor_entries(tmp_path):
    a = land(tmp_path, "a.csv", "x\n1\n")
    found = scan(tmp_path, ".csv", {}, NOW, 10)
    assert [f.name for f in found.new] == ["a.csv"] and not found.changed
    assert found.cursor == {"a.csv": {"hash": file_hash(a), "size": 4, "mtime": NOW - 60}}
    assert found.unsettled == [] and found.vanished == []


def test_the_same_files_again_give_nothing(tmp_path):
    land(tmp_path, "a.csv", "x\n1\n")
    first = scan(tmp_path, ".csv", {}, NOW, 10)
    again = scan(tmp_path, ".csv", first.cursor, NOW + 30, 10)
    assert again.ready == [] and again.cursor == first.cursor


def test_changed_content_is_picked_up_touched_content_is_not(tmp_path):
    land(tmp_path, "a.csv", "x\n1\n")
    first = scan(tmp_path, ".csv", {}, NOW, 10)
    land(tmp_path, "a.csv", "x\n1\n", age=30)  # rewritten with the same bytes
    touched = scan(tmp_path, ".csv", first.cursor, NOW, 10)
    assert touched.ready == [] and touched.cursor["a.csv"]["mtime"] == NOW - 30
    land(tmp_path, "a.csv", "x\n2\n", age=20)
    changed = scan(tmp_path, ".csv", touched.cursor, NOW, 10)
    assert [f.name for f in changed.changed] == ["a.csv"] and changed.new == []
    assert changed.cursor["a.csv"]["hash"] == hashlib.sha256(b"x\n2\n").hexdigest()


def test_a_file_still_being_written_waits_until_it_settles(tmp_path):
    land(tmp_path, "a.csv", "x\n1\n", age=3)
    early = scan(tmp_path, ".csv", {}, NOW, 10)
    assert early.ready == [] and early.unsettled == ["a.csv"] and early.cursor == {}
    later = scan(tmp_path, ".csv", early.cursor, NOW + 7, 10)
    assert [f.name for f in later.new] == ["a.csv"]


def test_a_changing_known_file_keeps_its_old_entry_until_it_settles(tmp_path):
    land(tmp_path, "a.csv", "x\n1\n")
    first = scan(tmp_path, ".csv", {}, NOW, 10)
    land(tmp_path, "a.csv", "x\n1\n2\n", age=1)
    writing = scan(tmp_path, ".csv", first.cursor, NOW, 10)
    assert writing.ready == [] and writing.unsettled == ["a.csv"]
    assert writing.cursor == first.cursor


def test_a_vanished_file_is_reported_once_and_leaves_the_cursor(tmp_path):
    a = land(tmp_path, "a.csv", "x\n1\n")
    land(tmp_path, "b.csv", "x\n2\n")
    first = scan(tmp_path, ".csv", {}, NOW, 10)
    a.unlink()
    gone = scan(tmp_path, ".csv", first.cursor, NOW, 10)
    assert gone.vanished == ["a.csv"] and list(gone.cursor) == ["b.csv"]
    assert scan(tmp_path, ".csv", gone.cursor, NOW, 10).vanished == []


def test_chosen_batches_are_all_or_the_last_n_by_name():
    keys = ["2024-01-15.csv", "2024-01-08.csv", "2024-01-29.csv", "2024-01-22.csv"]
    assert chosen_batches(keys, None) == sorted(keys)
    assert chosen_batches(keys, 2) == ["2024-01-22.csv", "2024-01-29.csv"]
    assert chosen_batches(keys, 9) == sorted(keys)
