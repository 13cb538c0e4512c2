"""Every configuration mistake is one line and exit 2, never a traceback (exit 1 reads as
"findings" in CI); `.gitignore` mistakes are per-line diagnostics."""

from __future__ import annotations

import os

import pytest
from conftest import write_tree

from mldebt.engine import scan

UNSAFE = "import pickle\npickle.load(f)\n"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[tool.mldebt.hyperparameters]\naliases = 5\n", "hyperparameters.aliases must be a table"),
        ("[tool.mldebt.hyperparameters]\nmethods = [1]\n", "hyperparameters.methods must be a table"),
        ("[tool.mldebt.hyperparameters]\ncalls = 'x'\n", "hyperparameters.calls must be a table"),
        ("[tool.mldebt.data-io]\ncalls = 5\n", "data-io.calls must be a table"),
        ("[tool.mldebt.data-io]\nmethods = []\n", "data-io.methods must be a table"),
        ("[tool.mldebt]\nexclude = ['!']\n", "exclude: invalid pattern"),
        ("[tool.mldebt.per-file-ignores]\n'[z-a]' = ['MLD4']\n", "per-file-ignores: invalid pattern"),
        ("x = " + "[" * 10_000 + "]" * 10_000 + "\n", "nested too deeply"),
        ("[tool.mldebt]\nfail-on = " + "1" * 5000 + "\n", "integer too long"),
    ],
)
def test_config_of_the_wrong_shape_is_one_line_and_exit_2(tmp_path, run_cli, config, message):
    write_tree(tmp_path, {"pyproject.toml": config, "a.py": UNSAFE})
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 2
    assert result.output.startswith("mldebt: error: pyproject.toml") and message in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["pyproject.toml", "mldebt.toml"])
def test_config_that_is_not_a_regular_small_file_is_an_error_not_a_hang(tmp_path, run_cli, name):
    write_tree(tmp_path, {"a.py": UNSAFE})
    os.mkfifo(tmp_path / name)  # opening it for reading would wait for a writer forever
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 2 and "FIFO" in result.output
    os.unlink(tmp_path / name)
    with open(tmp_path / name, "wb") as sparse:
        sparse.truncate(2**30)  # 1 GB, no disk used
    result = run_cli("scan", tmp_path)
    assert result.exit_code == 2 and "limit" in result.output


def test_config_linked_from_outside_the_tree_is_not_read(tmp_path, scan_json):
    outside = write_tree(tmp_path / "outside", {"pyproject.toml": "[tool.mldebt]\nignore = ['MLD4']\n"})
    repo = write_tree(tmp_path / "repo", {"a.py": UNSAFE, ".git/HEAD": ""})
    os.symlink(outside / "pyproject.toml", repo / "pyproject.toml")
    _, document = scan_json(repo)
    assert [f["path"] for f in document["findings"]] == ["a.py"]
    assert {(d["path"], d["kind"]) for d in document["diagnostics"]} == {("pyproject.toml", "skipped")}


def test_invalid_gitignore_lines_are_diagnostics_and_the_others_still_apply(tmp_path):
    write_tree(
        tmp_path,
        {".gitignore": "!\nignored.py\n\\\n[z-a]\nsub/\n", "ignored.py": UNSAFE, "sub/x.py": UNSAFE, "kept.py": UNSAFE},
    )
    report = scan(tmp_path, jobs=1)
    assert [f.path for f in report.findings] == ["kept.py"]
    assert [(d.path, d.kind, d.line) for d in report.diagnostics] == [
        (".gitignore", "invalid-pattern", 1), (".gitignore", "invalid-pattern", 3), (".gitignore", "invalid-pattern", 4),
    ]


def test_gitignore_that_is_a_fifo_a_huge_file_or_a_link_out_of_the_tree(tmp_path):
    outside = write_tree(tmp_path / "outside", {"ignore": "kept.py\n"})
    repo = write_tree(tmp_path / "repo", {"kept.py": UNSAFE, "a/x.py": UNSAFE, "b/x.py": UNSAFE})
    os.mkfifo(repo / ".gitignore")
    with open(repo / "a" / ".gitignore", "wb") as sparse:
        sparse.truncate(2**30)
    os.symlink(outside / "ignore", repo / "b" / ".gitignore")
    report = scan(repo, jobs=1)
    assert [f.path for f in report.findings] == ["a/x.py", "b/x.py", "kept.py"]
    assert [(d.path, d.kind) for d in report.diagnostics] == [
        (".gitignore", "not-a-file"), ("a/.gitignore", "too-large"), ("b/.gitignore", "skipped"),
    ]


def test_any_uncaught_exception_exits_2_with_one_line(tmp_path, run_cli, monkeypatch):
    """Exit 1 means "findings" to CI: an internal failure must never look like that."""
    import mldebt.settings

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(mldebt.settings, "load_settings", broken)
    write_tree(tmp_path, {"a.py": UNSAFE})
    for command in (["scan", tmp_path], ["graph", tmp_path]):
        result = run_cli(*command)
        assert result.exit_code == 2
        assert result.output == "mldebt: error: internal error: RuntimeError: boom (please report this)\n"
