"""Whatever sits where a file is expected, the scan finishes and the good files are reported:
FIFOs, devices, huge sparse files, files swapped mid-scan, names that are not UTF-8."""

from __future__ import annotations

import os

import pytest
from conftest import write_tree

from mldebt import engine
from mldebt.bounded_read import MAX_READ_BYTES
from mldebt.engine import scan

UNSAFE = "import pickle\npickle.load(f)\n"


def diagnostics(report):
    return {d.path: d.kind for d in report.diagnostics}


def test_fifo_and_sparse_files_in_the_tree(tmp_path):
    write_tree(tmp_path, {"good.py": UNSAFE})
    os.mkfifo(tmp_path / "requirements.txt")
    with open(tmp_path / "huge.py", "wb") as sparse:
        sparse.truncate(2**30)
    report = scan(tmp_path, jobs=1)
    assert [f.path for f in report.findings] == ["good.py"]
    assert diagnostics(report) == {"requirements.txt": "not-a-file", "huge.py": "too-large"}


@pytest.mark.parametrize("swap", ["fifo", "sparse", "link-out"])
def test_file_swapped_after_discovery(tmp_path, monkeypatch, swap):
    outside = write_tree(tmp_path / "outside", {"secret.py": UNSAFE})
    repo = write_tree(tmp_path / "repo", {"good.py": UNSAFE, "swapped.py": "x = 1\n"})
    real_discover = engine.discover

    def discover_then_swap(root, exclude):
        found = real_discover(root, exclude)
        (repo / "swapped.py").unlink()
        if swap == "fifo":
            os.mkfifo(repo / "swapped.py")
        elif swap == "sparse":
            with open(repo / "swapped.py", "wb") as sparse:
                sparse.truncate(MAX_READ_BYTES * 100)
        else:
            os.symlink(outside / "secret.py", repo / "swapped.py")
        return found

    monkeypatch.setattr(engine, "discover", discover_then_swap)
    report = scan(repo, jobs=1)
    assert [f.path for f in report.findings] == ["good.py"]
    assert diagnostics(report) == {"swapped.py": {"fifo": "not-a-file", "sparse": "too-large", "link-out": "skipped"}[swap]}


def test_file_name_that_is_not_utf8(tmp_path):
    write_tree(tmp_path, {"good.py": UNSAFE})
    (tmp_path / os.fsdecode(b"bad\xff.py")).write_text(UNSAFE)
    (tmp_path / os.fsdecode(b"dir\xfe")).mkdir()
    report = scan(tmp_path, jobs=1)
    assert [f.path for f in report.findings] == ["good.py"]
    assert diagnostics(report) == {"bad\\xff.py": "bad-file-name", "dir\\xfe": "bad-file-name"}
