"""Atomic files and directories: unique temporaries, all-or-nothing, leftovers of the dead."""

import multiprocessing
import os
import subprocess
import sys

import pytest
from upath import UPath

from algorithms.atomic_files import (
    HOST,
    atomic_directory,
    atomic_file,
    atomic_write,
    remove_leftovers,
    temporary_sibling,
)


def test_temporary_names_are_unique_hidden_siblings(tmp_path):
    names = {temporary_sibling(tmp_path / "raw.parquet").name for _ in range(50)}
    assert len(names) == 50
    assert all(n.startswith(".raw.parquet.") and n.endswith(".tmp") for n in names)
    assert all(f"-{os.getpid()}-" in n for n in names)


@pytest.mark.parametrize("root", ["local", "memory"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, root):
    base = tmp_path if root == "local" else UPath("memory://atomic-file")
    atomic_write(base / "a.json", b"old")
    with pytest.raises(RuntimeError), atomic_file(base / "a.json") as handle:
        handle.write(b"half")
        raise RuntimeError("disk full")
    assert (base / "a.json").read_bytes() == b"old"
    assert [p.name for p in base.iterdir()] == ["a.json"]


@pytest.mark.parametrize("root", ["local", "memory"])
def test_a_directory_is_replaced_whole_or_not_at_all(tmp_path, root):
    base = tmp_path if root == "local" else UPath("memory://atomic-dir")
    for version in (b"1", b"2"):
        with atomic_directory(base / "model") as tmp:
            (tmp / "a").write_bytes(version)
            (tmp / "b").write_bytes(version)
    with pytest.raises(RuntimeError), atomic_directory(base / "model") as tmp:
        (tmp / "a").write_bytes(b"3")
        raise RuntimeError("crash")
    assert sorted(p.name for p in base.iterdir()) == ["model"]
    assert {p.name: p.read_bytes() for p in (base / "model").iterdir()} == {"a": b"2", "b": b"2"}


def _write_many(directory, tag: bytes) -> None:
    for _ in range(30):
        with atomic_directory(directory) as tmp:
            for name in "abc":
                (tmp / name).write_bytes(tag * 1000)


def test_processes_replacing_one_directory_leave_one_complete_version(tmp_path):
    target = tmp_path / "champion"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(target, t)) for t in (b"x", b"y", b"z")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [w.exitcode for w in workers] == [0, 0, 0]
    contents = {p.name: p.read_bytes() for p in target.iterdir()}
    assert sorted(contents) == ["a", "b", "c"] and len(set(contents.values())) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["champion"]


def test_leftovers_of_a_dead_process_are_removed_and_a_live_ones_kept(tmp_path):
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], stdout=-1)
    dead_pid = int(exited.stdout)
    mine = temporary_sibling(tmp_path / "raw.parquet")
    mine.write_bytes(b"in flight")
    orphan = tmp_path / "p" / f".champion.{HOST}-{dead_pid}-0badcafe.tmp"
    orphan.mkdir(parents=True)
    (orphan / "bundle.json").write_text("{")
    other_host = "00000000" if HOST != "00000000" else "11111111"
    foreign = tmp_path / f".raw.parquet.{other_host}-{dead_pid}-0badcafe.tmp"
    foreign.write_bytes(b"another host's")
    assert remove_leftovers(tmp_path) == [orphan]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, foreign.name, "p"])
    assert list((tmp_path / "p").iterdir()) == []
