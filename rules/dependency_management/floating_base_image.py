import re
from collections.abc import Iterator

from mldebt.extract.facts import Image
from mldebt.knowledge import load_table
from mldebt.rules.dependency_management import development_container
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_DIGEST = "@sha256:" + "0" * 64


class FloatingBaseImage(ProjectRule):
    """Builds or runs on a container image by a reference that can change under it.

    ## Why it matters
    A base image with no tag or `:latest` is whatever was pushed last; a tag such as
    `nvidia/cuda:12.1.0-runtime-ubuntu22.04` is re-pushed with security updates and new
    driver libraries. For GPU images that changes CUDA, cuDNN and NCCL under a model that was
    validated on the old ones. Only a `@sha256:` digest is immutable. A tag that follows a
    release line (`python:3.11-slim`, `ubuntu:22.04`) without a digest is reported as info; no
    tag, or `latest`, as a warning, unless the image's name itself names the release
    (`tensorflow-1.8.0-notebook-cpu`, Google's `deeplearning-platform-release/tf2-cpu.2-3`):
    its `latest` follows that release line, as a release-line tag does, and is info too. A tag that names one exact release (`python:3.9.7-slim`,
    `nvidia/cuda:12.1.0-runtime-ubuntu22.04`, an NGC `nvcr.io/nvidia/pytorch:24.07-py3`) moves
    at most to a patched rebuild of that release: not reported.

    ## Known limitations
    Images named through an `ARG` without a default are not checked; stage names of a
    multi-stage build are recognised and skipped. A bare name that is none of Docker Hub's
    official images (`xgboost-base:1.7`, see `rules/knowledge/container_images.yaml`) cannot be
    pulled by that name: it is an image the repository builds itself, and it is pinned where it
    is built. A development container (`.devcontainer/`, `Dockerfile.codespace`,
    `.gitpod.Dockerfile`) is the editor's environment, not one that trains or serves: not
    checked. So is an image the repository builds and pushes itself (`docker build -t
    org/name`, `docker tag`, a `docker/build-push-action` step's `tags:`): a CI job that runs
    on its `latest` tests the repository's own newest build.

    ## References
    - Docker docs, "Image digests" and Dockerfile best practices ("pin base image versions")
    - Arpteg et al. 2018, Software Engineering Challenges of Deep Learning (dependency management)
    """

    id = "MLD603"
    name = "floating-base-image"
    category = Category.DEPENDENCY_MANAGEMENT
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    INVALID = [
        Invalid("FROM pytorch/pytorch:latest\n", path="Dockerfile", line=1, message="`latest`"),
        Invalid("FROM ubuntu\nRUN apt-get update\n", path="Dockerfile", line=1),
        Invalid("FROM nvidia/cuda:12.1-runtime-ubuntu22.04\n", path="Dockerfile", message="digest"),
        Invalid("ARG BASE=nvidia/cuda:latest\nFROM ${BASE} AS build\n", path="Dockerfile", line=2),
        Invalid("FROM ubuntu:22.04\n", path="Dockerfile", line=1, message="pinned by tag only"),
        Invalid("jobs:\n  test:\n    container: pytorch/pytorch:latest\n", path=".github/workflows/ci.yml", line=3),
        Invalid("FROM python:3.11-slim\n", path="Dockerfile", line=1, message="pinned by tag only"),
        Invalid("FROM docker.io/library/python\n", path="Dockerfile", line=1, message="no tag"),
        # The image's name fixes the release line its latest build follows: a note.
        Invalid("FROM gcr.io/kubeflow-images-public/tensorflow-1.8.0-notebook-cpu\n", path="Dockerfile", line=1,
                message="its name fixes release `1.8.0`"),
        Invalid("FROM gcr.io/deeplearning-platform-release/tf2-cpu.2-3\n", path="tfx-cli/Dockerfile",
                message="release `2-3`"),
        Invalid("FROM continuumio/miniconda3:latest\n", path="Dockerfile", message="the `latest` tag"),
        # A development stage or a dev requirements name is no development container.
        Invalid("FROM python:3.11-slim\n", path="docker/Dockerfile.dev", line=1),
    ]
    VALID = [
        Valid(f"FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04{_DIGEST}\n", path="Dockerfile"),
        Valid(f"FROM python:3.11{_DIGEST} AS build\nFROM build\nCOPY . /app\n", path="Dockerfile"),
        Valid("FROM scratch\nCOPY app /app\n", path="Dockerfile"),
        Valid("ARG BASE\nFROM $BASE\n", path="Dockerfile"),
        # Tags that name one exact release.
        Valid("FROM python:3.9.7-slim\n", path="Dockerfile"),
        Valid("FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04 AS build\nFROM nvcr.io/nvidia/pytorch:24.07-py3\n",
              path="Dockerfile"),
        # Images the repository builds itself: a base image, the image a CI job builds and pushes.
        Valid("FROM xgboost-container-base:1.7-1-1-cpu-py3\nCOPY . /app\n", path="docker/1.7/final/Dockerfile",
              files={"docker/1.7/base/Dockerfile": f"FROM ubuntu:22.04{_DIGEST}\n"}),
        Valid("jobs:\n  push:\n    steps:\n      - run: docker build --tag mlops-basics .\n"
              "      - uses: org/ecr-push@v1\n        with:\n          image: mlops-basics:latest\n",
              path=".github/workflows/build.yaml"),
        Valid("jobs:\n  gpu:\n    container:\n      image: huggingface/peft-gpu:latest\n", path=".github/workflows/nightly.yml",
              files={".github/workflows/docker.yml": "jobs:\n  build:\n    steps:\n      - uses: docker/build-push-action@v6\n"
                     "        with:\n          context: ./docker/peft-gpu\n          tags: huggingface/peft-gpu\n"}),
        # Development containers: the editor's environment.
        Valid("FROM mcr.microsoft.com/devcontainers/python:1-3-bookworm\n", path=".devcontainer/Dockerfile"),
        Valid("FROM zenmldocker/zenml-sandbox:latest\n", path="demo/Dockerfile.codespace"),
        Valid("FROM gitpod/workspace-full\n", path=".gitpod.Dockerfile"),
        Valid("FROM org/app-base:latest\nCOPY . /app\n", path="app/Dockerfile",
              files={"scripts/build.sh": "docker build -t org/app-base:latest -f base/Dockerfile .\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        table = load_table("container_images")
        official = frozenset(table["official"])
        built = {name for _, name in project.built_images()}
        for path, image in project.images():
            if development_container(path):
                continue  # the editor's environment: it tracks the latest tooling on purpose
            if image.digest or image.name in built or ("/" not in image.name and image.name.lower() not in official):
                continue
            if image.tag not in (None, "latest") and _exact_release(image, table["release_tag_registries"]):
                continue
            release = _release_in_name(image.name)
            if image.tag in (None, "latest") and release:
                what = "no tag" if image.tag is None else "the `latest` tag"
                yield ProjectFinding(
                    image.line,
                    f"image `{image.reference}` has {what}; its name fixes release `{release}`, but the "
                    "build under it is re-pushed",
                    hint="pin a version tag and its digest (`image:tag@sha256:...`)",
                    severity=Severity.INFO,
                    confidence=Confidence.MEDIUM,
                    path=path,
                )
            elif image.tag in (None, "latest"):
                what = "no tag" if image.tag is None else "the `latest` tag"
                yield ProjectFinding(
                    image.line,
                    f"image `{image.reference}` has {what}: every build may get a different image",
                    hint="pin a version tag and its digest (`image:tag@sha256:...`)",
                    path=path,
                )
            else:
                yield ProjectFinding(
                    image.line,
                    f"image `{image.reference}` is pinned by tag only; tags are re-pushed",
                    hint="add the digest (`docker buildx imagetools inspect` shows it): `image:tag@sha256:...`",
                    severity=Severity.INFO,
                    confidence=Confidence.MEDIUM,
                    path=path,
                )


#: A three-part release in a tag (`3.9.7`, `12.6.3`): `python:3.9.7-slim`, not `python:3.9-slim`.
_EXACT_VERSION = re.compile(r"(?<![\d.])\d+\.\d+\.\d+(?![\d.])")


#: A release in an image's name: `tensorflow-1.8.0-notebook-cpu`, `pytorch-1.11-cuda11.3`, and
#: Google's deep learning containers' `tf2-cpu.2-3` (TensorFlow 2.3). `python3` is no release.
_NAMED_RELEASE = re.compile(r"(?<![\w.])\d+\.\d+(?:\.\d+)?(?![\d.])|(?<=\.)\d+-\d+$")


def _release_in_name(name: str) -> str | None:
    """The release the last part of an image's name fixes, if any."""
    found = _NAMED_RELEASE.search(name.rsplit("/", 1)[-1])
    return found.group(0) if found else None


def _exact_release(image: Image, release_registries: list[str]) -> bool:
    """The tag names one release (`python:3.9.7-slim`, an NGC `24.07-py3`): rebuilt at most with
    patches of the same release, not moved to the next one like `python:3.9` or `ubuntu:22.04`."""
    if image.name.startswith(tuple(release_registries)):
        return True
    return bool(_EXACT_VERSION.search(image.tag or ""))
