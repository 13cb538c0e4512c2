"""Every file mldebt reads from a scanned tree goes through `read_bounded`.

A repository can hold anything where a file is expected: a FIFO (opening it waits forever for a
writer), a device, a 1 GB sparse `.gitignore`, a symlink to a file outside the tree, or a file
swapped for any of these between discovery and reading. So: open without blocking and without
following a link out of the tree, check the type of what was opened, and never read more than
a cap.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: The cap for any single read: source files, manifests, `.gitignore`, `pyproject.toml`. Larger
#: files are generated code or data (libcst parses dense generated code at about 0.1 MB/s).
MAX_READ_BYTES = 2 * 1024 * 1024
#: The cap for a notebook file: outputs and embedded images make a notebook big while its code
#: stays small, so the raw file may be larger and `MAX_READ_BYTES` applies to the code cells'
#: source (`sources.notebook_source`). Still bounded: a worker holds the bytes, the decoded text
#: and the parsed JSON of one notebook at a time, a few times this much.
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024


def read_cap(path: str | Path) -> int:
    """The most bytes mldebt reads of the file at `path`."""
    return MAX_NOTEBOOK_BYTES if str(path).endswith(".ipynb") else MAX_READ_BYTES


class ReadRefused(Exception):
    """A file that is not read; `kind` is a diagnostic kind, the message says why."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _open(path: Path, tree: Path | None) -> int:
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags)
    except OSError as error:
        if error.errno not in (errno.ELOOP, errno.EMLINK):  # anything but "it is a symlink"
            raise
    target = path.resolve()  # raises RuntimeError/OSError on a loop
    if tree is not None and not target.is_relative_to(tree.resolve()):
        raise ReadRefused("skipped", "symlink points outside the scanned tree; not read")
    return os.open(target, flags)


def read_bounded(path: Path, limit: int | None = None, tree: Path | None = None) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them (`read_cap` by default).

    A symlink is followed only to a file inside `tree` (any, when `tree` is None: a path the
    user named). Raises `ReadRefused` for what is not read on purpose, `FileNotFoundError` when
    the file is gone and `OSError` when it cannot be read.
    """
    try:
        fd = _open(path, tree)
    except RuntimeError:
        raise ReadRefused("skipped", "symlink loop; not read") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ReadRefused("skipped", "symlink loop; not read") from None
        raise
    limit = read_cap(path) if limit is None else limit
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "FIFO" if stat.S_ISFIFO(info.st_mode) else "folder" if stat.S_ISDIR(info.st_mode) else "device or socket"
            raise ReadRefused("not-a-file", f"a {kind}, not a regular file; not read")
        if info.st_size > limit:
            raise ReadRefused("too-large", f"file is {info.st_size / 1e6:.1f} MB, over the {limit // 2**20} MiB limit; skipped")
        chunks, size = [], 0
        while size <= limit:
            chunk = handle.read(limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    if size > limit:  # it grew while being read
        raise ReadRefused("too-large", f"file is over the {limit // 2**20} MiB limit; skipped")
    return b"".join(chunks)
