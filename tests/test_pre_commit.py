"""The pre-commit hook (.pre-commit-hooks.yaml), tried as the issue asks: `pre-commit try-repo
HOOKS mldebt` in a small git repository, on its staged files.

HOOKS is a clean one-commit copy of this working tree (hook file, package, rules), so try-repo
takes its revision as it is. try-repo builds the hook's environment in a new temporary store on
every call, so each call costs what installing mldebt costs; pip's own switches keep that to a
few CPU seconds and off the network: no index and no config files, no byte-compilation, and a
wheelhouse of the distributions mldebt depends on, repacked from this interpreter's installed
copies, plus virtualenv's bundled setuptools wheel for the build."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


def _dependencies(name: str) -> set[str]:
    """The distributions `name` needs, as installed here (markers evaluated, extras not)."""
    needed: set[str] = set()
    todo = [req for req in map(Requirement, metadata.requires(name) or ())]
    while todo:
        req = todo.pop()
        if (req.marker is not None and not req.marker.evaluate({"extra": ""})) or canonicalize_name(req.name) in needed:
            continue
        needed.add(canonicalize_name(req.name))
        todo += map(Requirement, metadata.requires(req.name) or ())
    return needed


def _repack(name: str, folder: Path) -> None:
    """A wheel of an installed distribution from the files its RECORD lists inside
    site-packages (scripts are regenerated from its entry points, bytecode is not needed)."""
    dist = metadata.distribution(name)
    tags = [line.split(":", 1)[1].strip() for line in (dist.read_text("WHEEL") or "").splitlines() if line.startswith("Tag:")]
    assert tags and dist.files, f"{name} was not installed from a wheel: cannot repack it"
    wheel = folder / f"{canonicalize_name(name).replace('-', '_')}-{dist.version}-{tags[0]}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for file in dist.files:
            if file.parts[0] != ".." and "__pycache__" not in file.parts:
                archive.write(dist.locate_file(file), file.as_posix())


def _wheelhouse(folder: Path) -> Path:
    import virtualenv

    for name in _dependencies("mldebt"):
        _repack(name, folder)
    bundled = sorted(Path(virtualenv.__file__).parent.glob("seed/wheels/embed/setuptools-*.whl"))
    assert bundled, "virtualenv bundles no setuptools wheel"
    shutil.copy(bundled[-1], folder)
    return folder


@pytest.fixture(scope="module")
def try_repo(tmp_path_factory):
    if PRE_COMMIT is None or shutil.which("git") is None:
        pytest.skip("needs pre-commit and git")
    hooks = _hook_repository(tmp_path_factory.mktemp("hooks"))
    home = tmp_path_factory.mktemp("pre-commit-home")
    environment = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home), "PRE_COMMIT_HOME": str(home / "cache"),
        "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_COMPILE": "false",
        "PIP_FIND_LINKS": str(_wheelhouse(tmp_path_factory.mktemp("wheels"))),
    }
    repo = tmp_path_factory.mktemp("project")
    _git(repo, "init", "-q")
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\n\n[tool.mldebt]\n')
    (repo / "train.py").write_text("import pickle\n\nweights = pickle.load(open('w.pkl', 'rb'))\n")  # not staged
    _git(repo, "add", "pyproject.toml")

    def run(files: dict[str, str]) -> subprocess.CompletedProcess:
        for name, text in files.items():
            (repo / name).write_text(text)
            _git(repo, "add", name)
        return subprocess.run(
            [PRE_COMMIT, "try-repo", str(hooks), "mldebt", "--color", "never"],
            cwd=repo, capture_output=True, text=True, timeout=600, env=environment,
        )

    return run


def test_hook_fails_on_staged_bad_files_and_passes_once_fixed_or_suppressed(try_repo):
    failed = try_repo({"restore.py": BAD, "load.py": BAD})
    assert failed.returncode == 1, failed.stdout + failed.stderr
    report = failed.stdout.split("Failed", 1)[1]
    assert "restore.py:5:12 MLD401" in report and "load.py:5:12 MLD401" in report
    assert "train.py" not in report  # only the staged files are reported
    passed = try_repo({
        "restore.py": BAD.replace("(handle)\n", "(handle)  # mldebt: ignore[MLD401]\n"),
        "load.py": "import json\n\n\ndef restore(handle):\n    return json.load(handle)\n",
    })
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"mldebt\.+Passed", passed.stdout)


def test_hook_files_cover_what_mldebt_reads():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == ("mldebt", "mldebt scan", "python", True)
    files = re.compile(hook["files"])
    read = ["a.py", "nb.ipynb", "requirements-dev.txt", "docker/Dockerfile.gpu", "pyproject.toml", "dvc.yaml",
            "data/raw.dvc", "environment.yml", "configs/train.yaml", ".gitattributes"]
    assert [p for p in read if not files.search(p)] == []
    assert [p for p in ("README.md", "data/train.csv", "model.pt", "notes.txt") if files.search(p)] == []
