from collections.abc import Iterator

from mldebt.rules.dependency_management import docker_requirements_file, framework_replacement, is_gpu_package, is_pinned

from mldebt.discover import FileKind
from mldebt.knowledge import load_table
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid


class ReinstalledGpuFramework(ProjectRule):
    """A Dockerfile on a CUDA base image installs an open-range deep-learning framework from `-r requirements.txt`.

    ## Why it matters
    `FROM pytorch/pytorch:2.8.0-cuda12.8-...` ships a torch built for that CUDA. A later
    `pip install -r requirements.txt` whose file says `torch>=1.8` keeps it only while it
    satisfies the range and nothing asks for an upgrade: `--upgrade` (or a range the image's
    torch falls outside) fetches another build from PyPI, possibly for another CUDA, a gigabyte
    larger, on the next rebuild. On an image whose framework version its tag does not say (an
    NGC release, `latest`) or that ships none (`nvidia/cuda`), what pip does depends on
    whatever the image holds that day. Pin the framework to the image's version in the
    requirements, or leave it out of what the image installs.

    An image that ships a framework version inside the range, installed without an upgrade
    option, is left alone: pip keeps the image's build.

    ## Known limitations
    The requirements file is found by its name next to the Dockerfile or at the repository
    root (the usual build context). Base images are recognised as CUDA images by their tag,
    and their framework version from `rules/knowledge/container_images.yaml`.

    ## References
    - Arpteg et al. 2018, Software Engineering Challenges of Deep Learning (dependency management)
    - PyTorch docs, "Get Started: previous versions" (builds per CUDA version)
    - pip docs, "pip install --upgrade" (an installed package that satisfies a requirement is kept)
    """

    id = "MLD609"
    name = "reinstalled-gpu-framework"
    category = Category.DEPENDENCY_MANAGEMENT
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    INVALID = [
        Invalid("FROM pytorch/pytorch:2.8.0-cuda12.8-cudnn9-runtime\nCOPY requirements.txt .\n"
                "RUN pip install --no-cache -U -r requirements.txt\n", path="docker/Dockerfile", line=3,
                message="`--upgrade`", files={"requirements.txt": "numpy>=1.23\ntorch>=1.8.0\n"}),
        Invalid("FROM pytorch/pytorch:2.1.2-cuda12.1-cudnn8-runtime\nRUN pip install -r requirements.txt\n",
                path="Dockerfile", line=2, message="outside that range", files={"requirements.txt": "torch>=2.4\n"}),
        Invalid("FROM nvcr.io/nvidia/pytorch:24.01-py3\nRUN pip install -r requirements.txt\n", path="Dockerfile",
                message="may replace", files={"requirements.txt": "torch>=1.8.0\n"}),
        Invalid("FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN pip install -r requirements.txt\n", path="Dockerfile",
                message="ships no framework", files={"requirements.txt": "torch\n"}),
    ]
    VALID = [
        Valid("FROM pytorch/pytorch:2.8.0-cuda12.8-cudnn9-runtime\nRUN pip install -r requirements.txt\n",
              path="Dockerfile", files={"requirements.txt": "torch==2.8.0\nnumpy>=1.23\n"}),
        Valid("FROM python:3.11-slim\nRUN pip install -r requirements.txt\n", path="Dockerfile",
              files={"requirements.txt": "torch>=2.1\n"}),
        Valid("FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN pip install -r requirements.txt\n", path="Dockerfile",
              files={"requirements.txt": "numpy>=1.23\n"}),
        # The image's torch satisfies the range (or no range at all) and nothing upgrades: pip keeps it.
        Valid("FROM nvcr.io/nvidia/pytorch:26.01-py3\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n",
              path="examples/te/Dockerfile", files={"examples/te/requirements.txt": "torch\ntransformers\n"}),
        Valid("FROM pytorch/pytorch:2.8.0-cuda12.8-cudnn9-runtime\nCOPY requirements.txt .\n"
              "RUN pip install --no-cache -r requirements.txt\n", path="docker/Dockerfile",
              files={"requirements.txt": "numpy>=1.23\ntorch>=1.8.0\ntorchvision>=0.9.0\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        locked = project.locked_names()
        images = load_table("container_images")["framework_images"]
        for path, (kind, facts) in project.files.items():
            if kind != FileKind.DOCKERFILE:
                continue
            # A CUDA image: its tag says so, or it is an NGC framework release (all CUDA builds).
            image = next((i for i in facts.images if "cuda" in f"{i.name}:{i.tag}".lower()
                          or i.name.startswith("nvcr.io/nvidia/") and i.name in images), None)
            if image is None:
                continue
            shipped = images.get(image.name.removeprefix("docker.io/"))
            for reference in facts.requirement_files:
                target = docker_requirements_file(project, path, reference.path)
                if target is None:
                    continue
                loose = [
                    r for r in project.files[target][1].requirements
                    if is_gpu_package(r) and not is_pinned(r) and r.name not in locked
                ]
                # Companion packages (torchvision) follow what happens to the framework itself.
                if shipped is not None:
                    framework = [r for r in loose if r.name == shipped["package"]]
                    why = framework_replacement(framework[0], image, shipped, reference.upgrade) if framework else None
                else:
                    why = f"`{image.name}` ships no framework, so pip takes the newest build from PyPI, whichever CUDA it was built for" if loose else None
                if why is None:
                    continue
                shown = ", ".join(f"`{r.text or r.name}`" for r in loose)
                yield ProjectFinding(
                    reference.line,
                    f"`-r {reference.path}` installs {shown} on `{image.name}:{image.tag}`: {why}",
                    hint="pin the framework to the image's version in that file, or leave it out of the image's install",
                    path=path,
                    related=tuple((target, r.line) for r in loose),
                )
