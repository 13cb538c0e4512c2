"""Find the files of a repository worth reading, and say what kind each one is.

One walk of the tree. It honours `.gitignore` files (nested ones too) and the configured
excludes, skips virtualenvs, build output, caches and VCS folders, and never follows a link
out of the scanned tree (nor, to avoid loops and double counting, a link inside it).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath

import pathspec

from mldebt.bounded_read import ReadRefused, read_bounded
from mldebt.vendored import VENDORED, VendoredCode


class FileKind:
    """The kinds of input; the values appear in JSON metrics and in `TextRule.kinds`."""

    PYTHON = "python"
    NOTEBOOK = "notebook"
    REQUIREMENTS = "requirements"
    PYPROJECT = "pyproject"
    SETUP_CFG = "setup-cfg"
    CONDA_ENV = "conda-environment"
    DOCKERFILE = "dockerfile"
    DVC_PIPELINE = "dvc-pipeline"
    DVC_FILE = "dvc-file"
    GITATTRIBUTES = "gitattributes"
    CI_WORKFLOW = "ci-workflow"
    LOCK_FILE = "lock-file"
    CONFIG = "config"  # experiment configuration: YAML/JSON/TOML under configs/, params.yaml, ...
    DEPLOYMENT = "deployment"  # serving manifests: YAML under k8s/, deploy/, helm/, ...
    SHELL = "shell-script"  # `*.sh`: the commands CI jobs often run through a script
    MAKEFILE = "makefile"  # `Makefile`, `*.mk`: the scripts its targets run
    DOCUMENT = "document"  # `*.md`: the files a README or a homework page tells the reader to download

    CODE = frozenset({PYTHON, NOTEBOOK})


#: Directory names never worth scanning: VCS, virtualenvs, caches and build output.
SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".eggs", "node_modules",
        "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints",
        ".mldebt_cache", "build", "dist", "site-packages", ".dvc",
    }
)

#: Folders that hold experiment configuration (YAML/JSON/TOML files, `config/`-style modules).
CONFIG_DIRS = frozenset({"config", "configs", "conf", "cfg", "cfgs", "hparams"})
#: Folders that hold serving and deployment manifests (Kubernetes, KServe, Helm, Seldon).
DEPLOYMENT_DIRS = frozenset(
    {"k8s", "kubernetes", "kube", "deploy", "deployment", "deployments", "manifests", "helm", "charts",
     "kserve", "seldon", "kustomize", "kustomization"}
)
#: Configuration of developer tools, not of experiments.
_TOOL_CONFIGS = frozenset({"tsconfig.json", "jsconfig.json", "pyrightconfig.json", "codecov.yml", "mkdocs.yml"})
_CI_FILES = {".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml"}
_LOCK_FILES = {"uv.lock", "poetry.lock", "pdm.lock", "conda-lock.yml", "Pipfile.lock"}


def classify(rel_path: str) -> str | None:
    """The kind of a file from its path relative to the root (`/` separators), or None."""
    path = PurePosixPath(rel_path)
    name = path.name
    lower = name.lower()
    parent = path.parent.as_posix()
    if lower.endswith((".py", ".pyw")):
        return FileKind.PYTHON
    if lower.endswith(".ipynb"):
        return FileKind.NOTEBOOK
    if lower.endswith((".txt", ".in")) and (
        "requirements" in lower or "constraints" in lower or "requirements" in path.parts[:-1]
    ):
        return FileKind.REQUIREMENTS
    if name == "pyproject.toml":
        return FileKind.PYPROJECT
    if name == "setup.cfg":
        return FileKind.SETUP_CFG
    if fnmatch.fnmatch(lower, "environment*.y*ml") or fnmatch.fnmatch(lower, "conda*.y*ml"):
        return FileKind.LOCK_FILE if "lock" in lower else FileKind.CONDA_ENV
    if lower.startswith(("dockerfile", "containerfile")) or lower.endswith(".dockerfile"):
        return FileKind.DOCKERFILE
    if name == "dvc.yaml":
        return FileKind.DVC_PIPELINE
    if lower.endswith(".dvc"):
        return FileKind.DVC_FILE
    if name == ".gitattributes":
        return FileKind.GITATTRIBUTES
    if name in _CI_FILES or fnmatch.fnmatch(lower, "buildspec*.y*ml") or (
        parent in (".github/workflows", ".circleci") and lower.endswith((".yml", ".yaml"))
    ):
        return FileKind.CI_WORKFLOW
    if lower.endswith(".sh"):
        return FileKind.SHELL
    if name in ("Makefile", "makefile", "GNUmakefile") or lower.endswith(".mk"):
        return FileKind.MAKEFILE
    if name in _LOCK_FILES:
        return FileKind.LOCK_FILE
    if lower.endswith((".md", ".markdown")):
        return FileKind.DOCUMENT
    hidden = any(part.startswith(".") for part in path.parts)
    if lower.endswith((".yaml", ".yml")) and not hidden and DEPLOYMENT_DIRS & {p.lower() for p in path.parts[:-1]}:
        return FileKind.DEPLOYMENT
    if lower.endswith((".yaml", ".yml", ".json", ".toml")) and not hidden and ".config." not in lower and (
        CONFIG_DIRS & set(path.parts[:-1]) or re.match(r"(params|hparams|.*config)\b", lower)
    ) and lower not in _TOOL_CONFIGS:
        return FileKind.CONFIG
    return None


_TEST_DIRS = frozenset({"test", "tests", "testing", "unittests"})


@cache
def is_test_path(rel_path: str) -> bool:
    """Test code by the conventions pytest and unittest use: a `tests/` folder, `test_*.py`,
    `*_test.py`, `conftest.py`. Cached: project rules ask it of the same paths thousands of times."""
    *folders, name = rel_path.split("/")
    return (
        any(part in _TEST_DIRS for part in folders)
        or name.startswith("test_")
        or name.endswith(("_test.py", "_tests.py"))
        or name == "conftest.py"
    )


@dataclass(frozen=True, order=True)
class FileRef:
    """A file to scan: its path relative to the root with `/` separators, and its kind."""

    path: str
    kind: str


@dataclass(frozen=True)
class SkippedPath:
    """A path discovery refused (or a line of it, for `.gitignore` patterns), with the reason a
    user should hear."""

    path: str
    reason: str
    kind: str = "skipped"
    line: int | None = None


class GitIgnores:
    """The `.gitignore` files of the tree, each applying under its own folder: what the
    repository keeps out of git. Discovery leaves those paths out; the project rules ask
    whether a file a script reads lies where the repository keeps files out of git on purpose
    (`data/`, `*.parquet`): the evidence that it is the project's own unversioned data."""

    def __init__(self) -> None:
        #: (folder relative to the root, its spec), outermost first.
        self._specs: list[tuple[str, PrefilteredSpec]] = []
        #: (folder, text) of each file read: what a cached report depends on.
        self.texts: list[tuple[str, str]] = []

    def add(self, folder: str, spec: PrefilteredSpec, text: str) -> None:
        self._specs.append((folder, spec))
        self.texts.append((folder, text))

    def match(self, probe: str) -> bool:
        """Whether a `.gitignore` ignores `probe` (a folder ends with `/`), as git would if it
        were there; a folder's ignored parent is the walk's to skip."""
        for prefix, spec in self._specs:
            if prefix and not probe.startswith(prefix + "/"):
                continue
            if spec.match_file(probe[len(prefix) + 1 :] if prefix else probe):
                return True
        return False

    def covers(self, path: str) -> bool:
        """Whether git would ignore the file `path` (relative to the root), or a folder on its way."""
        parts = path.split("/")
        return any(self.match("/".join(parts[:i]) + "/") for i in range(1, len(parts))) or self.match(path)


