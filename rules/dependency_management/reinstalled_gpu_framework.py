import posixpath
from collections.abc import Iterator

from mldebt.rules.dependency_management import is_gpu_package, is_pinned

from mldebt.discover import FileKind
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid


class ReinstalledGpuFramework(ProjectRule):
    """A Dockerfile on a CUDA base image installs an open-range deep-learning framework from `-r requirements.txt`.

    ## Why it matters
    `FROM pytorch/pytorch:2.8.0-cuda12.8-...` ships a torch built for that CUDA. A later
    `pip install -r requirements.txt` whose file says `torch>=1.8` lets pip decide whether to
    keep it or to fetch another build from PyPI, possibly for another CUDA, a gigabyte larger,
    on the next rebuild. Pin the framework to the image's version in the requirements, or
    leave it out of what the image installs.

    ## Known limitations
    The requirements file is found by its name next to the Dockerfile or at the repository
    root (the usual build context). Base images are recognised as CUDA images by their tag.

    ## References
    - Arpteg et al. 2018, Software Engineering Challenges of Deep Learning (dependency management)
    - PyTorch docs, "Get Started: previous versions" (builds per CUDA version)
    """

    id = "MLD609"
    name = "reinstalled-gpu-framework"
    category = Category.DEPENDENCY_MANAGEMENT
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    INVALID = [
        Invalid("FROM pytorch/pytorch:2.8.0-cuda12.8-cudnn9-runtime\nCOPY requirements.txt .\n"
                "RUN pip install --no-cache -r requirements.txt\n", path="docker/Dockerfile", line=3,
                message="`torch>=1.8.0`", files={"requirements.txt": "numpy>=1.23\ntorch>=1.8.0\n"}),
    ]
    VALID = [
        Valid("FROM pytorch/pytorch:2.8.0-cuda12.8-cudnn9-runtime\nRUN pip install -r requirements.txt\n",
              path="Dockerfile", files={"requirements.txt": "torch==2.8.0\nnumpy>=1.23\n"}),
        Valid("FROM python:3.11-slim\nRUN pip install -r requirements.txt\n", path="Dockerfile",
              files={"requirements.txt": "torch>=2.1\n"}),
        Valid("FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN pip install -r requirements.txt\n", path="Dockerfile",
              files={"requirements.txt": "numpy>=1.23\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        locked = project.locked_names()
        for path, (kind, facts) in project.files.items():
            if kind != FileKind.DOCKERFILE or not facts.cuda_versions:
                continue
            image = next((i for i in facts.images if "cuda" in f"{i.name}:{i.tag}".lower()), None)
            for reference in facts.requirement_files:
                target = self._requirements_file(project, path, reference.path)
                if target is None:
                    continue
                loose = [
                    r for r in project.files[target][1].requirements
                    if is_gpu_package(r) and not is_pinned(r) and r.name not in locked
                ]
                if loose and image is not None:
                    shown = ", ".join(f"`{r.text or r.name}`" for r in loose)
                    yield ProjectFinding(
                        reference.line,
                        f"`-r {reference.path}` installs {shown} over the CUDA build that "
                        f"`{image.name}:{image.tag}` ships: pip may replace it with another build",
                        hint="pin the framework to the image's version in that file, or leave it out of the image's install",
                        path=path,
                        related=tuple((target, r.line) for r in loose),
                    )

    @staticmethod
    def _requirements_file(project: Project, dockerfile: str, written: str) -> str | None:
        """The requirements file `-r written` reads: next to the Dockerfile, else at the root."""
        name = written.lstrip("./")
        for candidate in (posixpath.join(posixpath.dirname(dockerfile), name), name):
            if candidate in project.files and project.kind(candidate) == FileKind.REQUIREMENTS:
                return candidate
        return None
