"""The results cache: the boundary between the extract and the project phases.

A `FileResult` depends only on the file's path and bytes, on the settings that shape per-file
analysis and on mldebt's own code, so it is stored on disk under those and a warm scan parses
only what changed; the project phase then runs on cached and fresh facts alike. A stat index
(size, times, inode) says which files kept their bytes, so a warm scan does not read and hash
every file either. A whole report is a function of every file's path and bytes, the paths
present, the settings and the code, so the last reports are stored under a digest of all of
them (`report_key`): a scan of an unchanged tree loads its report without importing libcst or
networkx, parsing or reasoning.

Entries are untrusted input (a pull request can ship a crafted `.mldebt_cache/`): they are
JSON, decoded field by field against the dataclasses' annotations (never pickle, nothing can
run), any entry that does not decode exactly is a miss and is rewritten, and a cache folder
that git tracks is not used at all. Writes are atomic (a temporary file and a rename), so two
scans at once only ever see whole entries. The cache never grows without bound: settings and
code versions other than the few most recently used are deleted, and entries no scan used
are pruned once they outnumber the files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import json
import operator
import os
import shutil
import stat
import sys
import tempfile
import time
import types
import typing
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from mldebt import __version__
from mldebt.bounded_read import ReadRefused, read_bounded
from mldebt.extract.sources import content_digest
from mldebt.discover import Discovery
from mldebt.extract.facts import Facts
from mldebt.project.rubric import Score
from mldebt.report import Diagnostic, FileResult, Finding, Report
from mldebt.settings import Settings

#: The layout of entries; part of every key, bump it when the encoding changes.
FORMAT = 1
#: Settings/code versions kept side by side (e.g. a scan with `--select` next to the default).
KEPT_GENERATIONS = 4
#: Entries beyond twice the project's files tolerated before unused ones are pruned.
SPARE_ENTRIES = 64
#: An entry larger than this is not read (the largest source mldebt analyses is 2 MiB).
MAX_ENTRY_BYTES = 64 * 2**20
#: The stat index of a project root, `index-<root>.json` beside the generations: path ->
#: (kind, size, mtime, ctime, inode, content digest). Content digests do not depend on the
#: settings, so every generation shares it.
INDEX_PREFIX = "index-"
#: Stored reports, `report-<root and paths>.json`, one per project root and paths scanned.
REPORT_PREFIX = "report-"
#: Stat indexes and stored reports kept (the most recently written): several projects or
#: one-file scans may share a cache folder.
KEPT_PER_ROOT_FILES = 8
#: Libraries whose behaviour a report depends on beyond the per-file phase (graph, matching,
#: version ranges, safe YAML): a report is stored under their versions too.
REPORT_LIBRARIES = ("libcst", "networkx", "pathspec", "packaging", "pyyaml")
#: A file whose times are this close to the moment it was looked at could change again within
#: its timestamps' granularity (1-2 s on coarse filesystems) with the same size, times and
#: inode: its stat is not recorded (git's "racily clean" entries), so the next scan reads it.
RACY_NS = 2 * 10**9
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mldebt.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


class CacheError(ValueError):
    """An entry that is not exactly what this version of mldebt writes."""


# --- plain data <-> JSON, driven by the dataclasses' annotations -------------------------------


def to_plain(value: Any) -> Any:
    """A dataclass tree as JSON-ready data: sets become sorted lists, tuples lists."""
    if dataclasses.is_dataclass(value):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(to_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _fail(expected: str, value: Any) -> typing.NoReturn:
    raise CacheError(f"expected {expected}, found {type(value).__name__}")


_SCALARS = (str, int, float, bool)


def _scalar(kind: type) -> Callable[[Any], Any]:
    def decode(value: Any) -> Any:
        if type(value) is not kind:  # exact: a bool is not an int here
            _fail(kind.__name__, value)
        return value

    return decode


def _none(value: Any) -> None:
    if value is not None:
        _fail("null", value)


def _collection(container: type, item: Any) -> Callable[[Any], Any]:
    """A list, set or tuple of `item`s; a scalar item type is checked for all the values at
    once (`map(type, ...)` runs in C): strings are most of what a cache entry holds."""
    if item in _SCALARS:
        kind = item

        def scalars(value: Any) -> Any:
            if type(value) is not list:
                _fail("a list", value)
            if value and set(map(type, value)) != {kind}:
                _fail(f"a list of {kind.__name__}", value)
            return value if container is list else container(value)

        return scalars
    item_decoder = decoder(item)

    def decode(value: Any) -> Any:
        if type(value) is not list:
            _fail("a list", value)
        return container(map(item_decoder, value))

    return decode


def _mapping(item: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def decode(value: Any) -> Any:
        if type(value) is not dict:
            _fail("an object", value)
        return {_scalar(str)(k): item(v) for k, v in value.items()}

    return decode


def _optional(item: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else item(value)


def _record(cls: type) -> Callable[[Any], Any]:
    """A dataclass from a JSON object with exactly its fields, each of its type. This is most
    of a warm scan's cache cost, so the scalar fields are checked together (`map(type, ...)`
    runs in C), the other fields decoded in place, and the object decoded becomes the
    instance's `__dict__` without running `__init__` (a frozen dataclass's sets each field
    through `object.__setattr__`). A class with `__post_init__` or slots is constructed."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    expected = dict.fromkeys(names).keys()
    scalars = [name for name in names if hints[name] in _SCALARS]
    kinds = [hints[name] for name in scalars]
    pick = operator.itemgetter(*scalars) if len(scalars) > 1 else (lambda value: (value[scalars[0]],)) if scalars else (lambda value: ())
    others = [(name, decoder(hints[name]), _empty_collection(hints[name])) for name in names if name not in scalars]
    construct = hasattr(cls, "__post_init__") or hasattr(cls, "__slots__")
    new, set_attribute = object.__new__, object.__setattr__

    def decode(value: Any) -> Any:
        if type(value) is not dict or value.keys() != expected:
            raise CacheError(f"not a {cls.__name__}")
        if list(map(type, pick(value))) != kinds:  # exact: a bool is not an int here
            raise CacheError(f"a field of {cls.__name__} has the wrong type")
        for name, decode_field, empty in others:
            item = value[name]
            # most facts of most files are empty lists: no call for those
            value[name] = empty() if empty is not None and type(item) is list and not item else decode_field(item)
        if construct:
            return cls(**value)
        instance = new(cls)
        set_attribute(instance, "__dict__", value)
        return instance

    return decode


