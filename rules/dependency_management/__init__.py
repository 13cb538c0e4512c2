"""`dependency-management`: GPU/CUDA pinning and drift across requirements, pyproject, conda,
Docker and CI (Arpteg et al. 2018: dependency management is the first production challenge of
deep learning). The facts come from `mldebt.extract.manifests`; what counts as the GPU stack, and which
CUDA builds each framework ships, is `rules/knowledge/gpu_stack.yaml`."""

from __future__ import annotations

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from mldebt.discover import FileKind
from mldebt.extract.facts import Requirement
from mldebt.knowledge import load_table
from mldebt.project import Project

#: Manifest kinds that declare what a *library* accepts, where ranges are right, not debt.
LIBRARY_METADATA = frozenset({FileKind.PYPROJECT, FileKind.SETUP_CFG, FileKind.PYTHON})


def gpu_stack() -> dict:
    return load_table("gpu_stack")


def is_gpu_package(requirement: Requirement) -> bool:
    stack = gpu_stack()
    names = stack["conda_packages"] if requirement.source == "conda" else stack["pip_packages"]
    return requirement.name in names


def is_pinned(requirement: Requirement) -> bool:
    """Not open-ended: an exact pin (`==X.Y.Z`, `==X.Y.*`, `===`, conda `=X.Y`), a range with
    an upper bound (`>=2.1,<2.5`, `~=2.4`), or a direct URL reference (whose revision mldebt
    cannot judge). `torch`, `torch>=2.1` and `torch!=2.2` are open."""
    if requirement.url:
        return True
    try:
        specifiers = SpecifierSet(requirement.specifier)
    except InvalidSpecifier:
        return True  # not ours to judge
    return any(spec.operator in ("==", "===", "~=", "<", "<=") for spec in specifiers)


def application_requirements(project: Project, include_ci: bool = True):
    """(path, requirement) pairs from manifests that install an application (requirements
    files, conda environments, Dockerfiles, CI), not from library metadata."""
    for path, requirement in project.requirements():
        kind = project.kind(path)
        if kind not in LIBRARY_METADATA and (include_ci or kind != FileKind.CI_WORKFLOW):
            yield path, requirement


def build_chosen_on_line(project: Project, path: str, line: int) -> bool:
    """An index option on the same install line picks the build (`--index-url .../whl/cu121`)."""
    return any(p == path and index.line == line for p, index in project.indexes())


def cpu_build(project: Project, path: str, requirement: Requirement) -> bool:
    """`torch==X+cpu`, or installed from a CPU-only index on the same line."""
    return requirement.local_version == "cpu" or any(
        p == path and index.line == requirement.line and index.url.rstrip("/").endswith("/cpu")
        for p, index in project.indexes()
    )


def version_conflict(a: str, b: str) -> bool:
    """CUDA `12.1` vs `11.8` conflict; `12` vs `12.4` do not (a bare major agrees with its minors)."""
    a_parts, b_parts = a.split("."), b.split(".")
    if a_parts[0] != b_parts[0]:
        return True
    return len(a_parts) > 1 and len(b_parts) > 1 and a_parts[1] != b_parts[1]
