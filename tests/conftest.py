"""Shared helpers: write small repositories into tmp_path and run the CLI on them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mldebt.cli import main


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def notebook(*cells: tuple[str, str]) -> str:
    """A minimal nbformat-4 notebook from (cell_type, source) pairs."""
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
                | ({"outputs": [], "execution_count": None} if kind == "code" else {})
                for kind, source in cells
            ],
        }
    )


@pytest.fixture
def run_cli():
    def run(*args: str):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def scan_json(run_cli):
    """Scan a folder with `--format json` and return (exit code, parsed document)."""

    def scan(root: Path, *args: str):
        result = run_cli("scan", root, "--format", "json", *args)
        assert result.exit_code in (0, 1), result.output
        return result.exit_code, json.loads(result.stdout)

    return scan


def scan_in_subprocess(root: Path, *args: str, timeout: float) -> dict:
    """`mldebt scan ROOT -f json ARGS` in its own process, killed after `timeout` seconds, so
    that an input that hangs or crashes the parser fails the test instead of hanging CI.
    Expects findings (exit 1) and returns the JSON document."""
    done = subprocess.run(
        [sys.executable, "-m", "mldebt", "scan", str(root), "-f", "json", *args],
        capture_output=True, text=True, timeout=timeout,
    )
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)
