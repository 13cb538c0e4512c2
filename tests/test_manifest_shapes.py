"""Manifest shapes met in real repositories: Dockerfile heredoc and exec-form RUN, CI containers
in flow style, Poetry's caret and tilde ranges, and packages a notebook installs."""

from __future__ import annotations

import json
from pathlib import Path

from packaging.specifiers import SpecifierSet

from mldebt.discover import FileKind, FileRef
from mldebt.extract.manifests import manifest_facts, moving_reference, notebook_installs
from mldebt.extract.sources import TextSource


def _requirements(kind: str, text: str, path: str = "Dockerfile") -> dict[str, tuple[str, int]]:
    facts = manifest_facts(TextSource(path, kind, text))
    return {r.name: (r.specifier, r.line) for r in facts.requirements}


def test_dockerfile_heredoc_run_installs_are_read():
    text = "FROM python:3.11\nRUN <<EOF\napt-get update\npip install torch numpy==1.26.4\nEOF\nRUN echo done\n"
    assert _requirements(FileKind.DOCKERFILE, text) == {"torch": ("", 4), "numpy": ("==1.26.4", 4)}


def test_dockerfile_exec_form_run_installs_are_read():
    text = 'FROM python:3.11\nRUN ["pip", "install", "--no-cache-dir", "torch>=2.1"]\n'
    assert _requirements(FileKind.DOCKERFILE, text) == {"torch": (">=2.1", 2)}


def test_ci_container_in_flow_style_is_an_image():
    text = "jobs:\n  gpu:\n    container: {image: 'nvidia/cuda:12.1.0-devel-ubuntu22.04', options: --gpus all}\n"
    facts = manifest_facts(TextSource(".github/workflows/gpu.yml", FileKind.CI_WORKFLOW, text))
    assert [(i.name, i.tag, i.line) for i in facts.images] == [("nvidia/cuda", "12.1.0-devel-ubuntu22.04", 3)]


def test_poetry_caret_and_tilde_keep_their_upper_bound():
    text = (
        '[tool.poetry.dependencies]\npython = "^3.10"\ntorch = "^2.1"\njax = "^0.4.30"\n'
        'numpy = "~1.26"\nscipy = ">=1.11"\n'
    )
    found = _requirements(FileKind.PYPROJECT, text, "pyproject.toml")
    assert SpecifierSet(found["torch"][0]) == SpecifierSet(">=2.1,<3")
    assert SpecifierSet(found["jax"][0]) == SpecifierSet(">=0.4.30,<0.5")
    assert SpecifierSet(found["numpy"][0]) == SpecifierSet(">=1.26,<1.27")
    assert SpecifierSet(found["scipy"][0]) == SpecifierSet(">=1.11")


def test_notebook_installs_skip_options_requirement_files_and_comments():
    lines = [
        "x = 1",
        "pass  # %pip install -qr requirements.txt comet_ml  # install",
        "pass  # !pip install -q \\",
        "#|     torch==2.1.0 \\",
        "#|     peft",
        "pass  # !pip freeze | grep scikit-learn",
    ]
    assert [(i.requirement.name, i.requirement.specifier, i.requirement.line) for i in notebook_installs(lines)] == [
        ("comet-ml", "", 2), ("torch", "==2.1.0", 3), ("peft", "", 3),
    ]


def test_a_semicolon_inside_a_command_substitution_does_not_split_the_install():
    text = (
        "FROM pytorch/pytorch:2.8.0-cuda12.8-cudnn9-runtime\n"
        "RUN uv pip install --prefix \"$(python -c 'import sys; print(sys.prefix)')\" -r requirements.txt onnx\n"
    )
    facts = manifest_facts(TextSource("Dockerfile", FileKind.DOCKERFILE, text))
    assert [(f.path, f.line) for f in facts.requirement_files] == [("requirements.txt", 2)]
    assert [r.name for r in facts.requirements] == ["onnx"]


def test_notebook_installs_are_split_as_the_shell_splits_them():
    lines = [
        "pass  # !pip install matplotlib>=3.3.2 'numpy>=1.26' 2>&1 | tee pip.log",
        "pass  # !pip3 install -U --pre torch --extra-index-url https://download.pytorch.org/whl/nightly/cu121",
        "pass  # !python -m pip install git+https://github.com/org/lib.git@$BRANCH#egg=lib_toolkit[all]",
        "pass  # %pip install git+https://github.com/org/peft@0123abcd",
    ]
    installs = notebook_installs(lines)
    assert [(i.requirement.name, i.requirement.specifier, i.redirect, i.prerelease) for i in installs] == [
        ("matplotlib", "", ">=3.3.2", False), ("numpy", ">=1.26", "", False), ("torch", "", "", True),
        ("lib-toolkit", "", "", False), ("peft", "", "", False),
    ]
    assert [moving_reference(i.requirement.url) for i in installs[3:]] == [True, False]


