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
    "pytest --nbmake nb/",
    "pytest --nbval-lax",
])
def test_a_notebook_ci_runs_is_shipped(tmp_path, command):
    assert severities(tmp_path, {"nb/lesson.ipynb": notebook(HUB), **ci(command)}) == {"nb/lesson.ipynb": "warning"}


@pytest.mark.parametrize("command", [
    "jupyter nbconvert --execute --to notebook ./nb/lesson.ipynb",
    "jupyter nbconvert --to html nb/lesson.ipynb",
    "python -m jupytext --execute --to ipynb nb/lesson.ipynb",
    "uv run quarto render nb/lesson.ipynb",
])
def test_a_notebook_ci_only_renders_is_a_demo(tmp_path, command):
    """Executing or converting a notebook to publish it renders a page; it ships no product."""
    assert severities(tmp_path, {"nb/lesson.ipynb": notebook(HUB), **ci(command)}) == {}


def test_a_package_s_tutorials_a_notebook_test_runner_checks_stay_demos(tmp_path):
    """Testing that a library's lessons still run keeps them lessons; the same run of a project's own notebooks ships them."""
    files = {**LIBRARY, "tutorials/lesson.ipynb": notebook(HUB), **ci("pytest --nbmake tutorials/")}
    assert severities(tmp_path, files) == {}
    files = {"tutorials/lesson.ipynb": notebook(HUB), **ci("pytest --nbmake tutorials/")}
    assert severities(tmp_path / "app", files) == {"tutorials/lesson.ipynb": "warning"}


JUPYTEXT = "# %% [markdown]\n# # Fine-tuning\n# We load the model.\n\n# %%\n" + HUB
NBCONVERT = "#!/usr/bin/env python\n# coding: utf-8\n\n# # Fine-tuning\n\n# In[1]:\n\n\n" + HUB
LIGHT = "# ---\n# jupyter:\n#   jupytext:\n#     formats: ipynb,py:light\n# ---\n\n" + HUB


@pytest.mark.parametrize("text", [JUPYTEXT, NBCONVERT, LIGHT])
def test_a_notebook_saved_as_a_script_is_a_demo_notebook_even_when_ci_runs_it(tmp_path, text):
    """Its prose cells say it was written to be read; CI running it publishes the page."""
    files = {"course/lesson.py": text, **ci("python course/lesson.py")}
    assert severities(tmp_path, files) == {}


def test_a_script_beside_its_notebook_is_that_notebook_saved_as_a_script(tmp_path):
    files = {"ch04/ch04.py": HUB, "ch04/ch04.ipynb": notebook(HUB), "ch04/train.py": HUB}
    assert severities(tmp_path, files) == {"ch04/train.py": "warning"}


def test_a_program_beside_the_notebook_that_walks_through_it_is_no_saved_notebook(tmp_path):
    program = HUB + "if __name__ == '__main__':\n    compile_pipeline()\n"
    files = {"pipeline.py": program, "pipeline.ipynb": notebook(HUB)}
    assert severities(tmp_path, files) == {"pipeline.py": "warning"}


@pytest.mark.parametrize("text", [
    "# %%\n" + HUB + "\n# %%\nprint(m)\n",  # cells an editor runs one by one, no prose cell
    'TEMPLATE = """\n# %% [markdown]\n# # {title}\n"""\n' + HUB,  # a generator of notebooks holds their text
])
def test_a_ci_run_script_with_editor_cells_or_a_notebook_template_is_no_notebook(tmp_path, text):
    files = {"scripts/integration.py": text, **ci("python scripts/integration.py")}
    assert severities(tmp_path, files) == {"scripts/integration.py": "warning"}


def demos(tmp_path, files: dict[str, str]) -> dict[str, str]:
    from mldebt.project import Project

    report = scan(write_tree(tmp_path, files), jobs=1)
    project = Project({r.path: (r.kind, r.facts) for r in report.files}, frozenset(files))
    return {path: kind for path in files if (kind := project.demo(path))}


COURSE = {f"{n:02d}-{topic}/README.md": "# lesson\n" for n, topic in enumerate(["intro", "tracking", "deploy"], 1)}


def test_files_under_numbered_lesson_folders_of_a_course_are_lessons(tmp_path):
    files = {**COURSE, "02-tracking/train.py": HUB, "03-deploy/web/predict.py": HUB, "tools/lint.py": HUB}
    assert demos(tmp_path, files) == {"02-tracking/train.py": "lesson", "03-deploy/web/predict.py": "lesson"}


@pytest.mark.parametrize("names", [["ch01", "ch02", "ch03"], ["lab1", "lab2", "lab3"], ["week_1", "week_2", "week_3"]])
def test_chapters_labs_and_weeks_are_numbered_lessons_too(tmp_path, names):
    files = {f"{name}/README.md": "# x\n" for name in names} | {f"{names[0]}/fit.py": HUB}
    assert demos(tmp_path, files) == {f"{names[0]}/fit.py": "lesson"}


def test_numbered_pipeline_stages_packages_and_run_lessons_are_not_lessons(tmp_path):
    """Stages with no page each are a pipeline; numbered packages are code; a lesson CI runs ships."""
    stages = {"1_prepare/run.py": HUB, "2_train/run.py": HUB, "3_serve/run.py": HUB}
    assert demos(tmp_path, stages) == {}
    packages = {**COURSE, **{f"{folder}/__init__.py": "" for folder in ("01-intro", "02-tracking", "03-deploy")},
                "02-tracking/train.py": HUB}
    assert demos(tmp_path / "p", packages) == {}
    run = {**COURSE, "02-tracking/train.py": HUB, **ci("python 02-tracking/train.py")}
    assert demos(tmp_path / "r", run) == {}
    two = {"lab1/README.md": "", "lab2/README.md": "", "lab2/train.py": HUB}
    assert demos(tmp_path / "t", two) == {}


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
    text = explain(rule_by_id("MLD301"))
    assert f"In demo code ({DEMO_KINDS['notebook']}): not reported." in text
    assert "only a literal beside configuration is reported" in " ".join(explain(rule_by_id("MLD101")).split())
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