@dataclass
class Discovery:
    files: list[FileRef]
    skipped: list[SkippedPath]
    #: Every file of the tree that git does not ignore, scannable or not (data committed to
    #: the repository is versioned by git itself).
    present: frozenset[str] = frozenset()
    git_ignores: GitIgnores = field(default_factory=GitIgnores)


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file() or (directory / "conda-meta").is_dir()


def gitignore_spec(lines: Iterable[str]) -> tuple[pathspec.PathSpec, list[tuple[int, str]]]:
    """The patterns of `.gitignore` lines; a line git would not accept (`!`, `\\`, `[z-a]`) is
    left out and returned as (line number, reason), and the other lines still apply."""
    patterns, invalid = [], []
    for number, line in enumerate(lines, 1):
        try:
            patterns += pathspec.GitIgnoreSpec.from_lines([line]).patterns
        except (ValueError, re.error) as error:
            invalid.append((number, str(error)))
    return pathspec.GitIgnoreSpec(patterns), invalid


class PrefilteredSpec:
    """A gitignore spec that first asks one regex made of all its patterns whether any of them
    matches: pathspec tries each pattern in turn, and the walk asks about every file and
    folder of the tree (for lightning, 70 patterns times 2,400 paths), while most paths match
    none. Only a path some pattern matches goes to the spec, which decides (order, negation,
    folders); the answer is the spec's for every path."""

    def __init__(self, spec: pathspec.PathSpec) -> None:
        self.spec = spec
        self.any_pattern = _any_pattern(spec)

    def match_file(self, path: str) -> bool:
        if self.any_pattern is not None and self.any_pattern.match(path) is None:
            return False
        return self.spec.match_file(path)


def _any_pattern(spec: pathspec.PathSpec) -> re.Pattern | None:
    """A regex that matches a path when one of `spec`'s patterns does (None if the patterns
    cannot be combined: the spec is then asked about every path). Their `ps_d` groups are made
    anonymous, since a name may appear once in a regex; that changes what is captured, not
    what matches."""
    regexes = [p.regex for p in spec.patterns if p.include is not None]
    try:
        if any(not isinstance(r.pattern, str) or r.flags != re.UNICODE for r in regexes):
            return None
        return re.compile("|".join(f"(?:{r.pattern.replace('(?P<ps_d>', '(?:')})" for r in regexes) or "(?!)")
    except (AttributeError, re.error):
        return None


