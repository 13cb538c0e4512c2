"""Hostile text in file names, code and config reaches people escaped, in every human-facing
format; machine formats keep it exact."""

from __future__ import annotations

import json
import re

import pytest
from conftest import write_tree

from mldebt.reporters.escape import printable

UNSAFE = "import pickle\npickle.load(f)\n"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def test_printable_escapes_control_characters_only():
    assert printable("a\x1b[31mb\x07 \u202e\u2028\n\té✓") == "a\\x1b[31mb\\x07 \\u202e\\u2028\\n\\té✓"


@pytest.fixture
def hostile_names(tmp_path):
    return write_tree(
        tmp_path,
        {
            "\x1b]0;pwned\x07title.py": UNSAFE,  # retitles a terminal
            "clear\x1b[2J\u202egnp.py": UNSAFE,  # clears it; a bidi override reverses the name
            "bad\x1b[31m.py": "def broken(:\n",  # a diagnostic, not a finding
            "line\u2028break.py": UNSAFE,
        },
    )


@pytest.mark.parametrize("fmt", ["text", "github", "markdown"])
def test_control_characters_are_escaped_in_human_formats(run_cli, hostile_names, fmt):
    result = run_cli("scan", hostile_names, "--format", fmt)
    assert result.exit_code == 1
    assert not RAW_CONTROL.search(result.stdout), repr(RAW_CONTROL.search(result.stdout))
    assert "\\x1b]0;pwned\\x07title.py" in result.stdout
    assert "bad\\x1b[31m.py" in result.stdout  # the diagnostic's path too
    if fmt == "github":
        assert all(line.startswith("::") for line in result.stdout.splitlines())  # no forged command


def test_json_keeps_names_exact(scan_json, hostile_names):
    _, document = scan_json(hostile_names)
    assert "\x1b]0;pwned\x07title.py" in {f["path"] for f in document["findings"]}


def test_config_error_line_is_escaped(run_cli, tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[tool.mldebt]\n"sel\\u001b[2Ject" = 1\n', "a.py": UNSAFE})
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 2
    assert "sel\\x1b[2Ject" in result.output and "\x1b" not in result.output
