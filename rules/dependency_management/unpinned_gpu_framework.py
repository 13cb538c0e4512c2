from collections.abc import Iterator

from mldebt.rules.dependency_management import application_requirements, gpu_stack, image_keeps, is_gpu_package, is_pinned

from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid


class UnpinnedGpuFramework(ProjectRule):
    """Installs a deep-learning framework or GPU library with no version, or an open-ended range.

    ## Why it matters
    GPU stacks move every few weeks, and each framework release is built against particular
    CUDA, cuDNN and NCCL versions. A requirement such as `torch>=2.0` installs whatever is
    newest on the day of the build, so the same commit trains a different model (or fails to
    start) a month later. A lock file (uv.lock, poetry.lock, pdm.lock, conda-lock.yml,
    Pipfile.lock, or a pip-compile output with hashes) that pins the package counts as pinned.
    So does a base image that ships the framework, for requirements only its Dockerfiles
    install, when pip keeps the image's build (`reinstalled-gpu-framework` reports otherwise).

    ## Known limitations
    Pinning is judged where an environment is built: Dockerfiles, conda environments,
    requirements files a Dockerfile (or another installed file) installs, and the
    root requirements of an application (warnings). A requirements file nothing installs,
    deeper in the tree (an example's, tracking the latest release on purpose), is not checked.
    Library metadata (`[project] dependencies`, `setup.cfg`, `setup.py`) is not checked: a
    library should accept ranges. Root requirements nothing installs, beside package metadata
    that declares its install requirements (a library's or a template's list), are a note. Neither
    are installs in CI workflows, which often test against the newest releases on purpose, nor
    a development container's (`.devcontainer/`, `Dockerfile.codespace`): the editor's environment.
    A version pinned (`==`) by a `-c` constraints file counts as pinned, and so does a library
    released in lockstep with a framework (`torchvision`, `torchaudio`: `lockstep` in
    `gpu_stack.yaml`) beside a pin of that framework in the same file: each of its releases
    requires one framework release, so the installer resolves the matching one. Versions fixed
    only by a base image are not seen.

    ## References
    - Arpteg et al. 2018, Software Engineering Challenges of Deep Learning (dependency management)
    - Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems
    - pip docs, "Repeatable installs"
    """

    id = "MLD601"
    name = "unpinned-gpu-framework"
    category = Category.DEPENDENCY_MANAGEMENT
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    INVALID = [
        # A lockstep library is pinned only by a pin of its framework.
        Invalid("torch>=2.1\ntorchvision\n", path="requirements.txt", line=2, message="`torchvision`"),
        # A requirements file a Dockerfile installs builds an environment (on an image that ships
        # torch too, when the install upgrades it).
        Invalid("torch>=2.1\n", path="serving/requirements.txt", line=1, files={
            "serving/Dockerfile": "FROM pytorch/pytorch:2.4.1-cuda12.1-cudnn9-runtime\nCOPY requirements.txt .\n"
                                  "RUN pip install -U -r requirements.txt\n"}),
        Invalid("torch>=2.1\n", path="serving/requirements.txt", line=1, files={
            "serving/Dockerfile": "FROM python:3.11\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"}),
        Invalid("numpy==1.26.4\ntorch>=2.1\n", path="requirements.txt", line=2, message="`torch>=2.1`"),
        # Root requirements a Dockerfile installs build an environment, package metadata or not.
        Invalid("torch>=1.8.0\n", path="requirements.txt", line=1, files={
            "pyproject.toml": "[project]\nname = 'app'\ndependencies = ['torch>=1.8.0']\n",
            "docker/Dockerfile": "FROM python:3.11\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"}),
        # Package metadata without install requirements says nothing about what the app needs.
        Invalid("torch>=2.1\n", path="requirements.txt", line=1,
                files={"setup.py": "from setuptools import setup\nsetup(name='app', packages=['app'])\n"}),
        Invalid("torch\n", path="requirements-gpu.txt"),
        Invalid("dependencies:\n  - python=3.11\n  - pytorch\n  - pip:\n    - xformers>=0.0.23\n",
                path="environment.yml", line=5),
        Invalid("FROM python:3.11-slim@sha256:" + "a" * 64 + "\nRUN pip install --no-cache-dir torch torchvision==0.19.1\n",
                path="Dockerfile", line=2, message="`torch`"),
    ]
    VALID = [
        # torchvision and torchaudio follow the torch pinned beside them (OLMo's conda line).
        Valid("torch==2.2.2\ntorchvision\ntorchaudio\n", path="requirements.txt"),
        Valid(f"FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04@sha256:{'0' * 64}\n"
              "RUN conda install -y pytorch==2.2.2 torchvision torchaudio pytorch-cuda=12.1 -c pytorch -c nvidia\n",
              path="Dockerfile"),
        # Installed only on an image that ships torch, which satisfies the requirement: its torch stays.
        Valid("torch\ntransformers\n", path="examples/te/requirements.txt", files={
            "examples/te/Dockerfile": "FROM nvcr.io/nvidia/pytorch:26.01-py3\nCOPY requirements.txt .\n"
                                      "RUN pip install --no-cache-dir -r requirements.txt\n"}),
        # An example's requirements, installed by nothing: they track the latest release on purpose.
        Valid("torch\n", path="examples/mnist/requirements.txt"),
        # A library's install requirements: ranges are right there.
        Valid("torch\nnumpy\n", path="requirements.txt",
              files={"setup.py": "from setuptools import setup\nsetup(name='lib', install_requires=['torch>=2.0'])\n"}),
        # Pinned by the constraints file the requirements name.
        Valid("-c constraints.txt\ntorch>=2.1\n", path="requirements.txt", files={"constraints.txt": "torch==2.4.1\n"}),
        Valid("torch==2.4.1\ntorchvision==0.19.1  # pinned\nnumpy>=1.24\n", path="requirements.txt"),
        Valid("torch~=2.4.1\njax[cuda12]==0.4.30\ntorchvision >=0.16.0, <0.20.0\n", path="requirements.txt"),
        Valid("dependencies:\n  - pytorch=2.4\n  - pip:\n    - tensorflow==2.16.1\n", path="environment.yml"),
        Valid('[project]\nname = "lib"\ndependencies = ["torch>=2.0"]\n', path="pyproject.toml"),
        Valid("torch>=2.1\n", path="requirements.txt",
              files={"uv.lock": 'version = 1\n[[package]]\nname = "torch"\nversion = "2.4.1"\n'}),
        Valid("torch>=2.1  # mldebt: ignore[MLD601]\n", path="requirements.txt"),
        Valid("deepspeed @ git+https://github.com/org/DeeperSpeed.git@91d1c55\n", path="requirements.txt"),
        # `--no-binary flash-attn` names the package an option applies to; the pin follows.
        Valid("FROM python:3.11-slim@sha256:" + "a" * 64 + "\n"
              "RUN pip install --no-build-isolation --no-binary flash-attn flash-attn==2.5.6\n", path="Dockerfile"),
        Valid("jobs:\n  t:\n    steps:\n      - run: pip install --pre torch\n", path=".github/workflows/nightly.yml"),
        # A development container (Codespaces, Dev Containers) tracks the latest tooling on purpose.
        Valid("FROM python:3.11\nRUN pip install torch bitsandbytes\n", path="demo/Dockerfile.codespace"),
        Valid("FROM python:3.11\nRUN pip install torch\n", path=".devcontainer/Dockerfile"),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        locked = project.locked_names()
        lockstep = gpu_stack()["lockstep"]
        for path, requirement, severity in application_requirements(project, include_ci=False):
            if requirement.name in ("cudatoolkit", "pytorch-cuda", "cuda-version", "cuda-toolkit"):
                continue  # the CUDA-variant rule owns these
            if requirement.name in lockstep and _pins(project, path, lockstep[requirement.name]):
                continue  # `torch==2.2.2 torchvision`: the installer picks the torchvision of that torch
            if (is_gpu_package(requirement) and not is_pinned(requirement) and requirement.name not in locked
                    and not image_keeps(project, path, requirement)):
                shown = requirement.text or requirement.name
                yield ProjectFinding(
                    requirement.line,
                    f"`{shown}` leaves the {requirement.name} version open and no lock file pins it",
                    hint=f"pin a version (`{requirement.name}==X.Y.Z`), bound the range, or commit a lock file",
                    path=path,
                    severity=severity,
                )


def _pins(project: Project, path: str, framework: str) -> bool:
    """Whether the manifest at `path` pins `framework` (`torch`, conda's `pytorch`)."""
    names = {framework, "pytorch"} if framework == "torch" else {framework}
    return any(r.name in names and is_pinned(r) for r in project.files[path][1].requirements)
