"""`dependency-management`: GPU/CUDA pinning and drift across requirements, pyproject, conda,
Docker and CI (Arpteg et al. 2018: dependency management is the first production challenge of
deep learning). The facts come from `mldebt.extract.manifests`; what counts as the GPU stack, and which
CUDA builds each framework ships, is `rules/knowledge/gpu_stack.yaml`."""

from __future__ import annotations

import posixpath
import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from mldebt.discover import FileKind
from mldebt.extract.facts import Image, Requirement
from mldebt.knowledge import load_table
from mldebt.project import Project
from mldebt.rule import Severity

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
    """(path, requirement, severity) for manifests that install an application, judged where
    the environment is built (`environment_severity`), never library metadata; requirements
    a `-c` constraints file pins are left out."""
    built = _built_environments(project)
    package = _declared_by_package(project)
    for path, requirement in project.requirements():
        kind = project.kind(path)
        if kind in LIBRARY_METADATA or not (include_ci or kind != FileKind.CI_WORKFLOW):
            continue
        severity = environment_severity(project, path, built, requirement.name in package, bool(package))
        if severity is not None and requirement.name not in constrained_names(project, path):
            yield path, requirement, severity


def development_container(path: str) -> bool:
    """A manifest of a development container (`.devcontainer/Dockerfile`, `Dockerfile.codespace`,
    `.gitpod.Dockerfile`): the editor's environment, which tracks the latest tooling on purpose,
    not one that trains or serves (`development_containers` in `container_images.yaml`)."""
    table = load_table("container_images")["development_containers"]
    *folders, name = path.lower().split("/")
    return bool(set(folders) & set(table["folders"])) or bool(
        set(re.split(r"[^a-z0-9]+", name)) & set(table["name_parts"])
    )


def environment_severity(
    project: Project, path: str, built: set[str], of_package: bool, packaged: bool
) -> Severity | None:
    """How much a loose pin in the manifest at `path` matters.

    Where an environment is built (a Dockerfile, a conda environment, a lock file, CI, a
    requirements file a Dockerfile or another installed file installs with `-r`, or the
    requirements of an application at the repository root): a warning. A requirements file
    nothing installs, deeper in the tree (an example's, which tracks the latest release on
    purpose): not judged; on the panel every one read was noise even as a note. In the root
    requirements, a dependency the root package's metadata also declares (`of_package`) is the
    library's own requirement restated: not judged either; the others, when the root package's
    metadata declares install requirements (`packaged`), are a note: the package says there what it needs, with the
    ranges a library or a template leaves to its users, and the list beside it may be a
    training environment or only a convenience.
    A development container's manifests (`development_container`) are not judged.
    """
    if development_container(path):
        return None
    if project.kind(path) != FileKind.REQUIREMENTS or path in built:
        return Severity.WARNING
    if of_package or "/" in path:
        return None
    return Severity.INFO if packaged else Severity.WARNING


def _declared_by_package(project: Project) -> set[str]:
    """Packages the root package metadata (pyproject, setup.py, setup.cfg) depends on: empty
    when there is no package metadata or it declares no install requirements."""
    metadata = [p for p in ("pyproject.toml", "setup.py", "setup.cfg") if p in project.files]
    return {r.name for p in metadata for r in project.files[p][1].requirements}


def _named_files(project: Project, manifest: str, names: list[str]) -> set[str]:
    """The files of the tree that `-r`/`-c` names in `manifest` refer to: relative to the
    manifest's folder (the repository root for CI, either for a Dockerfile); in a Dockerfile,
    which copies files into the image first, else any file of that name in its folder."""
    folder = "" if project.kind(manifest) == FileKind.CI_WORKFLOW else posixpath.dirname(manifest)
    docker = project.kind(manifest) == FileKind.DOCKERFILE
    found = set()
    for name in names:
        # A Dockerfile's build context is its folder or, as often, the repository root.
        candidates = [posixpath.normpath(posixpath.join(base, name)) for base in ([folder, ""] if docker else [folder])]
        present = [c for c in candidates if c in project.files]
        if present:
            found.add(present[0])
        elif docker:
            base = posixpath.basename(name)
            found |= {p for p in project.files if posixpath.basename(p) == base
                      and (not folder or p.startswith(folder + "/"))}
    return found


def _built_environments(project: Project) -> set[str]:
    """Requirements files a Dockerfile installs, and what those include (`-r`). A CI job
    that installs a requirements file tests against it (often the newest releases, on
    purpose); it does not make it an environment to pin."""
    built: set[str] = set()
    for path, (kind, facts) in project.files.items():
        if kind == FileKind.DOCKERFILE:
            built |= _named_files(project, path, facts.installs)
    queue = list(built)
    while queue:
        current = queue.pop()
        for included in _named_files(project, current, project.files[current][1].installs) - built:
            built.add(included)
            queue.append(included)
    return built


