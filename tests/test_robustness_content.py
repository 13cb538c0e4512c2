"""Odd content is analysed anyway or is an ordinary diagnostic, never `internal-error`; and
line numbers are Python's, whatever separators a line holds."""

from __future__ import annotations

import json

import pytest
from conftest import notebook, write_tree

from mldebt.engine import scan

UNSAFE = "import pickle\npickle.load(f)\n"
LONG = "1" * 5000  # past Python's 4,300-digit limit for int()


def test_odd_content_never_gives_internal_errors(tmp_path):
    write_tree(
        tmp_path,
        {
            "nul_late.py": "x = 1\n" * 2000 + "y = '\x00'\n" + UNSAFE,
            "undefined.py": "# coding: undefined\n" + UNSAFE,
            "surrogate.py": "x = '\\ud800'\n" + UNSAFE,
            "long_int.py": f"x = {LONG}\n" + UNSAFE,
            "long_int.ipynb": notebook(("code", f"x = {LONG}\n" + UNSAFE)),
            "long_int_metadata.ipynb": '{"cells": [], "metadata": {"n": ' + LONG + "}}",
            "configs/long.json": '{"lr": ' + LONG + "}",
            "configs/long.toml": f"lr = {LONG}\n",
            "Pipfile.lock": "[1, 2]",
            "good.py": UNSAFE,
        },
    )
    report = scan(tmp_path, jobs=1)
    kinds = {d.path: d.kind for d in report.diagnostics}
    assert "internal-error" not in kinds.values(), kinds
    assert kinds == {"nul_late.py": "binary", "undefined.py": "decode-error"}
    assert {d.line for d in report.diagnostics if d.path == "nul_late.py"} == {2001}
    assert {f.path for f in report.findings} >= {"good.py", "surrogate.py", "long_int.py", "long_int.ipynb"}


@pytest.mark.parametrize(
    "pyproject",
    [
        "project = 5\n",
        "tool = 5\n",
        "[project]\nname = 'x'\ndependencies = 5\n",
        "[project]\nname = 'x'\ndependencies = [1, {a = 1}]\n",
        "[project]\nname = 'x'\noptional-dependencies = 5\n",
        "[project.optional-dependencies]\ngpu = 5\n",
        "dependency-groups = 5\n",
        "[tool.poetry]\ndependencies = 5\n",
        "[tool.poetry.group]\ndev = 5\n",
        "[tool.uv]\nindex = 5\n",
        f"x = {LONG}\n",
    ],
)
def test_pyproject_of_any_shape_is_read_without_internal_error(tmp_path, pyproject):
    write_tree(tmp_path, {"pyproject.toml": pyproject, "requirements.txt": "torch\n", "good.py": UNSAFE})
    report = scan(tmp_path, jobs=1)
    assert report.diagnostics == []
    assert "good.py" in {f.path for f in report.findings}


@pytest.mark.parametrize("separator", ["\f", "\v", "\x1c", "\u2028", "\u2029", "\x85"])
def test_line_separators_python_does_not_break_on_keep_lines_and_suppressions(tmp_path, separator):
    write_tree(
        tmp_path,
        {
            "a.py": f"import pickle\nx = 'a{separator}b'\n# {separator}\npickle.load(f)\n",
            "suppressed.py": f"import pickle\nx = 'a{separator}b'\npickle.load(f)  # mldebt: ignore[MLD401]\n",
        },
    )
    report = scan(tmp_path, jobs=1)
    assert [(f.path, f.line) for f in report.findings] == [("a.py", 4)]
    assert report.diagnostics == []
    assert {r.path: r.lines for r in report.files} == {"a.py": 4, "suppressed.py": 3}


def test_lone_carriage_returns_are_line_breaks(tmp_path):
    write_tree(tmp_path, {"cr.py": "import pickle\rx = 1\rpickle.load(f)\r"})
    report = scan(tmp_path, jobs=1)
    assert [(f.path, f.line) for f in report.findings] == [("cr.py", 3)]
    assert [r.lines for r in report.files] == [3]
    assert json.dumps([f.fingerprint for f in report.findings])
