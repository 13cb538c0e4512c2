"""Loads of the repository's own files: a script unpickling what another script of its pipeline
pickled (`preprocess_data.py` writes `train.pkl` into the folder it is given, `train.py` reads
it from there), or a file committed beside the code (a course's `model.bin`). The
deserialization rules' risk is a file from someone else, so they do not report these loads
(`Rule.reports_own_files`); a load of anything else (a download, a path the user names) stays.

The evidence is strict. The file name must be written out on both sides, the two files must be
one module, siblings in one folder or one project (`Project.same_project`), and the folders must
come from the same place:
- paths known in full (literals, module constants, imported constants, config values) name the
  same file under one of their readings (`mldebt.project.graph.readings`, as the graph reads
  them), or name a file of the tree git does not ignore; or
- both folders are run-time values a caller or the command line gives (`*/train.pkl`,
  `PickledFile.folder`) and either they are the same value by name (`args.out_dir` here,
  `out_dir` there), or the reader's folder holds the writer's layout: every file the reader
  takes from that folder, two at least, is one the writer writes into one folder. One shared
  base name (`model.pkl`) is not evidence.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict

from mldebt.discover import FileKind
from mldebt.extract.facts import PickledFile
from mldebt.project.graph import readings, resolver, same_artifact
from mldebt.project.model import Project

#: (cell, line) of a load as findings report it.
Place = tuple[int | None, int]


class _File:
    """One `PickledFile` with its readings resolved."""

    def __init__(self, code: str, record: PickledFile, meant: tuple[str, ...]) -> None:
        self.code, self.record, self.meant = code, record, meant
        self.name = meant[0].rsplit("/", 1)[-1]
        self.runtime = meant[0].startswith("*")


def own_file_loads(project: Project) -> dict[str, set[Place]]:
    """Code file -> the places of its loads that read a file the repository's own code writes
    or that the repository holds."""
    resolve = resolver(project)
    reads: dict[tuple[str, Place], list[_File]] = defaultdict(list)
    writes: dict[str, list[_File]] = defaultdict(list)  # by file name
    layouts: dict[tuple[str, str, str], set[str]] = defaultdict(set)  # (code, mode, folder) -> paths
    for code, (kind, facts) in project.files.items():
        if kind not in FileKind.CODE:
            continue
        for record in facts.pickled_files:
            resolved = resolve(code, record.access.path)
            if resolved is None:
                continue
            file = _File(code, record, readings(code, record.access, resolved))
            if record.access.mode == "read":
                reads[(code, (record.cell, record.line))].append(file)
            else:
                writes[file.name].append(file)
            if file.runtime and record.folder:
                layouts[(code, record.access.mode, record.folder)].add(file.meant[0])
    found: dict[str, set[Place]] = defaultdict(set)
    for (code, place), files in reads.items():
        if all(_committed(project, read) or _written(project, read, writes[read.name], layouts) for read in files):
            found[code].add(place)
    return dict(found)


def _committed(project: Project, read: _File) -> bool:
    return not read.runtime and any(reading in project.present for reading in read.meant)


def _written(project: Project, read: _File, candidates: list[_File], layouts: dict) -> bool:
    """Whether the repository writes the file `read` loads, with evidence."""
    for write in candidates:
        if write.runtime != read.runtime or not _together(project, read.code, write.code):
            continue
        if not read.runtime:
            if any(same_artifact(a, b) for a in read.meant for b in write.meant):
                return True
            continue
        folder_in, folder_out = read.record.folder, write.record.folder
        if read.meant[0] != write.meant[0] or not folder_in or not folder_out:
            continue
        taken = layouts[(read.code, "read", folder_in)]
        if folder_in == folder_out or (len(taken) >= 2 and taken <= layouts[(write.code, "write", folder_out)]):
            return True
    return False


def _together(project: Project, a: str, b: str) -> bool:
    """One module, two files of one folder, or of one project."""
    return a == b or posixpath.dirname(a) == posixpath.dirname(b) or project.same_project(a, b)
