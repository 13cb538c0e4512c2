"""Bad input gets a diagnostic (and the scan goes on) or a one-line error: never a traceback."""

from __future__ import annotations

import os

import pytest
from conftest import write_tree

from mldebt import engine
from mldebt.discover import FileRef
from mldebt.engine import scan
from mldebt.extract.analyse import FileAnalyzer
from mldebt.settings import Settings

UNSAFE = "import pickle\npickle.load(f)\n"


def diagnostics(report):
    return {d.path: d for d in report.diagnostics}


def test_each_bad_file_yields_a_diagnostic_and_the_good_file_is_still_scanned(tmp_path):
    write_tree(
        tmp_path,
        {
            "good.py": UNSAFE,
            "syntax.py": "def broken(:\n    pass\n",
            "py2.py": "print 'hello'\nexcept_me = 1\n",
            "latin.py": b"x = '\xe9t\xe9'\n",
            "declared_latin.py": b"# -*- coding: latin-1 -*-\nx = '\xe9t\xe9'\n",
            "binary.py": b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)),
            "empty.py": "",
            "bad.ipynb": "{not json",
            "nocells.ipynb": '{"metadata": {}}',
            "cells_not_list.ipynb": '{"cells": 3}',
            "requirements.txt": b"torch\xff\xfe\n",
        },
    )
    report = scan(tmp_path, jobs=1)
    found = diagnostics(report)
    assert found["syntax.py"].kind == "parse-error" and found["syntax.py"].line == 1
    assert "Python 2" in found["py2.py"].message
    assert found["latin.py"].kind == "decode-error" and found["latin.py"].line == 1
    assert "declared_latin.py" not in found  # a PEP 263 cookie is honoured
    assert found["binary.py"].kind == "binary"
    assert "empty.py" not in found
    assert found["bad.ipynb"].kind == "notebook-error"
    assert found["nocells.ipynb"].kind == "notebook-error"
    assert found["cells_not_list.ipynb"].kind == "notebook-error"
    assert found["requirements.txt"].kind == "decode-error"
    assert [f.path for f in report.findings] == ["good.py"]


def test_five_megabyte_generated_module_is_skipped_with_a_diagnostic(tmp_path):
    body = "".join(f"VALUE_{i} = {{'a': [{i}, {i + 1}, {i + 2}], 'b': 'x' * {i}}}\n" for i in range(85_000))
    assert len(body) > 5_000_000
    write_tree(tmp_path, {"generated_pb2.py": body + UNSAFE, "train.py": UNSAFE})
    report = scan(tmp_path, jobs=1)
    assert diagnostics(report)["generated_pb2.py"].kind == "too-large"
    assert [f.path for f in report.findings] == ["train.py"]


def test_large_module_under_the_limit_is_scanned_to_its_last_line(tmp_path):
    body = "".join(f"value_{i} = {i}\n" for i in range(25_000))  # 75,000 tokens: under the memory cap
    write_tree(tmp_path, {"big.py": body + UNSAFE})
    report = scan(tmp_path, jobs=1)
    assert report.diagnostics == [] and [f.line for f in report.findings] == [25_002]


def test_generated_module_under_the_size_limit_but_over_the_token_limit_is_refused(tmp_path):
    """1.5 MB of assignments would take libcst over 600 MiB: refused, whatever its size in bytes."""
    body = "".join(f"value_{i} = {i}\n" for i in range(100_000))
    assert 1_500_000 < len(body) < 2 * 2**20
    write_tree(tmp_path, {"big.py": body + UNSAFE, "ok.py": UNSAFE})
    report = scan(tmp_path, jobs=1)
    assert [(d.path, d.kind) for d in report.diagnostics] == [("big.py", "too-large")]
    assert [f.path for f in report.findings] == ["ok.py"]


def test_deeply_nested_expression_does_not_crash(tmp_path):
    write_tree(tmp_path, {"deep.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n", "ok.py": UNSAFE})
    report = scan(tmp_path, jobs=1)
    assert "deep.py" in diagnostics(report)
    assert [f.path for f in report.findings] == ["ok.py"]


def test_symlink_loop_and_links_out_of_the_tree_are_not_followed(tmp_path):
    outside = write_tree(tmp_path / "outside", {"secret.py": UNSAFE})
    repo = write_tree(tmp_path / "repo", {"train.py": UNSAFE})
    os.symlink(repo / "loop.py", repo / "loop.py")  # a link to itself
    (repo / "sub").mkdir()
    os.symlink(repo, repo / "sub" / "up")  # a folder loop
    os.symlink(outside, repo / "vendor")
    os.symlink(outside / "secret.py", repo / "linked.py")
    os.symlink(repo / "train.py", repo / "alias.py")  # inside the tree: scanned once as train.py
    os.symlink(repo / "gone.py", repo / "dangling.py")
    report = scan(repo, jobs=1)
    assert [f.path for f in report.findings] == ["train.py"]
    found = diagnostics(report)
    assert "loop" in found["loop.py"].message and "loop" in found["sub/up"].message
    assert "outside" in found["vendor"].message and "outside" in found["linked.py"].message
    assert "broken" in found["dangling.py"].message
    assert "alias.py" not in found


def test_file_that_disappears_mid_scan(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": UNSAFE, "b.py": UNSAFE})
    real_discover = engine.discover

    def discover_then_delete(root, *settings):
        found = real_discover(root, *settings)
        (tmp_path / "b.py").unlink()
        return found

    monkeypatch.setattr(engine, "discover", discover_then_delete)
    report = scan(tmp_path, jobs=1)
    assert [f.path for f in report.findings] == ["a.py"]
    assert diagnostics(report)["b.py"].kind == "vanished"


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        analyzer = FileAnalyzer(tmp_path, Settings())
        result = analyzer.analyse(FileRef("is_a_dir.py", "python"))  # reading a folder fails too
        (tmp_path / "is_a_dir.py").mkdir()
        result = analyzer.analyse(FileRef("is_a_dir.py", "python"))
        assert result.diagnostics[0].kind == "unreadable"
        return
    write_tree(tmp_path, {"locked.py": UNSAFE})
    (tmp_path / "locked.py").chmod(0)
    report = scan(tmp_path, jobs=1)
    assert diagnostics(report)["locked.py"].kind == "unreadable"


def test_scanned_code_is_never_executed(tmp_path):
    marker = tmp_path / "executed"
    write_tree(tmp_path, {"evil.py": f"open({str(marker)!r}, 'w').write('x')\nimport pickle\npickle.load(f)\n"})
    report = scan(tmp_path, jobs=1)
    assert report.findings and not marker.exists()


def test_missing_root_is_an_error(tmp_path):
    with pytest.raises(NotADirectoryError):
        scan(tmp_path / "missing")
