"""Shell command lines as mldebt reads them (DVC stages, CI steps, Makefile recipes): where each
part of a command runs, and paths written relative to a folder of the repository."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

#: `cd sub/dir` (or `pushd`) as one part of a command: the folder the parts after it run in.
_CD = re.compile(r"^\s*(?:cd|pushd)\s+([\w./-]+)\s*$")


def join_path(folder: str, path: str) -> str:
    """`path` written in `folder`, as a path from the repository root ('' is the root)."""
    joined = posixpath.normpath(posixpath.join(folder, path))
    return "" if joined == "." else joined


def command_parts(command: str, folder: str = "") -> Iterator[tuple[str, str]]:
    """(folder it runs in, part) for each part of a command line split at `&&`, `||`, `;` and
    newlines; a `cd` part moves the folder of the parts after it and yields nothing."""
    for part in re.split(r"&&|\|\||;|\n", command):
        moved = _CD.match(part)
        if moved:
            folder = join_path(folder, moved.group(1))
        elif part.strip():
            yield folder, part
