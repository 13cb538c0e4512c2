import re
from collections.abc import Iterator

from mldebt.rules.dependency_management import application_requirements, build_chosen_on_line, gpu_stack, image_keeps

from mldebt.extract.manifests import cuda_from_cu_tag
from mldebt.knowledge import load_table
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_CONDA_CUDA = ("cudatoolkit", "pytorch-cuda", "cuda-version", "cuda-toolkit")
_GPU_CODE = "import torch\nmodel = Net().cuda()\n"
#: A repository that says which CUDA it runs on: a CUDA base image that ships no framework.
_ON_CUDA_11 = {"train.py": _GPU_CODE, "Dockerfile": "FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04\n"}


class UnspecifiedCudaVariant(ProjectRule):
    """Leaves the CUDA build of the GPU stack to chance in a repository whose code uses CUDA.

    ## Why it matters
    `pip install torch` picks whichever CUDA build PyPI's default wheel has for that release
    (CUDA 12.x today, another tomorrow); conda picks a CPU or GPU build by solver whim unless
    `pytorch-cuda`/`cudatoolkit` is pinned. The result runs on one machine and not the next.
    Pin the build with a local version (`torch==2.4.1+cu121`), a CUDA index URL
    (`--index-url https://download.pytorch.org/whl/cu121`, a uv index), `jax[cuda12]`, or a
    pinned conda `pytorch-cuda`. `tensorflow-gpu` is reported everywhere: it is deprecated.

    ## Known limitations
    The index's default build is reported only where the repository says which CUDA it runs
    on (a CUDA base image, a conda CUDA package, a `-cu12` library) and could get another: a
    repository that names no CUDA anywhere takes the default on purpose, and an image that
    ships its own framework build (`pytorch/pytorch:...-cuda12.8-...`) keeps it
    (`reinstalled-gpu-framework` reports when pip would replace it). A development container's
    manifests (`.devcontainer/`, `Dockerfile.codespace`) are not judged.

    Only checked when code outside tests uses CUDA (`.cuda()`, a `"cuda"` device). Library
    metadata (pyproject, setup.py, a package's root requirements) is not checked, and a
    requirements file nothing installs, deeper in the tree (an example's), is not checked:
    the build matters where an environment is built (see `unpinned-gpu-framework`). A CUDA base image that already ships torch
    is not taken as the choice.

    ## References
    - PyTorch docs, "Get started" install matrix (CUDA-specific index URLs)
    - Arpteg et al. 2018, Software Engineering Challenges of Deep Learning (dependency management)
    """

    id = "MLD602"
    name = "unspecified-cuda-variant"
    category = Category.DEPENDENCY_MANAGEMENT
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    INVALID = [
        Invalid("torch==2.4.1\n", path="requirements.txt", line=1, message="CUDA build", files=_ON_CUDA_11),
        Invalid("jax[cuda]==0.4.30\n", path="requirements.txt", message="`jax[cuda12]`", files={"train.py": _GPU_CODE}),
        Invalid("tensorflow-gpu==2.10.0\n", path="requirements.txt", message="deprecated"),
        Invalid("dependencies:\n  - pytorch=2.4\n  - cudatoolkit\n", path="environment.yml", line=3,
                files={"train.py": _GPU_CODE}),
    ]
    VALID = [
        Valid("torch==2.4.1\n", path="requirements.txt",
              files={"train.py": _GPU_CODE, "setup.cfg": "[options]\ninstall_requires =\n    torch>=2.1\n"}),
        Valid("torch==2.4.1+cu121\n", path="requirements.txt", files=_ON_CUDA_11),
        Valid("torch==2.7.1\nnvidia-cublas-cu12==12.6.4.1\n", path="requirements.txt", files=_ON_CUDA_11),
        # Nothing names a CUDA version: the index's default is the only choice on offer.
        Valid("torch==2.4.1\n", path="requirements.txt", files={"train.py": _GPU_CODE}),
        # Installed only on an image that ships its own torch build, which pip keeps.
        Valid("torch\n", path="examples/te/requirements.txt", files={
            "train.py": _GPU_CODE, "Dockerfile": "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\n",
            "examples/te/Dockerfile": "FROM nvcr.io/nvidia/pytorch:26.01-py3\nRUN pip install -r requirements.txt\n"}),
        # The only CUDA named is an image that ships its own torch build.
        Valid("torch>=1.8.0\n", path="requirements.txt",
              files={"train.py": _GPU_CODE, "docker/Dockerfile": "FROM pytorch/pytorch:2.8.0-cuda12.8-cudnn9-runtime\n"
                     "COPY requirements.txt .\nRUN pip install -r requirements.txt\n"}),
        Valid("--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.4.1\n", path="requirements.txt",
              files=_ON_CUDA_11),
        Valid("torch==2.4.1\n", path="requirements.txt", files={"train.py": "import torch\nx = torch.zeros(3)\n"}),
        Valid("jax[cuda12]==0.4.30\n", path="requirements.txt", files={"train.py": _GPU_CODE}),
        Valid("FROM python:3.11\nRUN pip install torch==2.4.1 --index-url https://download.pytorch.org/whl/cpu\n",
              path="Dockerfile", files={"train.py": _GPU_CODE}),
        Valid("dependencies:\n  - pytorch=2.4\n  - pytorch-cuda=12.1\n", path="environment.yml",
              files={"train.py": _GPU_CODE}),
        # A development container takes the index's default build, as the editor's environment.
        Valid("FROM python:3.11\nRUN pip install torch==2.4.1\n", path="demo/Dockerfile.codespace", files=_ON_CUDA_11),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        deprecated = gpu_stack()["deprecated"]
        for path, requirement in project.requirements():
            if requirement.name in deprecated:
                yield ProjectFinding(
                    requirement.line, f"`{requirement.name}` is deprecated", hint=deprecated[requirement.name], path=path
                )
        if not project.uses_cuda():
            return
        cuda_indexes = any(cuda_from_cu_tag(index.url.replace("/", " ")) for _, index in project.indexes())
        targets_cuda = _names_cuda(project)
        for path, requirement, severity in application_requirements(project):
            name = requirement.name
            if name in gpu_stack()["cuda_variant_packages"] and requirement.source == "pip":
                chosen = (requirement.local_version or build_chosen_on_line(project, path, requirement.line)
                          or _pins_cuda_runtime(project, path))
                if not chosen and not cuda_indexes and targets_cuda and not image_keeps(project, path, requirement):
                    yield ProjectFinding(
                        requirement.line,
                        f"the CUDA build of `{name}` is left to the package index's default",
                        hint=f"pin the build (`{name}==X.Y.Z+cu121`) or add the CUDA index "
                        "(`--extra-index-url https://download.pytorch.org/whl/cu121`)",
                        path=path,
                        severity=severity,
                    )
            elif name == "jax" and "cuda" in requirement.extras:
                yield ProjectFinding(
                    requirement.line,
                    "`jax[cuda]` does not say which CUDA major version to install",
                    hint="name the major: `jax[cuda12]`",
                    path=path,
                    severity=severity,
                )
            elif requirement.source == "conda" and name in _CONDA_CUDA and not requirement.specifier:
                yield ProjectFinding(
                    requirement.line,
                    f"conda `{name}` is not pinned, so the solver picks the CUDA version",
                    hint=f"pin it to the CUDA version the repository targets (`{name}=12.1`)",
                    path=path,
                    severity=severity,
                )


def _names_cuda(project: Project) -> bool:
    """Some file says which CUDA the repository runs on, other than a base image that ships its
    own framework build (whose build the image decides)."""
    shipping = load_table("container_images")["framework_images"]
    for _, (_, facts) in project.files.items():
        from_images = {i.line for i in facts.images if i.name.removeprefix("docker.io/") in shipping}
        if any(version.line not in from_images for version in facts.cuda_versions):
            return True
    return False


def _pins_cuda_runtime(project: Project, manifest: str) -> bool:
    """The manifest pins the CUDA runtime wheels torch builds on (`nvidia-cublas-cu12==...`):
    the build is chosen there."""
    return any(re.search(r"-cu\d+$", r.name) and r.specifier.startswith("==")
               for r in project.files[manifest][1].requirements)
