"""The repository as project rules see it: every file's facts, merged, never re-parsed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from mldebt.discover import is_test_path
from mldebt.extract.facts import CudaVersion, Facts, Image, IndexUrl, Requirement, Site
from mldebt.project.reproducibility import TrainingRun, training_runs


@dataclass
class Project:
    #: path -> (file kind, facts), in path order.
    files: dict[str, tuple[str, Facts]]
    #: Every file of the tree git does not ignore (see `discover.Discovery.present`).
    present: frozenset[str] = frozenset()
    #: The data/model dependency graph (`mldebt.project.graph.build_graph`), set by the engine
    #: before project rules run.
    graph: Any = None
    #: (artifact pattern, consumer pattern) pairs declared in `[tool.mldebt]`.
    declared_consumers: tuple[tuple[str, str], ...] = ()
    #: spelling -> canonical hyperparameter name, shipped table plus `[tool.mldebt]` additions.
    hyperparameter_aliases: dict[str, str] = field(default_factory=dict)

    def _each(self, attribute: str, include_tests: bool = True) -> Iterator[tuple[str, object]]:
        for path, (_, facts) in self.files.items():
            if include_tests or not is_test_path(path):
                for item in getattr(facts, attribute):
                    yield path, item

    def requirements(self) -> Iterator[tuple[str, Requirement]]:
        return self._each("requirements")  # type: ignore[return-value]

    def indexes(self) -> Iterator[tuple[str, IndexUrl]]:
        return self._each("indexes")  # type: ignore[return-value]

    def images(self) -> Iterator[tuple[str, Image]]:
        return self._each("images")  # type: ignore[return-value]

    def cuda_versions(self) -> Iterator[tuple[str, CudaVersion]]:
        return self._each("cuda_versions")  # type: ignore[return-value]

    def unguarded_cuda_sites(self) -> Iterator[tuple[str, Site]]:
        return self._each("unguarded_cuda_sites", include_tests=False)  # type: ignore[return-value]

    def locked_names(self) -> set[str]:
        return {name for _, name in self._each("locked")}  # type: ignore[misc]

    def uses_cuda(self) -> bool:
        """Code outside tests puts work on a CUDA device."""
        return any(True for _ in self._each("cuda_sites", include_tests=False))

    def runs_on_cpu(self, near: str) -> bool:
        """Code in the same top-level package as `near` (outside tests) checks for an
        accelerator, so that package is meant to run without one."""
        package = near.split("/", 1)[0] if "/" in near else ""
        return any(
            facts.runs_on_cpu
            for path, (_, facts) in self.files.items()
            if not is_test_path(path) and (path.split("/", 1)[0] if "/" in path else "") == package
        )

    def module_file(self, importer: str, module: str) -> str | None:
        """The file a dotted module name (`exp.flags`, `.flags`) refers to, seen from `importer`."""
        if module.startswith("."):
            dots = len(module) - len(module.lstrip("."))
            base = importer.split("/")[:-dots]
            module = ".".join(base + [module.lstrip(".")]).strip(".")
        suffix = module.replace(".", "/")
        for path in self.files:
            if path.endswith(".py") and (path[:-3] == suffix or path[:-3].endswith("/" + suffix)):
                return path
        return None

    def kind(self, path: str) -> str:
        return self.files[path][0]

    @cached_property
    def training_runs(self) -> list[TrainingRun]:
        """The entry points that train, with the randomness and seeds of the code they reach
        (`mldebt.project.reproducibility`); computed once, shared by rules and the rubric."""
        return training_runs(self)


#: Top-level folders that hold independent projects side by side (two examples, two Docker
#: images, two book chapters), as opposed to one project's `src/`, `scripts/`, `notebooks/`.
_COLLECTIONS = re.compile(
    r"^(examples?|docker|dockers|containers|projects|research_projects|tutorials?|benchmarks?|"
    r"contrib|community|recipes|demos?|ch\d+|chapter\d*|appendix.*)$",
    re.IGNORECASE,
)


def related(path_a: str, path_b: str) -> bool:
    """Whether two files belong to the same project: one's folder encloses the other's, or
    both live in the repository's own top-level folders (`src/` and `notebooks/`).

    A repository's root requirements apply to its `docker/` images, but two sibling example
    folders (`examples/a/`, `examples/b/`) or two images (`docker/cpu/`, `docker/cuda12/`) are
    independent and may differ on purpose. CI workflows count as the root.
    """
    folder_a = path_a.rsplit("/", 1)[0] if "/" in path_a else ""
    folder_b = path_b.rsplit("/", 1)[0] if "/" in path_b else ""
    if folder_a.startswith(".github") or folder_b.startswith(".github"):
        folder_a = "" if folder_a.startswith(".github") else folder_a
        folder_b = "" if folder_b.startswith(".github") else folder_b
    if _encloses(folder_a, folder_b) or _encloses(folder_b, folder_a):
        return True
    top_a, top_b = folder_a.split("/", 1)[0], folder_b.split("/", 1)[0]
    return top_a != top_b and not _COLLECTIONS.match(top_a) and not _COLLECTIONS.match(top_b)


def _encloses(outer: str, inner: str) -> bool:
    return outer == "" or inner == outer or inner.startswith(outer + "/")
