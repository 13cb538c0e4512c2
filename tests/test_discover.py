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


MIT = "MIT License\n\nCopyright (c) 2024 Our Lab\n"
APACHE = "Apache License\nVersion 2.0, January 2004\n"


def test_another_projects_code_is_not_scanned_and_is_named_once(tmp_path):
    """Vendored code (mldebt.vendored): a copied project with its own packaging and license, a
    `third_party/` folder, a sub-folder of `dependencies/`, a git submodule."""
    write_tree(
        tmp_path,
        {
            "LICENSE": MIT,
            "train.py": "",
            "inference/dependencies/AutoGPTQ/setup.py": "",
            "inference/dependencies/AutoGPTQ/LICENSE": APACHE,
            "inference/dependencies/AutoGPTQ/auto_gptq/quant.py": "",
            "inference/dependencies/AutoGPTQ/Dockerfile": "FROM python:3.11\n",
            "inference/dependencies/old_version/bench.py": "",
            "tools/copied/pyproject.toml": "",
            "tools/copied/COPYING": APACHE,
            "tools/copied/lib.py": "",
            "model/third_party/clip/clip.py": "",
            "model/third_party/clip/weights.pt": "",
            "docs/vendor/theme.css": "",
            ".gitmodules": '[submodule "yolov5"]\n\tpath = detect/yolov5\n\turl = https://example.invalid/yolov5.git\n',
            "detect/yolov5/detect.py": "",
            "detect/run.py": "",
        },
    )
    found = discover(tmp_path)
    assert [f.path for f in found.files] == ["detect/run.py", "train.py"]
    assert [(s.path, s.kind, s.reason.split(")")[0]) for s in found.skipped] == [
        ("detect/yolov5", "vendored", "another project's code (a git submodule"),
        ("inference/dependencies/AutoGPTQ", "vendored", "another project's code (its own setup.py and LICENSE"),
        ("inference/dependencies/old_version", "vendored", "another project's code (a folder of `dependencies/`"),
        ("model/third_party", "vendored", "another project's code (a `third_party/` folder"),
        ("tools/copied", "vendored", "another project's code (its own pyproject.toml and COPYING"),
    ]
    assert "3 file(s) not scanned" in found.skipped[1].reason and "own-code" in found.skipped[1].reason
    assert "model/third_party/clip/weights.pt" in found.present  # committed, hence versioned


def test_the_projects_own_folders_are_scanned_whatever_they_are_named(tmp_path):
    """Not vendored: a monorepo package under the root's license, the root itself, `external/`
    scripts, manifests right in a `dependencies/` folder, and a folder the config owns."""
    write_tree(
        tmp_path,
        {
            "LICENSE": MIT,
            "setup.py": "",
            "packages/core/setup.py": "",
            "packages/core/LICENSE": MIT.replace("\n\n", "\n"),
            "packages/core/core.py": "",
            "external/get_modules.py": "",
            "dependencies/requirements.txt": "torch==2.3.0\n",
            "third_party/ours/patched.py": "",
        },
    )
    found = discover(tmp_path, own_code=["third_party/"])
    assert [f.path for f in found.files] == [
        "dependencies/requirements.txt", "external/get_modules.py", "packages/core/core.py",
        "packages/core/setup.py", "setup.py", "third_party/ours/patched.py",
    ]
    assert found.skipped == []


def test_a_license_mldebt_may_not_read_is_no_evidence_of_vendored_code(tmp_path):
    """A packaged folder whose license links out of the tree is scanned as the project's own."""
    write_tree(tmp_path, {"LICENSE": MIT, "sub/setup.py": "", "sub/core.py": ""})
    outside = tmp_path.parent / f"{tmp_path.name}-outside-license"
    outside.write_text("Another license\n")
    (tmp_path / "sub" / "LICENSE").symlink_to(outside)
    found = discover(tmp_path)
    assert [f.path for f in found.files] == ["sub/core.py", "sub/setup.py"]
    assert found.skipped == []

def test_with_no_root_license_packages_sharing_a_license_are_the_repositorys_own(tmp_path):
    """A monorepo that licenses each package and not its root: packaged siblings under one
    license are its own; a packaged folder whose license no sibling shares is still a copy."""
    write_tree(tmp_path, {
        "packages/core/setup.py": "", "packages/core/LICENSE": MIT, "packages/core/core.py": "",
        "packages/io/pyproject.toml": "", "packages/io/LICENSE.txt": MIT.replace("\n\n", "\n"),
        "packages/io/io.py": "",
        "libs/apex/setup.py": "", "libs/apex/LICENSE": APACHE, "libs/apex/amp.py": "",
    })
    found = discover(tmp_path)
    assert [f.path for f in found.files] == [
        "packages/core/core.py", "packages/core/setup.py", "packages/io/io.py", "packages/io/pyproject.toml",
    ]
    assert [(s.path, s.reason.split(")")[0]) for s in found.skipped] == [
        ("libs/apex", "another project's code (its own setup.py and LICENSE"),
    ]


def test_a_scan_reports_no_debt_of_vendored_code_and_says_what_it_left(tmp_path, scan_json):
    pickled = "import pickle\n\nwith open('m.pkl', 'rb') as f:\n    model = pickle.load(f)\n"
    write_tree(tmp_path, {"src/serve.py": pickled, "src/third_party/lib/serve.py": pickled})
    _, report = scan_json(tmp_path, "--select", "MLD401", "--no-cache")
    assert [f["path"] for f in report["findings"]] == ["src/serve.py"]
    assert [(d["path"], d["kind"]) for d in report["diagnostics"]] == [("src/third_party", "vendored")]
    assert scan_json(tmp_path, "--select", "MLD401", "--ignore", "MLD401", "--fail-on-diagnostics")[0] == 0
    (tmp_path / "mldebt.toml").write_text('own-code = ["src/third_party/"]\n', encoding="utf-8")
    _, report = scan_json(tmp_path, "--select", "MLD401", "--no-cache")
    assert [f["path"] for f in report["findings"]] == ["src/serve.py", "src/third_party/lib/serve.py"]
    assert report["diagnostics"] == []
