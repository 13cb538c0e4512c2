"""What the repository's commands run (`mldebt.project.commands`): CI steps in the folder they
name, Makefile recipes with the Makefile's own variables, DVC stages."""

from __future__ import annotations

from conftest import write_tree

from mldebt.discover import FileKind, classify
from mldebt.engine import scan
from mldebt.extract.facts import CiCommand
from mldebt.project.commands import Commands
from mldebt.project.model import Project

_FILES = {
    "src/lab/__init__.py": "", "src/lab/train.py": "", "src/lab/__main__.py": "", "src/tools/fit.py": "",
    "jobs/evaluate.py": "", "predict.py": "", "lint_me.py": "", "stage.py": "",
    "dvc.yaml": "stages:\n  fit:\n    cmd: python stage.py\n",
}


def _commands(tmp_path, files) -> tuple[Commands, dict]:
    root = write_tree(tmp_path, {**_FILES, **files})
    report = scan(root, jobs=1)
    facts = {r.path: r.facts for r in report.files}
    return Commands(Project({r.path: (r.kind, r.facts) for r in report.files})), facts


def test_makefiles_are_discovered():
    assert classify("Makefile") == classify("sub/makefile") == classify("rules.mk") == FileKind.MAKEFILE
    assert classify("Makefile.py") == FileKind.PYTHON


def test_makefile_recipes_expand_the_makefiles_own_variables_and_nothing_else(tmp_path):
    makefile = (
        "PYTHON := python3\nCFG ?= configs/a.yaml\nVERSION = $(shell git describe)\n\n"
        "train: data  # the model\n\t@$(PYTHON) -m lab --cfg $(CFG) \\\n\t\t--fast\n"
        "lint:\n\t-flake8 lint_me.py\n\techo $$HOME $(OTHER)\n"
    )
    commands, facts = _commands(tmp_path, {"Makefile": makefile})
    assert facts["Makefile"].ci_commands == [
        CiCommand("python3 -m lab --cfg configs/a.yaml --fast", 6),
        CiCommand("flake8 lint_me.py", 9),
        CiCommand("echo $HOME $(OTHER)", 10),  # a variable defined elsewhere stays as written
    ]
    # `-m lab` runs the package's __main__; a linter's argument is not run
    assert commands.by_hand == {"src/lab/__main__.py": "run by the Makefile target at Makefile:6"}
    assert "lint_me.py" not in commands.run_files()


def test_ci_steps_run_scripts_from_their_working_directory(tmp_path):
    workflow = (
        "on: push\njobs:\n  train:\n    defaults:\n      run:\n        working-directory: ./src\n    steps:\n"
        "      - run: python -m lab.train\n"
        "      - run: python3 tools/fit.py --cfg x\n"
        "      - run: python evaluate.py\n        working-directory: jobs\n"
        "      - run: cd .. && python predict.py\n"
        "      - run: python ${{ matrix.script }}\n        working-directory: ${{ matrix.folder }}\n"
    )
    commands, facts = _commands(tmp_path, {".github/workflows/train.yml": workflow})
    assert [c.directory for c in facts[".github/workflows/train.yml"].ci_commands] == ["src", "src", "jobs", "src", "src"]
    assert sorted(commands.automated) == ["jobs/evaluate.py", "predict.py", "src/lab/train.py", "src/tools/fit.py", "stage.py"]
    assert commands.automated["stage.py"].startswith("run by the DVC stage `fit`")
    assert commands.by_hand == {}


def test_a_cd_anywhere_in_a_command_moves_the_parts_after_it(tmp_path):
    """CI steps, Makefile recipes and DVC stages split a command line the same way."""
    workflow = "on: push\njobs:\n  t:\n    steps:\n      - run: pip install -e . && cd jobs; python evaluate.py\n"
    commands, _ = _commands(tmp_path, {".github/workflows/t.yml": workflow})
    assert "jobs/evaluate.py" in commands.automated
    assert "evaluate.py" not in commands.automated
