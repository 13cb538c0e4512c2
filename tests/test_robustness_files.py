"""Whatever sits where a file is expected, the scan finishes and the good files are reported:
FIFOs, devices, huge sparse files, files swapped mid-scan, names that are not UTF-8."""

from __future__ import annotations

import os
import stat
import tempfile

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

    def discover_then_swap(root, *settings):
        found = real_discover(root, *settings)
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


@pytest.mark.parametrize("target", ["symlink", "fifo", "device"])
def test_output_onto_a_symlink_fifo_or_device_is_refused_and_left_alone(tmp_path, run_cli, monkeypatch, target):
    import mldebt.engine

    monkeypatch.setattr(mldebt.engine, "scan", lambda *a, **k: pytest.fail("refused only after scanning"))
    write_tree(tmp_path, {"a.py": UNSAFE, "kept.txt": "keep"})
    out = tmp_path / "report.json"
    if target == "symlink":
        os.symlink(tmp_path / "kept.txt", out)
    elif target == "fifo":
        os.mkfifo(out)
    else:
        if os.geteuid() != 0:
            pytest.skip("creating a device node needs root")
        os.mknod(out, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own
    before = out.lstat()
    result = run_cli("scan", tmp_path, "-f", "json", "-o", out)
    assert result.exit_code == 2 and "regular file" in result.output and "Traceback" not in result.output
    after = out.lstat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert (tmp_path / "kept.txt").read_text() == "keep"


def test_output_into_an_unwritable_folder_is_one_line(tmp_path, run_cli, monkeypatch):
    write_tree(tmp_path, {"a.py": UNSAFE})

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = run_cli("scan", tmp_path, "-o", tmp_path / "report.txt")
    assert result.exit_code == 2
    assert result.output.strip() == f"mldebt: error: cannot write `{tmp_path / 'report.txt'}`: Permission denied"
