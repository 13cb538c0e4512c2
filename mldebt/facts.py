"""Facts: what the file phase learns about each file, as plain picklable data.

The cross-file phase (project rules) works on these alone, never re-parsing a file. Lines in
facts are the file's own lines (for notebooks, lines of the virtual module; the engine maps
them to cells when it reports).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Requirement:
    """One dependency declared somewhere: requirements, pyproject, setup, conda, Docker, CI."""

    name: str  # canonical: lower case, `-` separated; conda names as written
    specifier: str  # PEP 440 specifier set as written, '' when absent
    line: int
    source: str  # pip | conda
    extras: tuple[str, ...] = ()
    local_version: str | None = None  # `cu121` in `torch==2.1.0+cu121`
    text: str = ""
    url: str | None = None  # a direct reference: `name @ git+https://...@rev`


@dataclass(frozen=True)
class IndexUrl:
    url: str
    line: int


@dataclass(frozen=True)
class Image:
    """A container image reference (`FROM`, a CI `container:`/`image:`)."""

    reference: str
    name: str
    tag: str | None
    digest: str | None
    line: int


@dataclass(frozen=True)
class CudaVersion:
    """A CUDA version a file selects: `12.1`, or just the major (`12`) when that is all it says."""

    version: str
    line: int
    evidence: str  # what said so, for messages: "torch +cu121", "nvidia/cuda:12.1.0 image"


@dataclass(frozen=True)
class Site:
    """A place in a Python file (virtual lines for notebooks), 1-based lines, 0-based columns."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass
class Facts:
    requirements: list[Requirement] = field(default_factory=list)
    indexes: list[IndexUrl] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    cuda_versions: list[CudaVersion] = field(default_factory=list)
    #: Package names a lock file (or a fully pinned, hashed requirements file) pins.
    locked: list[str] = field(default_factory=list)
    #: Python: code that puts tensors or models on a CUDA device.
    cuda_sites: list[Site] = field(default_factory=list)
    #: Python: CUDA device uses with no availability check in their function or module.
    unguarded_cuda_sites: list[Site] = field(default_factory=list)
    #: Python: the code checks whether an accelerator is available, so it also runs without one.
    runs_on_cpu: bool = False
