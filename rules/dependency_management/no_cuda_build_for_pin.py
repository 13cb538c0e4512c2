from collections.abc import Iterator

from mldebt.rules.dependency_management import Environments, cpu_build, gpu_stack
from packaging.version import InvalidVersion, Version

from mldebt.extract.facts import CudaVersion, Requirement
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_DIGEST = "@sha256:" + "0" * 64
_INSTALL = "RUN pip install -r requirements.txt\n"
_EXTENSION = "ENV TORCH_CUDA_ARCH_LIST=8.0\nRUN pip install --no-build-isolation -e .\n"


def _pinned_minor(specifier: str) -> str | None:
    """`2.4` for `==2.4.1`, `==2.4.1+cu121` or `==2.4.*`; None for ranges."""
    if not specifier.startswith("==") or "," in specifier:
        return None
    text = specifier.lstrip("=").split("+", 1)[0].rstrip(".*")
    try:
        release = Version(text).release
    except InvalidVersion:
        return None
    return f"{release[0]}.{release[1]}" if len(release) >= 2 else None


class NoCudaBuildForPin(ProjectRule):
    """Pins a framework release that has no build for the CUDA version the repository selects for it.

    ## Why it matters
    PyTorch publishes each release for a few CUDA versions only (2.1: 11.8 and 12.1; 2.6:
    11.8, 12.4 and 12.6); TensorFlow is built and tested against one. Where the environment
    asks for a build of the pinned release that does not exist (`torch==2.0.1+cu121`, a
    `download.pytorch.org/whl/cu124` index beside `torch==2.1.2`, conda `pytorch=2.1` with
    `pytorch-cuda=12.4`), pip or conda fails to resolve it, or silently falls back to another
    build. Where CUDA code is compiled against the image's toolkit with that torch (a `-devel`
    image that runs `nvcc`, sets `TORCH_CUDA_ARCH_LIST` or builds `flash-attn`), the toolkit
    and torch's own CUDA disagree and the build fails. A torch wheel from PyPI otherwise brings
    its own CUDA runtime: it runs on an image of another CUDA version given a new enough
    driver, so the image's CUDA alone is no mismatch. TensorFlow before `tensorflow[and-cuda]`
    loads the system's CUDA libraries, so for it the image's CUDA is the one it runs on. The
    table of builds is `rules/knowledge/gpu_stack.yaml`, with its sources.

    ## Evidence
    The pin and the CUDA version belong to one environment (`Environments`): the same file
    (`torch==2.0.1+cu121`), a Dockerfile or CI job that installs the requirements file. A pin
    beside an unrelated image is not judged. For torch, the CUDA version counts only where it
    selects torch's build (a `+cuXXX` tag, a `whl/cuXXX` index; for conda's `pytorch`,
    `pytorch-cuda=`/`cudatoolkit=`) or is a toolkit compiled against (`CudaVersion.compiled`:
    a `-devel` Dockerfile stage that builds CUDA code).

    ## Known limitations
    Only exact pins are checked, against CUDA versions with a minor (`12.1`, not `12`);
    releases missing from the table are not judged. A CUDA build the Dockerfile does not show
    (`pip install -e .` of a package whose `setup.py` declares a `CUDAExtension`, a CI job on a
    `-devel` container) is not taken as compiling.

    ## References
    - pytorch.org, "Previous PyTorch Versions"; tensorflow.org, "Tested build configurations"
    - Arpteg et al. 2018, Software Engineering Challenges of Deep Learning (dependency management)
    """

    id = "MLD605"
    name = "no-cuda-build-for-pin"
    category = Category.DEPENDENCY_MANAGEMENT
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    INVALID = [
        Invalid("torch==2.1.2\n", path="requirements.txt", line=1, message="CUDA 12.4",
                files={"Dockerfile": f"FROM nvidia/cuda:12.4.1-devel-ubuntu22.04{_DIGEST}\n{_INSTALL}{_EXTENSION}"}),
        Invalid("torch==2.0.1+cu121\n", path="requirements.txt", message="11.7, 11.8"),
        Invalid("--index-url https://download.pytorch.org/whl/cu124\ntorch==2.1.2\n", path="requirements.txt",
                line=2, message="CUDA 12.4"),
        Invalid("dependencies:\n  - pytorch=2.1.2\n  - pytorch-cuda=12.4\n", path="environment.yml", line=2),
        Invalid("tensorflow==2.14.1\n", path="requirements.txt",
                files={"Dockerfile": f"FROM nvidia/cuda:12.2.2-runtime-ubuntu22.04{_DIGEST}\n{_INSTALL}"}),
    ]
    VALID = [
        Valid("torch==2.1.2+cu121\n", path="requirements.txt",
              files={"Dockerfile": f"FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04{_DIGEST}\n"}),
        Valid("torch==2.4.1\n", path="requirements.txt", files={"Dockerfile": f"FROM nvidia/cuda:12{_DIGEST}\n"}),
        Valid("torch>=2.1\n", path="requirements.txt",
              files={"Dockerfile": f"FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04{_DIGEST}\n"}),
        Valid("torch==2.9.1+cpu\n", path="requirements.txt",
              files={"Dockerfile": f"FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04{_DIGEST}\n"}),
        Valid("tensorflow==2.16.1\n", path="requirements.txt",
              files={"Dockerfile": f"FROM nvidia/cuda:12.3.2-runtime-ubuntu22.04{_DIGEST}\n{_INSTALL}"}),
        # A PyPI wheel brings its own CUDA runtime: the image's toolkit is not torch's CUDA.
        Valid("torch==2.1.2\n", path="requirements.txt",
              files={"Dockerfile": f"FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04{_DIGEST}\n{_INSTALL}"}),
        # A -devel image that compiles nothing against torch (a C++ tool built in another stage).
        Valid("torch==2.1.2\n", path="requirements.txt",
              files={"Dockerfile": f"FROM nvidia/cuda:12.4.1-devel-ubuntu22.04{_DIGEST} AS build\n"
                     f"RUN cmake -B build -DGGML_CUDA=ON && cmake --build build\n"
                     f"FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04{_DIGEST}\n{_INSTALL}"}),
        # pip's torch does not take its CUDA from a conda toolkit beside it.
        Valid("dependencies:\n  - cudatoolkit=12.4\n  - pip:\n    - torch==2.1.2\n", path="environment.yml"),
        # An image nothing links to the pin (a vendored benchmark's, another tool's).
        Valid("torch==2.0.1\n", path="bench/requirements.txt",
              files={"scripts/cluster/Dockerfile": f"FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04{_DIGEST}\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        table = gpu_stack()
        environments = Environments(project)
        selected = [(p, c) for p, c in project.cuda_versions() if "." in c.version]
        for path, requirement in project.requirements():
            minor = _pinned_minor(requirement.specifier)
            if minor is None:
                continue
            if cpu_build(project, path, requirement):
                continue
            if requirement.name in ("torch", "pytorch") and minor in table["torch_cuda_builds"]:
                builds = table["torch_cuda_builds"][minor]
                wanted = {c.version for p, c in selected if _selects_torch(c, requirement) and environments.same(p, path)}
                for version in sorted(wanted - set(builds)):
                    yield ProjectFinding(
                        requirement.line,
                        f"torch {minor} has no build for CUDA {version} (builds: {', '.join(builds)})",
                        hint="pin a torch release built for that CUDA version, or change the CUDA version",
                        path=path,
                    )
            elif requirement.name == "tensorflow" and minor in table["tensorflow_cuda"] and "and-cuda" not in requirement.extras:
                tested = table["tensorflow_cuda"][minor]
                majors = {c.version for p, c in selected if environments.same(p, path) and c.version.split(".")[0] != tested.split(".")[0]}
                for version in sorted(majors):
                    yield ProjectFinding(
                        requirement.line,
                        f"tensorflow {minor} is built for CUDA {tested}, not CUDA {version}",
                        hint="pin a tensorflow release built for that CUDA major version, or change the CUDA version",
                        path=path,
                    )


def _selects_torch(cuda: CudaVersion, torch: Requirement) -> bool:
    """The CUDA version is the one this torch requirement is built for or compiled against:
    a build it selects (pip's `+cuXXX` or `whl/cuXXX` index; conda's `pytorch-cuda`/`cudatoolkit`
    for conda's `pytorch`), or a toolkit CUDA code is compiled against with it."""
    if cuda.kind == "toolkit":
        return cuda.compiled
    return cuda.kind in (("conda-variant", "conda") if torch.source == "conda" else ("variant",))
