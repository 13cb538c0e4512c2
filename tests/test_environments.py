"""Dependency pins are judged where an environment is built: warning there, nothing for an
example's requirements nothing installs or for a package's install requirements."""

from __future__ import annotations

from conftest import write_tree

from mldebt.engine import scan

_GPU = "import torch\nmodel.cuda()\n"


def _severities(tmp_path, files: dict[str, str]) -> dict[tuple[str, str], str]:
    write_tree(tmp_path, files)
    report = scan(tmp_path, jobs=1)
    return {(f.rule, f.path): f.severity for f in report.findings if f.rule in ("MLD601", "MLD602")}


def test_examples_are_not_judged_built_environments_are_warnings(tmp_path):
    found = _severities(tmp_path, {
        "train.py": _GPU,
        "requirements.txt": "torch\n",  # an application's root requirements
        "examples/mnist/requirements.txt": "torch\n",
        "serving/requirements.txt": "-r requirements-base.txt\n",
        "serving/requirements-base.txt": "torch>=2.1\n",
        "serving/Dockerfile": "FROM python:3.11\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n",
    })
    assert found[("MLD601", "requirements.txt")] == "warning"
    assert ("MLD601", "examples/mnist/requirements.txt") not in found
    assert ("MLD602", "examples/mnist/requirements.txt") not in found
    # Installed by the Dockerfile, through an `-r` include.
    assert found[("MLD601", "serving/requirements-base.txt")] == "warning"


def test_a_packages_root_requirements_are_its_install_requirements(tmp_path):
    found = _severities(tmp_path, {
        "train.py": _GPU,
        "requirements.txt": "torch\n",
        "pyproject.toml": "[project]\nname = 'lib'\ndependencies = ['torch']\n",
        "docs/requirements.txt": "sphinx\n",
    })
    assert ("MLD601", "requirements.txt") not in found
    assert ("MLD602", "requirements.txt") not in found


def test_root_requirements_beside_a_packages_metadata_are_a_note(tmp_path):
    """What the root requirements add to a package's declared install requirements (a test or
    training list, a template's loose bounds) is a note; a Dockerfile that installs them makes
    them an environment again."""
    files = {
        "train.py": _GPU,
        "requirements.txt": "torch\nbitsandbytes\n",
        "setup.py": "from setuptools import setup\nsetup(name='lib', install_requires=['torch>=1.13'])\n",
    }
    found = _severities(tmp_path, files)
    assert ("MLD601", "requirements.txt") in found and found[("MLD601", "requirements.txt")] == "info"
    found = _severities(tmp_path, {**files, "docker/Dockerfile": "FROM python:3.11\nCOPY requirements.txt .\n"
                                                              "RUN pip install -r requirements.txt\n"})
    assert found[("MLD601", "requirements.txt")] == "warning"
