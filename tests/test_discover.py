"""Discovery: what is scanned, what is skipped, and what kind each file is."""

from __future__ import annotations

import pytest
from conftest import write_tree

import itertools

import pathspec

from mldebt.discover import FileKind, PrefilteredSpec, classify, discover, gitignore_spec, is_test_path


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


_PATTERNS = [
    "*.pyc", "build/", "!keep.pyc", "/docs/_build", "**/foo/**", "data/*.csv", "!data/keep.csv", "a/**/b",
    "[Tt]emp*", "\\#literal", "logs", "*.ckpt/", "!/logs/important.log", "?.tmp", "out/**/*.pt", "",
    "# a comment", "name with space", "lightning_logs/", "*.egg-info",
]
_PATHS = [
    "x.pyc", "src/x.pyc", "keep.pyc", "src/keep.pyc", "build/", "src/build/", "build", "docs/_build", "docs/_build/",
    "src/docs/_build", "foo/x", "a/foo/b/c", "data/x.csv", "data/keep.csv", "data/sub/x.csv", "a/b", "a/x/y/b",
    "Temp1", "src/temp.py", "#literal", "logs", "logs/", "logs/important.log", "src/logs/a", "m.ckpt/", "m.ckpt",
    "a.tmp", "ab.tmp", "out/x/y.pt", "out/y.pt", "name with space", "lightning_logs/", "pkg.egg-info/", "train.py",
    "src/model/train.py", "README.md",
]


def test_prefiltered_specs_answer_as_pathspec_does():
    """The combined regex only rules out paths no pattern matches: every answer is the spec's."""
    for size in (1, 2, 5, len(_PATTERNS)):
        for start in range(0, len(_PATTERNS) - size + 1, max(1, size // 2)):
            lines = _PATTERNS[start:start + size]
            spec, _ = gitignore_spec(lines)
            prefiltered = PrefilteredSpec(spec)
            assert prefiltered.any_pattern is not None
            for path in _PATHS:
                assert prefiltered.match_file(path) == spec.match_file(path), (lines, path)
    for lines in itertools.permutations(["logs/", "!logs/keep/", "logs/keep/*.tmp"]):
        spec = pathspec.GitIgnoreSpec.from_lines(list(lines))
        for path in ("logs/a", "logs/keep/a", "logs/keep/a.tmp", "src/logs/keep/b.tmp"):
            assert PrefilteredSpec(spec).match_file(path) == spec.match_file(path)