def _empty_collection(annotation: Any) -> type | None:
    """The container an empty JSON list decodes to for `annotation`, None if not a collection."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (list, set, frozenset) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        return origin
    return None


@cache
def decoder(annotation: Any) -> Callable[[Any], Any]:
    """A function that turns JSON data back into `annotation` (a dataclass, a container of
    them, a scalar) and raises CacheError on anything else. It consumes the data it is given:
    JSON objects become the instances' fields. Unsupported annotations are a TypeError at
    once, so a new kind of fact cannot slip past the cache untested."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation in (str, int, float, bool):
        return _scalar(annotation)
    if annotation is type(None):
        return _none
    if dataclasses.is_dataclass(annotation):
        return _record(annotation)
    if origin in (list, set, frozenset) and len(args) == 1:
        return _collection(origin, args[0])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _collection(tuple, args[0])
    if origin is tuple and args and Ellipsis not in args:
        items = [decoder(a) for a in args]

        def fixed(value: Any) -> tuple:
            if type(value) is not list or len(value) != len(items):
                _fail(f"a list of {len(items)}", value)
            return tuple(item(v) for item, v in zip(items, value))

        return fixed
    if origin is dict and args and args[0] is str:
        return _mapping(decoder(args[1]))
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        return _optional(decoder(next(a for a in args if a is not type(None))))
    raise TypeError(f"the cache cannot store `{annotation}`; use plain data in results and facts")


