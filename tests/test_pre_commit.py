"""The pre-commit hook (.pre-commit-hooks.yaml), run the way teams run it: a small git repository
whose .pre-commit-config.yaml names the hook repository at a revision; pre-commit installs
mldebt into its own environment and passes the staged files.

The hook repository is a one-commit copy of this working tree (hook file, package, rules).
`pre-commit try-repo` would do the same but builds the environment afresh in a temporary store
on every call (about 8 s of pip each); with a config the environment is built once."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
BAD = "import pickle\n\n\ndef restore(handle):\n    return pickle.load(handle)\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


#: What installing mldebt needs, copied into the hook repository.
_PACKAGE = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "mldebt", "rules")


def _hook_repository(target: Path) -> Path:
    for name in _PACKAGE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", ".")
    _git(target, "-c", "user.name=mldebt", "-c", "user.email=mldebt@example.invalid", "commit", "-q", "-m", "hook")
    return target


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory):
    if PRE_COMMIT is None or shutil.which("git") is None:
        pytest.skip("needs pre-commit and git")
    hooks = _hook_repository(tmp_path_factory.mktemp("hooks"))
    home = tmp_path_factory.mktemp("pre-commit-home")
    repo = tmp_path_factory.mktemp("project")
    _git(repo, "init", "-q")
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\n\n[tool.mldebt]\n')
    (repo / "train.py").write_text("def main():\n    return 0\n")
    _git(repo, "add", ".")

    revision = subprocess.run(
        ["git", "-C", str(hooks), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks.as_uri()}\n    rev: {revision}\n    hooks:\n      - id: mldebt\n"
    )
    _git(repo, "add", ".pre-commit-config.yaml")

    def run(files: dict[str, str]) -> subprocess.CompletedProcess:
        for name, text in files.items():
            (repo / name).write_text(text)
            _git(repo, "add", name)
        return subprocess.run(
            [PRE_COMMIT, "run", "--color", "never"],
            cwd=repo, capture_output=True, text=True, timeout=600,
            env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home),
                 "PRE_COMMIT_HOME": str(home / "cache")},
        )

    return run


def test_hook_fails_on_a_staged_bad_file_and_passes_once_fixed_or_suppressed(pre_commit):
    failed = pre_commit({"restore.py": BAD})
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "restore.py:5:12 MLD401" in failed.stdout
    assert "train.py" not in failed.stdout.split("Failed", 1)[1]  # only the staged files are reported
    suppressed = pre_commit({"restore.py": BAD.replace("(handle)\n", "(handle)  # mldebt: ignore[MLD401]\n")})
    assert suppressed.returncode == 0, suppressed.stdout + suppressed.stderr
    assert re.search(r"mldebt\.+Passed", suppressed.stdout)
    fixed = pre_commit({"restore.py": "import json\n\n\ndef restore(handle):\n    return json.load(handle)\n"})
    assert fixed.returncode == 0 and re.search(r"mldebt\.+Passed", fixed.stdout)


def test_hook_files_cover_what_mldebt_reads():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == ("mldebt", "mldebt scan", "python", True)
    files = re.compile(hook["files"])
    read = ["a.py", "nb.ipynb", "requirements-dev.txt", "docker/Dockerfile.gpu", "pyproject.toml", "dvc.yaml",
            "data/raw.dvc", "environment.yml", "configs/train.yaml", ".gitattributes"]
    assert [p for p in read if not files.search(p)] == []
    assert [p for p in ("README.md", "data/train.csv", "model.pt", "notes.txt") if files.search(p)] == []
