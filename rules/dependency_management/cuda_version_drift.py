import re
from collections.abc import Iterable, Iterator

from mldebt.rules.dependency_management import Environments, version_conflict

from mldebt.extract.facts import CudaVersion
from mldebt.project import Project
from mldebt.rule import Category, Confidence, Invalid, ProjectFinding, ProjectRule, Severity, Valid

#: Files named for one CUDA version (`requirements-cu118.txt`, `docker/cuda12.1/Dockerfile`)
#: are deliberate variants, not drift.
_VARIANT_FILE = re.compile(r"cu\d{2,3}|cuda[-_.]?\d", re.IGNORECASE)
_DIGEST = "@sha256:" + "0" * 64
_INSTALL = "COPY requirements.txt .\nRUN pip install -r requirements.txt\n"
_EXTENSION = "RUN pip install --no-build-isolation flash-attn\n"


class CudaVersionDrift(ProjectRule):
    """Selects different CUDA versions in different places of the repository.

    ## Why it matters
    The CUDA version is chosen in many files at once: torch's `+cu121` or index URL, the
    `nvidia/cuda` or `pytorch/pytorch` base image, conda's `pytorch-cuda`/`cudatoolkit`,
    `ENV CUDA_VERSION`, `jax[cuda12]`, CI container images. When they disagree, the Docker
    image, the CI job and a developer's conda environment each run a different stack, and a
    kernel or numerical difference shows up only in one of them. A disagreement is reported
    once, at the first site (by path and line) of one side, naming the sites of the other and
    the other sites of its own side: each is the same fact, not a second finding.

    ## Evidence
    Two choices drift only when the code shows they build or run one environment
    (`Environments`): the same file, a file that installs the other (`pip install -r`, `-r`,
    `-c`, transitively), or two files that install the same requirements file. Two Dockerfiles of one tree, an example's requirements
    and a vendored benchmark's image are independent until something links them. A CUDA
    runtime pip bundles (a torch `+cu121` build, `nvidia-*-cu12` wheels, `jax[cuda12]`) runs on
    any toolkit an image or a conda `cudatoolkit` provides, given a new enough driver: the two
    disagree only where code is compiled against that toolkit (`CudaVersion.compiled`: a `-devel`
    Dockerfile stage that builds CUDA code), so otherwise they are not compared.

    ## Known limitations
    A bare major (`jax[cuda12]`) agrees with any 12.x. Files whose name names a CUDA version
    (`requirements-cu118.txt`, `Dockerfile.cuda12`) are taken as deliberate variants and not
    compared. Not yet links: a conda environment a Dockerfile creates (`conda env create -f`), an
    image built `FROM` the image another Dockerfile of the tree builds.

    ## References
    - NVIDIA CUDA compatibility guide (minor version compatibility)
    - Arpteg et al. 2018, Software Engineering Challenges of Deep Learning (dependency management)
    """

    id = "MLD604"
    name = "cuda-version-drift"
    category = Category.DEPENDENCY_MANAGEMENT
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    INVALID = [
        Invalid(
            f"FROM nvidia/cuda:12.1.0-devel-ubuntu22.04{_DIGEST}\n{_INSTALL}{_EXTENSION}",
            path="Dockerfile", line=1, message="11.8",
            files={"requirements.txt": "torch==2.4.1+cu118\n"},
        ),
        Invalid(
            "torch==2.4.1+cu118\n", path="requirements.txt", line=1, message="serve/Dockerfile:1",
            files={"serve/Dockerfile": f"FROM nvidia/cuda:12.1.0-devel-ubuntu22.04{_DIGEST}\n{_INSTALL}{_EXTENSION}"},
        ),
        Invalid(  # two toolkits of one image
            f"FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04{_DIGEST}\nENV CUDA_VERSION=11.8.0\n",
            path="Dockerfile", line=1, message="11.8",
        ),
        Invalid(  # one file
            "dependencies:\n  - pytorch=2.4\n  - pytorch-cuda=11.8\n  - pip:\n    - torch==2.4.1+cu121\n",
            path="environment.yml", line=3,
        ),
    ]
    VALID = [
        Valid(
            "torch==2.4.1+cu121\n", path="requirements.txt",
            files={"Dockerfile": f"FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04{_DIGEST}\nENV CUDA_VERSION=12.1.1\n"},
        ),
        Valid("jax[cuda12]==0.4.30\n", path="requirements.txt",
              files={"Dockerfile": f"FROM nvidia/cuda:12.4.1-base-ubuntu22.04{_DIGEST}\n"}),
        Valid("torch==2.4.1+cu118\n", path="requirements-cu118.txt",
              files={"requirements-cu121.txt": "torch==2.4.1+cu121\n"}),
        Valid("torch==2.4.1+cu118\n", path="examples/a/requirements.txt",
              files={"examples/b/requirements.txt": "torch==2.4.1+cu121\n"}),
        # pip's torch and nvidia-* wheels bring their own CUDA runtime: the image's or conda's
        # toolkit, which nothing compiles against, goes unused.
        Valid("torch==2.4.1+cu118\n", path="requirements.txt",
              files={"Dockerfile": f"FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04{_DIGEST}\n{_INSTALL}"}),
        Valid("dependencies:\n  - cudatoolkit=11.8\n  - pip:\n    - torch==2.4.1\n    - nvidia-cublas-cu12==12.4.5.8\n",
              path="environment.yml"),
        # The other side of a disagreement reported at the Dockerfile: one fact, one finding.
        Valid("torch==2.4.1+cu118\n", path="requirements.txt",
              files={"Dockerfile": f"FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04{_DIGEST}\n{_INSTALL}"}),
        # Nothing links them: a vendored tool's image beside the project's own requirements.
        Valid("torch==2.4.1+cu118\n", path="requirements.txt",
              files={"tools/bench/Dockerfile": f"FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04{_DIGEST}\n"}),
        Valid(f"FROM nvidia/cuda:11.5.0-runtime-ubuntu20.04{_DIGEST}\n", path="inference/Dockerfile",
              files={"scripts/cluster/Dockerfile": f"FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04{_DIGEST}\n"}),
    ]

    def check(self, project: Project) -> Iterator[ProjectFinding]:
        choices = _first_line_per_choice(
            (path, cuda) for path, cuda in project.cuda_versions() if not _VARIANT_FILE.search(path)
        )
        environments = Environments(project)
        named: set[tuple[str, int, str]] = set()  # (site, line, other version): a side already told
        for path, cuda in choices:
            others = [
                (other_path, other) for other_path, other in choices
                if version_conflict(cuda.version, other.version) and _compared(cuda, other)
                and environments.same(path, other_path)
                and (path, cuda.line, other.version) not in named
                and (other_path, other.line, cuda.version) not in named
            ]
            if not others:
                continue
            # the other sites of this side (same version, disagreeing with the same sites)
            same = [
                (p, o) for p, o in choices
                if (p, o) != (path, cuda) and o.version == cuda.version and environments.same(path, p)
                and any(environments.same(p, other_path) for other_path, _ in others)
            ]
            for side_path, side in [(path, cuda), *same]:
                for other_path, other in others:
                    named |= {(side_path, side.line, other.version), (other_path, other.line, side.version)}
            sites = ", ".join(f"{o.version} ({o.evidence}) at {p}:{o.line}" for p, o in others[:3])
            more = f" and {len(others) - 3} more" if len(others) > 3 else ""
            also = f", also at {', '.join(f'{p}:{o.line}' for p, o in same)}," if same else ""
            yield ProjectFinding(
                cuda.line,
                f"CUDA {cuda.version} ({cuda.evidence}){also} disagrees with {sites}{more}",
                hint="choose one CUDA version and use it in every manifest, image and CI job",
                path=path,
                related=tuple((p, o.line) for p, o in [*others, *same]),
            )


#: Kinds of `CudaVersion`: a runtime pip bundles, and a toolkit an image or conda provides.
_BUNDLED = ("variant", "wheels")
_TOOLKIT = ("toolkit", "conda")


def _compared(a: CudaVersion, b: CudaVersion) -> bool:
    """Both choices reach one CUDA stack: not a runtime pip bundles against a toolkit nothing
    is compiled against (each process loads the bundled runtime; the toolkit goes unused)."""
    for bundled, toolkit in ((a, b), (b, a)):
        if bundled.kind in _BUNDLED and toolkit.kind in _TOOLKIT and not toolkit.compiled:
            return False
    return True


def _first_line_per_choice(sources: Iterable[tuple[str, CudaVersion]]) -> list[tuple[str, CudaVersion]]:
    """One (file, version) choice at its first line: ten `nvidia-*-cu12` pins in one
    environment file are one decision, reported and named once."""
    first: dict[tuple[str, str], tuple[str, CudaVersion]] = {}
    for path, cuda in sorted(sources, key=lambda source: (source[0], source[1].line)):
        first.setdefault((path, cuda.version), (path, cuda))
    return list(first.values())
