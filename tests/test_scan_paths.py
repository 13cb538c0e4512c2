"""`mldebt scan [PATHS]...`: the project root is found, the whole project analysed, and only
findings inside PATHS reported, with paths relative to the project root whatever the cwd."""

from __future__ import annotations

import json

from conftest import write_tree

UNSAFE = "import pickle\nobj = pickle.load(f)\n"
DIGEST = "@sha256:" + "a" * 64
CONFIG = '[project]\nname = "x"\n\n[tool.mldebt]\nexclude = ["vendor/**"]\n'


def _paths(result) -> list[str]:
    assert result.exit_code in (0, 1), result.output
    return sorted({f["path"] for f in json.loads(result.stdout)["findings"]})


def test_files_are_reported_relative_to_the_project_root_from_any_folder(tmp_path, run_cli, monkeypatch):
    write_tree(tmp_path, {"pyproject.toml": CONFIG, "src/train.py": UNSAFE, "src/eval.py": UNSAFE, "docs/x.py": UNSAFE})
    monkeypatch.chdir(tmp_path / "docs")
    result = run_cli("scan", "../src/train.py", "-f", "json")
    assert _paths(result) == ["src/train.py"]
    assert json.loads(result.stdout)["metrics"]["files"] == 1
    monkeypatch.chdir(tmp_path / "src")
    assert _paths(run_cli("scan", "-f", "json")) == ["src/eval.py", "src/train.py"]  # `.` is src/
    assert _paths(run_cli("scan", "eval.py", "../docs", "-f", "json")) == ["docs/x.py", "src/eval.py"]


def test_the_root_config_applies_to_the_given_paths(tmp_path, run_cli, monkeypatch):
    write_tree(tmp_path, {"pyproject.toml": CONFIG, "vendor/lib.py": UNSAFE, "app/main.py": UNSAFE})
    monkeypatch.chdir(tmp_path / "vendor")
    result = run_cli("scan", "lib.py", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["findings"] == []  # excluded at the root


def test_cross_file_rules_see_the_whole_project(tmp_path, run_cli):
    write_tree(
        tmp_path,
        {
            "mldebt.toml": "",
            "requirements.txt": "torch==2.4.1+cu118\n",
            "docker/Dockerfile": f"FROM nvidia/cuda:12.1.0-devel-ubuntu22.04{DIGEST}\nRUN pip install -r requirements.txt\n"
                                 "RUN pip install --no-build-isolation flash-attn\n",
        },
    )
    result = run_cli("scan", tmp_path / "docker" / "Dockerfile", "-f", "json", "--select", "MLD604")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["path"]) for f in findings] == [("MLD604", "docker/Dockerfile")]
    assert "11.8" in findings[0]["message"]  # learned from requirements.txt, which was not named


def test_git_top_level_is_the_root_without_settings(tmp_path, run_cli, monkeypatch):
    write_tree(tmp_path, {"pkg/a.py": UNSAFE, "pkg/deep/b.py": UNSAFE})
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "pkg" / "deep")
    assert _paths(run_cli("scan", "b.py", "-f", "json")) == ["pkg/deep/b.py"]


def test_settings_below_the_git_top_level_win(tmp_path, run_cli, monkeypatch):
    write_tree(tmp_path, {"sub/pyproject.toml": CONFIG, "sub/a.py": UNSAFE, "pyproject.toml": "[project]\n"})
    (tmp_path / ".git").mkdir()
    assert _paths(run_cli("scan", tmp_path / "sub" / "a.py", "-f", "json")) == ["a.py"]


def test_without_settings_or_git_the_scanned_folder_is_the_root(tmp_path, run_cli):
    write_tree(tmp_path, {"one/a.py": UNSAFE, "two/b.py": UNSAFE})
    assert _paths(run_cli("scan", tmp_path / "one", "-f", "json")) == ["a.py"]
    assert _paths(run_cli("scan", tmp_path / "one", tmp_path / "two" / "b.py", "-f", "json")) == ["one/a.py", "two/b.py"]


def test_paths_of_two_projects_are_refused(tmp_path, run_cli):
    write_tree(tmp_path, {"a/mldebt.toml": "", "a/x.py": UNSAFE, "b/mldebt.toml": "", "b/y.py": UNSAFE})
    result = run_cli("scan", tmp_path / "a" / "x.py", tmp_path / "b" / "y.py")
    assert result.exit_code == 2
    assert "different projects" in result.output and "Traceback" not in result.output


def test_a_path_with_nothing_to_read_says_so(tmp_path, run_cli):
    write_tree(tmp_path, {"pyproject.toml": CONFIG, "vendor/lib.py": UNSAFE, "notes.txt": "hi\n"})
    result = run_cli("scan", tmp_path / "vendor")
    assert result.exit_code == 0 and "note: no file mldebt reads in" in result.stderr
    assert "note:" not in run_cli("scan", tmp_path).stderr