def test_an_install_that_replaces_what_is_installed_is_recorded_with_its_requirements_file():
    text = (
        "FROM pytorch/pytorch:2.8.0-cuda12.8-cudnn9-runtime\n"
        "RUN pip install --no-cache -r requirements.txt\n"
        "RUN pip install -qU -r extra.txt && pip install --force-reinstall -r gpu.txt\n"
    )
    facts = manifest_facts(TextSource("Dockerfile", FileKind.DOCKERFILE, text))
    assert [(f.path, f.upgrade) for f in facts.requirement_files] == [
        ("requirements.txt", False), ("extra.txt", True), ("gpu.txt", True),
    ]


def test_images_a_repository_builds_are_recorded_by_name():
    workflow = (
        "jobs:\n  build:\n    steps:\n      - run: docker build -t org/app:dev . && docker tag org/app:dev org/app:latest\n"
        "      - uses: docker/build-push-action@v6\n        with:\n          tags: org/gpu:latest, ghcr.io/org/gpu:1.0\n"
    )
    facts = manifest_facts(TextSource(".github/workflows/build.yml", FileKind.CI_WORKFLOW, workflow))
    assert sorted(facts.built_images) == ["ghcr.io/org/gpu", "org/app", "org/app", "org/gpu"]


def test_notebook_installs_read_no_package_from_subshells_heredocs_or_user_parts():
    lines = [
        "pass  # !pip install $(cat requirements.in) >> pip.log 2>&1 <<EOF",
        "pass  # %pip install -e git+ssh://git@github.com/org/lib.git@v1.2.0",
    ]
    installs = notebook_installs(lines)
    assert [(i.requirement.name, i.requirement.url is not None) for i in installs] == [("lib", True)]
    assert not moving_reference(installs[0].requirement.url)


def test_a_markdown_page_documents_the_files_it_tells_the_reader_to_download():
    from mldebt.extract.manifests import manifest_facts
    from mldebt.extract.sources import TextSource

    text = (
        "# Homework\n\nGet the data:\n\n```bash\n$ wget -O train.csv https://example.org/raw/data-v1.csv\n```\n"
        "or from [Kaggle](https://example.org/files/prices.csv), the [docs](https://example.org/guide.html),\n"
        "the [repository](https://github.com/org/repo), and `!wget https://example.org/kdd/data_folder.zip`.\n"
        "A broken link: http://[::1/x.csv and `wget http://[oops/y.csv`\n"
    )
    facts = manifest_facts(TextSource("week2/homework.md", "document", text))
    assert facts.fetched_paths == [
        "week2/train.csv", "week2/prices.csv", "week2/data_folder.zip", "week2/data_folder", "week2/data_folder/*",
    ]


def test_a_notebooks_markdown_cells_document_the_files_they_link():
    from mldebt.extract.analyse import FileAnalyzer
    from mldebt.settings import Settings

    notebook = json.dumps({"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["Load the [text8 dataset](https://example.org/text8.zip)."]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": ["x = 1"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    result = FileAnalyzer(Path("."), Settings()).analyse_bytes(FileRef("w2v/skip_grams.ipynb", "notebook"), notebook.encode())
    assert result.facts.fetched_paths == ["w2v/text8.zip", "w2v/text8", "w2v/text8/*"]


def test_a_markdown_page_names_the_repositories_its_download_commands_fetch():
    from mldebt.extract.manifests import manifest_facts
    from mldebt.extract.sources import TextSource

    text = (
        "```bash\nlitgpt download meta-llama/Llama-3-8B --access_token hf_...\n"
        "$ huggingface-cli download org/model --local-dir ckpt\npython scripts/download_model.py EleutherAI/pythia-14m\n"
        "litgpt finetune org/other\n```\n"
    )
    facts = manifest_facts(TextSource("README.md", "document", text))
    assert facts.fetched_repositories == ["meta-llama/Llama-3-8B", "org/model", "EleutherAI/pythia-14m"]


def test_dockerfile_image_homes_are_its_users_and_the_homes_it_names():
    home = "/" + "home"  # built, so that the repository names no home folder of a machine
    text = (
        "FROM python:3.11-slim\n"
        "RUN useradd -m -u 1000 appuser && chown -R appuser /srv\n"
        "RUN adduser --disabled-password --gecos '' llm\n"
        f"ENV HOME={home}/jovyan\n"
        "USER 1000:1000\nUSER builder\n"
        f"COPY requirements.txt {home}/builder/\n"
        "RUN pip install torch==2.3.1  # no home named\n"
    )
    facts = manifest_facts(TextSource("Dockerfile", FileKind.DOCKERFILE, text))
    assert facts.image_homes == [f"{home}/{name}" for name in ("appuser", "builder", "jovyan", "llm")]


def test_dockerfile_user_creation_with_many_options_and_no_name_is_refused_without_backtracking():
    """A hostile `useradd` line of options that ends in no user name: each option parses one
    way only, so refusing it takes one pass (two ways per option took exponential time)."""
    text = "FROM python:3.11-slim\nRUN useradd" + " --a-a-a -o 1 --k=v=w" * 60 + " -\nRUN useradd -o a=b -m app\n"
    facts = manifest_facts(TextSource("Dockerfile", FileKind.DOCKERFILE, text))
    assert facts.image_homes == ["/" + "home/app"]
