from collections.abc import Iterator

from mldebt.rules.dependency_management import Environments, cpu_build, gpu_stack
from packaging.version import InvalidVersion, Version

from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

_DIGEST = "@sha256:" + "0" * 64
_INSTALL = "RUN pip install -r requirements.txt\n"


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
    """Pins a framework release that has no build for the CUDA version the repository selects.

    ## Why it matters
    PyTorch publishes each release for a few CUDA versions only (2.1: 11.8 and 12.1; 2.6:
    11.8, 12.4 and 12.6); TensorFlow is built and tested against one. Pinning
    `torch==2.1.2` next to a CUDA 12.4 image means pip silently installs a different CUDA
    runtime than the image's, or fails to resolve `+cu124`. The table of builds is
    `rules/knowledge/gpu_stack.yaml`, with its sources.

    ## Evidence
    The pin and the CUDA version belong to one environment (`Environments`): the same file
    (`torch==2.0.1+cu121`), a Dockerfile or CI job that installs the requirements file. A pin
    beside an unrelated image is not judged.

    ## Known limitations
    Only exact pins are checked, against CUDA versions with a minor (`12.1`, not `12`);
    releases missing from the table are not judged.

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
                files={"Dockerfile": f"FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04{_DIGEST}\n{_INSTALL}"}),
        Invalid("torch==2.0.1+cu121\n", path="requirements.txt", message="11.7, 11.8"),
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
                wanted = {c.version for p, c in selected if environments.same(p, path)}
                for version in sorted(wanted - set(builds)):
                    yield ProjectFinding(
                        requirement.line,
                        f"torch {minor} has no build for CUDA {version} (builds: {', '.join(builds)})",
                        hint="pin a torch release built for that CUDA version, or change the CUDA version",
                        path=path,
                    )
            elif requirement.name == "tensorflow" and minor in table["tensorflow_cuda"]:
                tested = table["tensorflow_cuda"][minor]
                majors = {c.version for p, c in selected if environments.same(p, path) and c.version.split(".")[0] != tested.split(".")[0]}
                for version in sorted(majors):
                    yield ProjectFinding(
                        requirement.line,
                        f"tensorflow {minor} is built for CUDA {tested}, not CUDA {version}",
                        hint="pin a tensorflow release built for that CUDA major version, or change the CUDA version",
                        path=path,
                    )
