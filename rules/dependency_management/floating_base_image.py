from collections.abc import Iterator

from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_DIGEST = "@sha256:" + "0" * 64


class FloatingBaseImage(ProjectRule):
    """Builds or runs on a container image by a reference that can change under it.

    ## Why it matters
    A base image with no tag or `:latest` is whatever was pushed last; a tag such as
    `nvidia/cuda:12.1.0-runtime-ubuntu22.04` is re-pushed with security updates and new
    driver libraries. For GPU images that changes CUDA, cuDNN and NCCL under a model that was
    validated on the old ones. Only a `@sha256:` digest is immutable. A tag without a digest
    is reported as info; no tag, or `latest`, as a warning.

    ## Known limitations
    Images named through an `ARG` without a default are not checked; stage names of a
    multi-stage build are recognised and skipped.

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
        Invalid("FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\n", path="Dockerfile", message="digest"),
        Invalid("ARG BASE=nvidia/cuda:12.1.0-devel-ubuntu22.04\nFROM ${BASE} AS build\n", path="Dockerfile", line=2),
        Invalid("jobs:\n  test:\n    container: pytorch/pytorch:latest\n", path=".github/workflows/ci.yml", line=3),
    ]
    VALID = [
        Valid(f"FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04{_DIGEST}\n", path="Dockerfile"),
        Valid(f"FROM python:3.11{_DIGEST} AS build\nFROM build\nCOPY . /app\n", path="Dockerfile"),
        Valid("FROM scratch\nCOPY app /app\n", path="Dockerfile"),
        Valid("ARG BASE\nFROM $BASE\n", path="Dockerfile"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        for path, image in project.images():
            if image.digest:
                continue
            if image.tag in (None, "latest"):
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
