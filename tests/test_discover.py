"""Discovery: what is scanned, what is skipped, and what kind each file is."""

from __future__ import annotations

import pytest
from conftest import write_tree

from mldebt.discover import FileKind, classify, discover, is_test_path


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("train.py", FileKind.PYTHON),
        ("nb/eda.ipynb", FileKind.NOTEBOOK),
        ("requirements.txt", FileKind.REQUIREMENTS),
        ("requirements-dev.txt", FileKind.REQUIREMENTS),
        ("requirements/gpu.txt", FileKind.REQUIREMENTS),
        ("requirements/pytorch/base.txt", FileKind.REQUIREMENTS),
        ("constraints.txt", FileKind.REQUIREMENTS),
        ("requirements.in", FileKind.REQUIREMENTS),
        ("pyproject.toml", FileKind.PYPROJECT),
        ("setup.cfg", FileKind.SETUP_CFG),
        ("environment.yml", FileKind.CONDA_ENV),
        ("envs/environment-gpu.yaml", FileKind.CONDA_ENV),
        ("Dockerfile", FileKind.DOCKERFILE),
        ("docker/Dockerfile.cuda", FileKind.DOCKERFILE),
        ("train.dockerfile", FileKind.DOCKERFILE),
        ("dvc.yaml", FileKind.DVC_PIPELINE),
        ("data/raw.csv.dvc", FileKind.DVC_FILE),
        (".gitattributes", FileKind.GITATTRIBUTES),
        (".github/workflows/ci.yml", FileKind.CI_WORKFLOW),
        (".gitlab-ci.yml", FileKind.CI_WORKFLOW),
        ("uv.lock", FileKind.LOCK_FILE),
        ("conda-lock.yml", FileKind.LOCK_FILE),
        ("notes.txt", None),
        ("configs/train.yaml", FileKind.CONFIG),
        ("conf/model/resnet.yml", FileKind.CONFIG),
        ("params.yaml", FileKind.CONFIG),
        ("train_config.json", FileKind.CONFIG),
        ("data/labels.json", None),
        ("mkdocs.yml", None),
        (".github/markdown-links-config.json", None),
        (".pre-commit-config.yaml", None),
        ("tsconfig.json", None),
        ("web/jest.config.json", None),
        ("model.pt", None),
    ],
)
def test_classify(path, kind):
    assert classify(path) == kind


def test_gitignore_excludes_and_default_skips(tmp_path):
    write_tree(
        tmp_path,
        {
            ".gitignore": "outputs/\n*.gen.py\n",
            "src/train.py": "",
            "src/model.gen.py": "",
            "outputs/run1/copy.py": "",
            "src/.gitignore": "local_*.py\n",
            "src/local_hack.py": "",
            "other/local_hack.py": "",
            "myenv/pyvenv.cfg": "home = /usr\n",
            "myenv/lib/site.py": "",
            ".venv/lib/x.py": "",
            "node_modules/a.py": "",
            "build/lib/a.py": "",
            "pkg.egg-info/a.py": "",
            ".git/hooks/a.py": "",
            "notebooks/.ipynb_checkpoints/a-checkpoint.ipynb": "{}",
            "scratch/a.py": "",
            "requirements.txt": "",
        },
    )
    found = discover(tmp_path, exclude=["scratch/"])
    assert [(f.path, f.kind) for f in found.files] == [
        ("other/local_hack.py", "python"),
        ("requirements.txt", "requirements"),
        ("src/train.py", "python"),
    ]


@pytest.mark.parametrize(
    ("path", "is_test"),
    [
        ("tests/test_train.py", True), ("tests/helpers/data.py", True), ("pkg/test/util.py", True),
        ("test_model.py", True), ("model_test.py", True), ("conftest.py", True),
        ("src/testing_utils.py", False), ("contest.py", False), ("src/attest.py", False), ("latest/train.py", False),
    ],
)
def test_is_test_path(path, is_test):
    assert is_test_path(path) is is_test
