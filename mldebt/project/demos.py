"""Demo code: what a person opens to learn or to explore, as opposed to what a project ships
or runs.

A literal learning rate in a lesson's notebook cell is the lesson; the same literal in a
training script that CI runs is configuration debt. Which one a file is comes from evidence in
the tree, never from a repository's name:

- a notebook that nothing runs (no CI step, shell script or Makefile target names it but to
  copy it or to render it, and no notebook test runner collects it, but to check the
  tutorials of a package shipped from elsewhere) is a *demo notebook*: a lesson, a tutorial, a
  scratchpad. Rendering is executing or converting it to publish a page
  (`jupyter nbconvert`, `jupytext`, `jupyter-book`, `quarto`, `sphinx-build`, `mkdocs`): that
  makes the page, it ships no product. A notebook saved as a Python script (a jupytext header
  or markdown cell, nbconvert's `# In[3]:` prompts, or a notebook of the same name beside it
  and no main guard) is a notebook too, whatever runs it: its prose cells say it was written
  to be read;
- a file under the examples, tutorials, docs or notebooks folder of a package that ships from
  another folder beside it (packaging metadata and an importable package outside that folder)
  is a *demo example*, unless something runs it: a CI step, a DVC stage, a Makefile target, a
  test CI runs, or an import from any of those (`Project.automation`);
- a file of a course or a book is a *lesson*: it lies under one of three or more sibling
  folders numbered as a sequence (`01-intro/`, `02-tracking/`, ...; `ch01/`, `lab2/`,
  `week_3/`), none of them a Python package, and nothing runs it as above. The numbered
  folders are the product; what a lesson shows is read, not deployed.

Rules decide per kind of demo what their findings there are worth (`Rule.in_demos`); files the
config declares `shipped` are never demo code.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from mldebt.discover import FileKind, is_test_path
from mldebt.extract.shell import command_parts

if TYPE_CHECKING:
    from mldebt.extract.facts import Facts
    from mldebt.project.model import Project

DEMO_NOTEBOOK = "notebook"
DEMO_EXAMPLE = "example"
DEMO_LESSON = "lesson"
#: Each kind in words, for `mldebt explain`.
DEMO_KINDS = {
    DEMO_NOTEBOOK: "a notebook, or a notebook saved as a script (jupytext, nbconvert), that no CI step, "
    "Makefile target or notebook test runner runs but to render it as a page or to check a package's tutorials",
    DEMO_EXAMPLE: "a file under `examples/`, `tutorials/`, `docs/`, `notebooks/`, ... of a package "
    "shipped from another folder, that no CI step, DVC stage, Makefile target or test runs",
    DEMO_LESSON: "a file of a course or a book (under one of three or more numbered sibling folders, "
    "`01-intro/`, `ch02/`, `lab3/`, that are no Python package) that no CI step, DVC stage, Makefile "
    "target or test runs",
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
#: Programs (and `jupyter` subcommands) that execute or convert a notebook to publish it as a
#: page or another format: the run renders documentation, it is no step of a product.
#: `papermill` is not one: it runs a notebook with injected parameters, as a pipeline's step.
_RENDERERS = frozenset({
    "nbconvert", "jupyter-nbconvert", "jupytext", "jupyter-book", "jb", "quarto", "sphinx-build", "mkdocs",
    "nbsphinx", "myst",
})
#: A folder of a course or a book, numbered in its sequence: `01-intro`, `2_regression`,
#: `ch01`, `chapter-2`, `lab3`, `lesson_4`, `week5`, `module-6`, `unit 7`, `day8`, `lecture9`.
_LESSON_FOLDER = re.compile(
    r"^(?:\d{1,2}[ ._-]+[a-z]\w*.*|(?:ch|chap|chapter|lab|lesson|lecture|week|module|unit|day|session|part)"
    r"[ ._-]?\d{1,2}(?:[ ._-].*)?)$",
    re.IGNORECASE,
)
#: Sibling folders numbered as a sequence, each with a page, that make a course's or a book's lessons.
_MIN_LESSONS = 3
#: A page written to be read: a README or a notebook.
_PAGE = re.compile(r"^readme(\.\w+)?$|\.ipynb$", re.IGNORECASE)


def demo_files(project: Project) -> dict[str, str]:
    """Code file -> the kind of demo it is (`DEMO_NOTEBOOK`, `DEMO_EXAMPLE`); files absent are
    shipped, run, or of unknown purpose (and then treated as shipped)."""
    shipping = _shipping_roots(project)
    run_notebooks = _notebooks_run(project, shipping)
    runs = {**project.automation.runs, **project.automation.by_hand}
    lessons = _lesson_folders(project)
    demos: dict[str, str] = {}
    for path, (kind, facts) in project.files.items():
        if kind not in FileKind.CODE or is_test_path(path):
            continue
        if kind == FileKind.NOTEBOOK:
            if path not in run_notebooks:
                demos[path] = DEMO_NOTEBOOK
        elif facts.saved_notebook or _paired_notebook(path, facts, project):
            demos[path] = DEMO_NOTEBOOK
        elif path in runs:
            continue
        elif _in_demo_folder(path, shipping):
            demos[path] = DEMO_EXAMPLE
        elif any(path.startswith(folder + "/") for folder in lessons):
            demos[path] = DEMO_LESSON
    return demos


def _paired_notebook(path: str, facts: Facts, project: Project) -> bool:
    """A script with a notebook of the same name beside it (`ch04.py` and `ch04.ipynb`): the
    notebook's jupytext pair or its `nbconvert --to script` export. One with a main guard was
    written as a program (a pipeline the notebook walks through), not saved from the notebook."""
    return (
        path.endswith(".py")
        and project.files.get(path[:-3] + ".ipynb", ("",))[0] == FileKind.NOTEBOOK
        and not any(entry.kind == "main-guard" for entry in facts.entry_points)
    )


def _lesson_folders(project: Project) -> set[str]:
    """Folders of a course or a book: three or more siblings numbered as a sequence that each
    hold a page to read (a README or a notebook directly inside), none of them a Python package
    (`__init__.py` directly inside). Numbered stages of a pipeline (`1_prepare/`, `2_train/`)
    have no page of their own each."""
    pages: set[str] = set()
    packages: set[str] = set()
    for path in project.present:
        folder, name = posixpath.split(path)
        if name == "__init__.py":
            packages.add(folder)
        elif _PAGE.match(name):
            pages.add(folder)
    numbered: dict[str, set[str]] = {}
    for folder in {posixpath.dirname(path) for path in project.present}:
        while folder:
            parent, name = posixpath.split(folder)
            if _LESSON_FOLDER.match(name) and folder not in packages:
                numbered.setdefault(parent, set()).add(folder)
            folder = parent
    return {
        f for siblings in numbered.values() if len(siblings & pages) >= _MIN_LESSONS for f in siblings
    }


def _notebooks_run(project: Project, shipping: set[str]) -> set[str]:
    """Notebooks a CI step, a shell script or a Makefile target names, and those a notebook test
    runner collects (from the folders it is given, or every notebook when it is given none),
    but the tutorials of a package shipped from elsewhere: a test run of those checks that the
    lessons still work, it makes them no product."""
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
                if _renders(part):
                    continue  # `jupyter nbconvert --execute --to html lesson.ipynb` renders a page
                for named in _NOTEBOOK.findall(part):
                    run |= {c for c in _candidates(named, folder) if c in notebooks}
            if _NOTEBOOK_RUNNER.search(command.text):
                named = {c for w in command.text.split() if not w.startswith("-") for c in _candidates(w.rstrip("/"), here)}
                roots = {r for r in named if any(n.startswith(r + "/") for n in notebooks)} or {""}
                run |= {
                    n for n in notebooks
                    if any(not r or n.startswith(r + "/") for r in roots) and not _in_demo_folder(n, shipping)
                }
    return run


def _renders(part: str) -> bool:
    """Whether a command executes or converts notebooks to publish them (`_RENDERERS`), also
    through `jupyter SUBCOMMAND`, `python -m MODULE` or `uv run`/`poetry run`/`pipx run`."""
    words = [w for w in part.split() if not w.startswith("-")]
    while words and posixpath.basename(words[0]) in ("python", "python3", "uv", "poetry", "pipx", "run", "jupyter", "exec"):
        words = words[1:]
    return bool(words) and posixpath.basename(words[0]) in _RENDERERS


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