# --- keys ---------------------------------------------------------------------------------------


@cache
def code_digest() -> str:
    """A hash of mldebt's own code, its rules and their YAML knowledge: a rule edited in
    place (an editable install, a patched release) must not be answered from the cache."""
    digest = hashlib.blake2b(digest_size=16)
    for package in ("mldebt", "mldebt.rules"):
        spec = importlib.util.find_spec(package)
        for folder in spec.submodule_search_locations or ():
            base = Path(folder)
            for path in sorted(p for p in base.rglob("*") if p.suffix in (".py", ".yaml") and p.is_file()):
                digest.update(f"{package}/{path.relative_to(base).as_posix()}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def generation(settings: Settings) -> str:
    """The name under which results of this mldebt, its dependencies and these per-file
    settings live; anything else that changes per-file results must be part of it."""
    parts = [
        str(FORMAT), __version__, code_digest(), settings.file_phase_digest(),
        f"{sys.version_info.major}.{sys.version_info.minor}", metadata.version("libcst"),
    ]
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=8).hexdigest()


# --- git: a tracked cache folder is attacker-controlled ------------------------------------------


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    """git's offset varint (index v4 path compression)."""
    byte = data[offset]
    value, offset = byte & 0x7F, offset + 1
    while byte & 0x80:
        byte = data[offset]
        value, offset = ((value + 1) << 7) | (byte & 0x7F), offset + 1
    return value, offset


def _index_paths(data: bytes, hash_size: int) -> list[bytes]:
    """The paths of a git index (versions 2 to 4); raises on anything malformed."""
    if data[:4] != b"DIRC":
        raise ValueError("not a git index")
    version, count = int.from_bytes(data[4:8], "big"), int.from_bytes(data[8:12], "big")
    if version not in (2, 3, 4):
        raise ValueError(f"git index version {version}")
    paths, offset, previous = [], 12, b""
    for _ in range(count):
        start = offset
        offset += 40 + hash_size
        flags = int.from_bytes(data[offset:offset + 2], "big")
        offset += 2 + (2 if version >= 3 and flags & 0x4000 else 0)
        if version == 4:
            strip, offset = _varint(data, offset)
            end = data.index(b"\0", offset)
            if strip > len(previous):
                raise ValueError("bad path compression")
            path = previous[:len(previous) - strip] + data[offset:end]
            offset = end + 1
        else:
            end = data.index(b"\0", offset)
            path = data[offset:end]
            offset = start + ((end - start + 8) & ~7)
        paths.append(path)
        previous = path
    if offset + hash_size > len(data):
        raise ValueError("truncated git index")
    return paths


def tracked_by_git(folder: Path) -> bool:
    """Whether the git repository around `folder` tracks anything inside it. An index that
    cannot be read counts as tracking it: the cache is then simply not used."""
    for top in folder.parents:
        dot_git = top / ".git"
        if dot_git.exists():
            break
    else:
        return False
    try:
        if dot_git.is_file():
            gitdir = dot_git.read_text(encoding="utf-8").strip().removeprefix("gitdir:").strip()
            dot_git = (top / gitdir).resolve()
        index = dot_git / "index"
        if not index.exists():
            return False
        with open(index, "rb") as handle:
            data = handle.read(MAX_ENTRY_BYTES * 4)
    except (OSError, UnicodeDecodeError):
        return True
    prefix = folder.relative_to(top).as_posix().encode() + b"/"
    for hash_size in (20, 32):  # SHA-1 and SHA-256 repositories
        try:
            return any(path.startswith(prefix) for path in _index_paths(data, hash_size))
        except (ValueError, IndexError):
            continue
    return True


# --- the cache ----------------------------------------------------------------------------------


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _is_generation(entry: os.DirEntry) -> bool:
    return len(entry.name) == 16 and entry.is_dir(follow_symlinks=False) and all(
        c in "0123456789abcdef" for c in entry.name
    )


Signature = tuple[int, int, int, int]


