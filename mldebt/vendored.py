"""Folders that hold another project's code: copies of it are not this project's debt.

A repository often carries someone else's code: a git submodule, a library copied in under
`third_party/`, a tool's whole source tree kept beside the code that uses it. Its pickles,
Dockerfiles and unseeded scripts are that project's business, and reporting them buries the
findings a maintainer can act on. Discovery leaves such a folder out of the scan (its files
still count as committed) and says so in one diagnostic per folder, naming the evidence.

The evidence, any one of:
- git says so: the folder is a submodule (a `path =` entry of the root's `.gitmodules`);
- it is a project of its own: it has its own packaging (`setup.py`, `pyproject.toml`,
  `setup.cfg`) and its own license file, whose text differs from the root's (a monorepo's
  packages share the root's license). A root with no license it may read says nothing either
  way: then a packaged folder whose license text a packaged sibling folder shares is one of
  the repository's own packages (a monorepo that licenses each package, not its root), and
  one whose license no sibling shares is a copy, as when the root has a license;
- its name says so: a folder named as vendored code is by convention (`third_party/`,
  `vendor/`, `_vendor/`, ...), or a sub-folder of a `dependencies/` folder.

A team that owns such a folder lists it under `own-code` in `[tool.mldebt]`. A fork the
authors changed (a library's source tree copied in, with the paper's scripts added and a few
modules importing the repository's own package) stays left out: nearly all of its files are
still the other project's, and their debt is not this repository's to fix; the diagnostic
names the folder for a team that wants it scanned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pathspec

from mldebt.bounded_read import ReadRefused, read_bounded

#: The kind of the diagnostic that names a vendored folder: a choice discovery made, not a file
#: it failed to read (`--fail-on-diagnostics` does not count it).
VENDORED = "vendored"
#: Folder names that, by convention, hold copies of other projects' code.
VENDOR_DIRS = frozenset({"third_party", "thirdparty", "third-party", "3rdparty", "vendor", "vendored", "_vendor"})
#: Folder names whose every sub-folder is, by convention, another project kept as a dependency.
DEPENDENCY_DIRS = frozenset({"dependencies"})
_PACKAGING = ("setup.py", "pyproject.toml", "setup.cfg")
_LICENSE = re.compile(r"(licen[cs]e|copying)(\.(txt|md|rst))?", re.IGNORECASE)
#: Sibling folders looked at for a shared license, at most (a folder of thousands of packages
#: is read no further).
_SIBLINGS_READ = 64
_SUBMODULE_PATH = re.compile(r"^\s*path\s*=\s*(.+?)\s*$", re.MULTILINE)


class VendoredCode:
    """Which folders of one tree hold another project's code, and why (`reason`)."""

    def __init__(self, root: Path, own_code: Iterable[str] = ()) -> None:
        self.root = root
        own_code = list(own_code)
        self.own = pathspec.GitIgnoreSpec.from_lines(own_code) if own_code else None
        self.submodules = frozenset(_submodule_paths(root))
        self._root_license: bytes | None | bool = False  # False: not read yet

    def reason(self, rel_dir: str, filenames: Iterable[str]) -> str | None:
        """Why the folder `rel_dir` (relative to the root, `/` separators, never the root
        itself) holds another project's code, or None; `filenames` are the files in it."""
        *parents, name = rel_dir.split("/")
        if self.own is not None and self.own.match_file(rel_dir + "/"):
            return None
        if rel_dir in self.submodules:
            return "a git submodule"
        names = set(filenames)
        packaging = next((n for n in _PACKAGING if n in names), None)
        license_name = packaging and next((n for n in sorted(names) if _LICENSE.fullmatch(n)), None)
        if license_name and self._license_differs(rel_dir, license_name):
            return f"its own {packaging} and {license_name}"
        if name.lower() in VENDOR_DIRS:
            return f"a `{name}/` folder"
        if parents and parents[-1].lower() in DEPENDENCY_DIRS:
            return f"a folder of `{parents[-1]}/`"
        return None

    def _license_differs(self, rel_dir: str, license_name: str) -> bool:
        """The folder's license is readable and not the repository's: not the root's, or, with
        no root license to compare, not that of a packaged sibling folder."""
        if self._root_license is False:
            self._root_license = _license_words(self.root, self.root)
        # A license mldebt may not read (a link out of the tree, over the size cap) is no evidence.
        words = _words(self.root / rel_dir / license_name, self.root)
        if words is None or words == self._root_license:
            return False
        return self._root_license is not None or words not in self._sibling_licenses(rel_dir)

    def _sibling_licenses(self, rel_dir: str) -> set[bytes]:
        """The license texts of the packaged folders beside `rel_dir`."""
        folder = self.root / rel_dir
        try:
            siblings = [p for p in folder.parent.iterdir()
                        if p.name != folder.name and not p.is_symlink() and p.is_dir()]
        except OSError:
            return set()
        texts = set()
        for sibling in sorted(siblings)[:_SIBLINGS_READ]:
            if any((sibling / n).is_file() for n in _PACKAGING):
                words = _license_words(sibling, self.root)
                if words is not None:
                    texts.add(words)
        return texts


def _license_words(folder: Path, root: Path) -> bytes | None:
    """The words of the first license file of `folder` (None: none, or unreadable)."""
    try:
        found = sorted(p.name for p in folder.iterdir() if p.is_file() and _LICENSE.fullmatch(p.name))
    except OSError:
        return None
    return _words(folder / found[0], root) if found else None


def _words(path: Path, root: Path) -> bytes | None:
    """A license's text with its whitespace normalised (None: unreadable)."""
    try:
        return b" ".join(read_bounded(path, tree=root).split())
    except (ReadRefused, OSError):
        return None


def _submodule_paths(root: Path) -> list[str]:
    try:
        text = read_bounded(root / ".gitmodules", tree=root).decode("utf-8", errors="replace")
    except (ReadRefused, OSError):
        return []
    return [m.strip("\"'").strip("/") for m in _SUBMODULE_PATH.findall(text)]
