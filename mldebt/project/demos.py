"""Demo code: what a person opens to learn or to explore, as opposed to what a project ships
or runs.

A literal learning rate in a lesson's notebook cell is the lesson; the same literal in a
training script that CI runs is configuration debt. Which one a file is comes from evidence in
the tree, never from a repository's name:

- a notebook that nothing runs (no CI step, shell script or Makefile target names it but to
  copy it, and no notebook test runner collects it) is a *demo notebook*: a lesson, a
  tutorial, a scratchpad;
- a file under the examples, tutorials, docs or notebooks folder of a package that ships from
  another folder beside it (packaging metadata and an importable package outside that folder)
  is a *demo example*, unless something runs it: a CI step, a DVC stage, a Makefile target, a
  test CI runs, or an import from any of those (`Project.automation`).

Rules decide per kind of demo what their findings there are worth (`Rule.in_demos`).
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from mldebt.discover import FileKind, is_test_path
from mldebt.extract.shell import command_parts

if TYPE_CHECKING:
    from mldebt.project.model import Project

DEMO_NOTEBOOK = "notebook"
DEMO_EXAMPLE = "example"
#: Each kind in words, for `mldebt explain`.
DEMO_KINDS = {
    DEMO_NOTEBOOK: "a notebook that no CI step, Makefile target or notebook test runner runs",
    DEMO_EXAMPLE: "a file under `examples/`, `tutorials/`, `docs/`, `notebooks/`, ... of a package "
    "shipped from another folder, that no CI step, DVC stage, Makefile target or test runs",
}

#: Folders of a package's repository that hold what readers run by hand, not what it ships.
_DEMO_FOLDERS = re.compile(
    r"^(examples?|tutorials?|demos?|docs?|notebooks?|exercises?|solutions?|cookbooks?|samples?)$", re.IGNORECASE
)
_PACKAGING = ("pyproject.toml", "setup.py", "setup.cfg")
#: Test runners that execute notebooks (`pytest --nbmake`, `pytest --nbval`, `treon`).
_NOTEBOOK_RUNNER = re.compile(r"--nbmake\b|--nbval(-lax)?\b|(?:^|\s)treon\b")
_NOTEBOOK = re.compile(r"[\w./-]+\.ipynb\b")
#: Programs that copy, move, list or fetch files: a notebook a command of theirs names is not run.
_FILE_COMMANDS = frozenset({
    "cp", "mv", "rm", "ln", "rsync", "scp", "cat", "ls", "mkdir", "touch", "chmod", "git", "echo", "tar", "zip",
    "unzip", "wget", "curl", "find", "grep", "sed", "head", "tail", "diff",
})


def demo_files(project: Project) -> dict[str, str]:
    """Code file -> the kind of demo it is (`DEMO_NOTEBOOK`, `DEMO_EXAMPLE`); files absent are
    shipped, run, or of unknown purpose (and then treated as shipped)."""
    run_notebooks = _notebooks_run(project)
    runs = {**project.automation.runs, **project.automation.by_hand}
    shipping = _shipping_roots(project)
    demos: dict[str, str] = {}
    for path, (kind, _) in project.files.items():
        if kind not in FileKind.CODE or is_test_path(path):
            continue
        if kind == FileKind.NOTEBOOK:
            if path not in run_notebooks:
                demos[path] = DEMO_NOTEBOOK
        elif path not in runs and _in_demo_folder(path, shipping):
            demos[path] = DEMO_EXAMPLE
    return demos


def _notebooks_run(project: Project) -> set[str]:
    """Notebooks a CI step, a shell script or a Makefile target names, and those a notebook test
    runner collects (from the folders it is given, or every notebook when it is given none)."""
    notebooks = {p for p, (kind, _) in project.files.items() if kind == FileKind.NOTEBOOK}
    run: set[str] = set()
    for path, (kind, facts) in project.files.items():
        if kind not in (FileKind.CI_WORKFLOW, FileKind.SHELL, FileKind.MAKEFILE):
            continue
        here = "" if kind == FileKind.CI_WORKFLOW else posixpath.dirname(path)
        for command in facts.ci_commands:
            for folder, part in command_parts(command.text, here):
                program = part.split()[0] if part.split() else ""
                if posixpath.basename(program) in _FILE_COMMANDS:
                    continue  # `cp lesson.ipynb docs/` publishes the notebook, it does not run it
                for named in _NOTEBOOK.findall(part):
                    run |= {c for c in _candidates(named, folder) if c in notebooks}
            if _NOTEBOOK_RUNNER.search(command.text):
                named = {c for w in command.text.split() if not w.startswith("-") for c in _candidates(w.rstrip("/"), here)}
                roots = {r for r in named if any(n.startswith(r + "/") for n in notebooks)} or {""}
                run |= {n for n in notebooks if any(not r or n.startswith(r + "/") for r in roots)}
    return run


def _candidates(named: str, here: str) -> list[str]:
    """A path a command names, read from the repository root and from the command file's folder."""
    named = posixpath.normpath(named.removeprefix("./"))
    return [named, posixpath.normpath(posixpath.join(here, named))] if here else [named]


def _shipping_roots(project: Project) -> set[str]:
    """Folders ('' for the root) with packaging metadata and an importable package beside it
    (`pkg/__init__.py` or `src/pkg/__init__.py`) that is not itself a demo folder."""
    roots = set()
    for path in project.present:
        folder, name = posixpath.split(path)
        if name != "__init__.py" or not folder:
            continue
        parent, package = posixpath.split(folder)
        if posixpath.basename(parent) == "src":
            parent = posixpath.dirname(parent)
        if _DEMO_FOLDERS.match(package):
            continue
        if any(posixpath.join(parent, m) in project.present for m in _PACKAGING):
            roots.add(parent)
    return roots


def _in_demo_folder(path: str, shipping: set[str]) -> bool:
    """Under a demo folder that sits directly in a shipping root (`examples/x/train.py` of a repo
    whose package is `src/pkg/`)."""
    for root in shipping:
        inner = path[len(root) + 1:] if root else path
        if root and not path.startswith(root + "/"):
            continue
        first = inner.split("/", 1)[0]
        if "/" in inner and _DEMO_FOLDERS.match(first):
            return True
    return False
