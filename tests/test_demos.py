"""Demo code (a notebook nothing runs, an example of a package shipped from elsewhere) and what
rules' findings are worth there (`in_demos`), on little repositories scanned end to end."""

from __future__ import annotations

import pytest

from mldebt.catalogue import explain
from mldebt.engine import scan
from mldebt.project.demos import DEMO_KINDS
from mldebt.registry import all_rules, rule_by_id
from mldebt.rule import Severity, notebook
from conftest import write_tree

HUB = "from transformers import AutoModel\nm = AutoModel.from_pretrained('org/model')\n"
LIBRARY = {"setup.py": "from setuptools import setup\nsetup(name='lib', packages=['lib'])\n", "lib/__init__.py": ""}


def ci(command: str) -> dict[str, str]:
    return {".github/workflows/ci.yml": f"on: push\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {command}\n"}


def severities(tmp_path, files: dict[str, str], rule: str = "MLD301") -> dict[str, str]:
    report = scan(write_tree(tmp_path, files), jobs=1)
    return {f.path: f.severity for f in report.findings if f.rule == rule}


def test_a_notebook_nothing_runs_is_a_demo_and_a_script_is_not(tmp_path):
    found = severities(tmp_path, {"lesson.ipynb": notebook(HUB), "train.py": HUB})
    assert found == {"train.py": "warning"}


@pytest.mark.parametrize("command", [
    "papermill nb/lesson.ipynb out.ipynb",
    "jupyter nbconvert --execute --to notebook ./nb/lesson.ipynb",
    "pytest --nbmake nb/",
    "pytest --nbval-lax",
])
def test_a_notebook_ci_runs_is_shipped(tmp_path, command):
    assert severities(tmp_path, {"nb/lesson.ipynb": notebook(HUB), **ci(command)}) == {"nb/lesson.ipynb": "warning"}


@pytest.mark.parametrize("command", ["cp nb/lesson.ipynb docs/", "mkdir -p site && cp ./nb/lesson.ipynb site/"])
def test_a_notebook_ci_only_copies_is_a_demo(tmp_path, command):
    assert severities(tmp_path, {"nb/lesson.ipynb": notebook(HUB), **ci(command)}) == {}


def test_a_notebook_run_after_a_cd_is_shipped(tmp_path):
    files = {"nb/lesson.ipynb": notebook(HUB), **ci("cd nb && papermill lesson.ipynb out.ipynb")}
    assert severities(tmp_path, files) == {"nb/lesson.ipynb": "warning"}


def test_a_notebook_runner_given_another_folder_leaves_this_notebook_a_demo(tmp_path):
    files = {"nb/lesson.ipynb": notebook(HUB), "docs/other.ipynb": notebook(HUB), **ci("pytest --nbmake docs")}
    assert severities(tmp_path, files) == {"docs/other.ipynb": "warning"}


@pytest.mark.parametrize("path", ["examples/vision/train.py", "tutorials/t.py", "docs/snippet.py"])
def test_examples_of_a_package_shipped_from_elsewhere_are_demos(tmp_path, path):
    """MLD301 drops its findings in demo examples; the same file is reported where it is the project."""
    assert severities(tmp_path, {**LIBRARY, path: HUB}) == {}
    assert severities(tmp_path / "app", {path: HUB}) == {path: "warning"}


def test_a_src_layout_package_ships_from_elsewhere_too(tmp_path):
    files = {"pyproject.toml": "[project]\nname = 'lib'\n", "src/lib/__init__.py": "", "examples/train.py": HUB}
    assert severities(tmp_path, files) == {}


def test_examples_without_a_package_beside_them_are_the_project(tmp_path):
    """An application or a collection of examples has no other code to ship: its examples are it."""
    assert severities(tmp_path, {"examples/train.py": HUB}) == {"examples/train.py": "warning"}
    assert severities(tmp_path / "b", {"setup.py": "", "examples/lib/__init__.py": "", "examples/train.py": HUB}) == {
        "examples/train.py": "warning"
    }