class Environments:
    """Which manifests build or run one environment, on positive evidence: a file installs
    another (`-r`, `-c`, transitively, as `_named_files` resolves them), or two files install
    the same one. Two manifests with no such link (two Dockerfiles of one tree, an example's
    requirements and a vendored benchmark's image) may choose different stacks on purpose, so
    CUDA versions are compared only within one environment."""

    def __init__(self, project: Project) -> None:
        self._parent: dict[str, str] = {}
        for path, (_, facts) in project.files.items():
            for named in _named_files(project, path, [*facts.installs, *facts.constraints]):
                self._join(path, named)

    def same(self, path_a: str, path_b: str) -> bool:
        return path_a == path_b or self._root(path_a) == self._root(path_b)

    def _root(self, path: str) -> str:
        while self._parent.get(path, path) != path:
            path = self._parent[path]
        return path

    def _join(self, path_a: str, path_b: str) -> None:
        root_a, root_b = self._root(path_a), self._root(path_b)
        if root_a != root_b:
            self._parent[max(root_a, root_b)] = min(root_a, root_b)


def constrained_names(project: Project, path: str) -> set[str]:
    """Packages pinned exactly (`==`) by the constraints files (`-c`) the manifest names."""
    names = set()
    for constraints in _named_files(project, path, project.files[path][1].constraints):
        names |= {r.name for r in project.files[constraints][1].requirements if r.specifier.startswith("==")}
    return names


def build_chosen_on_line(project: Project, path: str, line: int) -> bool:
    """An index option on the same install line picks the build (`--index-url .../whl/cu121`)."""
    return any(p == path and index.line == line for p, index in project.indexes())


def cpu_build(project: Project, path: str, requirement: Requirement) -> bool:
    """`torch==X+cpu`, or installed from a CPU-only index on the same line."""
    return requirement.local_version == "cpu" or any(
        index.line == requirement.line and index.url.rstrip("/").endswith("/cpu")
        for index in project.files[path][1].indexes  # the manifest's own, not every file's
    )


def version_conflict(a: str, b: str) -> bool:
    """CUDA `12.1` vs `11.8` conflict; `12` vs `12.4` do not (a bare major agrees with its minors)."""
    a_parts, b_parts = a.split("."), b.split(".")
    if a_parts[0] != b_parts[0]:
        return True
    return len(a_parts) > 1 and len(b_parts) > 1 and a_parts[1] != b_parts[1]


def docker_requirements_file(project: Project, dockerfile: str, written: str) -> str | None:
    """The requirements file `-r written` in a Dockerfile reads: next to the Dockerfile, else
    at the root (the usual build contexts)."""
    name = written.lstrip("./")
    for candidate in (posixpath.join(posixpath.dirname(dockerfile), name), name):
        if candidate in project.files and project.kind(candidate) == FileKind.REQUIREMENTS:
            return candidate
    return None


def framework_replacement(requirement: Requirement, image: Image, shipped: dict, upgrade: bool) -> str | None:
    """Why pip replaces the framework the image ships, or None when it keeps it: the image's
    version (from its tag) satisfies the range and the install does not upgrade."""
    package = shipped["package"]
    if upgrade:
        return f"`--upgrade` replaces the image's `{package}` with the newest build on PyPI, whichever CUDA it was built for"
    if not requirement.specifier:  # any version satisfies it: pip keeps the image's
        return None
    match = re.match(r"\d+\.\d+(\.\d+)?", image.tag or "") if shipped["tag_is_version"] else None
    if match is None:
        return f"the tag does not say which `{package}` the image ships, so pip may replace it with another build"
    try:
        keeps = SpecifierSet(requirement.specifier).contains(match[0], prereleases=True)
    except InvalidSpecifier:
        return None
    if keeps:
        return None
    return f"the image's `{package}` {match[0]} is outside that range, so pip replaces it with a build from PyPI"


def image_keeps(project: Project, manifest: str, requirement: Requirement) -> bool:
    """The framework's version and build are an image's: `manifest` is an example's or a
    service's requirements (not the repository's own) that only Dockerfiles install, each on an
    image that ships this framework in a version pip keeps (`framework_replacement`)."""
    if "/" not in manifest:
        return False
    images = load_table("container_images")["framework_images"]
    installs = [
        (facts, reference) for path, (kind, facts) in project.files.items() if kind == FileKind.DOCKERFILE
        for reference in facts.requirement_files if docker_requirements_file(project, path, reference.path) == manifest
    ]
    for facts, reference in installs:
        shipping = [
            (image, images[name]) for image in facts.images
            if images.get(name := image.name.removeprefix("docker.io/"), {}).get("package") == requirement.name
        ]
        if not shipping or framework_replacement(requirement, *shipping[0], reference.upgrade) is not None:
            return False
    return bool(installs)