def _read_gitignore(root: Path, directory: Path, rel_dir: str, skipped: list[SkippedPath], ignores: GitIgnores) -> None:
    rel = f"{rel_dir}/.gitignore" if rel_dir else ".gitignore"
    try:
        data = read_bounded(directory / ".gitignore", tree=root)
    except ReadRefused as refused:
        skipped.append(SkippedPath(rel, refused.message, refused.kind))
        return
    except OSError:
        return
    text = data.decode("utf-8", errors="replace")
    spec, invalid = gitignore_spec(text.splitlines())
    for number, reason in invalid:
        skipped.append(SkippedPath(rel, f"invalid pattern ({reason}); line ignored", "invalid-pattern", number))
    ignores.add(rel_dir, PrefilteredSpec(spec), text)


def _utf8(rel: str, skipped: list[SkippedPath]) -> bool:
    """Whether a path can be reported as it is: every output format is UTF-8 text, so a name
    that is not valid UTF-8 is skipped, named with its odd bytes escaped."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(rel).decode("utf-8", errors="backslashreplace")
        skipped.append(SkippedPath(shown, "file name is not valid UTF-8; not read (rename it)", "bad-file-name"))
        return False
    return True


def _link_problem(root: Path, path: Path) -> str | None:
    """Why a symlink is not followed, or None when skipping it loses nothing (its target is
    a file or folder of the tree that the walk reaches anyway)."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        return "symlink loop; not followed"
    except OSError as error:
        return "symlink loop; not followed" if error.errno == errno.ELOOP else "broken symlink; not followed"
    if not target.is_relative_to(root):
        return "symlink points outside the scanned tree; not followed"
    if target.is_dir() and path.parent.resolve().is_relative_to(target):
        return "symlink loop (points to an enclosing folder); not followed"
    return None


def discover(root: Path, exclude: Iterable[str] = (), own_code: Iterable[str] = ()) -> Discovery:
    """Walk `root` once and return the files to scan, sorted by path.

    `exclude` holds gitignore-style patterns relative to the root. Folders of another
    project's code (`mldebt.vendored`) are not scanned unless `own_code` names them: their
    files count as committed, and each such folder is one `vendored` diagnostic.
    """
    root = root.resolve()
    vendored = VendoredCode(root, own_code)
    #: (folder, reason, the files it holds that would be scanned) of each vendored folder.
    vendored_dirs: list[tuple[str, str, list[str]]] = []
    excluded = PrefilteredSpec(pathspec.GitIgnoreSpec.from_lines(list(exclude)))
    files: list[FileRef] = []
    skipped: list[SkippedPath] = []
    present: set[str] = set()
    ignores = GitIgnores()  # every .gitignore seen on the way down

    def ignored(rel: str, is_dir: bool) -> bool:
        probe = rel + "/" if is_dir else rel
        return excluded.match_file(probe) or ignores.match(probe)

    def onerror(error: OSError) -> None:
        rel = Path(error.filename).resolve().relative_to(root).as_posix() if error.filename else "."
        skipped.append(SkippedPath(rel, f"cannot read directory: {error.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        _read_gitignore(root, here, rel_dir, skipped, ignores)
        inside_vendored = bool(vendored_dirs) and (rel_dir + "/").startswith(vendored_dirs[-1][0] + "/")
        if rel_dir and not inside_vendored:
            reason = vendored.reason(rel_dir, filenames)
            if reason is not None:
                vendored_dirs.append((rel_dir, reason, []))
                inside_vendored = True
        kept = []
        for name in sorted(dirnames):
            child = here / name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not _utf8(rel, skipped):
                continue
            if child.is_symlink():
                problem = _link_problem(root, child)
                if problem:
                    skipped.append(SkippedPath(rel, problem))
                continue
            if name in SKIPPED_DIRS or name.endswith(".egg-info") or _is_virtualenv(child):
                continue
            if not ignored(rel, is_dir=True):
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if ignored(rel, is_dir=False):
                continue
            present.add(rel)
            kind = classify(rel)
            if kind is not None and inside_vendored:
                vendored_dirs[-1][2].append(rel)
                continue
            if kind is None or not _utf8(rel, skipped):
                continue
            child = here / name
            if child.is_symlink():
                problem = _link_problem(root, child)
                if problem:
                    skipped.append(SkippedPath(rel, problem))
                continue
            if child.is_file():
                files.append(FileRef(rel, kind))
            else:
                skipped.append(SkippedPath(rel, "not a regular file (a FIFO, socket or device); not read", "not-a-file"))
    skipped += [
        SkippedPath(folder, f"another project's code ({reason}): {len(left)} file(s) not scanned as this"
                    " project's (list the folder under `own-code` in [tool.mldebt] to scan it)", VENDORED)
        for folder, reason, left in vendored_dirs if left
    ]
    files.sort()
    skipped.sort(key=lambda s: (s.path, s.line or 0))
    return Discovery(files, skipped, frozenset(present), ignores)