def test_a_makefile_target_running_a_notebook_or_an_example_makes_it_shipped(tmp_path):
    makefile = "report:\n\tpapermill nb/report.ipynb out.ipynb\ntrain:\n\tpython examples/train.py\n"
    files = {**LIBRARY, "nb/report.ipynb": notebook(HUB), "examples/train.py": HUB, "Makefile": makefile}
    assert severities(tmp_path, files) == {"nb/report.ipynb": "warning", "examples/train.py": "warning"}


def test_an_example_ci_runs_or_that_something_ci_runs_imports_is_shipped(tmp_path):
    files = {**LIBRARY, "examples/train.py": HUB, "examples/smoke.py": "import train\n", **ci("python examples/smoke.py")}
    assert severities(tmp_path, files) == {"examples/train.py": "warning"}


def test_findings_dropped_in_demos_are_reported_elsewhere(tmp_path):
    download = "import wget\nwget.download('https://example.org/data.zip', 'data.zip')\n"
    files = {"lesson.ipynb": notebook(download), "prepare.py": download}
    assert severities(tmp_path, files, rule="MLD306") == {"prepare.py": "info"}


def test_every_rule_lowers_or_drops_in_demos_never_raises():
    for rule in all_rules():
        assert set(rule.in_demos) <= set(DEMO_KINDS), rule.id
        assert all(s is None or (isinstance(s, Severity) and s < rule.severity) for s in rule.in_demos.values()), rule.id


def test_explain_says_what_a_finding_is_worth_in_demo_code():
    text = explain(rule_by_id("MLD101"))
    assert "In demo code (a notebook that no CI step, Makefile target or notebook test runner runs): not reported." in text
    assert "reported as info" in explain(rule_by_id("MLD406"))


def test_a_tutorial_loading_a_hub_entry_point_at_head_is_not_reported(tmp_path):
    hub = "import torch\nm = torch.hub.load('org/detector', 'small')\n"
    assert severities(tmp_path, {"tutorial.ipynb": notebook(hub), "detect.py": hub}, rule="MLD302") == {
        "detect.py": "warning"
    }


def test_files_the_config_declares_shipped_are_never_demos(tmp_path):
    """A team whose notebooks are its product, run by hand, says so; the evidence cannot."""
    from mldebt.settings import settings_from_table

    files = {"analysis/model.ipynb": notebook(HUB), "lesson.ipynb": notebook(HUB), **LIBRARY, "examples/t.py": HUB}
    settings = settings_from_table({"shipped": ["analysis/*.ipynb", "examples/"]}, "[tool.mldebt]")
    report = scan(write_tree(tmp_path, files), settings=settings, jobs=1)
    found = {f.path: f.severity for f in report.findings if f.rule == "MLD301"}
    assert found == {"analysis/model.ipynb": "warning", "examples/t.py": "warning"}


def test_a_lesson_reloading_weights_gets_a_note_but_an_explicit_unsafe_load_stays_an_error(tmp_path):
    load = "import torch\nsd = torch.load('model.pt')\n"
    unsafe = "import torch\nsd = torch.load('model.pt', weights_only=False)\n"
    files = {"lesson.ipynb": notebook(load), "unsafe.ipynb": notebook(unsafe), "serve.py": load}
    assert severities(tmp_path, files, rule="MLD402") == {"lesson.ipynb": "info", "unsafe.ipynb": "error", "serve.py": "warning"}


def test_a_rule_reading_demo_code_itself_honours_shipped_too(tmp_path):
    from mldebt.settings import settings_from_table

    load = "import torch\nsd = torch.load('model.pt')\n"
    settings = settings_from_table({"shipped": ["analysis/"]}, "[tool.mldebt]")
    report = scan(write_tree(tmp_path, {"analysis/score.ipynb": notebook(load), "lesson.ipynb": notebook(load)}),
                  settings=settings, jobs=1)
    found = {f.path: f.severity for f in report.findings if f.rule == "MLD402"}
    assert found == {"analysis/score.ipynb": "warning", "lesson.ipynb": "info"}