def signature(path: Path) -> Signature | None:
    """(size, mtime, ctime, inode) of a regular file, None for anything else (a link is read
    every time: where it points is checked on reading). Content writes always move the ctime,
    which no tool can set back, so a file with an unchanged signature has unchanged bytes."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def _index_entry(value: Any) -> tuple[str, Signature, str] | None:
    """A stat index entry as written by `ResultCache.save_index`, or None if it is not one."""
    if type(value) is not list or len(value) != 6 or type(value[0]) is not str or type(value[5]) is not str:
        return None
    if any(type(v) is not int for v in value[1:5]):
        return None
    return value[0], tuple(value[1:5]), value[5]  # type: ignore[return-value]


@dataclasses.dataclass
class StoredReport:
    """A `Report` as the reporters read it, stored whole. Of each file's facts only the glue
    lines are kept (the metrics read them; the other facts served the finished project phase),
    and the graph is kept as its JSON."""

    files: list[FileResult]
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    settings_digest: str
    rules_run: list[str]
    graph_json: str
    score: Score | None

    @classmethod
    def of(cls, report: Report) -> StoredReport:
        files = [
            dataclasses.replace(r, facts=Facts(glue_lines=r.facts.glue_lines), suppression_comments=[], used_suppressions=[])
            for r in report.files
        ]
        graph = json.dumps(report.graph_data, separators=(",", ":"))
        return cls(files, report.findings, report.diagnostics, report.settings_digest, report.rules_run, graph, report.score)

    def report(self) -> Report:
        """The report; a graph that is not a JSON object is a CacheError."""
        try:
            graph = json.loads(self.graph_json)
        except (ValueError, RecursionError):
            raise CacheError("the graph is not JSON") from None
        if type(graph) is not dict:
            raise CacheError("the graph is not a JSON object")
        return Report(
            files=self.files, findings=self.findings, diagnostics=self.diagnostics,
            settings_digest=self.settings_digest, rules_run=self.rules_run, graph_data=graph, score=self.score,
        )


def report_key(
    root: Path, settings: Settings, found: Discovery, digests: dict[str, str | None], only: list[str] | None,
) -> str | None:
    """A digest of every input of a scan's report: mldebt's code and the libraries it reasons
    with, the settings, the project root (absolute: a cache folder may serve several), the paths
    reported, every path discovery saw, what it skipped and why, the `.gitignore` files (a rule asks them
    whether a path that is not there is ignored), and each file's content digest
    (`digests`); a file that could not be read counts by its stat signature, since why it was
    not read (too large, unreadable) can only change with it. None when an input cannot be
    pinned down (a file that is neither read nor stat'ed): such a report is not stored."""
    parts: list[Any] = [
        FORMAT, __version__, code_digest(), f"{sys.version_info.major}.{sys.version_info.minor}",
        [_library_version(name) for name in REPORT_LIBRARIES], settings.digest(), str(root), only,
        sorted(found.present), [dataclasses.astuple(s) for s in found.skipped], found.git_ignores.texts,
    ]
    for ref in found.files:
        digest = digests.get(ref.path)
        if not digest:
            file_signature = signature(root / ref.path)
            if file_signature is None:
                return None
            digest = list(file_signature)
        parts.append([ref.path, ref.kind, digest])
    text = json.dumps(parts, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@cache
def _library_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


class ResultCache:
    """The cache folder of one project root: its stat index and stored reports, and per-file
    results of one generation (mldebt version, code, per-file settings), one JSON file per
    (path, content) under `folder/<generation>/`. The stat index spares a warm scan reading and
    hashing every file (git's index does the same): the content digest stays the key, the
    stat only says when the digest is already known."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder = folder
        self.root_name = hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()
        self.entries: Path | None = None
        self.used: set[str] = set()
        self.stored = 0
        self.index: dict[str, tuple[str, Signature, str]] = {}
        self.seen: dict[str, tuple[str, Signature, str]] = {}

    @classmethod
    def open(cls, folder: Path, root: Path) -> ResultCache | None:
        """The cache in `folder` for the project at `root`, created if needed; None when it
        must not or cannot be used (git tracks it, it is a link, it cannot be written): the
        scan then runs without it. Opening it needs neither the rules nor the settings, so a
        stored report can be found without importing them."""
        folder = Path(os.path.abspath(folder))
        try:
            if folder.is_symlink() or tracked_by_git(folder):
                return None
            folder.mkdir(parents=True, exist_ok=True)
            for name, text in (("CACHEDIR.TAG", _CACHEDIR_TAG), (".gitignore", "# created by mldebt\n*\n")):
                if not (folder / name).is_file():
                    _write_atomically(folder / name, text.encode())
        except OSError:
            return None
        self = cls(folder, root)
        self.index = self._load_index()
        return self

    def use_generation(self, settings: Settings) -> bool:
        """Make the per-file entries of `settings`' generation the ones loaded and stored
        (this imports every rule: the generation digests them); False if they cannot be."""
        entries = self.folder / generation(settings)
        try:
            entries.mkdir(exist_ok=True)
            if entries.is_symlink():
                return False
            os.utime(entries)  # most recently used generation
        except OSError:
            return False
        self.entries = entries
        return True

    @property
    def index_path(self) -> Path:
        return self.folder / f"{INDEX_PREFIX}{self.root_name}.json"

    def _load_index(self) -> dict[str, tuple[str, Signature, str]]:
        """The stat index; whatever does not decode is left out (those files are read)."""
        document = self._read_json(self.index_path)
        if type(document) is not dict or document.get("format") != FORMAT or type(document.get("files")) is not dict:
            return {}
        return {path: entry for path, value in document["files"].items() if (entry := _index_entry(value))}

    def digest(self, root: Path, path: str, kind: str) -> tuple[str | None, int]:
        """The content digest and size of a file: from the stat index when its signature is
        the recorded one, else read (bounded) and hashed. (None, 0) when it is not read: the
        analysis then reports why. The signature is taken before reading, so a write during
        the read leaves a signature that the next scan does not match."""
        file_signature = signature(root / path)
        known = self.index.get(path)
        if file_signature is not None and known is not None and known[:2] == (kind, file_signature):
            self.seen[path] = known
            return known[2], file_signature[0]
        try:
            data = read_bounded(root / path, tree=root)
        except (ReadRefused, OSError):
            return None, 0
        digest = content_digest(data)
        if file_signature is not None and max(file_signature[1:3]) < time.time_ns() - RACY_NS:
            self.seen[path] = (kind, file_signature, digest)
        return digest, len(data)

    def save_index(self) -> None:
        """Record the signatures of this scan's files (only those: deleted files drop out)."""
        if self.seen == self.index:
            return
        files = {path: [kind, *file_signature, digest] for path, (kind, file_signature, digest) in sorted(self.seen.items())}
        try:
            _write_atomically(self.index_path, json.dumps({"format": FORMAT, "files": files}).encode())
        except OSError:
            return

    @staticmethod
    def _read_json(path: Path) -> Any:
        """A JSON document of at most MAX_ENTRY_BYTES, never through a link; None if unreadable."""
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as handle:
                data = handle.read(MAX_ENTRY_BYTES + 1)
            if len(data) > MAX_ENTRY_BYTES:
                return None
            return json.loads(data)
        except (OSError, ValueError, RecursionError):
            return None

    def _report_path(self, only: list[str] | None, settings: Settings) -> Path:
        """Where the report of these paths and settings is kept: a scan with `--select` or of
        one file does not replace the full scan's report (only the key says it is current)."""
        scope = hashlib.blake2b(json.dumps([only, settings.digest()]).encode(), digest_size=8).hexdigest()
        return self.folder / f"{REPORT_PREFIX}{self.root_name}-{scope}.json"

    def load_report(self, key: str, only: list[str] | None, settings: Settings) -> Report | None:
        """The stored report of exactly these inputs, or None (absent, another key, corrupt)."""
        path = self._report_path(only, settings)
        document = self._read_json(path)
        if type(document) is not dict or document.get("key") != key:
            return None
        try:
            report = decoder(StoredReport)(document.get("report")).report()
        except (ValueError, RecursionError):  # CacheError is a ValueError
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        return report

    def store_report(self, key: str, only: list[str] | None, settings: Settings, report: Report) -> None:
        """Keep a finished report for the next scan of the same inputs."""
        document = {"key": key, "report": to_plain(StoredReport.of(report))}
        try:
            _write_atomically(self._report_path(only, settings), json.dumps(document, separators=(",", ":")).encode())
        except OSError:
            return

    def _entry(self, path: str, kind: str, digest: str) -> tuple[str, Path]:
        assert self.entries is not None, "per-file entries used before use_generation()"
        key = f"{FORMAT}\0{path}\0{kind}\0{digest}"
        name = hashlib.blake2b(key.encode(), digest_size=16).hexdigest() + ".json"
        return key, self.entries / name

    def has(self, path: str, kind: str, digest: str | None) -> bool:
        """Whether an entry for these bytes exists (it may still fail to load)."""
        return bool(digest) and self._entry(path, kind, digest)[1].is_file()

    def load(self, path: str, kind: str, digest: str) -> FileResult | None:
        """The cached result, or None for a miss (absent, foreign, corrupt, truncated)."""
        key, entry = self._entry(path, kind, digest)
        self.used.add(entry.name)
        document = self._read_json(entry)
        if type(document) is not dict or document.get("key") != key:
            return None
        try:
            result = decoder(FileResult)(document.get("result"))
        except (ValueError, RecursionError):  # CacheError is a ValueError
            return None
        if (result.path, result.kind, result.digest) != (path, kind, digest):
            return None
        return result

    def store(self, result: FileResult) -> None:
        """Keep a fresh result; a failure to write only costs the next scan a parse."""
        if not result.digest:
            return
        key, entry = self._entry(result.path, result.kind, result.digest)
        self.used.add(entry.name)
        document = {"key": key, "result": to_plain(result)}
        try:
            _write_atomically(entry, json.dumps(document, separators=(",", ":")).encode())
            self.stored += 1
        except OSError:
            return

    def prune(self, live_files: int) -> None:
        """Drop all but the most recently used generations, stat indexes and stored reports,
        and entries this scan did not use once they outnumber the files of the project."""
        try:
            top = list(os.scandir(self.folder))
            generations = sorted(
                (e for e in top if _is_generation(e)), key=lambda e: e.stat(follow_symlinks=False).st_mtime, reverse=True,
            )
            for old in generations[KEPT_GENERATIONS:]:
                if self.entries is None or old.path != str(self.entries):
                    shutil.rmtree(old.path, ignore_errors=True)
            for prefix in (INDEX_PREFIX, REPORT_PREFIX):
                files = sorted(
                    (e for e in top if e.name.startswith(prefix) and e.is_file(follow_symlinks=False)),
                    key=lambda e: e.stat(follow_symlinks=False).st_mtime, reverse=True,
                )
                for old in files[KEPT_PER_ROOT_FILES:]:
                    Path(old.path).unlink(missing_ok=True)
            if not self.stored or self.entries is None:
                return
            names = [e.name for e in os.scandir(self.entries) if e.name.endswith(".json")]
            if len(names) > 2 * live_files + SPARE_ENTRIES:
                for name in names:
                    if name not in self.used:
                        (self.entries / name).unlink(missing_ok=True)
        except OSError:
            return


def clean(folder: Path) -> bool:
    """Delete a cache folder mldebt created (it has our CACHEDIR.TAG); False if there is none."""
    folder = Path(os.path.abspath(folder))
    if folder.is_symlink() or not (folder / "CACHEDIR.TAG").is_file():
        return False
    if "mldebt" not in (folder / "CACHEDIR.TAG").read_text(encoding="utf-8", errors="replace"):
        return False
    shutil.rmtree(folder)
    return True
